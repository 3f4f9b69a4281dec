"""Who gets what: the rules of a channel or subscription matched against an event, and digest timing.

Rules (all optional, all must hold): event kinds; document types ("nghị quyết", "decree"), issuers (sign
codes such as "CP", "TTg", "UBND", or names), sources, provinces; keywords, matched without diacritics
("nghi quyet" finds "nghị quyết"); watched documents — an event about a watched document, or about one
that implements or guides it ("57-NQ/TW or anything implementing it"). Delivery is instant, or gathered
into an hourly or a daily digest at a local time ("daily@07:30", Asia/Ho_Chi_Minh).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from govmon.crawler.extract.dates import VN_TZ
from govmon.monitor.analysis.keys import fold
from govmon.monitor.config import Rules

__all__ = ["EventFacts", "selects", "fold", "next_digest"]

@dataclass(frozen=True)
class EventFacts:
    """What an event is about, gathered once when it is recorded."""

    kind: str
    documents: frozenset[str] = frozenset()  # canonical ids the event names
    lineage: frozenset[str] = frozenset()  # what those documents implement or guide (one step up)
    types: frozenset[str] = frozenset()
    issuers: frozenset[str] = frozenset()  # sign codes and issuer names
    source: str = ""
    province: str = ""
    text: str = ""  # title and lead, for keywords


def selects(rules: Rules, facts: EventFacts) -> bool:
    """Whether a channel or subscription with `rules` gets an event with these facts.

    >>> selects(Rules(keywords=("nghi quyet",)), EventFacts("new_article", text="Chính phủ ban hành Nghị quyết 71"))
    True
    >>> selects(Rules(documents=frozenset({"57-NQ/TW"})), EventFacts("document_amended",
    ...         documents=frozenset({"71/NQ-CP", "03/NQ-CP"}), lineage=frozenset({"57-NQ/TW"})))
    True
    """
    checks = (
        not rules.kinds or facts.kind in rules.kinds,
        not rules.documents or bool(rules.documents & (facts.documents | facts.lineage)),
        not rules.types or bool({fold(t) for t in rules.types} & {fold(t) for t in facts.types}),
        not rules.issuers or bool({fold(i) for i in rules.issuers} & {fold(i) for i in facts.issuers}),
        not rules.sources or facts.source in rules.sources,
        not rules.provinces or fold(facts.province) in {fold(p) for p in rules.provinces},
        not rules.keywords or any(fold(k) in fold(facts.text) for k in rules.keywords),
    )
    return all(checks)


def next_digest(rule: str, now: datetime) -> datetime:
    """When a delivery under `rule` is due: now (instant), the next full hour, or the next local HH:MM.

    >>> now = datetime(2026, 11, 30, 3, 20, tzinfo=timezone.utc)  # 10:20 in Hanoi
    >>> next_digest("hourly", now).isoformat(), next_digest("daily@07:30", now).isoformat()
    ('2026-11-30T04:00:00+00:00', '2026-12-01T00:30:00+00:00')
    """
    if rule == "hourly":
        return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    if rule.startswith("daily@"):
        hour, minute = (int(x) for x in rule.split("@", 1)[1].split(":"))
        local = now.astimezone(VN_TZ)
        target = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if target <= local:
            target += timedelta(days=1)
        return target.astimezone(timezone.utc)
    return now
