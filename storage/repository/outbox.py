"""Events and the outbox. An event is recorded once (by its dedup key) with one delivery per channel, in the
caller's transaction. A delivery is claimed before it is sent: status "sending" with the sender's name and a
lease, by one conditional UPDATE (with FOR UPDATE SKIP LOCKED on PostgreSQL), so of any number of senders in
any number of processes exactly one gets each due row; a claim whose lease ran out is due again."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, update
from sqlmodel import Session, col, select

from govmon.storage.models import Delivery, Event, utcnow
from govmon.storage.repository._rows import insert_once

__all__ = ["add_event", "events", "events_by_ids", "deliveries", "retry_deliveries", "due_channels",
           "claim_deliveries", "count_due", "settle_delivery"]


def add_event(session: Session, kind: str, dedup_key: str, channels: Iterable[str] | dict[str, datetime],
              **fields: Any) -> Event | None:
    """Record an event once (by `dedup_key`, whoever else records it at the same moment) with one pending
    delivery per channel (due now, or at the time given per channel); None when it already happened."""
    now = utcnow()
    values = {"kind": kind, "dedup_key": dedup_key, "created_at": now, "payload": {}, **fields}
    event, inserted = insert_once(session, Event, values, {"dedup_key": dedup_key})
    if not inserted:
        return None
    due = channels if isinstance(channels, dict) else {channel: now for channel in channels}
    for channel, when in due.items():
        insert_once(session, Delivery, {"event_id": event.id, "channel": channel, "next_attempt_at": when},
                    {"event_id": event.id, "channel": channel})
    return event


def events(session: Session, since_id: int = 0) -> Sequence[Event]:
    return session.exec(select(Event).where(col(Event.id) > since_id).order_by(Event.id)).all()


def events_by_ids(session: Session, ids: Iterable[int]) -> dict[int, Event]:
    wanted = sorted(set(ids))
    rows = session.exec(select(Event).where(col(Event.id).in_(wanted))).all() if wanted else []
    return {event.id: event for event in rows if event.id is not None}


def deliveries(session: Session, status: str | None = None, limit: int = 200) -> Sequence[Delivery]:
    """The outbox, newest first, optionally only rows with `status` (pending, sending, sent, dead)."""
    query = select(Delivery)
    if status:
        query = query.where(Delivery.status == status)
    return session.exec(query.order_by(col(Delivery.id).desc()).limit(limit)).all()


def retry_deliveries(session: Session, now: datetime, channel: str | None = None) -> int:
    """Make dead and waiting deliveries due now again (a claimed one is left to its sender); how many."""
    query = update(Delivery).where(col(Delivery.status).in_(["dead", "pending"]))
    if channel:
        query = query.where(Delivery.channel == channel)
    return session.execute(query.values(status="pending", next_attempt_at=now, attempts=0)).rowcount


def _due(now: datetime) -> Any:
    return or_(and_(Delivery.status == "pending", col(Delivery.next_attempt_at) <= now),
               and_(Delivery.status == "sending", col(Delivery.lease_until) < now))


def due_channels(session: Session, now: datetime) -> list[str]:
    """The channels with deliveries due at `now`."""
    query = select(Delivery.channel).where(_due(now)).distinct()
    return sorted(session.exec(query).all())


def count_due(session: Session, channel: str, now: datetime) -> int:
    """How many deliveries of `channel` are due at `now` (claimed or not by the time the caller acts)."""
    query = select(func.count()).select_from(Delivery).where(Delivery.channel == channel, _due(now))
    return session.exec(query).one()


def claim_deliveries(session: Session, channel: str, now: datetime, owner: str, lease_until: datetime,
                     limit: int) -> list[Delivery]:
    """Claim up to `limit` due deliveries of `channel` for `owner` until `lease_until`, oldest first; the
    claimed rows, which no other sender can claim while the lease lasts."""
    due = (select(Delivery.id).where(Delivery.channel == channel, _due(now)).order_by(col(Delivery.id))
           .limit(limit).with_for_update(skip_locked=True))
    claim = (update(Delivery).where(col(Delivery.id).in_(due.scalar_subquery()))
             .values(status="sending", claimed_by=owner, lease_until=lease_until).returning(Delivery.id))
    ids = [row[0] for row in session.execute(claim).all()]
    if not ids:
        return []
    query = select(Delivery).where(col(Delivery.id).in_(ids)).order_by(col(Delivery.id))
    return list(session.exec(query.execution_options(populate_existing=True)).all())


def settle_delivery(session: Session, delivery_id: int, owner: str, **outcome: Any) -> bool:
    """Record a send's outcome (status, attempts, next_attempt_at, sent_at, last_error) if `owner` still
    holds the claim; False when the lease ran out and another sender took the row over."""
    held = update(Delivery).where(Delivery.id == delivery_id, Delivery.claimed_by == owner,
                                  Delivery.status == "sending")
    return session.execute(held.values(claimed_by="", lease_until=None, **outcome)).rowcount == 1
