"""Backfill against a recorded paginated archive (the vanban fixture: two list pages, three documents dated
2025-04-01, 2025-03-28 and, on page 2, 2025-01-09): exact date bounds, resumable, re-runs add nothing."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from monitor.cli import app
from monitor.replay import ReplayServer
from storage import repository as repo
from storage.db import make_engine, session_scope
from storage.migrate import upgrade

SITE = Path(__file__).parents[1] / "crawler" / "fixtures" / "vanban" / "site"
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
    _backfill(tmp_path, replay, pieces, "--since", "2025-01-01", "--max-pages", "1")  # stopped after page 1
    _backfill(tmp_path, replay, pieces, "--since", "2025-01-01")
    assert _stored(pieces) == _stored(whole) and len(_stored(whole)) == 3


def test_backfill_reads_the_monthly_sitemaps_of_its_window(tmp_path):
    fixture = Path(__file__).parents[1] / "crawler" / "fixtures" / "vietnamplus" / "site"
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
