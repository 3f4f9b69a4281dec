"""Workers sharing a store as `govmon status` shows them (SQLite and PostgreSQL): each with its state and last
check-in, the sources it holds now; one that went silent, or whose process on this host is gone, is lost;
one that stopped says so; long-silent ones are forgotten; a source being crawled names its worker."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta

from sqlmodel import select
from typer.testing import CliRunner

from govmon.crawler.sources import load_sources
from govmon.monitor.cli.main import app
from govmon.monitor.present.health import LOST_AFTER, next_run_text, source_health, worker_health
from govmon.monitor.service.claims import HOST, check_in, claim_due, forget_workers, owner_name
from govmon.storage import repository as repo
from govmon.storage.db import session_scope
from govmon.storage.models import Worker, utcnow

runner = CliRunner()


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _crew(engine) -> None:
    """This process (running, holding baochinhphu), a stopped worker, a SIGKILLed one on this host, and one
    on another host that stopped checking in."""
    with session_scope(engine) as s:
        repo.ensure_source(s, "baochinhphu")
    check_in(engine, "running", sources=2, parallel=4)
    assert claim_due(engine, ["baochinhphu"], 900, 1) == ["baochinhphu"]
    check_in(engine, "stopped", owner="elsewhere:7", stopped_at=utcnow())
    check_in(engine, "running", owner=f"{HOST}:{_dead_pid()}")
    check_in(engine, "running", owner="faraway:9")
    with session_scope(engine) as s:
        silent = s.exec(select(Worker).where(Worker.name == "faraway:9")).one()
        silent.checked_in_at = utcnow() - LOST_AFTER - timedelta(seconds=1)
        s.add(silent)


def test_status_says_which_worker_holds_what_and_when_each_last_checked_in(engine):
    _crew(engine)
    with session_scope(engine) as s:
        crew = {w["name"]: w for w in worker_health(s)}
    me = crew[owner_name()]
    assert (me["state"], me["holding"], me["sources"], me["parallel"], me["pid"]) == ("running", ["baochinhphu"], 2, 4, os.getpid())
    assert me["checked_in_at"].endswith("+07:00") and me["started_at"] <= me["checked_in_at"]
    assert crew["elsewhere:7"]["state"] == "stopped" and crew["elsewhere:7"]["stopped_at"]
    dead = next(w for n, w in crew.items() if n.startswith(f"{HOST}:") and n != owner_name())
    assert dead["state"] == "lost"  # its process is gone: no need to wait for silence
    assert crew["faraway:9"]["state"] == "lost"  # another host: silence decides


def test_a_source_being_crawled_names_its_worker_until_its_lease_ends(engine):
    _crew(engine)
    with session_scope(engine) as s:
        (bcp,) = [h for h in source_health(s, [load_sources()["baochinhphu"]]) if h["name"] == "baochinhphu"]
        later = source_health(s, [load_sources()["baochinhphu"]], now=utcnow() + timedelta(hours=1))[0]
    assert bcp["worker"] == owner_name() and bcp["lease_until"].endswith("+07:00") and bcp["next_run_at"] is None
    assert next_run_text(bcp) == "running"
    assert later["worker"] is None and later["lease_until"] is None  # a lease that ran out holds nothing


def test_workers_silent_for_long_are_forgotten(engine):
    _crew(engine)
    assert forget_workers(engine, timedelta(days=7)) == 0
    assert forget_workers(engine, LOST_AFTER) == 1  # the silent one; the others checked in just now
    with session_scope(engine) as s:
        assert "faraway:9" not in {w["name"] for w in worker_health(s)}


def test_govmon_status_lists_the_workers_and_json_gives_them_with_workers(engine, tmp_path):
    _crew(engine)
    config = tmp_path / "govmon.toml"
    config.write_text('sources = ["baochinhphu"]\n', encoding="utf-8")
    database = engine.url.render_as_string(hide_password=False)
    shown = runner.invoke(app, ["--config", str(config), "--database", database, "status"], env={"COLUMNS": "250"})
    assert shown.exit_code == 0, shown.output
    line = next(x for x in shown.stdout.splitlines() if x.startswith("│ baochinhphu"))
    assert owner_name() in line and "running" in line
    mine = next(x for x in shown.stdout.splitlines() if x.startswith(f"│ {owner_name()} "))
    assert "running" in mine and "baochinhphu" in mine and "2 (4 at a time)" in mine
    listed = runner.invoke(app, ["--config", str(config), "--database", database, "status", "--workers", "--json"])
    assert listed.exit_code == 0, listed.output
    states = {w["name"]: w["state"] for w in json.loads(listed.stdout)}
    assert states[owner_name()] == "running" and states["elsewhere:7"] == "stopped" and len(states) == 4
