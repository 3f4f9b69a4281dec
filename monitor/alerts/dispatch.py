"""Delivering the outbox: every pending (event × channel) row is sent, retried with back-off, or dead-lettered.

A delivery is claimed in the store before it is sent (status "sending", our name, a lease of LEASE): any
number of senders — the daemon's dispatcher, `govmon run`, `outbox retry`, in this process or others — send
each row once. Its outcome is recorded afterwards, in its own transaction, only while the claim holds.
Delivery is at-least-once: a sender that dies between the channel's acceptance and that record leaves its
claim to expire, and the next sender sends that one message again under the same key
(``govmon-event-<id>``) so receivers can drop the duplicate; nothing is ever lost.

Only usable channels are drained: a delivery for a channel that was removed from the configuration, or
cannot be built (a missing ``${VAR}``), waits — `govmon outbox list` says why — without holding back the
others, and is sent when its channel returns. Digest channels, and any channel with a flood of due alerts,
get one digest message for all of them.
"""
from __future__ import annotations

import logging
import math
import os
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from govmon.monitor.alerts.events import digest_for, message_for
from govmon.monitor.config import Channel, ConfigError
from govmon.notifiers import (
    Message,
    Notifier,
    NotifierError,
    PermanentError,
    TransientError,
    build,
)
from govmon.storage import repository as repo
from govmon.storage.db import session_scope, write
from govmon.storage.models import utcnow

__all__ = ["Dispatched", "dispatch", "channel_problems", "MAX_ATTEMPTS", "FLOOD", "LEASE"]

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
FLOOD = 20  # more due alerts than this for one channel at once are sent as one digest
DIGEST_MAX = 500  # alerts in one digest message at most; more make the next digest
LEASE = timedelta(minutes=5)  # a claim outlives any one send (SMTP and chat timeouts are under a minute)
_BASE_DELAY = 30.0
_MAX_DELAY = 3600.0
_warned: set[tuple[str, str]] = set()


@dataclass
class Dispatched:
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    lost_claims: int = 0  # outcomes not recorded because our lease had run out (another sender took over)


@dataclass(frozen=True)
class _Batch:
    """Claimed deliveries sent as one message (one alert, or one digest)."""

    attempts: dict[int, int]  # delivery id → attempts before this one
    message: Message


def _backoff(attempts: int, hint: float | None) -> timedelta:
    """The wait before the next try: the channel's own hint when it gave a sane one (capped), else
    exponential from _BASE_DELAY, capped at _MAX_DELAY. `inf`, `nan`, negative or huge hints never raise."""
    if hint is not None and math.isfinite(hint) and hint > 0:
        return timedelta(seconds=min(_MAX_DELAY, hint))
    return timedelta(seconds=min(_MAX_DELAY, _BASE_DELAY * 2 ** min(max(0, attempts - 1), 16)))


def channel_problems(channels: Sequence[Channel], names: Sequence[str] = ()) -> dict[str, str]:
    """Why deliveries of these channel names cannot be sent now: "channel_missing" (not in the
    configuration) or "channel_unusable: <reason>" (it cannot be built); usable channels are absent."""
    built = _notifiers(channels)
    problems = {name: f"channel_unusable: {why}" for name, why in built.items() if isinstance(why, str)}
    problems.update({name: "channel_missing" for name in names if name not in built})
    return problems


def _notifiers(channels: Sequence[Channel]) -> dict[str, Notifier | str]:
    built: dict[str, Notifier | str] = {}
    for channel in channels:
        try:
            built[channel.name] = build(channel.resolved_url())
        except (ConfigError, ValueError) as exc:
            built[channel.name] = str(exc)
    return built


def dispatch(engine: Engine, channels: Sequence[Channel], now: datetime | None = None) -> Dispatched:
    """Send every delivery due at `now` of every usable channel once; how many were sent, will be retried,
    were given up."""
    tally, now = Dispatched(), now or utcnow()
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    built = _notifiers(channels)
    with session_scope(engine) as session:
        due = repo.due_channels(session, now)
    _warn_waiting(due, built)
    for channel in channels:
        notifier = built.get(channel.name)
        if channel.name in due and not isinstance(notifier, str) and notifier is not None:
            _drain(engine, channel, notifier, owner, now, tally)
    return tally


