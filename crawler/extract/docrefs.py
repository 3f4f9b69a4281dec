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
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from typing import NamedTuple

from crawler.extract import docrefs_tables as T
from crawler.extract.types import DocRef, PartialRef, Relation

__all__ = ["find_refs", "find_partial_refs", "find_relations", "canonical_id", "extract"]


# --- folding with an offset map ------------------------------------------------------------------------
class _Folded(NamedTuple):
    """The folded text, and a block-wise map from its offsets back to the original string's."""

    text: str
    norm: str
    n_pos: list[int]
    o_pos: list[int]
    exact: list[bool]

    def orig(self, pos: int, end: bool = False) -> int:
        i = bisect_right(self.n_pos, pos) - 1
        if self.exact[i]:
            return self.o_pos[i] + pos - self.n_pos[i]
        return _refine(self.text, self.o_pos[i], self.o_pos[i + 1], pos - self.n_pos[i], end)


def _fold_str(text: str) -> str:
    return _fold(text).norm


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", T.INVISIBLE.sub("", text))


def _refine(text: str, lo: int, hi: int, offset: int, end: bool) -> int:
    """Original offset of folded `offset` inside the changed block text[lo:hi], segment by segment."""
    size = 0
    for m in T.SEGMENT.finditer(text, lo, hi):
        new = _nfc(m.group())
        if not new:
            continue
        if offset <= size + len(new):
            if new == m.group():
                return m.start() + offset - size
            if offset in (size, size + len(new)):
                return m.start() if offset == size else m.end()
            return m.end() if end else m.start()
        size += len(new)
    return hi


def _fold(text: str) -> _Folded:
    """Fold `text` for matching (NFC, invisibles dropped, then the 1:1 repairs of `fold_chars`: a
    length-preserving superset of `normalize.nfc`). Already-NFC text keeps every offset."""
    if unicodedata.is_normalized("NFC", text) and not T.INVISIBLE.search(text):
        return _Folded(text, T.fold_chars(text), [0], [0], [True])
    parts: list[str] = []
    n_pos, o_pos, exact, size = [0], [0], [True], 0
    for m in T.BLOCK.finditer(text):
        new = _nfc(m.group())
        if new != m.group():
            n_pos += [size, size + len(new)]
            o_pos += [m.start(), m.end()]
            exact += [False, True]
        parts.append(new)
        size += len(new)
    return _Folded(text, T.fold_chars("".join(parts)), n_pos, o_pos, exact)


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
        if self.kind != "admin":
            return f"{self.number}-{self.code}"
        return f"{self.number}/{self.year}/{self.code}" if self.year else f"{self.number}/{self.code}"


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
    titled = T.TITLED.search(norm, max(0, m.start() - 100), m.start()) if label in ("số", "no.", "no") else None
    title = titled.group("title") if titled else ""
    if titled and titled.end() == m.start() and (title[0].isupper() or title.lower().startswith("on ")):
        return _Prefix(titled.start(), T.word_type(titled.group("tw")), label)
    return _Prefix(m.start(), None, label)


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
    if word == "dispatch":
        return "công điện" if "CĐ" in sign.tokens or sign.abbr == "CĐ" else "công văn"
    if word and word != "văn bản":
        return word
    if sign.abbr:
        return (T.PARTY_TYPES if sign.kind == "party" else T.ABBR_TYPES)[sign.abbr]
    if word is None:
        near = list(T.HEADING.finditer(norm, max(0, start - 300), sign.end + 300))
        if near:
            best = min(near, key=lambda h: abs(h.start() - start))
            return T.HEADING_TYPES[best.group(1)]
    return "công văn"


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
            return f"{m.group(1)}-{names[0]}/TW"
        year = f"{m.group(2)}/" if m.group(2) else ""
        return f"{m.group(1)}/{year}{'-'.join(names)}"
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


