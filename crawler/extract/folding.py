"""Folding text for document-number matching with an offset map: NFC, invisible characters dropped and the
1:1 repairs of `docrefs_tables.fold_chars` (dashes, slashes, spaces, Ð→Đ), so matches found on the folded
copy map back to the caller's original string. Shared by the reference and relation recognisers."""
from __future__ import annotations

import unicodedata
from bisect import bisect_right
from typing import NamedTuple

from govmon.crawler.extract import docrefs_tables as T

__all__ = ["Folded", "fold", "fold_str"]


# --- folding with an offset map ------------------------------------------------------------------------
class Folded(NamedTuple):
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


def fold_str(text: str) -> str:
    return fold(text).norm


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


def fold(text: str) -> Folded:
    """Fold `text` for matching (NFC, invisibles dropped, then the 1:1 repairs of `fold_chars`: a
    length-preserving superset of `normalize.nfc`). Already-NFC text keeps every offset."""
    if unicodedata.is_normalized("NFC", text) and not T.INVISIBLE.search(text):
        return Folded(text, T.fold_chars(text), [0], [0], [True])
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
    return Folded(text, T.fold_chars("".join(parts)), n_pos, o_pos, exact)
