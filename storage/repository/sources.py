"""Sources, their crawl leases and shared schedule, crawl runs, and the workers (daemons) sharing the store.

A source's lease (`crawl_owner`, `crawl_until`) is taken by one conditional UPDATE; the daemons' claim of due
sources adds FOR UPDATE SKIP LOCKED on PostgreSQL, so of any number of daemons asking at once each due
source goes to exactly one, and none waits for the rows another is claiming."""
from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, any_, bindparam, case, delete, func, or_, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session, col, select

from govmon.storage.models import CrawlRun, Source, Worker, utcnow
from govmon.storage.repository._rows import dialect, insert_once

__all__ = ["source_by_name", "ensure_source", "sources", "claim_source", "release_source", "claim_due_sources",
           "schedule_source", "first_schedule", "release_leases", "start_run", "finish_run", "recent_runs",
           "latest_runs", "running_runs", "check_in", "workers", "forget_workers"]


def source_by_name(session: Session, name: str) -> Source | None:
    return session.exec(select(Source).where(Source.name == name)).first()


def ensure_source(session: Session, name: str, **fields: Any) -> Source:
    """The source row for `name`, created (once, whoever else creates it) or updated with `fields`."""
    source, _ = insert_once(session, Source, {"name": name, **fields}, {"name": name})
    for key, value in fields.items():
        setattr(source, key, value)
    session.add(source)
    return source


def sources(session: Session) -> Sequence[Source]:
    return session.exec(select(Source).order_by(Source.name)).all()


def claim_source(session: Session, source_id: int, owner: str, until: datetime, now: datetime) -> bool:
    """Claim the right to crawl a source until `until` (or renew our claim); False when another live claim
    holds it. One conditional UPDATE: of two processes asking at once, one wins."""
    free = or_(col(Source.crawl_until).is_(None), col(Source.crawl_until) < now, Source.crawl_owner == owner)
    result = session.execute(update(Source).where(Source.id == source_id, free)
                             .values(crawl_owner=owner, crawl_until=until))
    return result.rowcount == 1


def release_source(session: Session, source_id: int, owner: str) -> None:
    session.execute(update(Source).where(Source.id == source_id, Source.crawl_owner == owner)
                    .values(crawl_owner="", crawl_until=None))


def _due(now: datetime) -> Any:
    """Due by the schedule (or never scheduled) and not leased (or its lease ran out: its holder died)."""
    return and_(or_(col(Source.next_due_at).is_(None), col(Source.next_due_at) <= now),
                or_(col(Source.crawl_until).is_(None), col(Source.crawl_until) < now))


def claim_due_sources(session: Session, names: Collection[str], owner: str, now: datetime, until: datetime,
                      limit: int) -> list[str]:
    """Lease up to `limit` of the sources `names` that are due at `now` to `owner` until `until`: first those
    whose lease ran out (their crawl was lost with its worker), then the longest due; their names. Until the
    lease holder reschedules it, a claimed source is next due at `until` (so a holder that dies leaves it to
    others then, never sooner)."""
    if limit <= 0 or not names:
        return []
    lost = case((Source.crawl_owner != "", 0), else_=1)
    due = (select(Source.id).where(_named(session, names), _due(now))
           .order_by(lost, col(Source.next_due_at).asc().nulls_first(), col(Source.id)).limit(limit)
           .with_for_update(skip_locked=True))
    claim = (update(Source).where(col(Source.id).in_(due.scalar_subquery()))
             .values(crawl_owner=owner, crawl_until=until, next_due_at=until).returning(Source.name))
    return sorted(row[0] for row in session.execute(claim).all())


def _named(session: Session, names: Collection[str]) -> Any:
    """`name IN names`; on PostgreSQL one array parameter (`= ANY`), so a worker serving 4,000 sources does not
    send, and have planned, 4,000 parameters at every poll."""
    if dialect(session) == "postgresql":
        return col(Source.name) == any_(bindparam("names", list(names), type_=ARRAY(String)))
    return col(Source.name).in_(list(names))


