"""Delivering the outbox: every pending (event × channel) row is sent, retried with back-off, or dead-lettered.

Delivery is at-least-once: a row is marked sent only after its channel accepted the message, in its own
transaction. A crash between the two re-sends that one message on the next pass, under the same key
(``govmon-event-<id>``) so receivers can drop the duplicate; nothing is ever lost. Digest channels, and
any channel with a flood of due alerts, get one digest message for all of them.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from govmon.monitor.config import Channel, ConfigError, Rules
from govmon.monitor.alerts.events import digest_for, message_for
from govmon.notifiers import Message, Notifier, NotifierError, PermanentError, build
from govmon.storage import repository as repo
from govmon.storage.db import session_scope
from govmon.storage.models import Delivery, Event, utcnow

__all__ = ["Dispatched", "dispatch", "MAX_ATTEMPTS", "FLOOD"]

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
FLOOD = 20  # more due alerts than this for one channel at once are sent as one digest
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


def _due(engine: Engine, now: datetime, channels: Sequence[Channel]) -> list[tuple[str, list[int], Message]]:
    """Per channel, the due deliveries as messages: one each, or a single digest for a digest channel and
    for a flood (more than FLOOD at once: a first run, a redesign), so 500 events never become 500 messages."""
    rules = {c.name: c.rules for c in channels}
    with session_scope(engine) as session:
        by_channel: dict[str, list[tuple[int, Event]]] = defaultdict(list)
        for delivery in repo.due_deliveries(session, now, limit=2000):
            event = session.get(Event, delivery.event_id)
            if event is not None and delivery.id is not None:
                by_channel[delivery.channel].append((delivery.id, event))
        batches: list[tuple[str, list[int], Message]] = []
        for channel, rows in by_channel.items():
            rule = rules.get(channel, Rules())
            if rule.digest != "instant" or len(rows) > FLOOD:
                batches.append((channel, [i for i, _ in rows], digest_for(session, [e for _, e in rows], rule.lang)))
            else:
                batches.extend((channel, [i], message_for(session, event, rule.lang)) for i, event in rows)
        return batches


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
    for channel, delivery_ids, message in _due(engine, now or utcnow(), channels):
        notifier = notifiers.get(channel)
        if notifier is None or isinstance(notifier, Exception):
            log.warning("channel %s is not usable (%s); %d deliveries stay pending", channel, notifier, len(delivery_ids))
            continue
        try:
            notifier.send(message)
            error: NotifierError | None = None
        except NotifierError as exc:
            log.warning("delivery to %s failed: %s", notifier.name, exc)
            error = exc
        for delivery_id in delivery_ids:
            _record(engine, delivery_id, error, tally)
    return tally
