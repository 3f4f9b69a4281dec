r"""Relations carried by the tables of legal databases rather than by a verb: vbpl.vn's "Lịch sử hiệu lực"
(a state per row: "01/01/2013 | Bị thay thế | 12/2012/QH13") and "Lược đồ" blocks ("Văn bản sửa đổi,
bổ sung (2)" over a list of documents), and the tabs and metadata rows of thuvienphapluat.vn and
luatvietnam.vn ("Văn bản thay thế: Nghị định …", "Amended by: …"). A label names a relation and its
direction between the page's own document (its subject) and the documents listed under or beside it.

>>> from govmon.crawler.extract.docrefs import find_refs
>>> page = ("Lịch sử hiệu lực: Nghị định 38/2012/NĐ-CP\n01/01/2018 | Văn bản hết hiệu lực | 38/2012/NĐ-CP\n"
...         "02/02/2018 | Bị thay thế | 15/2018/NĐ-CP")
>>> [(link.src.id, link.rel, link.dst.id) for link in history_links(page, find_refs(page))]
[('15/2018/NĐ-CP', 'replaces', '38/2012/NĐ-CP')]
"""
from __future__ import annotations

import re
from bisect import bisect_left
from typing import NamedTuple

from govmon.crawler.extract.folding import Folded, fold
from govmon.crawler.extract.relation_text import Link, line_start
from govmon.crawler.extract.types import DocRef

__all__ = ["history_links", "LABELS"]


class _Label(NamedTuple):
    rel: str | None  # None: a column or block that relates nothing ("Văn bản dẫn chiếu", "Văn bản hiện thời")
    inward: bool  # the listed document acts on the page's own document


