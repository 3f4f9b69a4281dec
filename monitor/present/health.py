"""Source health, what an operator checks first (`govmon status`, the web's Sources page): per source, the
last run and its outcome, the next run, since when it is broken, its recent errors, whether its definition
opts out of certificate checks. Computed once from the configured definitions and the store, as records
(`present.records` conventions: times in Asia/Ho_Chi_Minh, None when unknown).

A source in the store that is no longer configured is still listed (`configured` false, no next run);
a configured source never crawled is due now (`next_run_at` None).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlmodel import Session

from govmon.crawler.extract.dates import local_iso
from govmon.crawler.sources import Source as SourceDef
from govmon.storage import repository as repo
from govmon.storage.models import CrawlRun, Source

__all__ = ["source_health", "next_run_text", "RECENT_RUNS"]

RECENT_RUNS = 3  # the last runs looked at for errors


def source_health(session: Session, definitions: Sequence[SourceDef]) -> list[dict[str, Any]]:
    """One record per configured or stored source, by name: name, title, kind, province, official,
    configured, tls_verify, interval_minutes, last_run_at, outcome (the last run's status, "" before any),
    next_run_at, broken_since, recent_errors (the last runs that did not end "ok", newest first:
    finished_at, status, message)."""
    defined = {d.name: d for d in definitions}
    stored = {s.name: s for s in repo.sources(session)}
    return [_health(session, name, defined.get(name), stored.get(name)) for name in sorted(set(defined) | set(stored))]


def _health(session: Session, name: str, definition: SourceDef | None, row: Source | None) -> dict[str, Any]:
    return {"name": name, **_described(definition, row), "configured": definition is not None,
            "tls_verify": definition.tls_verify if definition else True,
            "interval_minutes": definition.interval_minutes if definition else None,
            "last_run_at": local_iso(row.last_run_at) if row else None, "outcome": row.last_status if row else "",
            "next_run_at": _next_run(definition, row), "broken_since": local_iso(row.broken_since) if row else None,
            "recent_errors": _errors(session, row)}


def _described(definition: SourceDef | None, row: Source | None) -> dict[str, Any]:
    """What the definition says of the source, or what the store remembers of one no longer configured."""
    if definition is not None:
        return {"title": definition.title, "kind": definition.kind, "province": definition.province,
                "official": definition.official}
    return {"title": row.title if row else "", "kind": row.kind if row else "", "province": "",
            "official": row.official if row else False}


def _next_run(definition: SourceDef | None, row: Source | None) -> str | None:
    if definition is None or row is None or row.last_run_at is None:
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
    """The next run as a table cell: its local time to the minute, "now" for a configured source never
    run, "—" for one no longer configured."""
    if record["next_run_at"]:
        return str(record["next_run_at"])[:16]
    return "now" if record["configured"] else "—"
