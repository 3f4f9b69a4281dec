"""Who crawls what, across processes: one crawl of a source at a time, runs whose process is gone are marked,
and a crawl child dies with the process that reads it."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from govmon.monitor.service.claims import HOST, Claim, reap_runs
from govmon.storage import repository as repo
from govmon.storage.db import session_scope
from govmon.storage.models import CrawlRun, utcnow


def _source(engine) -> int:
    with session_scope(engine) as s:
        source = repo.ensure_source(s, "baochinhphu")
        s.flush()
        return source.id


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_one_process_crawls_a_source_at_a_time(engine):
    source = _source(engine)
    mine, theirs = Claim(engine, source, 60), Claim(engine, source, 60)
    theirs.owner = f"elsewhere:{os.getpid()}"  # another host: only its lease can free the source
    assert theirs.take()
    assert not mine.take() and mine.holder == theirs.owner
    theirs.release()
    assert mine.take() and mine.take()  # taking again renews our own claim
    mine.release()


def test_a_claim_whose_process_died_on_this_host_is_free_at_once(engine):
    source = _source(engine)
    dead = Claim(engine, source, 3600)
    dead.owner = f"{HOST}:{_dead_pid()}"  # a SIGKILLed crawler: its lease would last an hour
    assert dead.take()
    assert Claim(engine, source, 60).take()


def test_runs_whose_process_is_gone_are_marked_killed(engine):
    source = _source(engine)
    with session_scope(engine) as s:
        row = repo.source_by_name(s, "baochinhphu")
        gone = repo.start_run(s, row, host=HOST, pid=_dead_pid())
        live = repo.start_run(s, row, host=HOST, pid=os.getpid())
        far = repo.start_run(s, row, host="elsewhere", pid=1)
        ids = (gone.id, live.id, far.id)
    assert source and reap_runs(engine, crawl_timeout=900) == 1
    with session_scope(engine) as s:
        statuses = [s.get(CrawlRun, i).status for i in ids]
        assert statuses == ["killed", "running", "running"]  # another host's young run: time decides
        far_run = s.get(CrawlRun, ids[2])
        far_run.started_at = utcnow().replace(year=2020)
        s.add(far_run)
    assert reap_runs(engine, crawl_timeout=900) == 1
    with session_scope(engine) as s:
        assert "ended without finishing" in s.get(CrawlRun, ids[0]).message


PARENT = textwrap.dedent("""
    import subprocess, sys, time
    child = subprocess.Popen([sys.executable, "-c", sys.argv[1]], env={**__import__("os").environ,
                             "GOVMON_PARENT_PID": str(__import__("os").getpid())})
    print(child.pid, flush=True)
    time.sleep(600)
""")
CHILD = "from govmon.crawler.lifeline import hold; import time; hold(); time.sleep(600)"


def test_a_crawl_child_dies_with_its_parent_even_on_sigkill():
    parent = subprocess.Popen([sys.executable, "-c", PARENT, CHILD], stdout=subprocess.PIPE, text=True)
    child_pid = int(parent.stdout.readline())
    time.sleep(0.5)
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _running(child_pid):
        time.sleep(0.1)
    assert not _running(child_pid)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:  # a zombie is dead, only not yet reaped
        return stat.read().split()[2] != "Z"
