"""Relations stated between numbered documents (DOCNUMBERS.md Part B): amends, replaces, repeals,
implements, guides, corrects, consolidates, cites — with the sentence that states them. Works on the
references `docrefs.find_refs` found; cue words come from `relation_lexicon` (and their unaccented twins for
text that lost its diacritics).

The statement between two consecutive references is read first ("A sửa đổi B", "B, amended under A"), and
reaches every document of an enumeration on either side ("A và C triển khai B", "sửa đổi B …, D và E",
"được sửa đổi, bổ sung bởi: 1. A … 2. C"). Other framings live in `relation_frames` (a sentence opened by
"Thực hiện B", "Nghị định này", a header's "Căn cứ" lines) and `histories` (legal-database tables).
A statement made only by a draft, a bill, a proposal or a plan is `intended`, never a fact.
"""
from __future__ import annotations

import re
from typing import NamedTuple

from govmon.crawler.extract import relation_lexicon as L
from govmon.crawler.extract.enumerations import coordinated_before, enumerated
from govmon.crawler.extract.folding import fold, fold_str
from govmon.crawler.extract.histories import history_links
from govmon.crawler.extract.relation_frames import (
    anaphors,
    brought_to_life,
    cites,
    effective_from,
    fronted,
    imperatives,
    issued_with,
)
from govmon.crawler.extract.relation_text import Link, bounds, gap_view, header_before, own_number
from govmon.crawler.extract.types import DocRef, Relation

__all__ = ["relations_between"]


class _Statement(NamedTuple):
    rel: str
    backwards: bool  # the second reference acts on the first ("A được sửa đổi bởi B", "A, amended under B")
    intended: bool
    head: str  # what precedes the cue, from the first reference
    tail: str  # what follows the cue, up to the second reference


def relations_between(text: str, refs: list[DocRef], intended: bool = False, bases: bool = False) -> list[Relation]:
    """Relations the text states between numbered documents (Part B); `from_id` is the acting (newer)
    document, `evidence` the sentence. Relations only a draft, proposal or plan states are left out, or
    kept with `intended=True` when `intended` is asked for. `bases`: also the legal bases a document's own
    preamble names ("Số: A … Căn cứ B;" → A cites B), which the labelled examples do not agree on."""
    refs = sorted(refs, key=lambda r: r.start)
    if not refs:
        return []
    own, folded = own_number(text, refs), fold(text)
    named = sorted(refs + anaphors(text, refs, own, folded), key=lambda r: r.start)
    links = [link for i in range(len(named) - 1) for link in _links(text, named, i)]
    links += fronted(text, named) + brought_to_life(text, named) + issued_with(text, named) + effective_from(text, named)
    links += history_links(text, refs, folded)
    links += imperatives(text, refs, own)
    return _relations(text, links + (cites(text, refs, own) if bases else []), intended)


def _relations(text: str, links: list[Link], intended: bool) -> list[Relation]:
    """One relation per (from, rel, to): a stated fact wins over the same relation only intended."""
    out: dict[tuple[str, str, str], Relation] = {}
    for link in links:
        key = (link.src.id, link.rel, link.dst.id)
        if link.src.id == link.dst.id or (link.intended and not intended):
            continue
        if key not in out or (out[key].intended and not link.intended):
            lo, hi = link.at or (min(link.src.start, link.dst.start), max(link.src.end, link.dst.end))
            lo, hi = bounds(text, lo, hi)
            out[key] = Relation(link.src.id, link.rel, link.dst.id, text[lo:hi].strip(), link.intended)
    return list(out.values())


# --- the statement between two consecutive references ----------------------------------------------------
def _links(text: str, refs: list[DocRef], i: int) -> list[Link]:
    """Relations stated between refs[i] and refs[i + 1], and the documents enumerated with either."""
    a, b = refs[i], refs[i + 1]
    header = i == 0 and header_before(text[: a.start], a.raw)
    if b.start - a.end > (400 if header else 250):
        return []
    gap = gap_view(text, a.end, b.start)
    found = _stated(gap, header)
    if found is None or _parallel(a, b, found) or (found.rel == "consolidates" and "VBHN" not in a.code):
        return []
    if not found.backwards and _attributive(found, b):
        found = found._replace(backwards=True)
    elif not found.backwards and _OTHER_ACTOR.search(found.head):
        return []  # "A và Thông tư hướng dẫn Nghị định B": an unnumbered document acts on B, not A
    if not found.backwards and _CLAUSE.search(found.head) and _adjunct(text, refs, i):
        return []  # "Theo A, các đơn vị thực hiện B": the sentence's subject, not A, acts on B
    near = [a] + [refs[k] for k in coordinated_before(text, refs, i)]
    far = [b] + [refs[k] for k in enumerated(text, refs, i + 1, listed=gap.rstrip().endswith(":"))]
    intended = found.intended or _draft_before(text, a)
    pairs = [(s, t) for s in far for t in near] if found.backwards else [(s, t) for s in near for t in far]
    links = [Link(s, found.rel, t, intended) for s, t in pairs if _plausible(s, found.rel, t)]
    if not links and pairs and found.backwards and i > 0:
        return _reattached(text, refs, i, found, far, intended)
    return links


