"""Dates as Vietnamese sites write them, read as Asia/Ho_Chi_Minh local time unless they carry an offset.

>>> parse_datetime("01/03/2026 09:51", ("%d/%m/%Y %H:%M",)).isoformat()
'2026-03-01T09:51:00+07:00'
>>> parse_datetime("2026-03-01T09:51:00&#x2B;07:00").isoformat()
'2026-03-01T09:51:00+07:00'
>>> parse_datetime("2/26/2026 12:00:00 PM", ("%m/%d/%Y %I:%M:%S %p",)).isoformat()
'2026-02-26T12:00:00+07:00'
>>> parse_datetime("Thứ Hai, 05/04/2025 - 08:30", ("%d/%m/%Y - %H:%M",)).isoformat()
'2025-04-05T08:30:00+07:00'
>>> parse_datetime("không rõ") is None
True
"""
from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import datetime, time
from zoneinfo import ZoneInfo

__all__ = ["VN_TZ", "parse_datetime", "to_iso", "local_iso", "local_day"]

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")  # govmon's one definition: times are stored in UTC and shown in it
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?")
_WEEKDAY = re.compile(r"^\s*(?:thứ\s+\w+|chủ\s+nhật|t\d|cn)\s*,?\s*", re.IGNORECASE)


def _localise(value: datetime) -> datetime:
    return value.replace(tzinfo=VN_TZ) if value.tzinfo is None else value


def _iso(text: str) -> datetime | None:
    match = _ISO.search(text)
    if not match:
        return None
    try:
        return _localise(datetime.fromisoformat(match.group(0).replace("Z", "+00:00")))
    except ValueError:
        return None


def _formatted(text: str, formats: Sequence[str]) -> datetime | None:
    for fmt in formats:
        try:
            return _localise(datetime.strptime(text, fmt))
        except ValueError:
            continue
    return None


def parse_datetime(raw: str | None, formats: Sequence[str] = ()) -> datetime | None:
    """An aware datetime from `raw` (entities repaired, weekday names dropped), or None."""
    if not raw:
        return None
    text = " ".join(html.unescape(raw).split())
    text = _WEEKDAY.sub("", text)
    return _formatted(text, formats) or _iso(text)


def to_iso(value: datetime | None) -> str | None:
    """ISO 8601 with the Vietnam offset, the form shown to users and printed as JSON."""
    return value.astimezone(VN_TZ).isoformat() if value else None


def local_iso(moment: datetime | None) -> str | None:
    """A stored UTC time as people read it: Asia/Ho_Chi_Minh, ISO 8601 with the offset.

    >>> from datetime import timezone
    >>> local_iso(datetime(2026, 12, 1, 17, 30, tzinfo=timezone.utc))
    '2026-12-02T00:30:00+07:00'
    """
    return moment.astimezone(VN_TZ).isoformat(timespec="seconds") if moment else None


def local_day(value: str, end: bool = False) -> datetime:
    """What a user's "since"/"until" means: a date is a day in Asia/Ho_Chi_Minh (its first moment, or with
    `end` its last); a time with an offset is taken as given. ValueError when it is neither.

    >>> local_day("2025-01-31").isoformat(), local_day("2025-01-31", end=True).isoformat()[:19]
    ('2025-01-31T00:00:00+07:00', '2025-01-31T23:59:59')
    """
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = datetime.combine(moment.date(), time.max if end else time.min, VN_TZ)
    return moment
