"""Backfill against a recorded paginated archive (the vanban fixture: two list pages, three documents dated
2025-04-01, 2025-03-28 and, on page 2, 2025-01-09): exact date bounds, resumable, re-runs add nothing."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from govmon.crawler.sources import load_sources
from govmon.monitor.cli.main import app
from govmon.monitor.cli.common import parse_day
from govmon.monitor.config import Config
from govmon.monitor.demo.replay import ReplayServer
from govmon.monitor.service.runner import Walk, crawl_source
from govmon.monitor.service.walks import walks_dir
from govmon.storage import repository as repo
from govmon.storage.db import make_engine, session_scope
from govmon.storage.migrate import upgrade
from tests_support import FIXTURES

SITE = FIXTURES / "vanban" / "site"
runner = CliRunner()


@pytest.fixture()
def replay():
    with ReplayServer([SITE]) as server:
        yield server


def _backfill(tmp_path: Path, replay, database: str, *args: str) -> list[dict]:
    config = tmp_path / "govmon.toml"
    config.write_text(f'[crawl]\nDOWNLOAD_DELAY = 0\nAUTOTHROTTLE_ENABLED = false\n'
                      f'GOVMON_HOST_MAP = {{ "*" = "{replay.base_url}" }}\n', encoding="utf-8")
    result = runner.invoke(app, ["--config", str(config), "--database", database, "backfill", "vanban", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _stored(database: str) -> dict[str, int]:
    with session_scope(make_engine(database)) as s:
        rows = repo.export_rows(s)
        return {a.url: len(repo.versions_of(s, a.id)) for a, _ in rows}


def _database(tmp_path: Path, name: str) -> str:
    url = f"sqlite:///{tmp_path / name}"
    upgrade(make_engine(url))
    return url


def test_since_is_exact_and_a_second_run_adds_nothing(tmp_path, replay):
    database = _database(tmp_path, "a.sqlite3")
    (first,) = _backfill(tmp_path, replay, database, "--since", "2025-03-01")
    assert (first["new"], first["outside"]) == (2, 1)
    assert sorted(_stored(database)) == ["https://vanban.chinhphu.vn/?docid=212987&pageid=27160",
                                         "https://vanban.chinhphu.vn/?docid=213001&pageid=27160"]
    (again,) = _backfill(tmp_path, replay, database, "--since", "2025-03-01")
    assert (again["new"], again["known"]) == (0, 2)
    with session_scope(make_engine(database)) as s:
        assert repo.events(s) == []  # a backfill is a quiet baseline


def test_until_bound_is_exact(tmp_path, replay):
    database = _database(tmp_path, "b.sqlite3")
    _backfill(tmp_path, replay, database, "--since", "2025-01-01", "--until", "2025-03-31")
    assert sorted(_stored(database)) == ["https://vanban.chinhphu.vn/?docid=211540&pageid=27160",
                                         "https://vanban.chinhphu.vn/?docid=212987&pageid=27160"]


def test_an_interrupted_backfill_resumed_gives_the_same_store_as_an_uninterrupted_one(tmp_path, replay):
    whole, pieces = _database(tmp_path, "whole.sqlite3"), _database(tmp_path, "pieces.sqlite3")
    _backfill(tmp_path, replay, whole, "--since", "2025-01-01")
    assert not walks_dir().exists() or list(walks_dir().iterdir()) == []  # a walk that reached its end
    (stopped,) = _backfill(tmp_path, replay, pieces, "--since", "2025-01-01", "--max-pages", "1")  # after page 1
    assert stopped["resume_at"] == [2] and len(list(walks_dir().iterdir())) == 1
    replay.served.clear()
    (resumed,) = _backfill(tmp_path, replay, pieces, "--since", "2025-01-01")
    assert resumed["resume_at"] == []
    assert not any(path.endswith("?mode=0&pageid=41852") for path in replay.served)  # page 1 not walked again
    assert any("page=2" in path for path in replay.served)
    assert _stored(pieces) == _stored(whole) and len(_stored(whole)) == 3
    assert list(walks_dir().iterdir()) == []


def test_ctrl_c_mid_walk_resumes_at_the_first_list_page_not_fully_handled(tmp_path, replay):
    whole, pieces = _database(tmp_path, "whole.sqlite3"), _database(tmp_path, "pieces.sqlite3")
    _backfill(tmp_path, replay, whole, "--since", "2025-01-01")
    config = replace(Config(), crawl={"DOWNLOAD_DELAY": 0, "GOVMON_HOST_MAP": {"*": replay.base_url}})

    def ctrl_c_at_the_first_article(item: dict, tally) -> None:
        if item["type"] == "article":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        crawl_source(make_engine(pieces), config, load_sources()["vanban"],
                     walk=Walk(parse_day("2025-01-01"), None, 50, False, ctrl_c_at_the_first_article))
    (saved,) = walks_dir().iterdir()
    (point,) = json.loads(saved.read_text())["points"].values()
    assert point["page"] == 1  # a page-1 document was not stored: resume there, not after it
    _backfill(tmp_path, replay, pieces, "--since", "2025-01-01")
    assert _stored(pieces) == _stored(whole)


def test_backfill_reads_the_monthly_sitemaps_of_its_window(tmp_path):
    fixture = FIXTURES / "vietnamplus" / "site"
    page = "thu-tuong-yeu-cau-tap-trung-phong-chay-chua-chay-rung-cao-diem-mua-kho-post1030215.vnp"
    extra = tmp_path / "archive" / "www.vietnamplus.vn"
    (extra / "sitemaps").mkdir(parents=True)
    hidden = "https://www.vietnamplus.vn/ban-luu-tru-chi-co-trong-sitemap-post1030999.vnp"  # on no list page
    (extra / "ban-luu-tru-chi-co-trong-sitemap-post1030999.vnp").write_bytes((fixture / "www.vietnamplus.vn" / page).read_bytes())
    (extra / "sitemaps" / "news-2025-5.xml").write_text(
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{hidden}</loc>'
        '<lastmod>2025-05-08</lastmod></url></urlset>', encoding="utf-8")
    database = _database(tmp_path, "s.sqlite3")
    with ReplayServer([fixture, tmp_path / "archive"]) as server:
        config = tmp_path / "govmon.toml"
        config.write_text(f'[crawl]\nDOWNLOAD_DELAY = 0\nGOVMON_HOST_MAP = {{ "*" = "{server.base_url}" }}\n')
        result = runner.invoke(app, ["--config", str(config), "--database", database, "backfill", "vietnamplus",
                                     "--since", "2025-05-01", "--until", "2025-05-31", "--json"])
    assert result.exit_code == 0, result.output
    assert hidden in _stored(database)


def test_ctrl_c_on_the_command_reports_where_the_next_run_continues(tmp_path, replay):
    database = _database(tmp_path, "cli.sqlite3")
    config = tmp_path / "slow.toml"
    config.write_text(f'[crawl]\nDOWNLOAD_DELAY = 1\nAUTOTHROTTLE_ENABLED = false\n'
                      f'GOVMON_HOST_MAP = {{ "*" = "{replay.base_url}" }}\n', encoding="utf-8")
    command = [sys.executable, "-c", "from govmon.monitor.cli.main import app; app()", "--config", str(config), "--database", database,
               "backfill", "vanban", "--since", "2025-01-01"]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env={**os.environ, "COLUMNS": "200"})
    deadline = time.monotonic() + 60
    while not any("docid" in path for path in replay.served) and time.monotonic() < deadline:
        time.sleep(0.05)
    child.send_signal(signal.SIGINT)
    _, stderr = child.communicate(timeout=60)
    assert child.returncode == 130, stderr[-2000:]
    assert "interrupted: what was stored stays; the same command continues (vanban at list page" in stderr
    assert len(list(walks_dir().iterdir())) == 1
