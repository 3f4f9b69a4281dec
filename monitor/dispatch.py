"""Delivering the outbox: every pending (event × channel) row is sent, retried with back-off, or dead-lettered.

Delivery is at-least-once: a row is marked sent only after its channel accepted the message, in its own
transaction. A crash between the two re-sends that one message on the next pass, under the same key
(``govmon-event-<id>``) so receivers can drop the duplicate; nothing is ever lost.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from monitor.config import Channel, ConfigError
from monitor.events import message_for
from notifiers import Message, Notifier, NotifierError, PermanentError, build
from storage import repository as repo
from storage.db import session_scope
from storage.models import Delivery, Event, utcnow

__all__ = ["Dispatched", "dispatch", "MAX_ATTEMPTS"]

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
_BASE_DELAY = 30.0
_MAX_DELAY = 3600.0


@dataclass
class Dispatched:
    sent: int = 0
    retrying: int = 0
    dead: int = 0


def _backoff(attempts: int, hint: float | None) -> timedelta:
    delay = hint if hint else min(_MAX_DELAY, _BASE_DELAY * 2 ** max(0, attempts - 1))
    return timedelta(seconds=delay)


def _due(engine: Engine, now: datetime) -> list[tuple[int, str, Message]]:
    with session_scope(engine) as session:
        rows = []
        for delivery in repo.due_deliveries(session, now, limit=500):
            event = session.get(Event, delivery.event_id)
            if event is not None and delivery.id is not None:
                rows.append((delivery.id, delivery.channel, message_for(session, event)))
        return rows


def _record(engine: Engine, delivery_id: int, error: NotifierError | None, tally: Dispatched) -> None:
    with session_scope(engine) as session:
        row = session.get(Delivery, delivery_id)
        if row is None:
            return
        row.attempts += 1
        if error is None:
            row.status, row.sent_at, row.last_error = "sent", utcnow(), ""
            tally.sent += 1
        elif isinstance(error, PermanentError) or row.attempts >= MAX_ATTEMPTS:
            row.status, row.last_error = "dead", str(error)[:500]
            tally.dead += 1
        else:
            row.next_attempt_at = utcnow() + _backoff(row.attempts, getattr(error, "retry_after", None))
            row.last_error = str(error)[:500]
            tally.retrying += 1
        session.add(row)


def _notifiers(channels: Sequence[Channel]) -> dict[str, Notifier | ConfigError | ValueError]:
    built: dict[str, Notifier | ConfigError | ValueError] = {}
    for channel in channels:
        try:
            built[channel.name] = build(channel.resolved_url())
        except (ConfigError, ValueError) as exc:
            built[channel.name] = exc
    return built


def dispatch(engine: Engine, channels: Sequence[Channel], now: datetime | None = None) -> Dispatched:
    """Send every due delivery once; returns how many were sent, will be retried, were given up."""
    tally, notifiers = Dispatched(), _notifiers(channels)
    for delivery_id, channel, message in _due(engine, now or utcnow()):
        notifier = notifiers.get(channel)
        if notifier is None or isinstance(notifier, Exception):
            log.warning("channel %s is not usable (%s); delivery %s stays pending", channel, notifier, delivery_id)
            continue
        try:
            notifier.send(message)
            _record(engine, delivery_id, None, tally)
        except NotifierError as exc:
            log.warning("delivery %s to %s failed: %s", delivery_id, notifier.name, exc)
            _record(engine, delivery_id, exc, tally)
    return tally
