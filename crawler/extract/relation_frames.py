"""Relations framed by a whole sentence or passage rather than by the words between two references:

- a sentence opened by its purpose: "Thực hiện / Để triển khai / Nhằm cụ thể hóa B, … ban hành A", "To
  implement B, the ministry issued A" (A implements B);
- a programme issued with a document: "Chương trình thực hiện B …, ban hành kèm theo C" (C implements B);
- a document named again by its type: "Nghị định này", "this Resolution", "Thông tư nêu trên", and the
  promulgation formula "Chính phủ ban hành Nghị định sửa đổi …" — stand-ins (`anaphors`) for the
  document they name, so the statement they make is read like any other;
- the end of a document's effect tied to another's start: "Kể từ ngày A có hiệu lực, B hết hiệu lực";
- an article of a document whose header the passage shows, opened by a verb of change: "Số: A … Điều 2.
  Bãi bỏ khoản 3 Điều 5 Thông tư B" (A repeals B);
- a header's legal bases: "Số: A … Căn cứ B;" (A cites B).
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import replace

from govmon.crawler.extract import docrefs_tables as T
from govmon.crawler.extract import relation_lexicon as L
from govmon.crawler.extract.enumerations import enumerated
from govmon.crawler.extract.folding import Folded, fold, fold_str
from govmon.crawler.extract.normalize import unaccent
from govmon.crawler.extract.relation_text import Link, bounds, gap_view, line_start
from govmon.crawler.extract.types import DocRef

__all__ = ["fronted", "brought_to_life", "issued_with", "effective_from", "imperatives", "anaphors", "cites"]


# --- "Thực hiện B, … ban hành A" -----------------------------------------------------------------------
def fronted(text: str, refs: list[DocRef]) -> list[Link]:
    """"Thực hiện B, <issuer> ban hành A" (A implements B), within one sentence; every document
    enumerated with B, and with A, takes part."""
    out: list[Link] = []
    for i, b in enumerate(refs):
        lead = _implementing_lead(text, b)
        if lead is None:
            continue
        lo, hi = bounds(text, b.start, b.end)
        opening = fold_str(text[lo : b.start])
        if (i and refs[i - 1].end > lo) or not L.lexicon_for(opening).front.fullmatch(opening):
            continue
        objects = [i] + [k for k in enumerated(text, refs, i) if refs[k].start < hi]
        if opening.rstrip().lower().endswith(("đưa", "dua")) and not _into_life(text, refs[objects[-1]]):
            continue  # "Để đưa B …" implements B only when B is brought "vào cuộc sống"
        out += [Link(refs[a], "implements", refs[k]) for a in _issued(text, refs, objects[-1], hi) for k in objects]
    return out


def _into_life(text: str, ref: DocRef) -> bool:
    after = fold_str(text[ref.end : ref.end + 120])
    return L.lexicon_for(after).into_life.match(after) is not None


_BRINGS = re.compile(r"\s*(?:,\s*)?(?:(?:nhằm|để|nham|de)\s+)?(?:kịp\s+thời\s+|sớm\s+|kip\s+thoi\s+|som\s+)?(?:đưa|dua)\s*$", re.I)


def brought_to_life(text: str, refs: list[DocRef]) -> list[Link]:
    """"Kế hoạch A nhằm đưa Nghị quyết B vào cuộc sống" (A implements B)."""
    out: list[Link] = []
    for a, b in zip(refs, refs[1:]):
        if b.start - a.end < 60 and _BRINGS.fullmatch(fold_str(text[a.end : b.start])) and _into_life(text, b):
            out.append(Link(a, "implements", b))
    return out


_IMPLEMENTING = ("thực hiện", "triển khai", "cụ thể", "thể chế", "thuc hien", "trien khai", "cu the", "the che",
                 "implement", "realis", "realiz", "đưa", "dua")


def _implementing_lead(text: str, ref: DocRef, width: int = 60) -> str | None:
    """The folded text right before `ref` when it ends in an implementing phrase ("thực hiện", "to
    implement"); a plain substring test first, since most references are not so introduced."""
    lead = text[max(0, ref.start - width) : ref.start]
    lower = lead.lower()
    if not any(word in lower for word in _IMPLEMENTING):
        return None
    lead = fold_str(lead)
    return lead if L.lexicon_for(lead).front_tail.search(lead) else None


def _issued(text: str, refs: list[DocRef], last: int, hi: int) -> list[int]:
    """The documents issued in the rest of the sentence ("…, Bộ đã ban hành A và C"): the first reference
    after refs[last] right after a verb of issuing, and those enumerated with it."""
    for j in range(last + 1, len(refs)):
        if refs[j].start >= hi:
            break
        gap = fold_str(text[refs[j - 1].end : refs[j].start])
        if L.lexicon_for(gap).issues.search(gap):
            return [j] + [k for k in enumerated(text, refs, j) if refs[k].start < hi]
    return []


# --- "… thực hiện B …, ban hành kèm theo C" -------------------------------------------------------------
def issued_with(text: str, refs: list[DocRef]) -> list[Link]:
    """"Chương trình thực hiện B …, ban hành kèm theo C" (C implements B), within one sentence; and when a
    verb of change opens it ("A sửa đổi Chương trình thực hiện B …, ban hành kèm theo C"), A acts on C."""
    out: list[Link] = []
    for i in range(1, len(refs)):
        b, c = refs[i - 1], refs[i]
        if c.start - b.end >= 250 or _implementing_lead(text, b, 40) is None:
            continue
        gap = fold_str(text[b.end : c.start])
        if L.STOP.search(gap) or not L.lexicon_for(gap).issued_with.search(gap):
            continue
        out.append(Link(c, "implements", b))
        verb = _opener(text, refs, i - 1)
        if verb:
            out.append(Link(refs[i - 2], verb, c))
    return out


def _opener(text: str, refs: list[DocRef], i: int) -> str | None:
    """The verb of change between refs[i-1] and refs[i], when one precedes the implementing phrase."""
    if i < 1:
        return None
    gap = fold_str(text[refs[i - 1].end : refs[i].start])
    if L.STOP.search(gap) or "\n" in gap:
        return None
    strong = [c.lastgroup for c in L.lexicon_for(gap).cues.finditer(gap) if c.lastgroup in L.STRONG - {"expires"}]
    return strong[-1] if strong else None


# --- "Kể từ ngày A có hiệu lực, B hết hiệu lực" ---------------------------------------------------------
def effective_from(text: str, refs: list[DocRef]) -> list[Link]:
    """"Kể từ ngày A có hiệu lực, B (và C) hết hiệu lực", "From the effective date of A, B ceases to be
    effective": A repeals B (and C)."""
    out: list[Link] = []
    for i in range(len(refs) - 1):
        a = refs[i]
        if not _DATE_OF.search(fold_str(text[max(0, a.start - 24) : a.start])):
            continue
        lo, _ = bounds(text, a.start, a.end)
        lead = fold_str(text[lo : a.start])
        lex = L.lexicon_for(lead)
        if not lex.effective_lead.fullmatch(lead) or not lex.effective_gap.fullmatch(gap_view(text, a.end, refs[i + 1].start)):
            continue
        items = [i + 1] + enumerated(text, refs, i + 1)
        rest = fold_str(text[refs[items[-1]].end : refs[items[-1]].end + 100])
        if L.lexicon_for(rest).effective_end.match(rest):
            out += [Link(a, "repeals", refs[k]) for k in items]
    return out


_DATE_OF = re.compile(r"(?:ngày|ngay|date\s+of)\s*$", re.I)


# --- "Số: A … Điều 2. Bãi bỏ … B" ---------------------------------------------------------------------------
_OBJECT_IS_BASIS = re.compile(r"(?:theo|căn\s+cứ|according\s+to)\s*$", re.I)


def imperatives(text: str, refs: list[DocRef], own: DocRef | None) -> list[Link]:
    """The articles of the passage's own document (`own`, from its header) that open with a verb of change
    and name the document they change: "Điều 2. Bãi bỏ khoản 3 Điều 5 Thông tư số B" (own repeals B)."""
    out: list[Link] = []
    for i, ref in enumerate(refs):
        if own is None or ref.start < own.end or i == 0:
            continue
        lo, _ = bounds(text, ref.start, ref.end)
        lead = fold_str(text[lo : ref.start])
        verb = L.lexicon_for(lead).imperative.fullmatch(lead)
        if verb is None or refs[i - 1].end > lo or _OBJECT_IS_BASIS.search(lead):
            continue
        rel = next(g for g in ("amends", "replaces", "repeals", "corrects") if verb.group(g))
        out += [Link(own, rel, refs[k]) for k in [i] + enumerated(text, refs, i)]
    return out


# --- "Nghị định này", "this Resolution" ------------------------------------------------------------------
_SELF = ("này", "nay", "this", "the present", "ban hành", "ban hanh", "promulgates", "hereby promulgates")


def anaphors(text: str, refs: list[DocRef], own: DocRef | None, folded: Folded | None = None) -> list[DocRef]:
    """Stand-ins for the documents the text names again by their type: "Nghị định này" / "this Decree" /
    "Chính phủ ban hành Nghị định …" is the passage's own document (`own`, from its header) when the types
    agree, otherwise — like "Thông tư nêu trên" — the one document of that type named in the 600
    characters before it. Unresolved, they are left out: an unnumbered document takes part in no relation."""
    if not refs:
        return []
    folded = folded or fold(text)
    norm, lex = folded.norm, L.lexicon_for(folded.norm)
    starts, out = [r.start for r in refs], []
    for m in _anaphor_matches(norm, lex, _windows(folded, refs, own)):
        word, where = m.group("vi") or m.group("en") or m.group("pv"), m.group("where") or m.group("en_where")
        start, end = folded.orig(m.start()), folded.orig(m.end(), True)
        found = _antecedent(refs, starts, own, _kind(word), start, where or m.group("pw"))
        if found is not None:
            out.append(replace(found, raw=text[start:end], start=start, end=end))
    return out


# The words every anaphor holds, found with plain substring searches before the pattern runs around them.
_ENGLISH_ANCHORS = ("this", "This", "THIS", "said", "above", "present", "romulgat")
_ANCHORS = ("này", "NÀY", "trên", "TRÊN", "dẫn", "ban hành", "Ban hành", "BAN HÀNH") + _ENGLISH_ANCHORS
_ASCII_ANCHORS = ("nay", "NAY", "tren", "TREN", "dan", "ban hanh", "Ban hanh", "BAN HANH") + _ENGLISH_ANCHORS


def _anaphor_matches(norm: str, lex: L.Lexicon, windows: list[tuple[int, int]]) -> list[re.Match[str]]:
    """The anaphor pattern's matches around the anchor words found in `windows` of `norm`."""
    anchors = _ASCII_ANCHORS if lex is L.ASCII else _ANCHORS
    spots = sorted({pos for lo, hi in windows for word in anchors for pos in _finds(norm, word, lo, hi)})
    found: dict[int, re.Match[str]] = {}
    for pos in spots:
        m = lex.anaphor.search(norm, max(0, pos - 26), pos + 40)
        if m is not None and m.start() <= pos < m.end():
            found[m.start()] = m
    return [found[k] for k in sorted(found)]


def _finds(text: str, word: str, lo: int, hi: int) -> list[int]:
    out, pos = [], text.find(word, lo, hi)
    while pos >= 0:
        out.append(pos)
        pos = text.find(word, pos + 1, hi)
    return out


def _windows(folded: Folded, refs: list[DocRef], own: DocRef | None) -> list[tuple[int, int]]:
    """Where an anaphor can take part in a relation: within 300 characters of a reference, on either side
    (offsets of the folded text; all of it when folding moved characters)."""
    if len(folded.n_pos) > 1:
        return [(0, len(folded.norm))]
    spans = sorted((max(0, r.start - 300), r.end + 300) for r in refs)
    merged: list[tuple[int, int]] = []
    for lo, hi in spans:
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged


_ASCII_TYPES = {unaccent(word): kind for word, kind in T.WORD_TYPES.items()}


def _kind(word: str) -> str:
    """Part B type of an anaphor's type word, with or without diacritics ("nghi dinh" → "nghị định")."""
    key = " ".join(word.lower().split())
    return T.WORD_TYPES.get(key) or _ASCII_TYPES.get(key, "")


def _antecedent(refs: list[DocRef], starts: list[int], own: DocRef | None, kind: str, start: int,
                where: str) -> DocRef | None:
    """The numbered document an anaphor of type `kind` at `start` names (see `anaphors`); `starts`: where
    each of `refs` starts."""
    self_ref = " ".join(where.lower().split()) in _SELF
    if own is not None and own.start < start and self_ref and (own.type == kind or kind == "văn bản"):
        return own
    if where.lower().startswith(("ban", "promulgat")):
        return None  # the promulgation formula names only the passage's own document
    near = refs[bisect_left(starts, start - 700) : bisect_left(starts, start)]
    before = {r.id: r for r in near if r.end <= start and start - r.end <= 600 and r.type == kind}
    return next(iter(before.values())) if len(before) == 1 else None


# --- "Số: A … Căn cứ B;" -----------------------------------------------------------------------------------
def cites(text: str, refs: list[DocRef], own: DocRef | None) -> list[Link]:
    """The legal bases a document states in its own preamble ("Căn cứ Nghị định B …; Thông tư C …"), when
    the passage opens with that document's header (`own`): own cites each basis (Part B "cites")."""
    if own is None:
        return []
    out, basis = [], False
    for prev, ref in zip(refs, refs[1:]):
        basis = _basis_item(text, prev, ref, basis)
        if basis:
            out.append(Link(own, "cites", ref, at=(ref.start, ref.end)))
    return out


_ITEM_LEAD = re.compile(
    r"\s*(?:vào|vao|theo)?\s*(?:các|cac|the)?\s*(?:quy\s+định\s+(?:của|tại)|quy\s+dinh\s+(?:cua|tai)|provisions\s+of)?"
    r"\s*(?:the\s+)?(?:[\w’']+[’']s\s+)?",
    re.I,
)
_ITEM_START = re.compile(r"(?:căn\s+cứ|can\s+cu|pursuant\s+to|based\s+on|;)", re.I)


def _basis_item(text: str, prev: DocRef, ref: DocRef, prev_basis: bool) -> bool:
    """Whether `ref` opens an item of a "Căn cứ" line: right after "Căn cứ" or a ";" in it, or coordinated
    ("và", ",") right after another basis with no cue word between."""
    start = line_start(text, ref.start)
    line = fold_str(text[start : ref.start])
    lex = L.lexicon_for(line)
    if not lex.basis_line.search("\n" + line):
        return False
    starts = list(_ITEM_START.finditer(line))
    if starts and _ITEM_LEAD.fullmatch(line[starts[-1].end() :]):
        return True
    gap = gap_view(text, prev.end, ref.start) if prev.start >= start else ""
    return prev_basis and bool(gap) and bool(L.SOURCE_COORD.fullmatch(gap)) and not lex.cues.search(gap)
