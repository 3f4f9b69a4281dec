"""Who is crawling what, across processes and hosts: a source is crawled by one process at a time (a claim
in the store, with a lease longer than any crawl may last), and a run whose process is gone — killed, or a
host that went down — is marked as such instead of staying "running" forever.

The daemons share their schedule through the same leases: `claim_due` leases due sources to a worker (each
to exactly one of any number of workers asking at once), the crawl's own `Claim` renews and releases that
lease, `reschedule` sets when the source is next due, `hand_back` returns a stopping worker's leases, and
`check_in` is a worker's heartbeat in the `worker` table."""
from __future__ import annotations

import os
import socket
from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from govmon.storage import repository as repo
from govmon.storage.db import write
from govmon.storage.models import CrawlRun, Source, utcnow
from govmon.storage.repository.sources import check_in as record_check_in
from govmon.storage.repository.sources import (
    claim_due_sources,
    release_leases,
    schedule_source,
)
from govmon.storage.repository.sources import forget_workers as forget_worker_rows

__all__ = ["Claim", "reap_runs", "reap_leases", "owner_name", "alive", "lease_for", "claim_due", "reschedule",
           "hand_back", "check_in", "forget_workers", "HOST"]

HOST = socket.gethostname()
_GRACE = timedelta(minutes=2)


def owner_name() -> str:
    return f"{HOST}:{os.getpid()}"


def lease_for(crawl_timeout: float) -> timedelta:
    """How long a crawl's lease lasts: the crawl timeout (its child is killed then) plus as long again, at
    most two minutes, to record what it found.

    >>> lease_for(900).total_seconds(), lease_for(10).total_seconds()
    (1020.0, 20.0)
    """
    return timedelta(seconds=crawl_timeout) + min(_GRACE, timedelta(seconds=crawl_timeout))


def alive(host: str, pid: int) -> bool:
    """Whether a process may still be running: on this host, whether `pid` exists; elsewhere we cannot
    tell, so yes (time decides there)."""
    if host != HOST or pid <= 0:
        return host != HOST
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Claim:
    """The right to crawl one source for at most `seconds` (+ grace), held in the store."""

    def __init__(self, engine: Engine, source_id: int, seconds: float) -> None:
        self.engine, self.source_id, self.owner = engine, source_id, owner_name()
        self.lease = lease_for(seconds)
        self.holder = ""

    def take(self) -> bool:
        """Claim the source; False (and `holder` set) when a live process holds it."""
        return write(self.engine, self._take)

    def _take(self, session: Session) -> bool:
        source = session.get(Source, self.source_id)
        now = utcnow()
        if source is not None and source.crawl_owner and source.crawl_owner != self.owner:
            host, _, pid = source.crawl_owner.rpartition(":")
            if not alive(host, int(pid or 0)):
                repo.release_source(session, self.source_id, source.crawl_owner)  # its process died
        if repo.claim_source(session, self.source_id, self.owner, now + self.lease, now):
            return True
        self.holder = source.crawl_owner if source is not None else "?"
        return False

    def release(self) -> None:
        write(self.engine, lambda session: repo.release_source(session, self.source_id, self.owner))


def claim_due(engine: Engine, names: Collection[str], crawl_timeout: float, limit: int,
              owner: str | None = None, now: datetime | None = None) -> list[str]:
    """Lease to `owner` (this process) up to `limit` of the sources `names` that are due; their names."""
    moment = now or utcnow()
    until = moment + lease_for(crawl_timeout)
    return write(engine, lambda session: claim_due_sources(session, names, owner or owner_name(), moment,
                                                                   until, limit))


def reschedule(engine: Engine, name: str, due_at: datetime) -> None:
    """When source `name` is next due (whoever holds it then)."""
    write(engine, lambda session: schedule_source(session, name, due_at))


def hand_back(engine: Engine, owner: str | None = None) -> list[str]:
    """Release every lease `owner` (this process) holds, each source due at once; the names."""
    return write(engine, lambda session: release_leases(session, owner or owner_name(), utcnow()))


def check_in(engine: Engine, state: str, owner: str | None = None, **fields: object) -> None:
    """The heartbeat of worker `owner` ("host:pid", this process by default): alive now, in `state`
    (running, stopping, stopped), with `fields`."""
    name = owner or owner_name()
    host, _, pid = name.rpartition(":")
    write(engine, lambda session: record_check_in(session, name, utcnow(), state=state, host=host,
                                                   pid=int(pid) if pid.isdigit() else 0, **fields))


def reap_leases(engine: Engine) -> list[str]:
    """Hand back (due now) the leases of processes on this host that are gone — a daemon restarted after a
    crash takes its sources up at once; on other hosts the leases run out. The sources handed back."""
    return write(engine, _reap_leases)


def _reap_leases(session: Session) -> list[str]:
    owners = {row.crawl_owner for row in repo.sources(session) if row.crawl_owner.startswith(f"{HOST}:")}
    dead = [owner for owner in sorted(owners) if not alive(HOST, int(owner.rpartition(":")[2] or 0))]
    return [name for owner in dead for name in release_leases(session, owner, utcnow())]


def forget_workers(engine: Engine, silent_for: timedelta) -> int:
    """Forget the workers silent for longer than `silent_for` (stopped or dead long ago); how many."""
    return write(engine, lambda session: forget_worker_rows(session, utcnow() - silent_for))


def reap_runs(engine: Engine, crawl_timeout: float) -> int:
    """Mark runs whose process is gone: on this host, a pid that no longer exists; on other hosts, a run
    older than any crawl may last (an import that outlives it is marked again when it finishes). Returns
    how many."""
    return write(engine, lambda session: _reap(session, crawl_timeout))


def _reap(session: Session, crawl_timeout: float) -> int:
    oldest = utcnow() - timedelta(seconds=crawl_timeout) - _GRACE * 5
    reaped = 0
    for run in repo.running_runs(session, host=HOST, started_before=oldest):
        mine = run.host == HOST
        if (mine and alive(run.host, run.pid)) or (not mine and run.started_at and run.started_at >= oldest):
            continue
        repo.finish_run(session, run, "killed", _why(run))
        reaped += 1
    return reaped


def _why(run: CrawlRun) -> str:
    where = f"process {run.pid} on {run.host}" if run.host else "its process"
    return f"{where} ended without finishing the run (killed, or its host went down)"
