"""When a document takes effect and when it ceases to, as a text states it, with the sentence that says so.

Wordings read (Vietnamese and English, any case): *có hiệu lực (thi hành) (kể) từ ngày …*, *bắt đầu / chính
thức có hiệu lực từ …*, *Ngày có hiệu lực: …*; *hết hiệu lực (kể) từ ngày …*, *chấm dứt hiệu lực …*, *Ngày hết
hiệu lực: …*; "takes effect on", "comes into force on", "effective from / as of", "effective date:";
"ceases to be effective / to have effect", "expires on", "is no longer in force from". The day may follow
the verb or open the sentence ("Kể từ ngày 1/7/2025, Nghị định … hết hiệu lực"), or be another event:
*kể từ ngày ký (ban hành)* — the day it is signed — or *kể từ ngày Nghị định này / Nghị định số … có hiệu lực*.

Which document a statement is about: the numbered document that is the subject of the sentence (the
nearest one before the verb that is not the object of another verb: in "Nghị định 23/2025/NĐ-CP thay thế
Nghị định 130/2018/NĐ-CP, có hiệu lực từ …" it is 23/2025/NĐ-CP), or "this one" (*Nghị định này*, "This
Decree", or a bare type word such as "Luật có hiệu lực …"), which the caller resolves to the text's subject.
What is only intended (*dự kiến*, *dự thảo*, "is expected to", "would") is not a statement; a month without
a day ("từ tháng 4/2025") is not a date. Pure: text in, statements out.

>>> [(v.kind, v.doc_id, v.on) for v in find_validity(
...     "Nghị định số 23/2025/NĐ-CP thay thế Nghị định số 130/2018/NĐ-CP, có hiệu lực thi hành từ ngày 10/4/2025.")]
[('effective', '23/2025/NĐ-CP', '2025-04-10')]
>>> v = find_validity("Nghị định số 130/2018/NĐ-CP hết hiệu lực kể từ ngày Nghị định này có hiệu lực thi hành.")[0]
>>> v.kind, v.doc_id, v.on, v.upon
('expires', '130/2018/NĐ-CP', None, 'this')
>>> [(v.kind, v.doc_id, v.this, v.on) for v in find_validity("This Decree takes effect from July 1, 2025.")]
[('effective', None, True, '2025-07-01')]
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import asdict, dataclass, replace
from typing import Any

from govmon.crawler.extract import docrefs_tables as T
from govmon.crawler.extract.docrefs import find_refs
from govmon.crawler.extract.normalize import nfc
from govmon.crawler.extract.types import DocRef

__all__ = ["Validity", "find_validity", "SIGNING", "THIS"]

SIGNING = "signing"  # `upon`: the day the document is signed
THIS = "this"  # `upon`: the day the text's own document takes effect
EVIDENCE_MAX = 400

_DAY = T.DATE.pattern
_EFFECTIVE = (
    r"(?:(?:bắt\s+đầu|chính\s+thức|sẽ|được)\s+)?có\s+hiệu\s+lực"
    r"(?:\s+(?:thi\s+hành|pháp\s+luật|toàn\s+bộ|chính\s+thức))*"
    r"|(?:takes?|took|shall\s+take|will\s+take|to\s+take)\s+effect"
    r"|(?:comes?|came|shall\s+come|will\s+come|to\s+come|entered|enters?)\s+into\s+(?:force|effect)"
    r"|(?:is|are|was|were|becomes?|became|will\s+be|shall\s+be)\s+(?:legally\s+)?(?:effective|in\s+force|in\s+effect)"
    r"|(?<=,\s)effective"
)
_EXPIRES = (
    r"hết\s+hiệu\s+lực(?:\s+(?:thi\s+hành|pháp\s+luật|toàn\s+bộ))*|chấm\s+dứt\s+hiệu\s+lực|không\s+còn\s+hiệu\s+lực"
    r"|(?:ceases?|ceased|shall\s+cease|will\s+cease)\s+to\s+(?:be\s+(?:effective|in\s+force|valid)|have\s+effect)"
    r"|(?:expires?|expired|shall\s+expire|will\s+expire)"
    r"|(?:is|are|will\s+be|shall\s+be)\s+no\s+longer\s+(?:in\s+force|effective|valid|in\s+effect)"
)
_CUE = re.compile(rf"(?<!\w)(?:(?P<effective>{_EFFECTIVE})|(?P<expires>{_EXPIRES}))(?!\w)", re.I)
_FIELD = re.compile(rf"(?<!\w)(?:(?P<effective>ngày\s+có\s+hiệu\s+lực|effective\s+date"
                    rf"|date\s+of\s+entry\s+into\s+force)|(?P<expires>ngày\s+hết\s+hiệu\s+lực|expiry\s+date"
                    rf"|expiration\s+date))\s*:\s*(?={_DAY})", re.I)
_LINK = (r"(?:\s*(?:thi\s+hành|chính\s+thức))?\s*(?:,\s*)?(?:(?:kể\s+)?từ|bắt\s+đầu\s+từ|vào|trước|on|from|as\s+of"
         r"|starting|beginning|with\s+effect\s+from)?\s*(?:the\s+)?(?:ngày\s+)?")
_DATED = re.compile(_LINK + rf"(?:{_DAY})", re.I)
_SIGNED = re.compile(_LINK + r"(?:(?:ký|ban\s+hành|ký\s+ban\s+hành|thông\s+qua)(?!\w)"
                              r"|(?:date\s+of\s+)?(?:its\s+)?signing|signature)", re.I)
_UPON = re.compile(_LINK + r"(?:ngày\s+)?(?P<what>.{0,120}?)\s+(?:có\s+hiệu\s+lực|takes\s+effect|comes\s+into\s+force)",
                   re.I)
_OPENING = re.compile(rf"(?:(?:kể\s+)?từ\s+ngày|bắt\s+đầu\s+từ\s+ngày|as\s+of|from|effective|starting|on)\s+"
                      rf"(?:{_DAY})\s*,", re.I)
_INTENDED = re.compile(r"(?<!\w)(?:dự\s+kiến|dự\s+thảo|đề\s+xuất|dự\s+định|nếu|is\s+expected|are\s+expected|would|draft"
                       r"|proposed|plans?\s+to|intends?\s+to|if)(?!\w)", re.I)
_NEGATED = re.compile(r"(?<!\w)(?:chưa|không|not|not\s+yet|never)\s*$", re.I)
_THIS = re.compile(r"(?<!\w)(?:này|this|the\s+present)(?!\w)", re.I)
_TYPE_WORD = re.compile(
    r"(?<!\w)(?P<word>hiến\s+pháp|bộ\s+luật|luật|pháp\s+lệnh|nghị\s+quyết|nghị\s+định|quyết\s+định"
    r"|thông\s+tư\s+liên\s+tịch|thông\s+tư|chỉ\s+thị|văn\s+bản|quy\s+định|quy\s+chế|law|decree|resolution|decision"
    r"|circular|directive|ordinance|regulation|constitution|code)(?:\s+(?:này|this|mới|new))?\s*(?:,\s*)?$", re.I)
_OBJECT_OF = re.compile(  # a verb, then at most a type word and "số"/"No." before the number: its object
    r"(?<!\w)(?:thay\s+thế|sửa\s+đổi(?:,\s*bổ\s+sung)?|bổ\s+sung|bãi\s+bỏ|căn\s+cứ|hướng\s+dẫn|theo|thực\s+hiện"
    r"|triển\s+khai|kèm\s+theo|replac\w*|amend\w*|supersed\w*|repeal\w*|under|pursuant\s+to|implement\w*|guid\w*)"
    r"(?:\s+(?:một\s+số\s+điều\s+của|the))?\s*(?:(?:các|the)\s+)?\S*\s*\S*\s*(?:số|no\.?)?\s*$", re.I)
_GENERIC = {"văn bản", "quy định", "quy chế", "regulation"}
_MAYBE = re.compile(r"hiệu\s+lực|effect|force|expir|valid", re.I)
_SPLIT = re.compile(r"[.!?;](?=\s)|\n+")
_ABBREVIATIONS = ("No", "Nos", "no", "TP", "Tp", "St", "Mr", "Ms", "Dr", "Art", "art", "Cl", "cl")
_GAP_MAX = 160  # characters between a document's number and the verb it is the subject of


@dataclass(frozen=True)
class Validity:
    """One statement: the document `doc_id` (a canonical id; None when it is "this one", `this` then says
    whether the text said so with *này*/"this" or only with a type word, `type_word` in either case) takes
    effect (`kind` "effective") or ceases to (`kind` "expires") on `on` (ISO), or on the day of another
    event (`upon`: SIGNING, THIS — the text's own document takes effect — or a canonical id)."""

    kind: str
    doc_id: str | None
    on: str | None
    upon: str
    evidence: str
    this: bool = False
    type_word: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans: split at . ! ? ; before a space and at line breaks, never after "No." or "TP."."""
    spans, start = [], 0
    for m in _SPLIT.finditer(text):
        word = text[max(start, m.start() - 4):m.start()].split()
        if m.group() == "." and word and word[-1] in _ABBREVIATIONS:
            continue
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def find_validity(text: str) -> list[Validity]:
    """Every effective or expiry statement of `text`, in text order. Only the sentences that hold a cue are
    searched for document numbers (the phrase *hiệu lực, hiệu quả* is everywhere; statements are rare)."""
    text = nfc(text)
    cues = sorted([*_CUE.finditer(text), *_FIELD.finditer(text)], key=lambda m: m.start()) if _MAYBE.search(text) \
        else []
    found: list[Validity] = []
    for start, end in _sentences(text) if cues else []:
        inside = cues[bisect_left(cues, start, key=lambda m: m.start()):bisect_left(cues, end, key=lambda m: m.start())]
        if inside:
            refs = [_shifted(ref, start) for ref in find_refs(text[start:end])]
            found.extend(v for v in (_statement(text, start, end, cue, refs) for cue in inside) if v is not None)
    return list(dict.fromkeys(found))


def _shifted(ref: DocRef, by: int) -> DocRef:
    return replace(ref, start=ref.start + by, end=ref.end + by)


def _statement(text: str, start: int, end: int, cue: re.Match[str], refs: list[DocRef]) -> Validity | None:
    kind = "effective" if cue.group("effective") else "expires"
    clause = text[start:cue.start()]
    if _INTENDED.search(clause[-80:]) or _NEGATED.search(clause):
        return None
    on, upon = _when(text, cue.end(), end, refs)
    if on is None and not upon:
        on = _opening(clause)
    if on is None and not upon:
        return None
    evidence = " ".join(text[start:end].split())[:EVIDENCE_MAX]
    subject = _subject(text, start, cue.start(), refs)
    if subject is not None:
        return Validity(kind, subject.id, on, upon, evidence)
    word = _TYPE_WORD.search(text[max(start, cue.start() - 60):cue.start()].rstrip())
    if word is None and not _THIS.search(text[max(start, cue.start() - 20):cue.start()]):
        return None
    this = bool(_THIS.search(text[max(start, cue.start() - 20):cue.start()]))
    return Validity(kind, None, on, upon, evidence, this=this, type_word=_type_of(word.group("word")) if word else "")


def _type_of(word: str) -> str:
    """The type a bare type word names ("Decree" → "nghị định"); "" for a generic one ("văn bản", "quy định")."""
    folded = " ".join(word.lower().split())
    return "" if folded in _GENERIC else T.WORD_TYPES.get(folded, folded)


def _when(text: str, at: int, end: int, refs: list[DocRef]) -> tuple[str | None, str]:
    """(ISO date, "") or (None, what the day is the day of) right after the verb."""
    dated = _DATED.match(text, at, end)
    if dated is not None:
        return T.iso_date(T.DATE.search(text, dated.start(), dated.end())), ""
    if _SIGNED.match(text, at, end):
        return None, SIGNING
    upon = _UPON.match(text, at, end)
    if upon is None:
        return None, ""
    what = upon.group("what")
    named = [r for r in refs if upon.start("what") <= r.start and r.end <= upon.end("what")]
    if named:
        return None, named[-1].id
    return (None, THIS) if _THIS.search(what) else (None, "")


def _opening(clause: str) -> str | None:
    """A day that opens the sentence: "Kể từ ngày 1/7/2025, …", "From 1 July 2025, …"."""
    found = _OPENING.search(clause)
    return T.iso_date(T.DATE.search(found.group())) if found else None


def _subject(text: str, start: int, at: int, refs: list[DocRef]) -> DocRef | None:
    """The numbered document the verb at `at` is said of: the nearest one before it, within _GAP_MAX
    characters, that is not the object of another verb; none when "này"/"this" follows the last one."""
    before = [r for r in refs if r.end <= at and at - r.end <= _GAP_MAX]
    if not before or _THIS.search(text[before[-1].end:at]):
        return None
    for ref in reversed(before):
        if not _OBJECT_OF.search(text[max(start, ref.start - 60):ref.start]):
            return ref
    return before[-1]
