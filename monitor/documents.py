"""Which legal documents an article is about (its subjects) and which it only cites.

The recogniser (`crawler.extract.docrefs`) finds every document number and every stated relation; this
module decides roles. The subjects are the acting documents of the stated relations that are not themselves
acted upon in the same article ("71/NQ-CP amends 03/NQ-CP, which implements 57-NQ/TW" is about 71/NQ-CP);
without relations, the documents named in the title; failing that, the first document named in the lead.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from crawler.extract.docrefs import extract
from crawler.extract.types import DocRef, PartialRef, Relation

__all__ = ["Identified", "identify", "subjects_of"]


@dataclass
class Identified:
    refs: list[DocRef] = field(default_factory=list)  # one per canonical id, first occurrence
    partial: list[PartialRef] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    subjects: set[str] = field(default_factory=set)

    def ids(self) -> list[str]:
        return [ref.id for ref in self.refs]


def _unique(refs: list[DocRef]) -> list[DocRef]:
    return list({ref.id: ref for ref in reversed(refs)}.values())[::-1]


def subjects_of(title_ids: list[str], lead_ids: list[str], relations: list[Relation]) -> set[str]:
    """
    >>> subjects_of([], [], [Relation("71/NQ-CP", "amends", "03/NQ-CP"), Relation("03/NQ-CP", "implements", "57-NQ/TW")])
    {'71/NQ-CP'}
    >>> sorted(subjects_of(["13/2023/NĐ-CP"], ["13/2023/NĐ-CP", "20/2023/QH15"], []))
    ['13/2023/NĐ-CP']
    """
    targets = {r.to_id for r in relations}
    actors = {r.from_id for r in relations} - targets
    if actors:
        return actors
    if title_ids:
        return set(title_ids)
    return set(lead_ids[:1])


def identify(title: str, lead: str, text: str) -> Identified:
    """Documents, relations and subjects of one article (title, lead and body analysed together)."""
    refs, partial, relations = extract("\n\n".join(p for p in (title, lead, text) if p))
    title_ids = [r.id for r in extract(title)[0]] if title else []
    lead_ids = [r.id for r in extract(lead)[0]] if lead else []
    subjects = subjects_of(title_ids, lead_ids, relations)
    return Identified(refs=_unique(refs), partial=partial, relations=list(dict.fromkeys(relations)),
                      subjects=subjects)
