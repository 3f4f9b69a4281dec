"""Which legal documents an article is about (its subjects) and which it only cites.

The recogniser (`crawler.extract.docrefs`) finds every document number and every stated relation; this
module decides roles. The subjects are the acting documents of the stated relations that are not themselves
acted upon in the same article ("71/NQ-CP amends 03/NQ-CP, which implements 57-NQ/TW" is about 71/NQ-CP);
without relations, the documents named in the title; failing that, the first document named in the lead.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from govmon.crawler.extract.docrefs import extract
from govmon.crawler.extract.types import DocRef, PartialRef, Relation

__all__ = ["Identified", "identify", "subjects_of", "registry_key", "ISSUERS", "RELATION_VI", "ALERTING"]

# How a relation reads in Vietnamese; the first four are the ones users are alerted about.
RELATION_VI = {"amends": "sửa đổi", "replaces": "thay thế", "repeals": "bãi bỏ", "suspends": "đình chỉ",
               "implements": "thực hiện", "guides": "hướng dẫn", "corrects": "đính chính", "consolidates": "hợp nhất",
               "cites": "căn cứ"}
ALERTING = frozenset({"amends", "replaces", "repeals", "suspends"})

# Who issues a document, from the part of its sign after the type: NQ-CP → Chính phủ, 57-NQ/TW → Trung ương.
ISSUERS = {"CP": "Chính phủ", "TTg": "Thủ tướng Chính phủ", "QH": "Quốc hội", "UBTVQH": "Ủy ban Thường vụ Quốc hội",
           "TW": "Ban Chấp hành Trung ương / Bộ Chính trị", "BTC": "Bộ Tài chính", "BKHCN": "Bộ Khoa học và Công nghệ",
           "BKHĐT": "Bộ Kế hoạch và Đầu tư", "BTTTT": "Bộ Thông tin và Truyền thông", "VPCP": "Văn phòng Chính phủ",
           "UBND": "Ủy ban nhân dân", "HĐND": "Hội đồng nhân dân", "BNV": "Bộ Nội vụ", "BCA": "Bộ Công an"}


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


def identify(title: str, lead: str, text: str, subject_text: str = "") -> Identified:
    """Documents, relations and subjects of one article (title, lead and body analysed together). A page
    that states its own number (`subject_text`, e.g. a legal database's "Số ký hiệu") is about that one."""
    refs, partial, relations = extract("\n\n".join(p for p in (title, lead, text) if p))
    title_ids = [r.id for r in extract(title)[0]] if title else []
    lead_ids = [r.id for r in extract(lead)[0]] if lead else []
    stated = {r.id for r in extract(subject_text)[0]} if subject_text else set()
    subjects = stated or subjects_of(title_ids, lead_ids, relations)
    return Identified(refs=_unique(refs), partial=partial, relations=list(dict.fromkeys(relations)),
                      subjects=subjects)


def issuer_of(code: str) -> str:
    """
    >>> issuer_of("NQ-CP"), issuer_of("QĐ-UBND"), issuer_of("NQ/TW"), issuer_of("QH15")
    ('Chính phủ', 'Ủy ban nhân dân', 'Ban Chấp hành Trung ương / Bộ Chính trị', 'Quốc hội')
    """
    tail = code.replace("/", "-").split("-")[-1]
    return ISSUERS.get(tail) or ISSUERS.get(tail.rstrip("0123456789"), "")


def registry_key(ref: DocRef, known: list[tuple[str, bool]]) -> tuple[str, bool]:
    """The registry key of a reference and whether its identity is resolved.

    A sign with its year (13/2023/NĐ-CP) is its own key. A sign without one (71/NQ-CP, used in 2016 and
    again in 2025) is keyed ``71/NQ-CP@2025`` when the text dates it; undated, it joins the one resolved
    document of that id the registry holds, and stays the unresolved ``71/NQ-CP`` when there are none or
    several. Local signs (…/QĐ-UBND) repeat in every province and year: undated they stay unresolved.
    `known` is (key, resolved) of the registry documents with this canonical id.

    >>> ref = DocRef("71/NQ-CP", "nghị quyết", "71", None, "NQ-CP", "71/NQ-CP", "2025-04-01")
    >>> registry_key(ref, [])
    ('71/NQ-CP@2025', True)
    >>> registry_key(DocRef("71/NQ-CP", "nghị quyết", "71", None, "NQ-CP", "71/NQ-CP"), [("71/NQ-CP@2025", True)])
    ('71/NQ-CP@2025', True)
    >>> registry_key(DocRef("71/NQ-CP", "nghị quyết", "71", None, "NQ-CP", "71/NQ-CP"), [("71/NQ-CP@2016", True), ("71/NQ-CP@2025", True)])
    ('71/NQ-CP', False)
    """
    if ref.year is not None:
        return ref.id, True
    if ref.date:
        return f"{ref.id}@{ref.date[:4]}", True
    resolved = [key for key, ok in known if ok]
    if len(resolved) == 1 and not ref.code.endswith(("UBND", "HĐND")):
        return resolved[0], True
    return ref.id, False
