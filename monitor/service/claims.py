"""Who is crawling what, across processes and hosts: a source is crawled by one process at a time (a claim
in the store, with a lease longer than any crawl may last), and a run whose process is gone — killed, or a
host that went down — is marked as such instead of staying "running" forever."""
from __future__ import annotations

import os
import socket
from datetime import timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from govmon.storage import repository as repo
from govmon.storage.db import write
from govmon.storage.models import CrawlRun, Source, utcnow

__all__ = ["Claim", "reap_runs", "owner_name", "alive"]

HOST = socket.gethostname()
_GRACE = timedelta(minutes=2)


def owner_name() -> str:
    return f"{HOST}:{os.getpid()}"


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
        self.lease = timedelta(seconds=seconds) + _GRACE
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
