"""The offline demonstration end to end: real spiders against the replay server, real store, console alerts.

Day 1 is a silent baseline; day 2 must produce exactly the four alerts of monitor/demo/STORY.md.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from typer.testing import CliRunner

from govmon.crawler.extract.dates import local_iso
from govmon.monitor.alerts.dispatch import dispatch
from govmon.monitor.alerts.events import render
from govmon.monitor.cli.main import app
from govmon.monitor.config import Config
from govmon.monitor.demo.offline import DEMO_DIR, demo_config, run_demo
from govmon.monitor.demo.replay import ReplayServer
from govmon.monitor.service.runner import enabled_sources, run_pass
from govmon.storage import repository as repo
from govmon.storage.db import session_scope

SITES = DEMO_DIR / "sites"
OFFICIAL = "https://baochinhphu.vn/chinh-phu-sua-doi-bo-sung-cap-nhat-chuong-trinh-hanh-dong-thuc-hien-nghi-quyet-57-nq-tw-102250402075812364.htm"


def _events(engine) -> dict[str, list[dict[str, Any]]]:
    by_kind: dict[str, list[dict[str, Any]]] = {}
    with session_scope(engine) as s:
        for event in repo.events(s):
            by_kind.setdefault(event.kind, []).append(render(s, event))
    return by_kind


def test_demo_tells_the_story_with_exactly_four_alerts(engine, capsys, http_receiver):
    config = demo_config(Config(), notify=http_receiver.url())
    days = run_demo(engine, config)
    assert [r.status for d in days for r in d.reports] == ["ok"] * 8
    assert (days[0].delivered.sent, days[1].delivered.sent) == (0, 8)  # console and the webhook
    posted = [json.loads(r.body) for r in http_receiver.requests]
    assert len(posted) == 4 and any("71/NQ-CP" in p["title"] for p in posted)
    events = _events(engine)
    assert sorted((k, len(v)) for k, v in events.items()) == [
        ("article_changed", 1), ("document_amended", 1), ("new_article", 1), ("new_document", 1)]

    amended = events["document_amended"][0]["relation"]
    assert (amended["from"], amended["rel"], amended["to"]) == ("71/NQ-CP", "amends", "03/NQ-CP")
    assert events["new_document"][0]["documents"] == ["71/NQ-CP"]
    article = events["new_article"][0]
    assert article["urls"][0] == OFFICIAL and len(article["urls"]) == 3
    with session_scope(engine) as s:  # published: the canonical (official) copy's time, in Hanoi time
        official = repo.article_by_url(s, OFFICIAL).published_at
    assert article["published_at"] == local_iso(official)
    assert sorted(article["sources"]) == ["baochinhphu", "gialai", "vietnam_vn"]
    assert "[-1.200-] {+1.250+}" in events["article_changed"][0]["diff"]
    shown = CliRunner().invoke(app, ["--database", engine.url.render_as_string(hide_password=False), "clusters", "show",
                                     str(article["cluster"])])
    assert shown.exit_code == 0 and "3 copies" in shown.stdout and "canonical" in shown.stdout
    assert "71/NQ-CP" in capsys.readouterr().out + capsys.readouterr().err


def test_demo_sends_nothing_twice(engine):
    config = demo_config(Config())
    run_demo(engine, config)
    assert dispatch(engine, config.channels).sent == 0
    with ReplayServer([SITES / "day1", SITES / "day2"]) as server:  # day 2 polled again: nothing is new
        reports = run_pass(engine, config, enabled_sources(config), {"GOVMON_HOST_MAP": {"*": server.base_url}})
    assert [r.tally.versions_new for r in reports] == [0, 0, 0, 0]
    assert dispatch(engine, config.channels).sent == 0
    assert sum(len(v) for v in _events(engine).values()) == 4


def test_events_json_shows_the_demo_alerts(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    env = {**os.environ, "GOVMON_DATABASE_URL": url}
    demo = subprocess.run([sys.executable, "-m", "govmon.monitor", "demo"], env=env, capture_output=True, text=True,
                          timeout=300)
    assert demo.returncode == 0, demo.stderr
    listed = subprocess.run([sys.executable, "-m", "govmon.monitor", "events", "--json"], env=env, capture_output=True,
                            text=True, timeout=60)
    events = [json.loads(line) for line in listed.stdout.splitlines()]
    assert sorted(e["kind"] for e in events) == ["article_changed", "document_amended", "new_article", "new_document"]
    for event in events:
        assert {"id", "kind", "created_at", "title", "url", "urls", "source", "documents"} <= event.keys()
        assert event["created_at"].endswith("+07:00")
        assert event.get("published_at", "+07:00").endswith("+07:00")  # shown in Asia/Ho_Chi_Minh, like every time
