"""Who gets what: the rules of a channel or subscription matched against an event, and digest timing.

Rules (all optional, all must hold): event kinds; document types ("nghị quyết", "decree"), issuers (sign
codes such as "CP", "TTg", "UBND", or names), sources, provinces; keywords, matched without diacritics
("nghi quyet" finds "nghị quyết"); watched documents — an event about a watched document, or about one
that implements or guides it ("57-NQ/TW or anything implementing it"). Delivery is instant, or gathered
into an hourly or a daily digest at a local time ("daily@07:30", Asia/Ho_Chi_Minh).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from govmon.crawler.extract.normalize import unaccent

__all__ = ["EventFacts", "Rules", "fold", "next_digest"]

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def fold(text: str) -> str:
    """Lower case without diacritics, đ → d: the form keywords are matched in.

    >>> fold("Nghị Quyết ĐẦU TƯ") == fold("nghi quyet dau tu")
    True
    """
    return " ".join(unaccent(text).casefold().split())


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


@dataclass(frozen=True)
class Rules:
    kinds: frozenset[str] = frozenset()
    documents: frozenset[str] = frozenset()  # watched
    types: frozenset[str] = frozenset()
    issuers: frozenset[str] = frozenset()
    sources: frozenset[str] = frozenset()
    provinces: frozenset[str] = frozenset()
    keywords: tuple[str, ...] = ()
    digest: str = "instant"  # instant | hourly | daily@HH:MM (local time)
    lang: str = "vi"
    folded: tuple[str, ...] = field(default=(), compare=False)

    def matches(self, facts: EventFacts) -> bool:
        """
        >>> Rules(keywords=("nghi quyet",)).matches(EventFacts("new_article", text="Chính phủ ban hành Nghị quyết 71"))
        True
        >>> Rules(documents=frozenset({"57-NQ/TW"})).matches(EventFacts("document_amended",
        ...       documents=frozenset({"71/NQ-CP", "03/NQ-CP"}), lineage=frozenset({"57-NQ/TW"})))
        True
        """
        checks = (
            not self.kinds or facts.kind in self.kinds,
            not self.documents or bool(self.documents & (facts.documents | facts.lineage)),
            not self.types or bool({fold(t) for t in self.types} & {fold(t) for t in facts.types}),
            not self.issuers or bool({fold(i) for i in self.issuers} & {fold(i) for i in facts.issuers}),
            not self.sources or facts.source in self.sources,
            not self.provinces or fold(facts.province) in {fold(p) for p in self.provinces},
            not self.keywords or any(fold(k) in fold(facts.text) for k in self.keywords),
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
