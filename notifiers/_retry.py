"""Retry hints from chat and mail APIs, made safe: a hostile or broken ``Retry-After`` must not stall or crash.

A hint is a number of seconds (``120``) or an HTTP-date (RFC 9110). Whatever the server says, the hint
govmon keeps is a finite number of seconds between 0 and `MAX_RETRY_AFTER` (one hour, the outbox's own
longest back-off), or None when the value is garbage, negative, NaN or a date already past: the outbox
then backs off on its own schedule.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

__all__ = ["MAX_RETRY_AFTER", "clamp_retry_after", "parse_retry_after"]

MAX_RETRY_AFTER = 3600.0
_MAX_TEXT = 64  # a Retry-After value longer than this is not one


def clamp_retry_after(seconds: float | None) -> float | None:
    """A usable hint: finite, positive, at most `MAX_RETRY_AFTER`; anything else is None.

    >>> clamp_retry_after(1e12), clamp_retry_after(float("nan")), clamp_retry_after(-5), clamp_retry_after(30)
    (3600.0, None, None, 30.0)
    """
    if seconds is None or isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        return None
    if math.isnan(seconds) or seconds <= 0:
        return None
    return float(min(seconds, MAX_RETRY_AFTER))


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header value (delay-seconds or HTTP-date), made safe.

    >>> parse_retry_after("120"), parse_retry_after("1e12"), parse_retry_after("inf"), parse_retry_after("soon")
    (120.0, 3600.0, 3600.0, None)
    >>> parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now=datetime(2015, 10, 21, 7, 28, tzinfo=timezone.utc))
    30.0
    """
    text = (value or "").strip()
    if not text or len(text) > _MAX_TEXT:
        return None
    try:
        return clamp_retry_after(float(text))
    except ValueError:
        return _from_date(text, now or datetime.now(timezone.utc))


def _from_date(text: str, now: datetime) -> float | None:
    """Seconds until an HTTP-date; None when it is not one, or is past."""
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return clamp_retry_after((moment - now).total_seconds())
