"""The daemon: catch-up after downtime is one run, a hung source is killed without blocking the others,
one daemon per store, and SIGTERM stops it cleanly with the store consistent."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from govmon.crawler.sources import load_sources
from govmon.monitor.config import Config
from govmon.monitor.demo.offline import DEMO_DIR, demo_config
from govmon.monitor.demo.replay import ReplayServer
from govmon.monitor.service.daemon import Daemon
from govmon.storage import repository as repo
from govmon.storage.db import session_scope
from govmon.storage.lock import StoreLock, StoreLocked

SOURCES = load_sources()
DAY1 = DEMO_DIR / "sites" / "day1"


def test_a_daemon_down_for_twelve_hours_runs_each_source_once_right_away(engine):
    now = datetime(2026, 11, 30, 12, tzinfo=timezone.utc)
    with session_scope(engine) as s:
        row = repo.ensure_source(s, "baochinhphu")
        row.last_run_at = now - timedelta(hours=12)
        s.add(row)
    daemon = Daemon(engine, demo_config(Config()), [SOURCES["baochinhphu"], SOURCES["vietnamplus"]])
    daemon.schedule(now)
    job = daemon.scheduler.get_job("crawl:baochinhphu")
    assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, None)
    assert job.next_run_time == now  # one catch-up run now; coalesce merges the missed ones into it
    assert daemon.scheduler.get_job("crawl:vietnamplus").next_run_time == now + timedelta(seconds=5)


def _status(engine, name: str) -> str:
    with session_scope(engine) as s:
        row = repo.source_by_name(s, name)
        return row.last_status if row else ""


def test_a_hung_source_is_killed_at_its_limit_and_never_blocks_the_others(engine, silent_server):
    with ReplayServer([DAY1]) as replay:
        config = replace(demo_config(Config()), crawl_timeout=10.0, parallel=2,
                         crawl={**demo_config(Config()).crawl,
                                "GOVMON_HOST_MAP": {"baochinhphu.vn": replay.base_url, "*": silent_server}})
        daemon = Daemon(engine, config, [SOURCES["vietnamplus"], SOURCES["baochinhphu"]])
        daemon.schedule()
        daemon.scheduler.start()
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


def test_one_daemon_per_store(engine):
    with StoreLock(engine):
        with pytest.raises(StoreLocked, match="another govmon daemon"):
            StoreLock(engine).acquire()
    with StoreLock(engine):  # released: the next daemon may start
        pass


def test_sigterm_stops_the_daemon_cleanly(tmp_path):
    with ReplayServer([DAY1]) as replay:
        config = tmp_path / "govmon.toml"
        config.write_text(f'[crawl]\nDOWNLOAD_DELAY = 0\nAUTOTHROTTLE_ENABLED = false\n'
                          f'GOVMON_HOST_MAP = {{ "*" = "{replay.base_url}" }}\n', encoding="utf-8")
        env = {**os.environ, "GOVMON_DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite3'}", "GOVMON_CONFIG": str(config)}
        child = subprocess.Popen([sys.executable, "-m", "govmon.monitor", "daemon", "baochinhphu", "--grace", "5"], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(6)
        child.send_signal(signal.SIGTERM)
        out, err = child.communicate(timeout=30)
    assert child.returncode == 0, err
    assert "govmon daemon: stopped" in out and "Traceback" not in err
    status = subprocess.run([sys.executable, "-m", "govmon.monitor", "status"], env={**env, "COLUMNS": "200"},
                            capture_output=True, text=True, timeout=60)
    line = next(x for x in status.stdout.splitlines() if "baochinhphu" in x)
    assert " ok " in line or " interrupted " in line