# --- relations ---------------------------------------------------------------------------------------------
def _cue(gap: str, header: bool, lex: T.Lexicon = T.LEX) -> tuple[str, bool] | None:
    """The relation stated between two consecutive references, and whether it reads backwards. In a
    document's header ("Số: A / NGHỊ ĐỊNH / Sửa đổi … B") line breaks do not end the statement."""
    if T.STOP.search(gap.replace("\n", " ") if header else gap) or ("\n" in gap and not header):
        return None
    cue = _governing(list(lex.cues.finditer(gap)))
    if cue is None:
        return None
    head, tail = gap[: cue.start()], gap[cue.end() :]
    if len(tail) > 80 or lex.basis.search(head.rsplit("\n", 1)[-1]) or T.BASIS_LINE.search(tail):
        return None  # the target is what the text is based on ("Căn cứ …"), not what the cue acts on
    if cue.lastgroup == "expires":
        return ("repeals", True) if lex.expiry_tail.fullmatch(tail) else None
    passive = lex.passive_after.match(tail) or (lex.passive_before.search(head) and lex.passive_agent.match(tail))
    return _REL.get(str(cue.lastgroup), str(cue.lastgroup)), passive is not None


def _stated(gap: str, header: bool) -> tuple[str, bool] | None:
    """`_cue`, and for text without any diacritics (pure ASCII), the same with the unaccented lexicon."""
    found = _cue(gap, header)
    if found is None and gap.isascii():
        found = _cue(gap, header, T.ASCII)
    return found


_REL = {"programme": "implements"}


def _governing(cues: list[re.Match[str]]) -> re.Match[str] | None:
    """The cue that relates the two references. A verb of change (amends, replaces, repeals) governs the
    noun phrases after it: "sửa đổi Chương trình hành động ban hành kèm theo B" amends B; but in "sửa đổi
    Chương trình … thực hiện B" B is what the amended programme implements, not what A amends."""
    strong = [i for i, c in enumerate(cues) if c.lastgroup in T.STRONG]
    if not strong:
        return cues[-1] if cues else None
    if any(c.lastgroup == "implements" for c in cues[strong[-1] + 1 :]):
        return None
    return cues[strong[-1]]


def _bounds(text: str, start: int, end: int, reach: int = 600) -> tuple[int, int]:
    """The sentence (or line) around text[start:end], looking at most `reach` characters either way."""
    lo = max(0, start - reach)
    before = [m.end() for m in T.EVIDENCE_STOP.finditer(text, lo, start)]
    after = T.EVIDENCE_STOP.search(text, end, end + reach)
    return (before[-1] if before else lo), (after.end() if after else min(len(text), end + reach))


def _header_before(prefix: str, raw: str = "") -> bool:
    r"""Whether what precedes a document's first number is a document header: at most a few short issuer
    lines ending in the number label ("Số:", "No."), or nothing at all.

    >>> _header_before("BỘ KHOA HỌC VÀ CÔNG NGHỆ\n\nSố: ")
    True
    >>> _header_before("BỘ TÀI CHÍNH\n\n", raw="Số: 08/2026/TT-BTC")
    True
    >>> _header_before("Lấy ý kiến dự thảo sửa đổi Chương trình thực hiện Nghị quyết ")
    False
    """
    lines = [line for line in prefix.strip(" \t\r\n|").splitlines() if line.strip()]
    if not lines:
        return True
    short = len(lines) <= 4 and all(len(line) < 90 for line in lines)
    labelled = T.NUMBER_LABEL.search(lines[-1]) or T.NUMBER_LABEL.search(raw.split(":")[0] + ":")
    return short and bool(labelled) and not T.STOP.search(" ".join(lines) + " ")