def _warn_waiting(due: Sequence[str], built: dict[str, Notifier | str]) -> None:
    """Say once per process and channel why its due deliveries wait."""
    for name in due:
        why = "not in the configuration" if name not in built else built[name]
        if isinstance(why, str) and (name, why) not in _warned:
            _warned.add((name, why))
            log.warning("deliveries to channel %s wait: %s (they are sent when it is usable)", name, why)


def _drain(engine: Engine, channel: Channel, notifier: Notifier, owner: str, now: datetime, tally: Dispatched) -> None:
    """Claim, send and settle this channel's due deliveries until none is left."""
    while (batch := write(engine, lambda session: _claim(session, channel, owner, now))) is not None:
        error = _send(notifier, batch.message)
        for delivery_id, attempts in batch.attempts.items():
            _settle(engine, delivery_id, owner, _outcome(attempts + 1, error, now), tally)


def _claim(session: Session, channel: Channel, owner: str, now: datetime) -> _Batch | None:
    """The next message of `channel` with its deliveries claimed: one alert, or a digest for a digest
    channel and for a flood (more than FLOOD due at once: a first run, a redesign), so 500 events never
    become 500 messages. Claims only what that message needs, so other senders take the rest meanwhile."""
    due = repo.count_due(session, channel.name, now)
    if not due:
        return None
    several = channel.rules.digest != "instant" or due > FLOOD
    rows = repo.claim_deliveries(session, channel.name, now, owner, max(now, utcnow()) + LEASE,
                                 DIGEST_MAX if several else 1)
    events = repo.events_by_ids(session, (row.event_id for row in rows))
    attempts = {row.id: row.attempts for row in rows if row.id is not None}
    ordered = [events[row.event_id] for row in rows if row.event_id in events]
    if not ordered:
        return None
    lang = channel.rules.lang
    message = digest_for(session, ordered, lang) if several else message_for(session, ordered[0], lang)
    return _Batch(attempts, message)


def _send(notifier: Notifier, message: Message) -> NotifierError | None:
    try:
        notifier.send(message)
    except NotifierError as exc:
        log.warning("delivery to %s failed: %s", notifier.name, exc)
        return exc
    except Exception as exc:  # noqa: BLE001 - a notifier's own bug is a failed send, never a stalled outbox
        log.exception("delivery to %s failed unexpectedly", notifier.name)
        return TransientError(f"{notifier.name}: {type(exc).__name__}")
    return None


def _settle(engine: Engine, delivery_id: int, owner: str, outcome: tuple[dict[str, object], str],
            tally: Dispatched) -> None:
    """Record a send's outcome, if our claim still holds (else another sender took the row over)."""
    values, counter = outcome
    if write(engine, lambda session: repo.settle_delivery(session, delivery_id, owner, **values)):
        setattr(tally, counter, getattr(tally, counter) + 1)
    else:
        tally.lost_claims += 1
        log.warning("delivery %d: claim expired before its outcome was recorded", delivery_id)


def _outcome(attempts: int, error: NotifierError | None, now: datetime) -> tuple[dict[str, object], str]:
    """The delivery's new state after its `attempts`-th send, and the tally counter it goes to; a retry
    waits from the later of `now` and the clock, so one dispatch never tries a row twice."""
    if error is None:
        return {"attempts": attempts, "status": "sent", "sent_at": utcnow(), "last_error": ""}, "sent"
    reason = str(error)[:500]
    if isinstance(error, PermanentError) or attempts >= MAX_ATTEMPTS:
        return {"attempts": attempts, "status": "dead", "last_error": reason}, "dead"
    wait = _backoff(attempts, getattr(error, "retry_after", None))
    return {"attempts": attempts, "status": "pending", "next_attempt_at": max(now, utcnow()) + wait,
            "last_error": reason}, "retrying"
