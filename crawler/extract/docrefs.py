"""Legal document numbers (số, ký hiệu): full references, number-only mentions and stated relations.

Follows shared/design/DOCNUMBERS.md: Part A for the grammar and its real-world damage, Part B for the
output (`type`, `number`, `year`, `code`, `id`, `date`). Matching runs on a folded copy of the text
(NFC, Ð→Đ, dash/slash/space variants, invisible characters dropped); `raw`, `start` and `end` always
refer to the caller's original string. Tables and patterns live in `docrefs_tables`.

>>> [r.id for r in find_refs("Nghị quyết số 03/NQ-CP và Nghị định 13 / 2023 / NÐ–CP")]
['03/NQ-CP', '13/2023/NĐ-CP']
>>> ref = find_refs("Resolution No. 57-NQ/TW dated December 22, 2024")[0]
>>> ref.raw, ref.type, ref.code, ref.date
('Resolution No. 57-NQ/TW', 'nghị quyết', 'NQ/TW', '2024-12-22')
>>> canonical_id("598/QD-TTG"), canonical_id("Nghi-dinh-13-2023-ND-CP-465185.aspx"), canonical_id("10/2022")
('598/QĐ-TTg', '13/2023/NĐ-CP', None)
>>> [(p.raw, p.number) for p in find_partial_refs("Công điện số 173 ngày 26/9 về bão số 10")]
[('Công điện số 173', '173')]
>>> [(r.from_id, r.rel, r.to_id) for r in find_relations("Thông tư 31/2017/TT-BTC sửa đổi Thông tư 99/2016/TT-BTC.")]
[('31/2017/TT-BTC', 'amends', '99/2016/TT-BTC')]
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from govmon.crawler.extract import docrefs_tables as T
from govmon.crawler.extract.folding import Folded as _Folded
from govmon.crawler.extract.folding import fold as _fold
from govmon.crawler.extract.relations import relations_between
from govmon.crawler.extract.types import DocRef, PartialRef, Relation

__all__ = ["find_refs", "find_partial_refs", "find_relations", "canonical_id", "padded", "extract"]


# --- the sign ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Sign:
    number: str
    year: int | None
    code: str
    kind: str  # "admin" (13/2023/NĐ-CP, 03/NQ-CP), "party" (57-NQ/TW) or "hyphen" (legacy 61-CP)
    abbr: str | None  # the type abbreviation in the sign, if any
    tokens: list[str]
    end: int

    @property
    def id(self) -> str:
        number = padded(self.number)
        if self.kind != "admin":
            return f"{number}-{self.code}"
        return f"{number}/{self.year}/{self.code}" if self.year else f"{number}/{self.code}"


def padded(number: str) -> str:
    """The number as canonical ids write it (DOCNUMBERS.md A.3): no leading zeros but two digits at least,
    so `3/NQ-CP` and `003/NQ-CP` are `03/NQ-CP`.

    >>> padded("3"), padded("03"), padded("0012"), padded("1556")
    ('03', '03', '12', '1556')
    """
    return f"{int(number):02d}"


def _take(code: str, base: int) -> list[tuple[str, int]]:
    """The plausible leading tokens of a sign code, canonical, each with its end offset."""
    out: list[tuple[str, int]] = []
    prev, strict = 0, False
    for m in T.TOKEN.finditer(code):
        tok, canon = m.group(), T.canon_token(m.group())
        if not out:
            strict = not tok[0].isupper()
            ok = T.is_known(canon) or (not strict and sum(c.isalpha() for c in tok) >= 2)
        else:
            loose = any(c.isspace() for c in code[prev : m.start()])
            ok = T.is_known(canon) or (not strict and tok[0].isupper() and (not loose or tok.isupper()))
        if not ok:
            break
        out.append((canon, base + m.end()))
        prev = m.end()
    return out


def _party(m: re.Match[str]) -> _Sign | None:
    printed, ptype = m.group("ptype"), T.canon_token(m.group("ptype"))
    if ptype not in T.PARTY_TYPES and not (printed.isupper() and len(ptype) <= 4):
        return None
    bodies = _take(m.group("pbody"), m.start("pbody"))
    if not bodies:
        return None
    names = ["TW" if b == "TƯ" else b for b, _ in bodies]
    abbr = ptype if ptype in T.PARTY_TYPES else None
    return _Sign(m.group("seq"), None, f"{ptype}/" + "-".join(names), "party", abbr, names, bodies[-1][1])


def _sign(m: re.Match[str]) -> _Sign | None:
    """Parse and sanity-check one SIGN match; None when it only looks like a sign."""
    seq = m.group("seq")
    if m.group("party"):
        return _party(m)
    if m.group("legacy"):
        body = T.canon_token(m.group("lbody"))
        return _Sign(seq, None, body, "hyphen", None, [body], m.end()) if body in T.LEGACY_BARE else None
    toks = _take(m.group("code"), m.start("code"))
    if not toks:
        return None
    names = T.split_glued(toks[0][0]) + [t for t, _ in toks[1:]]
    year = int(m.group("year")) if m.group("year") else None
    if year is None and len(names) == 2 and names[1] in ("TW", "TƯ") and names[0] in T.PARTY_TYPES:
        return _Sign(seq, None, f"{names[0]}/TW", "party", names[0], names, toks[-1][1])
    abbr = names[0] if names[0] in T.VTYPES else None
    return _Sign(seq, year, "-".join(names), "admin", abbr, names, toks[-1][1])


# --- context: type word, label, date ---------------------------------------------------------------------
class _Prefix(NamedTuple):
    start: int
    word: str | None  # the Part B type given by the type word, if one belongs to the mention
    label: str


def _prefix(norm: str, start: int) -> _Prefix:
    """The type word and/or number label ("số", "No.") just before a sign, and where `raw` starts."""
    m = T.PREFIX.search(norm, max(0, start - 45), start)
    if m is None or m.end() != start or m.start() == start:
        return _Prefix(start, None, "")
    label = " ".join((m.group("label") or "").lower().split())
    if m.group("tw"):
        detached = "(" in m.group("sep")
        raw_start = (m.start("label") if label else start) if detached else m.start("tw")
        return _Prefix(raw_start, T.word_type(m.group("tw")), label)
    titled = _titled(norm, m.start()) if label in ("số", "no.", "no") else None
    if titled:
        return _Prefix(titled.start(), T.word_type(titled.group("tw")), label)
    return _Prefix(m.start(), None, label)


def _titled(norm: str, end: int) -> re.Match[str] | None:
    """The nearest law title ending at `end` whose name starts with a capital ("… sửa đổi toàn diện Luật Khoa
    học và Công nghệ số 29/2013/QH13": the second Luật, not the first)."""
    for word in reversed(list(T.TITLE_WORD.finditer(norm, max(0, end - 100), end))):
        titled = T.TITLED.match(norm, word.start(), end)
        title = titled.group("title") if titled else ""
        if titled and (title[0].isupper() or title.lower().startswith("on ")):
            return titled
    return None


def _accepted(sign: _Sign, pre: _Prefix) -> bool:
    """Context rules for the weaker sign shapes (bare one-token signs, legacy `61-CP`)."""
    if pre.word is not None:
        return True
    if sign.kind == "hyphen":
        return False
    if sign.kind == "party" or len(sign.tokens) > 1 or sign.year is not None:
        return True
    first = sign.tokens[0]
    return first in T.LEGACY_BARE or (bool(pre.label) and T.is_known(first))


def _doc_type(word: str | None, sign: _Sign, norm: str, start: int) -> str:
    """The type word of the mention wins (Part B); else the sign's abbreviation; else the words around the
    number, within what the sign allows (`T.body_types`: `29/2013/QH13` is a law or an NA resolution)."""
    if word == "dispatch":
        return "công điện" if "CĐ" in sign.tokens or sign.abbr == "CĐ" else "công văn"
    if word and word != "văn bản":
        return word
    if sign.abbr:
        return (T.PARTY_TYPES if sign.kind == "party" else T.ABBR_TYPES)[sign.abbr]
    allowed = T.body_types(sign.tokens)
    if word is None or allowed:
        near = [T.HEADING_TYPES[h.group(1)] for h in _by_distance(T.HEADING, norm, start, sign.end, 300)]
        near += [T.word_type(w.group("tw")) for w in _words_before(norm, start)] if allowed else []
        fitting = [kind for kind in near if not allowed or kind in allowed]
        if fitting:
            return fitting[0]
    return allowed[0] if allowed else "công văn"


def _by_distance(pattern: re.Pattern[str], norm: str, start: int, end: int, reach: int) -> list[re.Match[str]]:
    found = pattern.finditer(norm, max(0, start - reach), end + reach)
    return sorted(found, key=lambda h: abs(h.start() - start))


def _words_before(norm: str, start: int) -> list[re.Match[str]]:
    """Type words earlier in the sentence with nothing numbered between them and the sign, nearest first
    ("Luật Đất đai (45/2013/QH13)")."""
    found = T.TYPE_WORD.finditer(norm, max(0, start - 120), start)
    return [w for w in reversed(list(found)) if not _NUMBERED_GAP.search(norm, w.end(), start)]


_NUMBERED_GAP = re.compile(r"[0-9.;!?\n]")


# --- references ------------------------------------------------------------------------------------------
@dataclass
class _Hit:
    start: int
    sign: _Sign
    type: str
    date: str | None
    label: str


def _hit(norm: str, m: re.Match[str], prev_end: int, lenient: bool) -> _Hit | None:
    sign = _sign(m)
    if sign is None:
        return None
    pre = _prefix(norm, m.start())
    if not (lenient or _accepted(sign, pre)):
        return None
    found = T.DATE_AFTER.match(norm, sign.end, sign.end + 200)
    if found is None and pre.start > prev_end:
        found = T.DATE_BEFORE.search(norm, max(prev_end, pre.start - 200), pre.start)
    return _Hit(pre.start, sign, _doc_type(pre.word, sign, norm, m.start()), T.iso_date(found), pre.label)


def _header_dates(norm: str, hits: list[_Hit]) -> None:
    """Dates from a header's place-date line or a metadata "Ngày ban hành" row (Part B "date")."""
    for i, h in enumerate(hits):
        if h.date:
            continue
        hi = min(hits[i + 1].start if i + 1 < len(hits) else len(norm), h.sign.end + 300)
        if h.label == "số hiệu":
            h.date = T.iso_date(T.ISSUE_DATE.search(norm, h.sign.end, hi))
        elif i == 0 and not norm[: h.start].strip(" \t\r\n|"):
            found = T.PLACE_DATE.search(norm, h.sign.end, hi)
            if found and norm.count("\n", h.sign.end, found.start()) <= 4:
                h.date = T.iso_date(found)


def _scan(text: str, lenient: bool = False) -> tuple[_Folded, list[_Hit]]:
    folded = _fold(text)
    norm = folded.norm
    urls = [u.span() for u in T.URL.finditer(norm)] if "://" in norm or "www." in norm else []
    hits: list[_Hit] = []
    for m in T.SIGN.finditer(norm):
        if any(a <= m.start() < b for a, b in urls) or T.STANDARD.search(norm, max(0, m.start() - 24), m.start()):
            continue
        hit = _hit(norm, m, hits[-1].sign.end if hits else 0, lenient)
        if hit is not None:
            hits.append(hit)
    _header_dates(norm, hits)
    return folded, hits


def find_refs(text: str) -> list[DocRef]:
    """Every full document reference (number + sign) in `text`, in text order."""
    folded, hits = _scan(text)
    refs = []
    for h in hits:
        s, e = folded.orig(h.start), folded.orig(h.sign.end, True)
        refs.append(DocRef(text[s:e], h.type, h.sign.number, h.sign.year, h.sign.code, h.sign.id, h.date, s, e))
    return refs


def canonical_id(raw: str) -> str | None:
    """The canonical id of one document number (optionally with its type word), or of a URL/file slug.

    >>> canonical_id("Số: 13 / 2023 / nđ-cp"), canonical_id("57/NQ-TƯ"), canonical_id("Quyet_dinh_3467-QD-BYT")
    ('13/2023/NĐ-CP', '57-NQ/TW', '3467/QĐ-BYT')
    >>> canonical_id("COVID-19"), canonical_id("3/5"), canonical_id("22/12/2024")
    (None, None, None)
    """
    folded, hits = _scan(raw, lenient=True)
    norm = folded.norm
    if len(hits) == 1 and not norm[: hits[0].start].strip() and not norm[hits[0].sign.end :].strip(" .,;:()"):
        return hits[0].sign.id
    return _slug_id(norm) if not hits else None


def _slug_id(norm: str) -> str | None:
    """`Nghi-dinh-13-2023-ND-CP-465185.aspx`, `Quyet_dinh_3467-QD-BYT` → canonical id."""
    for m in T.SLUG.finditer(norm):
        names: list[str] = []
        for tok in m.group(3).split("-"):
            if not ((tok.isupper() and tok[0].isalpha()) or T.is_known(T.canon_token(tok))):
                break
            names.append(T.canon_token(tok))
        if len(names) < 2 or names[0] not in T.VTYPES:
            continue
        if not m.group(2) and len(names) == 2 and names[1] in ("TW", "TƯ"):
            return f"{padded(m.group(1))}-{names[0]}/TW"
        year = f"{m.group(2)}/" if m.group(2) else ""
        return f"{padded(m.group(1))}/{year}{'-'.join(names)}"
    return None


def find_partial_refs(text: str) -> list[PartialRef]:
    """Number-only mentions ("Nghị quyết 57", "Decision No. 942"): a type word and a number, no sign."""
    folded = _fold(text)
    norm, out = folded.norm, []
    for m in T.PARTIAL.finditer(norm):
        num, word = m.group("num"), m.group("tw")
        if not m.group("label") and len(num) == 4 and num[:2] in ("19", "20"):
            continue  # "Luật 2024": a year, not a number
        sign = T.SIGN.match(norm, m.start("num"))
        if sign is not None and _sign(sign) is not None:
            continue
        kind = T.word_type(word)
        if kind == "dispatch":
            kind = "công điện" if "telegram" in word.lower() else "công văn"
        s, e = folded.orig(m.start()), folded.orig(m.end(), True)
        out.append(PartialRef(text[s:e], kind, num))
    return out


def find_relations(text: str, refs: list[DocRef] | None = None) -> list[Relation]:
    """Relations the text states between numbered documents (Part B); `from_id` is the acting (newer)
    document, `evidence` the sentence. See `crawler.extract.relations`."""
    return relations_between(text, find_refs(text) if refs is None else refs)


def extract(text: str) -> tuple[list[DocRef], list[PartialRef], list[Relation]]:
    """References, number-only mentions and relations of `text` in one call."""
    refs = find_refs(text)
    return refs, find_partial_refs(text), find_relations(text, refs)