def _links(text: str, refs: list[DocRef], i: int) -> list[tuple[DocRef, str, DocRef]]:
    """Relations stated between refs[i] and the reference(s) right after it."""
    a, b = refs[i], refs[i + 1]
    header = i == 0 and _header_before(text[: a.start], a.raw)
    if b.start - a.end > (400 if header else 250):
        return []
    found = _stated(_fold_str(text[a.end : b.start]), header)
    if found is None:
        return []
    rel, backwards = found
    if rel == "consolidates" and "VBHN" not in a.code:  # "hợp nhất" also merges provinces and agencies
        return []
    targets = [b]
    for nxt in refs[i + 2 :]:
        if not T.COORD.fullmatch(_fold_str(text[targets[-1].end : nxt.start])):
            break
        targets.append(nxt)
    return [(t, rel, a) if backwards else (a, rel, t) for t in targets]


def _fronted(text: str, refs: list[DocRef]) -> list[tuple[DocRef, str, DocRef]]:
    """"Thực hiện B, <issuer> ban hành A" (A implements B), within one sentence."""
    out = []
    for i, b in enumerate(refs):
        if not T.FRONT_TAIL.search(_fold_str(text[max(0, b.start - 40) : b.start])):
            continue
        lo, hi = _bounds(text, b.start, b.end)
        if (i and refs[i - 1].end > lo) or not T.FRONT.fullmatch(_fold_str(text[lo : b.start])):
            continue
        for prev, a in zip(refs[i:], refs[i + 1 :]):
            if a.start < hi and T.ISSUES.search(_fold_str(text[prev.end : a.start])):
                out.append((a, "implements", b))
                break
    return out


def _issued_with(text: str, refs: list[DocRef]) -> list[tuple[DocRef, str, DocRef]]:
    """"Chương trình thực hiện B …, ban hành kèm theo C" (C implements B), within one sentence; and when a
    verb of change opens it ("A sửa đổi Chương trình thực hiện B …, ban hành kèm theo C"), A acts on C."""
    out = []
    for i in range(1, len(refs)):
        b, c = refs[i - 1], refs[i]
        gap = _fold_str(text[b.end : c.start])
        implementing = T.FRONT_TAIL.search(_fold_str(text[max(0, b.start - 40) : b.start]))
        if not (implementing and len(gap) < 250 and not T.STOP.search(gap) and T.ISSUED_WITH.search(gap)):
            continue
        out.append((c, "implements", b))
        verb = _opener(text, refs, i - 1)
        if verb:
            out.append((refs[i - 2], verb, c))
    return out


def _opener(text: str, refs: list[DocRef], i: int) -> str | None:
    """The verb of change between refs[i-1] and refs[i], when one precedes the implementing phrase."""
    if i < 1:
        return None
    gap = _fold_str(text[refs[i - 1].end : refs[i].start])
    if T.STOP.search(gap) or "\n" in gap:
        return None
    strong = [c.lastgroup for c in T.CUES.finditer(gap) if c.lastgroup in T.STRONG - {"expires"}]
    return strong[-1] if strong else None


def find_relations(text: str, refs: list[DocRef] | None = None) -> list[Relation]:
    """Relations the text states between numbered documents (Part B: amends, replaces, repeals,
    implements, guides); `from_id` is the acting (newer) document, `evidence` the sentence."""
    refs = sorted(find_refs(text) if refs is None else refs, key=lambda r: r.start)
    links = [link for i in range(len(refs) - 1) for link in _links(text, refs, i)]
    out: dict[tuple[str, str, str], Relation] = {}
    for src, rel, dst in links + _fronted(text, refs) + _issued_with(text, refs):
        key = (src.id, rel, dst.id)
        if src.id != dst.id and key not in out:
            lo, hi = _bounds(text, min(src.start, dst.start), max(src.end, dst.end))
            out[key] = Relation(src.id, rel, dst.id, text[lo:hi].strip())
    return list(out.values())


def extract(text: str) -> tuple[list[DocRef], list[PartialRef], list[Relation]]:
    """References, number-only mentions and relations of `text` in one call."""
    refs = find_refs(text)
    return refs, find_partial_refs(text), find_relations(text, refs)
