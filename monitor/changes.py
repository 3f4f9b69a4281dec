"""What changed between two versions of an article: a short word-level diff for alerts and the CLI.

Versions are only stored when the comparison form changes, so every pair differs somewhere; `is_significant`
filters what is still not worth an alert (a single punctuation or spacing token).

>>> print(word_diff("Tổng vốn 1.200 tỷ đồng.", "Tổng vốn 1.250 tỷ đồng."))
… Tổng vốn [-1.200-] {+1.250+} tỷ đồng. …
"""
from __future__ import annotations

import difflib
import re

from crawler.extract.normalize import comparison_form

__all__ = ["word_diff", "changed_words", "is_significant"]

_TOKEN = re.compile(r"\S+")
_CONTEXT = 4


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _opcodes(old: list[str], new: list[str]) -> list[tuple[str, int, int, int, int]]:
    key_old = [comparison_form(t) for t in old]
    key_new = [comparison_form(t) for t in new]
    return difflib.SequenceMatcher(None, key_old, key_new, autojunk=False).get_opcodes()


def changed_words(old: str, new: str) -> int:
    """How many words were removed plus added (compared in comparison form)."""
    a, b = _tokens(old), _tokens(new)
    return sum((i2 - i1) + (j2 - j1) for tag, i1, i2, j1, j2 in _opcodes(a, b) if tag != "equal")


def is_significant(old: str, new: str) -> bool:
    """At least one word that carries letters or digits changed."""
    a, b = _tokens(old), _tokens(new)
    for tag, i1, i2, j1, j2 in _opcodes(a, b):
        if tag != "equal" and any(re.search(r"\w", t) for t in (*a[i1:i2], *b[j1:j2])):
            return True
    return False


def word_diff(old: str, new: str, limit: int = 600) -> str:
    """Changed passages with a few words of context, ``[-removed-] {+added+}``, one hunk per line."""
    a, b = _tokens(old), _tokens(new)
    hunks = [_hunk(a, b, op) for op in _opcodes(a, b) if op[0] != "equal"]
    text = "\n".join(hunks)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _hunk(a: list[str], b: list[str], op: tuple[str, int, int, int, int]) -> str:
    _, i1, i2, j1, j2 = op
    before = " ".join(a[max(0, i1 - _CONTEXT):i1])
    after = " ".join(a[i2:i2 + _CONTEXT])
    removed = f"[-{' '.join(a[i1:i2])}-]" if i2 > i1 else ""
    added = f"{{+{' '.join(b[j1:j2])}+}}" if j2 > j1 else ""
    middle = " ".join(p for p in (removed, added) if p)
    return " ".join(p for p in ("…", before, middle, after, "…") if p)
