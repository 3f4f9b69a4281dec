"""Processes that die at the worst moment: a dispatcher SIGKILLed between a channel's acceptance and the
record of it, again and again, loses nothing and duplicates at most one message per crash; a SIGKILLed daemon
takes its crawl child with it, and its run is marked when the next daemon starts."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from govmon.monitor.alerts.dispatch import LEASE, dispatch
from govmon.monitor.config import Channel
from govmon.storage import repository as repo
from govmon.storage.db import make_engine, session_scope
from govmon.storage.models import CrawlRun, utcnow
from tests_support import pending_alerts

KILLER = textwrap.dedent("""
    import os, signal, sys
    from govmon.monitor.alerts import dispatch as d
    from govmon.monitor.config import Channel
    from govmon.storage.db import make_engine
    real = d._settle
    def die_after_acceptance(engine, delivery_id, owner, outcome, tally):
        if outcome[1] == "sent" and int(sys.argv[3]) <= tally.sent:
            os.kill(os.getpid(), signal.SIGKILL)  # the channel took it; the store never hears
        real(engine, delivery_id, owner, outcome, tally)
    d._settle = die_after_acceptance
    d.dispatch(make_engine(sys.argv[1]), (Channel("hook", sys.argv[2]),))
""")


def test_repeated_sigkills_of_a_sender_lose_nothing_and_duplicate_at_most_one_each(engine, http_receiver):
    pending_alerts(engine, 12, ["hook"])
    database, crashes = engine.url.render_as_string(hide_password=False), 0
    for sent_before_death in (0, 2, 1, 3):
        killed = subprocess.run([sys.executable, "-c", KILLER, database, http_receiver.url(), str(sent_before_death)],
                                capture_output=True, text=True, timeout=120)
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        crashes += 1
    dispatch(engine, (Channel("hook", http_receiver.url()),), now=utcnow() + LEASE + timedelta(seconds=1))
    titles = Counter(json.loads(r.body)["title"] for r in http_receiver.requests)
    duplicates = sum(titles.values()) - len(titles)
    assert sorted(titles) == sorted(f"Thông báo {n}" for n in range(1, 13))  # lost: 0
    assert duplicates <= crashes
    with session_scope(engine) as s:
        assert {d.status for d in repo.deliveries(s)} == {"sent"}
    keys = {r.headers.get("X-Govmon-Key") for r in http_receiver.requests}
    assert len(keys) == 12  # a duplicate carries its message's own key: receivers can drop it


def _crawl_children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat[1]) == parent and b"govmon.crawler.run" in command and stat[0] != "Z":
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _wait(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def test_a_sigkilled_daemon_takes_its_crawl_child_with_it_and_its_run_is_marked(tmp_path, silent_server):
    config = tmp_path / "govmon.toml"
    config.write_text(f'crawl_timeout = 600\n[crawl]\nDOWNLOAD_DELAY = 0\nAUTOTHROTTLE_ENABLED = false\n'
                      f'GOVMON_HOST_MAP = {{ "*" = "{silent_server}" }}\n', encoding="utf-8")
    database = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    env = {**os.environ, "GOVMON_DATABASE_URL": database, "GOVMON_CONFIG": str(config)}
    daemon = subprocess.Popen([sys.executable, "-m", "govmon.monitor", "daemon", "baochinhphu"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert _wait(lambda: _crawl_children(daemon.pid), 30), "no crawl started"
        (child,) = _crawl_children(daemon.pid)
        daemon.kill()  # SIGKILL: no handler runs, nothing is forwarded
        daemon.wait(timeout=10)
        assert _wait(lambda: not _alive(child), 10), "the crawl child outlived its daemon"
    finally:
        daemon.kill()
    restarted = subprocess.Popen([sys.executable, "-m", "govmon.monitor", "daemon", "baochinhphu", "--grace", "1"],
                                 env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    engine = make_engine(database)
    try:
        assert _wait(lambda: _statuses(engine)[:1] == ["killed"], 30), _statuses(engine)
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(timeout=60)
        engine.dispose()


def _statuses(engine) -> list[str]:
    with session_scope(engine) as s:
        return [run.status for run in s.exec(select(CrawlRun).order_by(CrawlRun.id)).all()]
