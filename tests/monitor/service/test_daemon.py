"""The daemon (a worker of the schedule in the store): catch-up after downtime is one run, the next run an
interval after the last ended, a hung source is killed without blocking the others, a stopped worker hands
its leases back and says so, one daemon per SQLite store (a second is told why), and SIGTERM stops it cleanly
with the store consistent."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from govmon.crawler.sources import load_sources
from govmon.monitor.config import Config
from govmon.monitor.demo.offline import DEMO_DIR, demo_config
from govmon.monitor.demo.replay import ReplayServer
from govmon.monitor.present.health import worker_health
from govmon.monitor.service.claims import claim_due
from govmon.monitor.service.daemon import Daemon
from govmon.storage import repository as repo
from govmon.storage.db import session_scope
from govmon.storage.models import utcnow

SOURCES = load_sources()
DAY1 = DEMO_DIR / "sites" / "day1"


def test_a_store_left_for_twelve_hours_gets_one_run_of_each_source_right_away(engine):
    now = datetime(2026, 11, 30, 12, tzinfo=timezone.utc)
    with session_scope(engine) as s:
        s.add(repo.ensure_source(s, "baochinhphu", last_run_at=now - timedelta(hours=12)))
        s.add(repo.ensure_source(s, "chinhphu", last_run_at=now - timedelta(minutes=5)))
    chosen = [SOURCES["baochinhphu"], SOURCES["vietnamplus"], SOURCES["chinhphu"]]
    daemon = Daemon(engine, demo_config(Config()), chosen)
    daemon.schedule(now)
    due = _due(engine)
    assert due["baochinhphu"] == due["vietnamplus"] == now  # one catch-up run, not 48; never run: at once
    assert due["chinhphu"] == now - timedelta(minutes=5) + timedelta(minutes=SOURCES["chinhphu"].interval_minutes)
    Daemon(engine, demo_config(Config()), chosen).schedule(now + timedelta(hours=1))  # another worker starting
    assert _due(engine) == due  # the store's schedule stands
    assert claim_due(engine, [d.name for d in chosen], 900, 10, owner="w", now=now) == ["baochinhphu", "vietnamplus"]
    for tick in ("poll", "heartbeat", "dispatch"):
        job = daemon.scheduler.get_job(tick)
        assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, None)


def _due(engine) -> dict[str, datetime]:
    with session_scope(engine) as s:
        return {row.name: row.next_due_at for row in repo.sources(s)}


def test_the_next_run_is_an_interval_after_the_crawl_ended(engine):
    source = SOURCES["baochinhphu"]
    with ReplayServer([DAY1]) as replay:
        config = replace(demo_config(Config()), crawl={**demo_config(Config()).crawl,
                                                        "GOVMON_HOST_MAP": {"*": replay.base_url}})
        daemon = Daemon(engine, config, [source])
        daemon.schedule()
        assert claim_due(engine, [source.name], 900, 1, owner=daemon.owner) == [source.name]
        daemon.crawl(source)
    with session_scope(engine) as s:
        row = repo.source_by_name(s, source.name)
        (run,) = repo.recent_runs(s, row.id, 5)
    interval = timedelta(minutes=source.interval_minutes)
    assert run.status == "ok" and row.crawl_owner == ""
    assert run.finished_at + interval <= row.next_due_at <= run.finished_at + interval * 1.1 + timedelta(seconds=5)


def _status(engine, name: str) -> str:
    with session_scope(engine) as s:
        row = repo.source_by_name(s, name)
        return row.last_status if row else ""


def test_a_hung_source_is_killed_at_its_limit_and_never_blocks_the_others(engine, silent_server):
    with ReplayServer([DAY1]) as replay:
        config = replace(demo_config(Config()), crawl_timeout=10.0, parallel=2,
                         crawl={**demo_config(Config()).crawl,
                                "GOVMON_HOST_MAP": {"baochinhphu.vn": replay.base_url, "*": silent_server}})
        daemon = Daemon(engine, config, [SOURCES["vietnamplus"], SOURCES["baochinhphu"]], poll=0.5)
        daemon.start()
        try:
            deadline = time.monotonic() + 40
            while time.monotonic() < deadline and _status(engine, "vietnamplus") != "failed":
                time.sleep(0.3)
            ok_first = _status(engine, "baochinhphu") == "ok"
        finally:
            daemon.shutdown(grace=1)
    assert ok_first, f"baochinhphu: {_status(engine, 'baochinhphu')}"
    with session_scope(engine) as s:
        (run,) = repo.recent_runs(s, repo.source_by_name(s, "vietnamplus").id, 1)
        assert (run.status, run.message) == ("failed", "timed out")


def test_a_stopped_worker_hands_back_the_crawl_it_cut_short_and_says_it_stopped(engine, silent_server):
    config = replace(demo_config(Config()), crawl_timeout=600.0, crawl={**demo_config(Config()).crawl,
                                                                         "GOVMON_HOST_MAP": {"*": silent_server}})
    daemon = Daemon(engine, config, [SOURCES["vietnamplus"]], poll=0.2)
    daemon.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not daemon.control.live:
            time.sleep(0.1)
        assert _holder(engine) == daemon.owner and daemon.control.live
    finally:
        daemon.shutdown(grace=0.5)
    with session_scope(engine) as s:
        row = repo.source_by_name(s, "vietnamplus")
        (run,) = repo.recent_runs(s, row.id, 1)
        crew = worker_health(s)
    assert row.crawl_owner == "" and row.next_due_at <= utcnow() and run.status == "interrupted"
    assert [(w["name"], w["state"], w["holding"]) for w in crew] == [(daemon.owner, "stopped", [])]


def _holder(engine) -> str:
    with session_scope(engine) as s:
        return repo.source_by_name(s, "vietnamplus").crawl_owner


def _daemon_env(tmp_path, replay) -> dict[str, str]:
    config = tmp_path / "govmon.toml"
    config.write_text(f'[crawl]\nDOWNLOAD_DELAY = 0\nAUTOTHROTTLE_ENABLED = false\n'
                      f'GOVMON_HOST_MAP = {{ "*" = "{replay.base_url}" }}\n', encoding="utf-8")
    return {**os.environ, "GOVMON_DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite3'}", "GOVMON_CONFIG": str(config)}


def test_sigterm_stops_the_daemon_cleanly_and_a_second_on_sqlite_is_told_why(tmp_path):
    with ReplayServer([DAY1]) as replay:
        env = _daemon_env(tmp_path, replay)
        child = subprocess.Popen([sys.executable, "-m", "govmon.monitor", "daemon", "baochinhphu", "--grace", "5"], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(4)
        second = subprocess.run([sys.executable, "-m", "govmon.monitor", "daemon", "baochinhphu"], env=env,
                                capture_output=True, text=True, timeout=60)
        time.sleep(2)
        child.send_signal(signal.SIGTERM)
        out, err = child.communicate(timeout=30)
    assert child.returncode == 0, err
    assert "govmon daemon: stopped" in out and "Traceback" not in err
    assert second.returncode == 2 and "a SQLite store admits one daemon" in second.stderr
    assert "use a PostgreSQL store" in second.stderr and f"pid {child.pid}" in second.stderr
    status = subprocess.run([sys.executable, "-m", "govmon.monitor", "status"], env={**env, "COLUMNS": "200"},
                            capture_output=True, text=True, timeout=60)
    line = next(x for x in status.stdout.splitlines() if "baochinhphu" in x)
    assert " ok " in line or " interrupted " in line
    worker = next(x for x in status.stdout.splitlines() if f":{child.pid} " in x)
    assert " stopped " in worker