def _reattached(text: str, refs: list[DocRef], i: int, found: _Statement, far: list[DocRef],
                intended: bool) -> list[Link]:
    """"Nghị định A hướng dẫn Luật B, được sửa đổi bởi Nghị định C": a decree cannot amend a law, so the
    appositive belongs to A, the head of the phrase B closes."""
    head, nested = refs[i - 1], refs[i]
    gap = gap_view(text, head.end, nested.start)
    if len(gap) > 250 or "\n" in gap or L.STOP.search(gap):
        return []
    return [Link(s, found.rel, head, intended) for s in far if _plausible(s, found.rel, head)]


_CHANGES = frozenset({"amends", "replaces", "repeals"})
_LAW = re.compile(r"(?:NQ-|PL-|L-)?QH[0-9]{1,2}")


def _rank(ref: DocRef) -> int | None:
    """A document's place in the hierarchy of state legal documents, from its sign (None: not known): laws
    and National Assembly resolutions 5, ordinances and Standing Committee or President's documents 4,
    Government decrees and resolutions 3, the Prime Minister's 2, circulars 1, local documents 0."""
    tokens = ref.code.split("-")
    if "/" in ref.code:
        return None  # Party documents stand beside the state's hierarchy
    if any(t.startswith("UBTVQH") for t in tokens) or "CTN" in tokens:
        return 4
    if _LAW.fullmatch(ref.code) or any(re.fullmatch(r"QH[0-9]{1,2}", t) for t in tokens):
        return 5
    ranks = {"CP": 3, "HĐBT": 3, "TTg": 2, "UBND": 0, "HĐND": 0}
    known = [ranks[t] for t in tokens[1:] if t in ranks] or ([1] if tokens[0] in ("TT", "TTLT") else [])
    return known[0] if known else None


def _plausible(src: DocRef, rel: str, dst: DocRef) -> bool:
    """A document changes (amends, replaces, repeals) only documents of its rank or below."""
    if rel not in _CHANGES:
        return True
    ranks = _rank(src), _rank(dst)
    return ranks[0] is None or ranks[1] is None or ranks[0] >= ranks[1]


def _stated(gap: str, header: bool) -> _Statement | None:
    """`_cue` with the lexicon the gap is written in (accented, or plain ASCII)."""
    found = _cue(gap, header, L.LEX)
    if found is None and gap.isascii():
        found = _cue(gap, header, L.ASCII)
    return found


def _cue(gap: str, header: bool, lex: L.Lexicon) -> _Statement | None:
    """The relation stated between two consecutive references, if any. In a document's header ("Số: A /
    NGHỊ ĐỊNH / Sửa đổi … B") line breaks do not end the statement."""
    if L.STOP.search(gap.replace("\n", " ") if header else gap) or ("\n" in gap and not header):
        return None
    if header and _ROW.search(gap):
        return None  # a metadata row ("Văn bản thay thế: …") is a table, not the header's title
    cue = _governing(list(lex.cues.finditer(gap)))
    if cue is None:
        return None
    group = str(cue.lastgroup)
    head, tail = gap[: cue.start()], gap[cue.end() :]
    if not _reaches(tail, group) or lex.basis.search(head.rsplit("\n", 1)[-1]) or lex.basis_line.search(tail):
        return None  # the target is what the text is based on ("Căn cứ …"), not what the cue acts on
    if group == "expires":
        return _Statement("repeals", True, False, head, tail) if lex.expiry_tail.fullmatch(tail) else None
    backwards = _passive(cue, head, tail, lex)
    if backwards is None or (group in ("implements", "programme") and lex.review.search(head)):
        return None  # "báo cáo kết quả thực hiện B", "report on the implementation of B": no implementation
    intended = (lex.intent if group in L.STRONG else lex.intent_draft).search(head) is not None
    return _Statement(L.REL_OF_GROUP.get(group, group), backwards, intended, head, tail)


_ROW = re.compile(r"\n[ \t|]*[^\n:.,;|]{1,40}:\s")
_LIST_SPLIT = re.compile(r",|;|\bvà\b|\bva\b|\band\b")
_TITLED = re.compile(r"\s*(?:bộ\s+)?(?:luật|pháp\s+lệnh|nghị\s+định|nghị\s+quyết|thông\s+tư|law|code|decree|resolution"
                     r"|circular|ordinance)\b[^\n]{0,80}$", re.I)
_FAR_TAIL = re.compile(r"(?:quy\s+định\s+tại|ban\s+hành\s+kèm\s+theo|theo\s+quy\s+định\s+(?:tại|của)|prescribed\s+in)"
                       r"\s*$", re.I)