_VB = r"(?:văn\s+bản|vb)\s+"
_AMEND = r"(?:sửa\s+đổi,?\s+bổ\s+sung|sửa\s+đổi|bổ\s+sung)"
_GUIDE = r"(?:hướng\s+dẫn(?:\s+thi\s+hành)?|hd,?\s+qđ\s+chi\s+tiết|quy\s+định\s+chi\s+tiết)"
_OFF = r"(?:hết\s+hiệu\s+lực|bãi\s+bỏ)(?:\s+(?:1|một)\s+phần)?"
# (pattern, relation, inward): the plain form lists the documents that act on the page's document; the
# "được / bị" form the documents it acts on (vbpl.vn "Văn bản sửa đổi" / "Văn bản được sửa đổi").
LABELS: list[tuple[str, str | None, bool]] = [
    (rf"{_VB}(?:được|bị)\s+{_AMEND}", "amends", False),
    (rf"{_VB}{_AMEND}", "amends", True),
    (rf"{_VB}(?:được|bị)\s+thay\s+thế", "replaces", False),
    (rf"{_VB}thay\s+thế", "replaces", True),
    (rf"{_VB}(?:được|bị)\s+{_GUIDE}", "guides", False),
    (rf"{_VB}{_GUIDE}", "guides", True),
    (rf"{_VB}quy\s+định\s+{_OFF}|{_VB}bãi\s+bỏ", "repeals", True),
    (rf"{_VB}(?:bị\s+)?{_OFF}", "repeals", False),
    (rf"{_VB}(?:được|bị)\s+đính\s+chính", "corrects", False),
    (rf"{_VB}đính\s+chính", "corrects", True),
    (rf"{_VB}(?:được|bị)\s+hợp\s+nhất", "consolidates", False),
    (rf"{_VB}hợp\s+nhất", "consolidates", True),
    (rf"(?:đã\s+)?(?:được|bị)\s+{_AMEND}(?:\s+bởi)?|amended(?:\s+and\s+supplemented)?\s+by|supplemented\s+by"
     r"|amending\s+documents?", "amends", True),
    (r"(?:đã\s+)?(?:được|bị)\s+thay\s+thế(?:\s+bởi)?|(?:replaced|superseded)\s+by|replacing\s+documents?",
     "replaces", True),
    (r"(?:đã\s+)?(?:được|bị)\s+(?:bãi\s+bỏ|hủy\s+bỏ|huỷ\s+bỏ)(?:\s+bởi)?|(?:repealed|annulled)\s+by", "repeals", True),
    (r"(?:được|bị)\s+(?:hướng\s+dẫn|quy\s+định\s+chi\s+tiết)(?:\s+bởi)?|(?:guided|detailed)\s+by"
     r"|guiding\s+documents?", "guides", True),
    (r"(?:được|bị)\s+đính\s+chính(?:\s+bởi)?|corrected\s+by", "corrects", True),
    (r"amended\s+documents?", "amends", False),
    (r"replaced\s+documents?", "replaces", False),
    (r"guided\s+documents?", "guides", False),
    (rf"{_VB}(?:được\s+)?(?:căn\s+cứ|dẫn\s+chiếu|liên\s+quan(?:\s+(?:cùng\s+nội\s+dung|khác))?|hiện\s+thời"
     r"|được\s+ban\s+hành|có\s+hiệu\s+lực)|(?:văn\s+bản\s+)?hết\s+hiệu\s+lực(?:\s+(?:toàn\s+bộ|một\s+phần))?"
     r"|(?:còn|có|chưa\s+có)\s+hiệu\s+lực|tình\s+trạng(?:\s+hiệu\s+lực)?|lịch\s+sử(?:\s+hiệu\s+lực)?"
     r"|related\s+documents?|referenced\s+documents?|effect(?:ive)?\s+status", None, False),
]
_DATE = r"[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}"
# A label is a cell: at a line start, after "|" or a status row's colon, maybe after a date cell, then its
# count, a colon, the cell's end or the document it names — never the start of a sentence that goes on.
_LABEL = re.compile(  # matched at the start of the text and right after each line break, "|" and ":" only
    rf"[ \t•*+-]*(?:(?P<date>{_DATE})[ \t|]*)?(?P<label>" + "|".join(f"(?:{p})" for p, _, _ in LABELS) + ")"
    r"[ \t]*(?:\([0-9]+\))?[ \t]*:?[ \t]*(?=\r?\n|$|\||[0-9]|(?:nghị|quyết|thông|luật|bộ\s+luật|pháp|chỉ|lệnh|văn|decree"
    r"|decision|circular|law|resolution|ordinance)\b)",
    re.I,
)
_CELL_START = re.compile(r"[\n|:]")
# A quick look for any label that relates (a cell opening with văn bản / được / bị / amended …) before the scan.
_HINT = re.compile(
    r"(?:^|\||:)[ \t•*+-]*(?:[0-9/]{8,10}[ \t|]*)?(?:(?:văn\s+bản|van\s+ban|vb)\s|(?:đã\s+)?(?:được|bị)\s+(?:sửa|bổ"
    r"|thay|bãi|hủy|huỷ|hướng|quy|đính)|(?:amend|supplement|replac|supersed|repeal|annull|guid|detail|correct)ed\s+by"
    r"|(?:amend|replac|guid|amend|correct)(?:ing|ed)\s+documents?)",
    re.I | re.M,
)
_STATUS_COLON = re.compile(r"(?:tình\s+trạng(?:\s+hiệu\s+lực)?|hiệu\s+lực|status|effect\w*(?:\s+status)?)\s*$", re.I)
_KINDS = [(re.compile(p, re.I), _Label(rel, inward)) for p, rel, inward in LABELS]
_SUBJECT = re.compile(r"(?:lịch\s+sử\s+hiệu\s+lực|số\s+hiệu|số\s+ký\s+hiệu|số/ký\s+hiệu|ký\s+hiệu|số|no\.?)\s*:?[ \t|]*$",
                      re.I)
_FILLER = re.compile(r"[\s|:•*+\-–.,;()0-9/]*(?:và|and)?[\s|:]*", re.I)


