"""Relations stated between numbered documents (DOCNUMBERS.md Part B): amends, replaces, repeals,
implements, guides, corrects, consolidates — with the sentence that states them. Works on the references
`docrefs.find_refs` found; cue words come from `docrefs_tables` (and their unaccented twins for text that
lost its diacritics)."""
from __future__ import annotations

import re

from govmon.crawler.extract import docrefs_tables as T
from govmon.crawler.extract.folding import fold_str as _fold_str
from govmon.crawler.extract.types import DocRef, Relation

__all__ = ["relations_between"]


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
    for k in range(i + 2, len(refs)):  # by index: slicing the rest of the list for every i was quadratic
        if not T.COORD.fullmatch(_fold_str(text[targets[-1].end : refs[k].start])):
            break
        targets.append(refs[k])
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


def relations_between(text: str, refs: list[DocRef]) -> list[Relation]:
    """Relations the text states between numbered documents (Part B: amends, replaces, repeals,
    implements, guides); `from_id` is the acting (newer) document, `evidence` the sentence."""
    refs = sorted(refs, key=lambda r: r.start)
    links = [link for i in range(len(refs) - 1) for link in _links(text, refs, i)]
    out: dict[tuple[str, str, str], Relation] = {}
    for src, rel, dst in links + _fronted(text, refs) + _issued_with(text, refs):
        key = (src.id, rel, dst.id)
        if src.id != dst.id and key not in out:
            lo, hi = _bounds(text, min(src.start, dst.start), max(src.end, dst.end))
            out[key] = Relation(src.id, rel, dst.id, text[lo:hi].strip())
    return list(out.values())
