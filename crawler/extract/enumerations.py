"""Enumerations of documents around a stated relation: the documents listed after its target ("sửa đổi
Nghị định A ngày … của Chính phủ về …, Nghị định B và Nghị định C", "được sửa đổi, bổ sung bởi: 1. A … 2. B")
and those coordinated before its actor ("Quyết định A và Quyết định C về kế hoạch triển khai B"): one
relation per document named. Pure functions over the references `docrefs.find_refs` found.
"""
from __future__ import annotations

import re

from govmon.crawler.extract import relation_lexicon as L
from govmon.crawler.extract.folding import fold_str
from govmon.crawler.extract.relation_text import gap_view, line_start
from govmon.crawler.extract.types import DocRef

__all__ = ["enumerated", "coordinated_before"]


def enumerated(text: str, refs: list[DocRef], k: int, listed: bool = False) -> list[int]:
    """Indices of the references after refs[k] that continue the enumeration refs[k] opened: each after a
    separator ("," ";" "và" "and", a list item), optionally with its date, issuer and title ("Nghị định A
    ngày … của Chính phủ về …, Nghị định B"); references nested in a title ("… sửa đổi Nghị định C") are
    passed over. `listed`: the enumeration is a list opened by a colon, so its items may span lines."""
    out: list[int] = []
    nested = 0  # references nested in the last item's title passed since: "và" may coordinate with one
    for j in range(k + 1, min(len(refs), k + _ITEMS_MAX)):
        if refs[j].start - refs[j - 1].end > 400 or nested > _NESTED_MAX:
            break
        step = _step(gap_view(text, refs[j - 1].end, refs[j].start), refs[k], refs[j], listed, nested > 0)
        if step == "end" or (step == "item" and _opens_statement(text, refs, j)):
            break
        nested = nested + 1 if step == "nested" else 0
        if step == "item":
            out.append(j)
    return out


_NESTED_MAX = 4  # a title names a few documents at most; past that the enumeration is over
_ITEMS_MAX = 120  # references looked at after the first: longer lists are not one sentence's


def _step(gap: str, first: DocRef, ref: DocRef, listed: bool, nested: bool) -> str:
    """How `ref` relates to the enumeration: "item", "nested" (in the previous item's title, or coordinated
    with a reference that is: after one, only a ";" or a new list item opens the next item) or "end"."""
    if (L.COORD.fullmatch(gap) or L.SOURCE_COORD.fullmatch(gap)) and not nested:
        return "item"
    sep = L.SEPARATOR_END.search(gap)
    body = gap[: sep.start()] if sep else gap
    if L.STOP.search(body + " ") or ("\n" in body and not listed):
        return "end"
    if sep is None or (nested and not sep.group().startswith(";")):
        return "nested"  # in a title, or coordinated with the reference in it ("hướng dẫn Nghị định B và C")
    if ref.type != first.type:
        return "nested" if nested else "end"
    return "end" if re.search(r"\b(?:bởi|boi|by)\b", body, re.I) else "item"


_DATED = re.compile(r"\s*(?:\(?\s*(?:ngày|ngay|dated|of)\s+[^,;()\n]{1,30}?\)?\s*)?,?\s*")
_BE = re.compile(r"(?:được|bị|đã|is|was|were|has|have|shall)\b", re.I)


def _opens_statement(text: str, refs: list[DocRef], j: int) -> bool:
    """Whether refs[j] opens a statement of its own ("…; Thông tư C sửa đổi Thông tư D") rather than
    being one more item: a verb of change, or a passive, right after its number and date."""
    hi = refs[j + 1].start if j + 1 < len(refs) else refs[j].end + 80
    after = fold_str(text[refs[j].end : min(hi, refs[j].end + 80)])
    rest = after[_DATED.match(after).end() :]  # type: ignore[union-attr]  # the pattern matches the empty string
    cue = L.lexicon_for(rest).cues.match(rest)
    return (cue is not None and cue.lastgroup in L.STRONG) or _BE.match(rest) is not None


def coordinated_before(text: str, refs: list[DocRef], i: int) -> list[int]:
    """Indices of the references coordinated before refs[i] that share its role: "Quyết định A ngày … và
    Quyết định C về kế hoạch triển khai B" (A and C both implement B). Not in a "Căn cứ" line, whose
    coordinated documents are bases, not actors."""
    out: list[int] = []
    for j in range(i - 1, -1, -1):
        nxt = refs[j + 1]
        if refs[j].type != refs[i].type or nxt.start - refs[j].end > 120:
            break
        if not L.SOURCE_COORD.fullmatch(gap_view(text, refs[j].end, nxt.start)):
            break
        out.append(j)
    first = refs[out[-1]].start if out else 0
    if out and L.LEX.basis_line.search("\n" + fold_str(text[line_start(text, first) : first])):
        return []
    return out