def history_links(text: str, refs: list[DocRef], folded: Folded | None = None) -> list[Link]:
    """Relations the tables of a legal-database page state between its own document and the documents
    listed under or beside a relation label (see `LABELS`); `folded`: `fold(text)`, when already made."""
    if len(refs) < 2 or not _HINT.search(text):
        return []
    folded = folded or fold(text)
    cells = [(folded.orig(m.start("label")), folded.orig(m.end(), True), _kind(m.group("label"), bool(m.group("date"))))
             for m in _cells(folded.norm)]
    subject = _subject(text, refs, cells)
    if subject is None:
        return []
    out = []
    for k, (_, end, label) in enumerate(cells):
        stop = cells[k + 1][0] if k + 1 < len(cells) else len(text)
        for ref in _listed(text, refs, end, min(stop, end + 30000)) if label.rel else []:
            if ref.id == subject.id:
                continue
            src, dst = (ref, subject) if label.inward else (subject, ref)
            out.append(Link(src, label.rel, dst, at=(line_start(text, cells[k][0]), ref.end)))
    return out


def _cells(norm: str) -> list[re.Match[str]]:
    """The labels that open a cell: at the start, after a line break or "|", or after a status row's colon."""
    starts = [0] + [m.end() for m in _CELL_START.finditer(norm)
                    if m.group() != ":" or _STATUS_COLON.search(norm, max(0, m.start() - 30), m.start())]
    found = (_LABEL.match(norm, pos) for pos in starts)
    return [m for m in found if m is not None]


_STATE_OFF = re.compile(r"(?:văn\s+bản\s+)?hết\s+hiệu\s+lực(?:\s+(?:toàn\s+bộ|(?:1|một)\s+phần))?", re.I)


def _kind(label: str, dated: bool) -> _Label:
    """The relation and direction of a matched label (the first pattern of `LABELS` it matches). In a
    dated history row, "(Văn bản) hết hiệu lực" is the page document's state, its source what ended it."""
    label = " ".join(label.split())
    if dated and _STATE_OFF.fullmatch(label):
        return _Label("repeals", True)
    return next(kind for pattern, kind in _KINDS if pattern.fullmatch(label))


def _listed(text: str, refs: list[DocRef], lo: int, hi: int) -> list[DocRef]:
    """The documents a label lists in text[lo:hi]: those opening a line or a cell (a bullet, a number or a
    type word before them at most), and those coordinated with one on the same line."""
    out: list[DocRef] = []
    first = bisect_left([r.start for r in refs], lo)
    for ref in (r for r in refs[first:] if r.start < hi):
        line = max(line_start(text, ref.start), text.rfind("|", max(lo, ref.start - 300), ref.start) + 1, lo)
        after_item = out and out[-1].end >= line
        if _FILLER.fullmatch(text[out[-1].end if after_item else line : ref.start]):
            out.append(ref)
    return out


_OWN_LABEL = re.compile(r"(?:số\s+hiệu|số\s+ký\s+hiệu|số/ký\s+hiệu|ký\s+hiệu|số|no\.?)\s*:", re.I)


def _subject(text: str, refs: list[DocRef], cells: list[tuple[int, int, _Label]]) -> DocRef | None:
    """The page's own document: the one a "Lịch sử hiệu lực:" title, a "Số hiệu:" / "Số ký hiệu" / "Số:" row
    or a "Văn bản hiện thời" block names, else the page's first reference when it comes before every label."""
    if not any(label.rel for _, _, label in cells):
        return None
    for ref in refs:
        line = text[line_start(text, ref.start) : ref.start]
        if _SUBJECT.search(line) or _OWN_LABEL.match(ref.raw):
            return ref
    current = [end for start, end, label in cells if label.rel is None and "hiện thời" in text[start:end].lower()]
    after = [r for r in refs if current and r.start >= current[0]]
    if after:
        return after[0]
    return refs[0] if refs[0].start < cells[0][0] else None
