"""Unchanged polls: a second crawl of a site where nothing changed asks for every known article
conditionally, gets 304s and extracts nothing again; a server that gives no validators is asked again in
full (a silent edit must still be seen there). Crawls run as the monitor runs them: a child process, the
site served by the replay server through the host map."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from govmon.monitor.demo.replay import ReplayServer

SETTINGS = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "RETRY_TIMES": 0, "LOG_LEVEL": "ERROR"}
ARTICLES = 3


def _site(tmp_path: Path) -> tuple[Path, Path]:
    """One source (its definition) and its site: a list page and three articles."""
    sources, site = tmp_path / "sources", tmp_path / "site" / "cong.govmon.test"
    sources.mkdir()
    (sources / "cong.toml").write_text(
        "name = 'cong'\ntitle = 'Cổng thử'\nkind = 'provincial'\nhosts = ['cong.govmon.test']\n"
        "start_urls = ['https://cong.govmon.test/tin-tuc/']\ndownload_delay = 0.0\n"
        "[list]\nlinks = 'h3 a[href]'\nallow = '/bai-\\d+\\.html$'\n[article]\ntitle = 'h1'\nbody = 'div.noi-dung'\n",
        encoding="utf-8")
    (site / "tin-tuc").mkdir(parents=True)
    links = "".join(f'<h3><a href="/bai-{k}.html">Thông báo {k}</a></h3>' for k in range(1, ARTICLES + 1))
    (site / "tin-tuc" / "index.html").write_text(f"<html><body>{links}</body></html>", encoding="utf-8")
    for k in range(1, ARTICLES + 1):
        (site / f"bai-{k}.html").write_text(
            f"<html><body><h1>Thông báo số {k}</h1><div class='noi-dung'><p>Ủy ban nhân dân tỉnh thông báo lịch "
            f"tiếp công dân tháng {k} năm 2025 tại trụ sở tiếp công dân của tỉnh.</p></div></body></html>",
            encoding="utf-8")
    return sources, tmp_path / "site"


def _crawl(sources: Path, server: ReplayServer, known: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    spec = {"source": "cong", "source_dirs": [str(sources)], "known": known,
            "settings": {**SETTINGS, "GOVMON_HOST_MAP": {"*": server.base_url}}}
    done = subprocess.run([sys.executable, "-m", "govmon.crawler.run"], input=json.dumps(spec), capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def _known(items: list[dict[str, Any]], *fields: str) -> dict[str, dict[str, str]]:
    """What the store hands the next crawl: each article's validators (those named) and its extractor."""
    return {i["url"]: {**{f: i[f] for f in fields}, "extractor": "site"} for i in items if i["type"] == "article"}


def _article_answers(server: ReplayServer) -> list[int]:
    return [a.status for a in server.answers if "/bai-" in a.path]


def test_an_unchanged_site_answers_304_and_nothing_is_extracted_again(tmp_path):
    sources, site = _site(tmp_path)
    with ReplayServer([site]) as server:
        first = _crawl(sources, server, {})
        assert sorted(i["type"] for i in first) == ["article"] * ARTICLES + ["list"]
        for fields in (("etag", "last_modified"), ("etag",), ("last_modified",)):
            server.answers.clear()
            again = _crawl(sources, server, _known(first, *fields))
            assert sorted(i["type"] for i in again) == ["list"] + ["not_modified"] * ARTICLES, fields
            assert _article_answers(server) == [304] * ARTICLES


def test_a_server_without_validators_is_asked_again_in_full(tmp_path):
    sources, site = _site(tmp_path)
    with ReplayServer([site], validators=False) as server:
        first = _crawl(sources, server, {})
        assert all(i["etag"] == i["last_modified"] == "" for i in first if i["type"] == "article")
        server.answers.clear()
        again = _crawl(sources, server, _known(first, "etag", "last_modified"))
    assert sorted(i["type"] for i in again) == ["article"] * ARTICLES + ["list"]
    assert _article_answers(server) == [200] * ARTICLES
