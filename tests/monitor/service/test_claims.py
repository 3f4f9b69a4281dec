"""Who crawls what, across processes: one crawl of a source at a time, runs whose process is gone are marked,
a crawl child dies with the process that reads it; the daemons' leases of due sources (each to one worker,
never before it is due, a dead worker's lease running out, a stopping worker's handed back) and the
one-daemon lock of a SQLite store."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest

from govmon.monitor.service.claims import (
    HOST,
    Claim,
    claim_due,
    hand_back,
    lease_for,
    owner_name,
    reap_leases,
    reap_runs,
    reschedule,
)
from govmon.storage import repository as repo
from govmon.storage.db import session_scope
from govmon.storage.lock import StoreLock, StoreLocked, shared
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


# --- the daemons' shared schedule: leases of due sources ---------------------------------------------------


def _scheduled(engine, **due: object) -> None:
    """Sources by name, each next due at the time given (None: never scheduled, due at once)."""
    with session_scope(engine) as s:
        for name, when in due.items():
            s.add(repo.ensure_source(s, name, next_due_at=when))


def _row(engine, name: str):
    with session_scope(engine) as s:
        return repo.source_by_name(s, name)


def test_due_sources_are_leased_once_and_not_before_they_are_due(engine):
    now = utcnow()
    _scheduled(engine, never=None, late=now - timedelta(minutes=5), later=now + timedelta(minutes=5))
    names = ["never", "late", "later"]
    assert claim_due(engine, names, 600, 10, owner="w1", now=now) == ["late", "never"]
    assert claim_due(engine, names, 600, 10, owner="w2", now=now) == []  # leased; `later` not due yet
    late = _row(engine, "late")
    assert late.crawl_owner == "w1" and late.crawl_until == late.next_due_at == now + lease_for(600)
    assert claim_due(engine, names, 600, 10, owner="w2", now=now + timedelta(minutes=6)) == ["later"]


def test_a_worker_leases_no_more_than_its_free_slots_the_longest_due_first(engine):
    now = utcnow()
    _scheduled(engine, **{f"s{n}": now - timedelta(minutes=n) for n in range(1, 6)})
    names = [f"s{n}" for n in range(1, 6)]
    assert claim_due(engine, names, 60, 2, owner="w1", now=now) == ["s4", "s5"]
    assert claim_due(engine, names, 60, 0, owner="w1", now=now) == []
    assert claim_due(engine, ["s1", "s4"], 60, 5, owner="w2", now=now) == ["s1"]  # only the sources it serves


def test_a_lease_whose_worker_died_elsewhere_runs_out_and_is_taken_first(engine):
    now = utcnow()
    _scheduled(engine, lost=now - timedelta(hours=2), waiting=now - timedelta(hours=1))
    assert claim_due(engine, ["lost"], 60, 1, owner="elsewhere:1", now=now - timedelta(hours=1)) == ["lost"]
    # an hour later its lease (2 minutes) is long gone: its crawl was lost, so it goes before the longest due
    assert claim_due(engine, ["lost", "waiting"], 60, 1, owner="w2", now=now) == ["lost"]


def test_many_workers_asking_at_once_get_each_due_source_exactly_once(engine):
    names = [f"s{n:02d}" for n in range(40)]
    _scheduled(engine, **{name: None for name in names})
    barrier, got = threading.Barrier(8), Counter()

    def worker(number: int) -> None:
        barrier.wait()
        while leased := claim_due(engine, names, 60, 3, owner=f"w{number}"):
            got.update(leased)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(got) == names and set(got.values()) == {1}


def test_the_crawl_renews_and_releases_the_worker_s_lease_and_the_worker_sets_the_next_run(engine):
    now = utcnow()
    _scheduled(engine, src=None)
    assert claim_due(engine, ["src"], 60, 1, owner=owner_name(), now=now) == ["src"]
    claim = Claim(engine, _row(engine, "src").id, 60)
    assert claim.take()  # the crawl's own claim: ours already, renewed
    claim.release()
    assert _row(engine, "src").crawl_owner == ""
    assert claim_due(engine, ["src"], 60, 1, owner="w2") == []  # released, but not due before it is rescheduled
    reschedule(engine, "src", utcnow() - timedelta(seconds=1))
    assert claim_due(engine, ["src"], 60, 1, owner="w2") == ["src"]


def test_a_stopping_worker_hands_every_lease_back_at_once(engine):
    _scheduled(engine, a=None, b=None, c=None)
    assert claim_due(engine, ["a", "b"], 600, 5, owner="w1") == ["a", "b"]
    assert claim_due(engine, ["c"], 600, 5, owner="w2") == ["c"]
    assert hand_back(engine, "w1") == ["a", "b"]
    assert claim_due(engine, ["a", "b", "c"], 600, 5, owner="w3") == ["a", "b"]  # due now, not in 12 minutes
    assert _row(engine, "c").crawl_owner == "w2"


def test_a_sqlite_store_admits_one_daemon_and_says_why(sqlite_engine):
    with StoreLock(sqlite_engine):
        with pytest.raises(StoreLocked, match="a SQLite store admits one daemon.*use a PostgreSQL store"):
            StoreLock(sqlite_engine).acquire()
    with StoreLock(sqlite_engine):  # released: the next daemon may start
        pass


def test_a_postgresql_store_admits_any_number_of_daemons(postgres_engine):
    with StoreLock(postgres_engine), StoreLock(postgres_engine), StoreLock(postgres_engine):
        assert shared(postgres_engine)


def test_a_daemon_restarted_after_a_crash_on_this_host_gets_its_sources_back_at_once(engine):
    _scheduled(engine, mine=None, theirs=None)
    dead, far = f"{HOST}:{_dead_pid()}", "elsewhere:1"
    assert claim_due(engine, ["mine"], 900, 1, owner=dead) == ["mine"]  # a lease of 17 minutes
    assert claim_due(engine, ["theirs"], 900, 1, owner=far) == ["theirs"]
    assert reap_leases(engine) == ["mine"]  # another host's lease: only time tells
    assert claim_due(engine, ["mine", "theirs"], 900, 5, owner="w") == ["mine"]
