"""`govmon extract` and `govmon sources check|add` as a user runs them (in-process through typer)."""
from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from govmon.monitor.cli.main import app
from govmon.monitor.demo.offline import DEMO_DIR
from govmon.monitor.demo.replay import ReplayServer

DAY1 = DEMO_DIR / "sites" / "day1"
PAGE = "chinh-phu-ban-hanh-chuong-trinh-hanh-dong-thuc-hien-nghi-quyet-57-nq-tw-102250109213015482.htm"
URL = f"https://baochinhphu.vn/{PAGE}"
runner = CliRunner()


def test_extract_prints_the_article_with_its_documents():
    result = runner.invoke(app, ["extract", str(DAY1 / "baochinhphu.vn" / PAGE), "--url", URL])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["source"] == "baochinhphu" and data["extractor"] == "site"
    assert data["published_at"].endswith("+07:00") and "Tham khảo thêm" not in data["text"]
    assert {"03/NQ-CP", "57-NQ/TW"} <= {r["id"] for r in data["doc_refs"]}


def test_extract_batch_reports_bad_lines_and_goes_on(tmp_path):
    lines = [{"path": str(DAY1 / "baochinhphu.vn" / PAGE), "url": URL}, {"path": str(tmp_path / "gone.html"), "url": URL}]
    result = runner.invoke(app, ["extract", "--jsonl"], input="\n".join(json.dumps(x) for x in lines) + "\nnot json\n")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 0 and len(rows) == 3
    assert rows[0]["path"] == lines[0]["path"] and rows[0]["title"]
    assert rows[1]["error"].startswith("cannot read") and rows[2]["error"].startswith("bad input line")


def test_extract_of_an_unreadable_file_is_one_line_and_exit_2(tmp_path):
    result = runner.invoke(app, ["extract", str(tmp_path / "missing.html"), "--url", URL])
    assert result.exit_code == 2 and "cannot read" in result.stderr and "Traceback" not in result.output


def test_extract_of_a_challenge_page_says_it_is_not_an_article(tmp_path):
    page = tmp_path / "c.html"
    page.write_text('<script>document.cookie="D0N=1"+"; path=/";window.location.reload(true);</script>')
    result = runner.invoke(app, ["extract", str(page), "--url", "https://chinhphu.vn/"])
    assert result.exit_code == 2 and "not an article" in result.stderr


def _config(tmp_path: Path, base_url: str) -> str:
    path = tmp_path / "govmon.toml"
    path.write_text(f'[crawl]\nGOVMON_HOST_MAP = {{ "*" = "{base_url}" }}\n', encoding="utf-8")
    return str(path)


def test_sources_check_shows_matching_selectors_on_a_replayed_site(tmp_path):
    with ReplayServer([DAY1]) as server:
        result = runner.invoke(app, ["--config", _config(tmp_path, server.base_url), "sources", "check", "baochinhphu"])
    assert result.exit_code == 0, result.output
    assert "ok links" in result.stdout and "ok title" in result.stdout and "FAIL" not in result.stdout


def test_sources_check_fails_loudly_on_a_redesigned_page(tmp_path):
    redesigned = tmp_path / "page.html"
    redesigned.write_text((DAY1 / "baochinhphu.vn" / PAGE).read_text(encoding="utf-8").replace("detail-content", "body-v2"))
    result = runner.invoke(app, ["sources", "check", "baochinhphu", "--file", str(redesigned)])
    assert result.exit_code == 1 and "FAIL body" in result.stdout
