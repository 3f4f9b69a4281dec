"""What someone typed into search: the legal documents it names, in any spelling people type, and the folded
words the full-text index is asked for.

Full signs (13/2023/ND-CP, 13/2023/NĐ-CP, 71/nq-cp, 57-NQ/TW) are read by the document-number grammar
(`crawler.extract.docrefs`). Short references, a type word and a number with maybe a year ("nghị định
13/2023", "nd 13/2023", "nghi dinh 13"), are read on the folded text with that grammar's type words, so they
need no diacritics. A number matches with or without leading zeros (3/NQ-CP is 03/NQ-CP), as in the
registry's `number_key`. `snippet` cuts the part of a raw text where the words are, for a result list.

>>> q = understand("Nghi dinh 13/2023 du lieu ca nhan")
>>> q.documents
(DocQuery(number='13', type_key='nghi dinh', year=2023, code='', canonical_id=''),)
>>> q.folded
'nghi dinh 13 2023 du lieu ca nhan'
>>> understand("3/NQ-CP").documents[0].ids()
('3/NQ-CP', '03/NQ-CP', '003/NQ-CP', '0003/NQ-CP')
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from govmon.crawler.extract.docrefs import find_refs
from govmon.crawler.extract.docrefs_tables import ABBR_TYPES, WORD_TYPES
from govmon.crawler.extract.normalize import unaccent
from govmon.monitor.analysis.keys import fold

__all__ = ["DocQuery", "Query", "understand", "query_words", "snippet", "MAX_DOCUMENTS"]

MAX_DOCUMENTS = 5  # document references read from one query
_NOT_WORD = re.compile(r"[\W_]+")
_VAGUE = {"văn bản", "dispatch"}  # type words that name no one type


@dataclass(frozen=True)
class DocQuery:
    """A document a query names: a full sign (`canonical_id` and `code` set, as the grammar spells them) or
    a short reference (`type_key`, the folded type word, and a number, maybe a year)."""

    number: str
    type_key: str = ""
    year: int | None = None
    code: str = ""
    canonical_id: str = ""

    def ids(self) -> tuple[str, ...]:
        """The canonical ids the sign may be registered under: its number with and without leading zeros.

        >>> DocQuery("13", "nghi dinh", 2023, "NĐ-CP", "13/2023/NĐ-CP").ids()
        ('13/2023/NĐ-CP', '013/2023/NĐ-CP', '0013/2023/NĐ-CP')
        """
        if not self.canonical_id:
            return ()
        tail = self.canonical_id.lstrip("0123456789")  # the id writes the number zero-padded (03/NQ-CP)
        bare = self.number.lstrip("0") or "0"
        numbers = dict.fromkeys([self.number] + [bare.zfill(width) for width in range(len(bare), 5)])
        return tuple(number + tail for number in numbers)


@dataclass(frozen=True)
class Query:
    """A query understood: `words` are folded as the index folds (numbers without leading zeros)."""

    text: str
    words: tuple[str, ...]
    documents: tuple[DocQuery, ...]

    @property
    def folded(self) -> str:
        return " ".join(self.words)


def _number(word: str) -> str:
    return (word.lstrip("0") or "0") if word.isascii() and word.isdigit() else word


def query_words(text: str) -> list[str]:
    """The folded words of `text`, split as the search index splits them.

    >>> query_words("Thông tư số 03/2024/TT-BTC: “Đất đai”")
    ['thong', 'tu', 'so', '3', '2024', 'tt', 'btc', 'dat', 'dai']
    """
    return [_number(word) for word in _NOT_WORD.split(fold(text)) if word]


def _type_words() -> dict[str, str]:
    """Folded type word or abbreviation → folded type ("nghi dinh", "nd" → "nghi dinh")."""
    words = {fold(word): fold(kind) for word, kind in WORD_TYPES.items() if kind not in _VAGUE}
    folded = [(fold(abbr), fold(kind)) for abbr, kind in ABBR_TYPES.items() if len(abbr) > 1]
    clashes = {abbr for abbr, kind in folded if sum(1 for a, k in folded if a == abbr and k != kind)}
    return {**{abbr: kind for abbr, kind in folded if abbr not in clashes}, **words}


_TYPES = _type_words()
_ALTERNATIVES = "|".join(re.escape(word).replace(r"\ ", r"\s+") for word in sorted(_TYPES, key=len, reverse=True))
_SHORT = re.compile(rf"(?<![\w/])(?P<tw>{_ALTERNATIVES})\s*(?:(?P<label>so|no\.?)\s*:?\s*)?(?P<num>[0-9]{{1,5}})"
                    rf"(?:\s*/\s*(?P<year>(?:19|20)[0-9]{{2}}))?(?![\w/-])")


def _short_references(folded: str) -> list[DocQuery]:
    found = []
    for m in _SHORT.finditer(folded):
        number = m.group("num")
        if not m.group("label") and not m.group("year") and len(number) == 4 and number[:2] in ("19", "20"):
            continue  # "luat 2024": a year, not a number
        year = int(m.group("year")) if m.group("year") else None
        found.append(DocQuery(number, _TYPES[" ".join(m.group("tw").split())], year))
    return found


def _signs(text: str) -> list[DocQuery]:
    return [DocQuery(ref.number, fold(ref.type or ""), ref.year, ref.code, ref.id) for ref in find_refs(text)]


def understand(text: str) -> Query:
    """The documents `text` names (full signs first, then short references, each once) and its words.

    >>> [d.canonical_id for d in understand("nghị định 13/2023/nd-cp về dữ liệu").documents]
    ['13/2023/NĐ-CP']
    >>> [(d.type_key, d.number, d.year) for d in understand("nd 13/2023 và nq 57").documents]
    [('nghi dinh', '13', 2023), ('nghi quyet', '57', None)]
    """
    documents = list(dict.fromkeys(_signs(text) + _short_references(fold(text))))
    return Query(text, tuple(query_words(text)), tuple(documents[:MAX_DOCUMENTS]))


# --- snippets ------------------------------------------------------------------------------------------
@lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    return unaccent(char).casefold()


def _folded_with_origin(text: str) -> tuple[str, list[int]]:
    """`text` folded character by character, and for each folded character the index it came from."""
    parts = [_fold_char(char) for char in text]
    return "".join(parts), [i for i, part in enumerate(parts) for _ in part]


def _pattern(words: Sequence[str]) -> re.Pattern[str] | None:
    alternatives = sorted({("0*" + re.escape(w)) if w.isdigit() else re.escape(w) for w in words if w}, key=len,
                          reverse=True)
    return re.compile(rf"(?<![^\W_])(?:{'|'.join(alternatives)})(?![^\W_])") if alternatives else None


def _best_start(hits: list[tuple[int, str]], width: int) -> int:
    """Where a window of `width` characters holds the most different words (the first such place)."""
    def variety(start: int) -> int:
        return len({word for at, word in hits if start <= at < start + width})
    return max((at for at, _ in hits), key=lambda at: (variety(at), -at))


def snippet(text: str, words: Sequence[str], width: int = 200, scan: int = 50_000) -> str:
    """About `width` characters of `text` (on one line, raw, unescaped) where most of the folded `words`
    are, with … where it was cut; the start of the text when none is there.

    >>> snippet("Hà Nội. Chính phủ vừa ban hành Nghị định số 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân.",
    ...         ["du", "lieu", "ca", "nhan"], width=40)
    '… 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân.'
    >>> snippet("Nghị quyết 03/NQ-CP", ["3", "nq"])
    'Nghị quyết 03/NQ-CP'
    """
    text = " ".join(text.split())
    pattern = _pattern(words)
    folded, origin = _folded_with_origin(text[:scan])
    hits = [(origin[m.start()], _number(m.group())) for m in pattern.finditer(folded)][:200] if pattern else []
    start = min(_best_start(hits, width) - width // 5, len(text) - width) if hits else 0
    return _cut(text, max(0, start), width)


def _cut(text: str, start: int, width: int) -> str:
    if start > 0:
        space = text.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 else start
    end = start + width
    if end < len(text):
        space = text.rfind(" ", start, end + 1)
        end = space if space > start else end
    body = text[start:end].strip()
    return ("… " if start > 0 else "") + body + (" …" if end < len(text) else "")
