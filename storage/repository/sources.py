"""Sources, their crawl claims, and crawl runs."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from govmon.storage.models import CrawlRun, Source, utcnow
from govmon.storage.repository._rows import insert_once

__all__ = ["source_by_name", "ensure_source", "sources", "claim_source", "release_source", "start_run",
           "finish_run", "recent_runs", "latest_runs", "running_runs"]


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
