"""Source health, what an operator checks first (`govmon status`, the web's Sources page): per source, the
last run and its outcome, the next run, since when it is broken, its recent errors, whether its definition
opts out of certificate checks. Computed once from the configured definitions and the store, as records
(`present.records` conventions: times in Asia/Ho_Chi_Minh, None when unknown).

A source in the store that is no longer configured is still listed (`configured` false, no next run);
a configured source never crawled is due now (`next_run_at` None); a source being crawled names the worker
holding its lease (`worker`, until `lease_until`) and has no next run until that crawl ends.

Workers (`worker_health`): the daemons sharing the store, each with its state, when it started and last
checked in, and the sources it holds now. A worker that stopped checking in (or whose process on this host
is gone) without saying it stopped is "lost": its leases run out by themselves.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from govmon.crawler.extract.dates import local_iso
from govmon.crawler.sources import Source as SourceDef
from govmon.monitor.service.claims import alive
from govmon.monitor.service.daemon import HEARTBEAT_SECONDS
from govmon.storage import repository as repo
from govmon.storage.models import CrawlRun, Source, Worker, utcnow
from govmon.storage.repository.sources import workers

__all__ = ["source_health", "worker_health", "next_run_text", "RECENT_RUNS", "LOST_AFTER"]

RECENT_RUNS = 3  # the last runs looked at for errors
LOST_AFTER = timedelta(seconds=4 * HEARTBEAT_SECONDS)  # a running worker silent this long is lost


def source_health(session: Session, definitions: Sequence[SourceDef], now: datetime | None = None) -> list[dict[str, Any]]:
    """One record per configured or stored source, by name: name, title, kind, province, official,
    configured, tls_verify, interval_minutes, last_run_at, outcome (the last run's status, "" before any),
    next_run_at, broken_since, recent_errors (the last runs that did not end "ok", newest first:
    finished_at, status, message), worker and lease_until (who is crawling it now, None when nobody)."""
    defined = {d.name: d for d in definitions}
    stored = {s.name: s for s in repo.sources(session)}
    moment = now or utcnow()
    return [_health(session, name, defined.get(name), stored.get(name), moment)
            for name in sorted(set(defined) | set(stored))]


def _health(session: Session, name: str, definition: SourceDef | None, row: Source | None,
            now: datetime) -> dict[str, Any]:
    holder = _holder(row, now)
    return {"name": name, **_described(definition, row), "configured": definition is not None,
            "tls_verify": definition.tls_verify if definition else True,
            "interval_minutes": definition.interval_minutes if definition else None,
            "last_run_at": local_iso(row.last_run_at) if row else None, "outcome": row.last_status if row else "",
            "next_run_at": None if holder else _next_run(definition, row),
            "broken_since": local_iso(row.broken_since) if row else None, "recent_errors": _errors(session, row),
            "worker": holder, "lease_until": local_iso(row.crawl_until) if row and holder else None}


def _holder(row: Source | None, now: datetime) -> str | None:
    """The worker (or command) whose lease on the source holds at `now`."""
    if row is None or not row.crawl_owner or row.crawl_until is None or row.crawl_until < now:
        return None
    return row.crawl_owner


def _described(definition: SourceDef | None, row: Source | None) -> dict[str, Any]:
    """What the definition says of the source, or what the store remembers of one no longer configured."""
    if definition is not None:
        return {"title": definition.title, "kind": definition.kind, "province": definition.province,
                "official": definition.official}
    return {"title": row.title if row else "", "kind": row.kind if row else "", "province": "",
            "official": row.official if row else False}


def _next_run(definition: SourceDef | None, row: Source | None) -> str | None:
    """The shared schedule's due time; for a store no daemon has scheduled yet, the interval after the last run."""
    if definition is None or row is None:
        return None
    if row.next_due_at is not None:
        return local_iso(row.next_due_at)
    if row.last_run_at is None:
        return None
    return local_iso(row.last_run_at + timedelta(minutes=definition.interval_minutes))


def _errors(session: Session, row: Source | None) -> list[dict[str, Any]]:
    if row is None or row.id is None:
        return []
    return [_error(run) for run in repo.recent_runs(session, row.id, RECENT_RUNS) if run.status != "ok"]


def _error(run: CrawlRun) -> dict[str, Any]:
    return {"finished_at": local_iso(run.finished_at or run.started_at), "status": run.status,
            "message": run.message or run.status}


def next_run_text(record: dict[str, Any]) -> str:
    """The next run as a table cell: its local time to the minute, "running" while a worker crawls it,
    "now" for a configured source never run, "—" for one no longer configured."""
    if record["next_run_at"]:
        return str(record["next_run_at"])[:16]
    if record.get("worker"):
        return "running"
    return "now" if record["configured"] else "—"


def worker_health(session: Session, now: datetime | None = None) -> list[dict[str, Any]]:
    """One record per worker the store remembers, the most recently started first: name, host, pid, state
    (running, stopping, stopped, or lost), started_at, checked_in_at, stopped_at, sources (how many it
    serves), parallel, holding (the sources it holds a lease on now, by name)."""
    moment = now or utcnow()
    held: dict[str, list[str]] = {}
    for row in repo.sources(session):
        holder = _holder(row, moment)
        if holder:
            held.setdefault(holder, []).append(row.name)
    return [_worker(w, moment, held.get(w.name, [])) for w in workers(session)]


def _worker(worker: Worker, now: datetime, holding: list[str]) -> dict[str, Any]:
    return {"name": worker.name, "host": worker.host, "pid": worker.pid, "state": _state(worker, now),
            "started_at": local_iso(worker.started_at), "checked_in_at": local_iso(worker.checked_in_at),
            "stopped_at": local_iso(worker.stopped_at), "sources": worker.sources, "parallel": worker.parallel,
            "holding": holding}


def _state(worker: Worker, now: datetime) -> str:
    """The state a worker last reported, or "lost" when it went silent without saying it stopped."""
    if worker.state == "stopped":
        return "stopped"
    silent = worker.checked_in_at is None or worker.checked_in_at < now - LOST_AFTER
    return "lost" if silent or not alive(worker.host, worker.pid) else worker.state
