"""Which legal documents an article is about (its subjects) and which it only cites, and which registry row
each names (its identity).

The recogniser (`crawler.extract.docrefs`) finds every document number and every stated relation; this
module decides roles. The subjects are the acting documents of the stated relations that are not themselves
acted upon in the same article ("71/NQ-CP amends 03/NQ-CP, which implements 57-NQ/TW" is about 71/NQ-CP);
without relations, the documents named in the title; failing that, the first document named in the lead.

Registry keys: the canonical id (`03/NQ-CP`, zero-padded as DOCNUMBERS.md says, so `3/NQ-CP` is the same
document), then qualifiers, each after an ``@``: the issue year when the sign has none and the text dates it
(``71/NQ-CP@2025``), then, for a local sign (…/QĐ-UBND, …/NQ-HĐND, …/KH-UBND, …-KH/TU, every province issues
them), the province as a slug (``1556/KH-UBND@2025@lai-chau``, ``12/2024/NQ-HĐND@gia-lai``). The canonical
id is what precedes the first ``@``, so ``docs show 1556/KH-UBND`` finds the documents of every year and
province, and ``1556/KH-UBND@gia-lai`` or ``1556/KH-UBND Gia Lai`` one province's
(`storage.repository.documents_by_id`). The province of a local sign is the one the text states for it
("… 1556/KH-UBND của UBND tỉnh Lai Châu", "UBND tỉnh Lai Châu ban hành Kế hoạch số 1556/KH-UBND"), else the
one its header states ("ỦY BAN NHÂN DÂN TỈNH LAI CHÂU"), else the publishing source's (its definition's
`province`); a local sign with no province is not resolved.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from govmon.crawler.extract.docrefs import extract
from govmon.crawler.extract.normalize import unaccent
from govmon.crawler.extract.types import DocRef, PartialRef, Relation

__all__ = ["Identified", "identify", "subjects_of", "registry_key", "loose_keys", "compose_key", "qualifiers",
           "whole_text", "issuer_of", "is_local", "province_slug", "provinces_stated", "PROVINCES", "ISSUERS",
           "RELATION_VI", "ALERTING"]

# How a relation reads in Vietnamese; the first four are the ones users are alerted about.
RELATION_VI = {"amends": "sửa đổi", "replaces": "thay thế", "repeals": "bãi bỏ", "suspends": "đình chỉ",
               "implements": "thực hiện", "guides": "hướng dẫn", "corrects": "đính chính", "consolidates": "hợp nhất",
               "cites": "căn cứ"}
ALERTING = frozenset({"amends", "replaces", "repeals", "suspends"})

# Who issues a document, from the part of its sign after the type: NQ-CP → Chính phủ, 57-NQ/TW → Trung ương.
ISSUERS = {"CP": "Chính phủ", "TTg": "Thủ tướng Chính phủ", "QH": "Quốc hội", "UBTVQH": "Ủy ban Thường vụ Quốc hội",
           "TW": "Ban Chấp hành Trung ương / Bộ Chính trị", "BTC": "Bộ Tài chính", "BKHCN": "Bộ Khoa học và Công nghệ",
           "BKHĐT": "Bộ Kế hoạch và Đầu tư", "BTTTT": "Bộ Thông tin và Truyền thông", "VPCP": "Văn phòng Chính phủ",
           "UBND": "Ủy ban nhân dân", "HĐND": "Hội đồng nhân dân", "BNV": "Bộ Nội vụ", "BCA": "Bộ Công an",
           "TU": "Tỉnh ủy", "HU": "Huyện ủy"}
LOCAL_BODIES = frozenset({"UBND", "HĐND", "TU", "HU"})  # issuers every province has: their signs repeat

# The provinces and centrally-run cities, those of 1 July 2025 and those merged away (design/PORTALS.md).
PROVINCES = (
    "Hà Nội", "Huế", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa", "Nghệ An", "Hà Tĩnh",
    "Cao Bằng", "Tuyên Quang", "Lào Cai", "Thái Nguyên", "Phú Thọ", "Bắc Ninh", "Hưng Yên", "Hải Phòng", "Ninh Bình",
    "Quảng Trị", "Đà Nẵng", "Quảng Ngãi", "Gia Lai", "Khánh Hòa", "Lâm Đồng", "Đắk Lắk", "Hồ Chí Minh", "Đồng Nai",
    "Tây Ninh", "Cần Thơ", "Vĩnh Long", "Đồng Tháp", "Cà Mau", "An Giang", "Thừa Thiên Huế", "Hà Giang", "Yên Bái",
    "Bắc Kạn", "Vĩnh Phúc", "Hòa Bình", "Bắc Giang", "Thái Bình", "Hải Dương", "Hà Nam", "Nam Định", "Quảng Bình",
    "Quảng Nam", "Kon Tum", "Bình Định", "Ninh Thuận", "Đắk Nông", "Bình Thuận", "Phú Yên", "Bình Dương",
    "Bà Rịa – Vũng Tàu", "Bình Phước", "Long An", "Sóc Trăng", "Hậu Giang", "Bến Tre", "Trà Vinh", "Tiền Giang",
    "Bạc Liêu", "Kiên Giang",
)
_CITIES = frozenset({"Hà Nội", "Huế", "Hải Phòng", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ"})


@dataclass
class Identified:
    refs: list[DocRef] = field(default_factory=list)  # one per canonical id, first occurrence
    partial: list[PartialRef] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    subjects: set[str] = field(default_factory=set)
    provinces: dict[str, str] = field(default_factory=dict)  # local sign's id → the province the text states

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


def whole_text(title: str, lead: str, text: str) -> str:
    """An article as one text (title, lead, body, blank lines between): where its documents, relations and
    validity statements are read.

    >>> whole_text("Tiêu đề", "", "Nội dung").split(chr(10))
    ['Tiêu đề', '', 'Nội dung']
    """
    return "\n\n".join(p for p in (title, lead, text) if p)


def identify(title: str, lead: str, text: str, subject_text: str = "") -> Identified:
    """Documents, relations and subjects of one article (title, lead and body analysed together). A page
    that states its own number (`subject_text`, e.g. a legal database's "Số ký hiệu") is about that one."""
    text_all = whole_text(title, lead, text)
    refs, partial, relations = extract(text_all)
    title_ids = [r.id for r in extract(title)[0]] if title else []
    lead_ids = [r.id for r in extract(lead)[0]] if lead else []
    stated = {r.id for r in extract(subject_text)[0]} if subject_text else set()
    subjects = stated or subjects_of(title_ids, lead_ids, relations)
    return Identified(refs=_unique(refs), partial=partial, relations=list(dict.fromkeys(relations)),
                      subjects=subjects, provinces=provinces_stated(text_all, refs))


def issuer_of(code: str, province: str = "") -> str:
    """Who issues a document with this sign code; for a local sign, of which province when known.

    >>> issuer_of("NQ-CP"), issuer_of("QĐ-UBND"), issuer_of("NQ/TW"), issuer_of("QH15")
    ('Chính phủ', 'Ủy ban nhân dân', 'Ban Chấp hành Trung ương / Bộ Chính trị', 'Quốc hội')
    >>> issuer_of("KH-UBND", "Gia Lai"), issuer_of("NQ-HĐND", "Hà Nội"), issuer_of("NQ-CP", "Gia Lai")
    ('Ủy ban nhân dân tỉnh Gia Lai', 'Hội đồng nhân dân thành phố Hà Nội', 'Chính phủ')
    """
    local = _local_body(code)
    if local and province:
        return f"{ISSUERS[local]} {'thành phố' if province in _CITIES else 'tỉnh'} {province}"
    tail = code.replace("/", "-").split("-")[-1]
    return ISSUERS.get(tail) or ISSUERS.get(tail.rstrip("0123456789"), "")


def _local_body(code: str) -> str:
    """The local issuer a sign code names (`KH-UBND` → UBND, `UBND-KT` → UBND, `KH/TU` → TU), or ""."""
    return next((token for token in code.replace("/", "-").split("-") if token in LOCAL_BODIES), "")


def is_local(code: str) -> bool:
    """Whether a sign is issued in every province (…/QĐ-UBND, …/NQ-HĐND, …-KH/TU), so that its number and
    year name no one document without the province.

    >>> is_local("KH-UBND"), is_local("NQ-HĐND"), is_local("UBND-KT"), is_local("KH/TU"), is_local("NQ-CP")
    (True, True, True, True, False)
    """
    return bool(_local_body(code))


def province_slug(name: str) -> str:
    """A province as registry keys write it: folded words joined by hyphens.

    >>> province_slug("Gia Lai"), province_slug("Bà Rịa – Vũng Tàu"), province_slug("Đắk Lắk")
    ('gia-lai', 'ba-ria-vung-tau', 'dak-lak')
    """
    return _NOT_SLUG.sub("-", unaccent(name).casefold()).strip("-")


_NOT_SLUG = re.compile(r"[^0-9a-z]+")


# --- which province a local sign belongs to -----------------------------------------------------------
def _name_pattern(name: str) -> str:
    return r"[\s\-\u2013\u2014]*".join(province_slug(name).split("-"))


_BY_NAME = {re.sub(r"[^a-z]", "", province_slug(name)): name for name in PROVINCES} | {"hcm": "Hồ Chí Minh"}
_NAMES = "|".join(sorted({_name_pattern(n) for n in PROVINCES} | {"hcm"}, key=len, reverse=True))
_ISSUER = r"(?:ubnd|uy\s+ban\s+nhan\s+dan|hdnd|hoi\s+dong\s+nhan\s+dan|tinh\s+uy|thanh\s+uy)"
_STATED = rf"{_ISSUER}\s+(?:(?:tinh|thanh\s+pho|tp)\b\.?\s*)?(?P<name>{_NAMES})\b"
STATEMENT = re.compile(rf"\b{_STATED}")  # "UBND tỉnh Lai Châu", "ỦY BAN NHÂN DÂN\nTỈNH LAI CHÂU", on folded text
_OF = re.compile(rf"\b(?:cua|do)\s+(?:\w+\s+){{0,2}}?{_STATED}")  # "… của (Chủ tịch) UBND tỉnh Lai Châu"
_STOP = re.compile(r"(?<!\btp)[.;!?](?=\s|$)|\n")
HEADER = 500  # characters at the top of a text where its issuer is stated
REACH = 150  # characters around a sign where its issuer may be stated


def _folded(text: str) -> str:
    """Lower case without diacritics, character for character."""
    return unaccent(text).casefold()


def _province(found: re.Match[str] | None) -> str:
    return _BY_NAME.get(re.sub(r"[^a-z]", "", found.group("name")), "") if found else ""


def provinces_stated(text: str, refs: list[DocRef]) -> dict[str, str]:
    """The province `text` states for each local sign among `refs` (offsets into `text`): the issuer named
    with it ("… của UBND tỉnh Lai Châu" after it, "UBND tỉnh Lai Châu ban hành …" before it, in the same
    sentence), else the issuer the text's header states.

    >>> text = ("Thực hiện Kế hoạch số 12/KH-UBND của UBND tỉnh Lai Châu, "
    ...         "UBND tỉnh Gia Lai ban hành Kế hoạch số 30/KH-UBND.")
    >>> provinces_stated(text, extract(text)[0])
    {'12/KH-UBND': 'Lai Châu', '30/KH-UBND': 'Gia Lai'}
    """
    header = _province(STATEMENT.search(_folded(text[:HEADER])))
    found: dict[str, str] = {}
    for i, ref in enumerate(refs):
        if ref.id in found or not is_local(ref.code):
            continue
        before = refs[i - 1].end if i else 0
        after = refs[i + 1].start if i + 1 < len(refs) else len(text)
        province = _stated_with(text, ref, before, after) or header
        if province:
            found[ref.id] = province
    return found


def _stated_with(text: str, ref: DocRef, before: int, after: int) -> str:
    """The province named with one sign: after it ("của UBND tỉnh …"), else before it in its sentence."""
    tail = _folded(text[ref.end : min(after, ref.end + REACH)])
    tail = tail[: m.start()] if (m := _STOP.search(tail)) else tail
    head = _folded(text[max(before, ref.start - REACH) : ref.start])
    head = head[m.end() :] if (m := _last(_STOP, head)) else head
    return _province(_OF.search(tail)) or _province(_last(STATEMENT, head))


def _last(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    found = None
    for found in pattern.finditer(text):
        pass
    return found


def compose_key(doc_id: str, year: int | None = None, slug: str = "") -> str:
    """A registry key: the canonical id, then its year and province qualifiers.

    >>> compose_key("71/NQ-CP", 2025), compose_key("1556/KH-UBND", 2025, "gia-lai"), compose_key("13/2023/NĐ-CP")
    ('71/NQ-CP@2025', '1556/KH-UBND@2025@gia-lai', '13/2023/NĐ-CP')
    """
    return doc_id + "".join(f"@{q}" for q in (year, slug) if q)


def qualifiers(key: str) -> tuple[int | None, str]:
    """(year, province slug) of a registry key.

    >>> qualifiers("1556/KH-UBND@2025@gia-lai"), qualifiers("1556/KH-UBND@lai-chau"), qualifiers("03/NQ-CP")
    ((2025, 'gia-lai'), (None, 'lai-chau'), (None, ''))
    """
    parts = key.split("@")[1:]
    year = next((int(p) for p in parts if p.isdigit()), None)
    return year, next((p for p in parts if not p.isdigit()), "")


def _slug_for(ref: DocRef, province: str) -> str:
    return province_slug(province) if province and is_local(ref.code) else ""


def registry_key(ref: DocRef, known: list[tuple[str, bool]], province: str = "") -> tuple[str, bool]:
    """The registry key of a reference and whether its identity is resolved.

    A sign with its year (13/2023/NĐ-CP) is its own key. A sign without one (71/NQ-CP, used in 2016 and
    again in 2025) is keyed ``71/NQ-CP@2025`` when the text dates it; undated, it joins the one resolved
    document of that id the registry holds, and stays the unresolved ``71/NQ-CP`` when there are none or
    several. Local signs (…/QĐ-UBND) repeat in every province and year: their key carries the `province`
    (``1556/KH-UBND@2025@gia-lai``); without one they are not resolved, and never join another row.
    `known` is (key, resolved) of the registry documents with this canonical id.

    >>> ref = DocRef("71/NQ-CP", "nghị quyết", "71", None, "NQ-CP", "71/NQ-CP", "2025-04-01")
    >>> registry_key(ref, [])
    ('71/NQ-CP@2025', True)
    >>> registry_key(DocRef("71/NQ-CP", "nghị quyết", "71", None, "NQ-CP", "71/NQ-CP"), [("71/NQ-CP@2025", True)])
    ('71/NQ-CP@2025', True)
    >>> registry_key(DocRef("71/NQ-CP", "nghị quyết", "71", None, "NQ-CP", "71/NQ-CP"), [("71/NQ-CP@2016", True), ("71/NQ-CP@2025", True)])
    ('71/NQ-CP', False)
    >>> plan = DocRef("1556/KH-UBND", "kế hoạch", "1556", None, "KH-UBND", "1556/KH-UBND", "2025-05-12")
    >>> registry_key(plan, [], "Lai Châu"), registry_key(plan, [])
    (('1556/KH-UBND@2025@lai-chau', True), ('1556/KH-UBND@2025', False))
    """
    slug = _slug_for(ref, province)
    placed = bool(slug) or not is_local(ref.code)
    if ref.year is not None or ref.date:
        return compose_key(ref.id, None if ref.year else int(ref.date[:4]), slug), placed
    resolved = [key for key, ok in known if ok and qualifiers(key)[1] == slug]
    if placed and len(resolved) == 1:
        return resolved[0], True
    return compose_key(ref.id, None, slug), False


def loose_keys(ref: DocRef, province: str = "") -> list[str]:
    """The keys of rows that knew less of this reference's document, which its row may take over when the
    registry holds no resolved row of the id: the undated row of its province, its year's row without a
    province, the bare id.

    >>> loose_keys(DocRef("1556/KH-UBND", "kế hoạch", "1556", None, "KH-UBND", "1556/KH-UBND", "2025-05-12"), "Gia Lai")
    ['1556/KH-UBND@gia-lai', '1556/KH-UBND@2025', '1556/KH-UBND']
    >>> loose_keys(DocRef("71/NQ-CP", "nghị quyết", "71", None, "NQ-CP", "71/NQ-CP", "2025-04-01"), "Gia Lai")
    ['71/NQ-CP']
    """
    slug = _slug_for(ref, province)
    year = int(ref.date[:4]) if ref.date and ref.year is None else None
    candidates = [compose_key(ref.id, None, slug), compose_key(ref.id, year), ref.id]
    return [key for key in dict.fromkeys(candidates) if key != compose_key(ref.id, year, slug)]
