r"""Text helpers of the relation recogniser: the statement between two references as the cue patterns read
it (folded, list markers dropped, lines that a PDF or a page layout wrapped joined again), the sentence
around a span (the evidence), and whether a passage opens with a document's own header.

>>> text = "Kế hoạch số 2/KH-UBND của Sở Nội vụ tỉnh được ban hành trong tháng này và gửi tới\nUBND các xã."
>>> soft_newline(text, text.index("\n"))
True
>>> soft_newline("Căn cứ Nghị định số 20/2021/NĐ-CP;\nCăn cứ Thông tư", 34)
False
"""
from __future__ import annotations

import re
from typing import NamedTuple

from govmon.crawler.extract import relation_lexicon as L
from govmon.crawler.extract.folding import fold_str
from govmon.crawler.extract.types import DocRef

__all__ = ["Link", "soft_newline", "line_start", "gap_view", "bounds", "header_before", "own_number"]


class Link(NamedTuple):
    """`src` `rel` `dst`; `intended` when only a draft, a proposal or a plan states it; `at`: the span whose
    sentence is the evidence (by default the span of both references)."""

    src: DocRef
    rel: str
    dst: DocRef
    intended: bool = False
    at: tuple[int, int] | None = None


# A line that opens a list item, a table cell, a new basis or an article: the break before it is real.
_OPENS = re.compile(
    r"(?:[\n|]|[-•*+–][ \t]|\(?[0-9]{1,2}[.)][ \t]|\(?[a-zđ][.)][ \t]|(?:căn\s+cứ|can\s+cu|xét|xet|điều\s+[0-9]"
    r"|dieu\s+[0-9]|chương\s|mục\s+[0-9]|pursuant|article\s+[0-9]|chapter\s))",
    re.I,
)
_CELL = re.compile(r"[^\n:.,;]{1,40}:\s")  # "Văn bản thay thế: …", "Số hiệu: …": a table row
# A line that opens with a document ("Thông tư 25/2018/TT-BTC …") is an item of a list of documents, unless
# the line before it breaks off mid-phrase ("… ban hành Kế hoạch triển khai\nQuyết định số 5/QĐ-TTg").
_DOC_OPENS = re.compile(
    r"(?:[^\W\d_]+\s+){1,4}(?:số\s*|so\s*|no\.?\s*)?[0-9]{1,5}\s*[-/]|[0-9]{1,5}\s*[-/]\s*[0-9A-Za-zĐđ]", re.I
)
_MID_PHRASE = re.compile(
    r"(?:của|cua|và|va|theo|tại|tai|số|so|về|ve|thực\s+hiện|triển\s+khai|sửa\s+đổi|bổ\s+sung|thay\s+thế|bãi\s+bỏ"
    r"|hướng\s+dẫn|chi\s+tiết|kèm|bởi|boi|of|and|by|to|under|implementing|amending|replacing|the|,)$",
    re.I,
)
_LIST_OPEN = re.compile(r":[ \t]*\n[ \t\n]*")
_NEWLINE = re.compile("\n")


def soft_newline(text: str, pos: int) -> bool:
    """Whether the line break at text[pos] only wraps a sentence: the line before it is long and does not
    end a sentence, a clause or a cell, and the line after it opens neither a list item, a table row nor a
    new clause (nor a document, unless the line before breaks off mid-phrase)."""
    line = text[line_start(text, pos) : pos].rstrip()
    if len(line) < 45 or line[-1] in ".;:!?|":
        return False
    after = text[pos + 1 : pos + 60].lstrip(" \t")
    if not after or _OPENS.match(after) or _CELL.match(after):
        return False
    return not _DOC_OPENS.match(after) or _MID_PHRASE.search(line) is not None


def line_start(text: str, pos: int, reach: int = 300) -> int:
    """Where the line holding text[pos] starts, looking back at most `reach` characters."""
    lo = max(0, pos - reach)
    found = text.rfind("\n", lo, pos)
    return found + 1 if found >= 0 else lo


def gap_view(text: str, lo: int, hi: int) -> str:
    """text[lo:hi] folded, soft line breaks joined, list markers dropped and a list opened by a colon read
    as the continuation of its statement ("được sửa đổi bởi:\n1. Nghị định A" → "được sửa đổi bởi: ")."""
    raw = text[lo:hi]
    if "\n" in raw:
        raw = _NEWLINE.sub(lambda m: " " if soft_newline(text, lo + m.start()) else "\n", raw)
    view = fold_str(raw)
    if "\n" in view:
        view = _LIST_OPEN.sub(": ", L.LIST_MARKER.sub("\n", view))
    return view


def bounds(text: str, start: int, end: int, reach: int = 600) -> tuple[int, int]:
    """The sentence (or line) around text[start:end], looking at most `reach` characters either way;
    line breaks that only wrap the sentence do not end it."""
    return _sentence_start(text, start, reach), _sentence_end(text, end, reach)


def _sentence_start(text: str, start: int, reach: int) -> int:
    """Where the sentence holding text[start] begins: looked for in a short window first (most are)."""
    for width in (160, reach):
        lo = max(0, start - width)
        stops = [m.end() for m in L.EVIDENCE_STOP.finditer(text, lo, start) if not _soft(text, m)]
        if stops or lo == 0 or width == reach:
            return stops[-1] if stops else lo
    return max(0, start - reach)


def _sentence_end(text: str, end: int, reach: int) -> int:
    after = next((m for m in L.EVIDENCE_STOP.finditer(text, end, end + reach) if not _soft(text, m)), None)
    return after.end() if after else min(len(text), end + reach)


def _soft(text: str, m: re.Match[str]) -> bool:
    return m.group() == "\n" and soft_newline(text, m.start())


def header_before(prefix: str, raw: str = "") -> bool:
    r"""Whether what precedes a document's first number is a document header: at most a few short issuer
    lines ending in the number label ("Số:", "No."), or nothing at all.

    >>> header_before("BỘ KHOA HỌC VÀ CÔNG NGHỆ\n\nSố: ")
    True
    >>> header_before("BỘ TÀI CHÍNH\n\n", raw="Số: 08/2026/TT-BTC")
    True
    >>> header_before("Lấy ý kiến dự thảo sửa đổi Chương trình thực hiện Nghị quyết ")
    False
    """
    lines = [line for line in prefix.strip(" \t\r\n|").splitlines() if line.strip()]
    if not lines:
        return True
    short = len(lines) <= 4 and all(len(line) < 90 for line in lines)
    labelled = L.NUMBER_LABEL.search(lines[-1]) or L.NUMBER_LABEL.search(raw.split(":")[0] + ":")
    return short and bool(labelled) and not L.STOP.search(" ".join(lines) + " ")


_RAW_LABEL = re.compile(r"(?:^|\s)(?:số|so|no\.?|number)\s*:?\s*[0-9]", re.I)


def own_number(text: str, refs: list[DocRef]) -> DocRef | None:
    """The passage's own document: its first reference, when that opens a document header (a number label
    before it, or the document's heading — NGHỊ ĐỊNH, DECREE … — on one of the lines after it)."""
    if not refs:
        return None
    first = refs[0]
    prefix = text[: first.start]
    if not header_before(prefix, first.raw):
        return None
    last_line = prefix.rstrip(" \t").rsplit("\n", 1)[-1]
    labelled = L.NUMBER_LABEL.search(last_line) or _RAW_LABEL.search(first.raw)
    return first if labelled or L.DOC_HEADING.search(text, first.end, first.end + 300) else None