def _reaches(tail: str, group: str) -> bool:
    """Whether the cue can act on the reference after `tail`: a short tail; a guidance or an implementation
    of what a document "quy định tại" (prescribes in) it; or a list of documents named by their titles
    that the numbered one ends ("sửa đổi … của Luật Đầu tư công, Luật Nhà ở, …, Luật Doanh nghiệp số …")."""
    if len(tail) <= 80:
        return True
    if group in ("guides", "implements") and len(tail) <= 200 and _FAR_TAIL.search(tail):
        return True
    return len(tail) <= 400 and _titled_list(tail)


def _titled_list(tail: str) -> bool:
    """Whether `tail` is a list of documents named by their titles, which the next reference ends."""
    first, *rest = _LIST_SPLIT.split(tail)
    return len(first) <= 80 and len(rest) > 1 and all(_TITLED.match(item) for item in rest[:-1])


def _passive(cue: re.Match[str], head: str, tail: str, lex: L.Lexicon) -> bool | None:
    """Whether the statement reads backwards: "bởi B", "by B"; "được sửa đổi tại / theo B"; an English
    participle with its agent ("amended under B", "supplemented in B"). None: "A được thực hiện theo B"
    (A is carried out as B says) states no relation."""
    agent = lex.agent_tail.fullmatch(tail) is not None  # nothing but the agent's preposition and pinpoints
    if lex.passive_after.match(tail):
        return True if agent else None
    if lex.passive_before.search(head) and lex.passive_agent.match(tail):
        return None if cue.lastgroup in ("implements", "programme") or not agent else True
    if cue.group().lower().endswith("ed") and lex.passive_prep.match(tail):
        return True if agent else None
    return False


def _governing(cues: list[re.Match[str]]) -> re.Match[str] | None:
    """The cue that relates the two references. A verb of change (amends, replaces, repeals) governs the
    noun phrases after it: "sửa đổi Chương trình hành động ban hành kèm theo B" amends B; but in "sửa đổi
    Chương trình … thực hiện B" B is what the amended programme implements, not what A amends."""
    strong = [i for i, c in enumerate(cues) if c.lastgroup in L.STRONG]
    if not strong:
        return cues[-1] if cues else None
    if any(c.lastgroup == "implements" or _IMPLEMENTING_PLAN.search(c.group()) for c in cues[strong[-1] + 1 :]):
        return None
    return cues[strong[-1]]


_IMPLEMENTING_PLAN = re.compile(r"triển\s+khai|trien\s+khai", re.I)  # "Kế hoạch triển khai B" implements B


def _parallel(a: DocRef, b: DocRef, found: _Statement) -> bool:
    """"thay thế Thông tư A … hướng dẫn Luật X và Thông tư B": the cue in A's title acts on an unnumbered
    document, and B is A's sibling in the enumeration, not what A's title names."""
    return (not found.backwards and a.type == b.type and L.SEPARATOR_END.search(found.tail) is not None
            and len(found.tail.split()) > 2 and not _titled_list(found.tail))


_CLAUSE = re.compile(r",\s*(?!ngày|ngay|dated|of\b|[0-9])")  # a comma that is not a date's
_POSSESSIVE = re.compile(r"\b(?:its|their)\s+$", re.I)
_OTHER_ACTOR = re.compile(rf"(?:,|\bvà|\bva|\band)\s+(?:các\s+|cac\s+|the\s+)?{L.TYPE_WORD_END.pattern}", re.I)


def _attributive(found: _Statement, b: DocRef) -> bool:
    """Whether the cue describes the second document rather than relating the first to it: "X and its
    amending Decree Y", "Nghị định X và Nghị định sửa đổi số Y", "Thông tư hướng dẫn số Y" (Y acts on X)."""
    if _POSSESSIVE.search(found.head):
        return True
    return bool(L.TYPE_WORD_END.search(found.head)) and found.tail.strip().lower() in ("", "số", "so", "no.", "no") \
        and not L.TYPE_WORD_START.match(b.raw)


def _adjunct(text: str, refs: list[DocRef], i: int) -> bool:
    """Whether refs[i] opens its sentence inside an adjunct: "Theo A, …", "Tại A, …", "Thực hiện A, …"."""
    lo, _ = bounds(text, refs[i].start, refs[i].end)
    if i and refs[i - 1].end > lo:
        return False
    lead = fold_str(text[lo : refs[i].start])
    lex = L.lexicon_for(lead)
    return bool(lex.adjunct.fullmatch(lead) or lex.front.fullmatch(lead))


_DRAFT_BEFORE = re.compile(r"(?:dự\s+thảo|du\s+thao|draft(?:ed|ing)?|proposed)\s*$", re.I)


def _draft_before(text: str, ref: DocRef) -> bool:
    """"Dự thảo Thông tư A sửa đổi …": the acting document is itself only a draft."""
    return _DRAFT_BEFORE.search(fold_str(text[max(0, ref.start - 30) : ref.start])) is not None
