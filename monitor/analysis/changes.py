"""What changed between two versions of an article: a short word-level diff for alerts and the CLI.

Versions are only stored when the comparison form changes, so every pair differs somewhere; `is_significant`
filters what is still not worth an alert (a single punctuation or spacing token).

>>> print(word_diff("Tổng vốn 1.200 tỷ đồng.", "Tổng vốn 1.250 tỷ đồng."))
Tổng vốn [-1.200-] {+1.250+} tỷ đồng.
"""
from __future__ import annotations

import difflib
import re

import numpy as np

from govmon.crawler.extract.normalize import comparison_form
from govmon.monitor.analysis.dedupe import shingles, token_list

__all__ = ["word_diff", "word_opcodes", "is_significant", "overlap", "Opcode"]

Opcode = tuple[str, int, int, int, int]  # difflib's (tag, i1, i2, j1, j2)

_TOKEN = re.compile(r"\S+")
_SPAN = re.compile(r"\S+\s*")
_CONTEXT = 4


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _matcher(old: list[str], new: list[str]) -> difflib.SequenceMatcher:
    key_old = [comparison_form(t) for t in old]
    key_new = [comparison_form(t) for t in new]
    return difflib.SequenceMatcher(None, key_old, key_new, autojunk=False)


def _opcodes(old: list[str], new: list[str]) -> list[Opcode]:
    return _matcher(old, new).get_opcodes()


def word_opcodes(old: str, new: str) -> tuple[list[str], list[str], list[Opcode]]:
    """The words of both texts, each with the whitespace that follows it (so that joined they give the text
    back, line breaks included, bar leading whitespace), and difflib's opcodes between them, words matched
    by their comparison form as `word_diff` matches them.

    >>> word_opcodes("a b\\nc", "a x\\nc")
    (['a ', 'b\\n', 'c'], ['a ', 'x\\n', 'c'], [('equal', 0, 1, 0, 1), ('replace', 1, 2, 1, 2), ('equal', 2, 3, 2, 3)])
    """
    a, b = _SPAN.findall(old), _SPAN.findall(new)
    return a, b, _opcodes(a, b)


def is_significant(old: str, new: str) -> bool:
    """At least one word that carries letters or digits changed."""
    a, b = _tokens(old), _tokens(new)
    for tag, i1, i2, j1, j2 in _opcodes(a, b):
        if tag != "equal" and any(re.search(r"\w", t) for t in (*a[i1:i2], *b[j1:j2])):
            return True
    return False


def word_diff(old: str, new: str, limit: int = 600, max_hunks: int = 5) -> str:
    """Changed passages with a few words of context, ``[-removed-] {+added+}``, one hunk per line;
    changes closer than twice the context share a hunk.

    >>> print(word_diff("a b c d e f g h i j k l m n o p q r", "a x c d e f g h i j k y m n o p q r"))
    a [-b-] {+x+} c d e f …
    … h i j k [-l-] {+y+} m n o p …
    >>> print(word_diff("a b c d e f g h i j k", "a x c d e f g h y j k"))
    a [-b-] {+x+} c d e f g h [-i-] {+y+} j k
    """
    a, b = _tokens(old), _tokens(new)
    groups = list(_matcher(a, b).get_grouped_opcodes(_CONTEXT))
    hunks = [_hunk(a, b, group) for group in groups[:max_hunks]]
    if len(groups) > max_hunks:
        hunks.append(f"(+{len(groups) - max_hunks} thay đổi khác)")
    text = "\n".join(hunks)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _hunk(a: list[str], b: list[str], group: list[Opcode]) -> str:
    parts = [_part(a, b, op) for op in group]
    head = "…" if group[0][1] > 0 else ""
    tail = "…" if group[-1][2] < len(a) else ""
    return " ".join(p for p in (head, *parts, tail) if p)


def _part(a: list[str], b: list[str], op: Opcode) -> str:
    tag, i1, i2, j1, j2 = op
    if tag == "equal":
        return " ".join(a[i1:i2])
    removed = f"[-{' '.join(a[i1:i2])}-]" if i2 > i1 else ""
    added = f"{{+{' '.join(b[j1:j2])}+}}" if j2 > j1 else ""
    return " ".join(p for p in (removed, added) if p)


def overlap(old: str, new: str) -> float:
    """The share of `old`'s word 3-grams (comparison form) found in `new`: near 1 when `new` keeps the text
    (edited, or wrapped in other chrome), near 0 when it is another page.

    >>> overlap("Chính phủ ban hành Nghị quyết 71/NQ-CP về khoa học", "Tin mới. Chính phủ ban hành Nghị quyết 71/NQ-CP về khoa học.")
    1.0
    >>> overlap("Chính phủ ban hành Nghị quyết 71/NQ-CP về khoa học", "Trang không tồn tại")
    0.0
    """
    mine = shingles(token_list(comparison_form(old)))
    if not len(mine):
        return 1.0
    theirs = shingles(token_list(comparison_form(new)))
    return float(len(np.intersect1d(mine, theirs, assume_unique=True))) / len(mine)