def schedule_source(session: Session, name: str, due_at: datetime) -> None:
    """When `name` is next due (its lease is left alone: the crawl releases its own)."""
    session.execute(update(Source).where(Source.name == name).values(next_due_at=due_at))


def first_schedule(session: Session, name: str, due_at: datetime) -> None:
    """Schedule `name` at `due_at` unless it already has a schedule (of whichever daemon got there first)."""
    session.execute(update(Source).where(Source.name == name, col(Source.next_due_at).is_(None))
                    .values(next_due_at=due_at))


def release_leases(session: Session, owner: str, due_at: datetime) -> list[str]:
    """Hand back every lease `owner` holds, each source due at `due_at`; the names handed back."""
    query = (update(Source).where(Source.crawl_owner == owner)
             .values(crawl_owner="", crawl_until=None, next_due_at=due_at).returning(Source.name))
    return sorted(row[0] for row in session.execute(query).all())


def start_run(session: Session, source: Source, host: str = "", pid: int = 0) -> CrawlRun:
    run = CrawlRun(source_id=source.id, started_at=utcnow(), host=host, pid=pid)
    session.add(run)
    session.flush()
    return run


def finish_run(session: Session, run: CrawlRun, status: str, message: str = "", **counts: int) -> None:
    run.status, run.message, run.finished_at = status, message, utcnow()
    for key, value in counts.items():
        setattr(run, key, value)
    session.add(run)


def recent_runs(session: Session, source_id: int, count: int = 5) -> Sequence[CrawlRun]:
    """The source's last `count` finished runs, newest first."""
    query = (select(CrawlRun).where(CrawlRun.source_id == source_id, CrawlRun.status != "running")
             .order_by(col(CrawlRun.id).desc()).limit(count))
    return session.exec(query).all()


def latest_runs(session: Session) -> dict[int, CrawlRun]:
    """The most recent crawl run of every source, by source id."""
    newest = select(CrawlRun.source_id, func.max(CrawlRun.id)).group_by(CrawlRun.source_id).subquery()
    rows = session.exec(select(CrawlRun).join(newest, col(CrawlRun.id) == newest.c[1])).all()
    return {run.source_id: run for run in rows}


def running_runs(session: Session, host: str | None = None, started_before: datetime | None = None) -> Sequence[CrawlRun]:
    """Runs still marked running: those of `host`, and those of any host started before `started_before`."""
    query = select(CrawlRun).where(CrawlRun.status == "running")
    mine = CrawlRun.host == host if host is not None else None
    old = col(CrawlRun.started_at) < started_before if started_before is not None else None
    chosen = [c for c in (mine, old) if c is not None]
    if chosen:
        query = query.where(or_(*chosen))
    return session.exec(query.order_by(col(CrawlRun.id))).all()


def check_in(session: Session, name: str, now: datetime, **fields: Any) -> Worker:
    """Record that worker `name` is alive at `now` (created on its first check-in), with `fields` (state,
    host, pid, sources, parallel, started_at, stopped_at) updated."""
    values = {"name": name, "started_at": now, "checked_in_at": now, **fields}
    worker, _ = insert_once(session, Worker, values, {"name": name})
    for key, value in {"checked_in_at": now, **fields}.items():
        setattr(worker, key, value)
    session.add(worker)
    return worker


def workers(session: Session) -> Sequence[Worker]:
    """Every worker the store remembers, the most recently started first."""
    return session.exec(select(Worker).order_by(col(Worker.started_at).desc(), col(Worker.id).desc())).all()


def forget_workers(session: Session, silent_since: datetime) -> int:
    """Forget the workers that have not checked in since `silent_since` (stopped or dead long ago); how many."""
    return session.execute(delete(Worker).where(col(Worker.checked_in_at) < silent_since)).rowcount
