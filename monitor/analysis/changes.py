"""What changed between two versions of an article: a short word-level diff for alerts and the CLI.

Versions are only stored when the comparison form changes, so every pair differs somewhere; `is_significant`
filters what is still not worth an alert (a single punctuation or spacing token).

>>> print(word_diff("Tổng vốn 1.200 tỷ đồng.", "Tổng vốn 1.250 tỷ đồng."))
Tổng vốn [-1.200-] {+1.250+} tỷ đồng.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

import numpy as np
from rapidfuzz.distance import Indel

from govmon.crawler.extract.normalize import comparison_form
from govmon.monitor.analysis.dedupe import shingles, token_list

__all__ = ["word_diff", "word_opcodes", "is_significant", "overlap", "Opcode"]

Opcode = tuple[str, int, int, int, int]  # difflib's (tag, i1, i2, j1, j2)

_TOKEN = re.compile(r"\S+")
_SPAN = re.compile(r"\S+\s*")
_CONTEXT = 4


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def _keys(old: list[str], new: list[str]) -> tuple[list[int], list[int]]:
    """Each word as the number of its comparison form (one `comparison_form` call per distinct word)."""
    ids: dict[str, int] = {}
    forms = {word: ids.setdefault(comparison_form(word), len(ids)) for word in {*old, *new}}
    return [forms[w] for w in old], [forms[w] for w in new]


def _opcodes(old: list[str], new: list[str]) -> list[Opcode]:
    """The fewest words deleted and inserted (rapidfuzz's Indel distance: the longest common subsequence of
    the words' comparison forms), a deletion next to an insertion merged into one replacement, as difflib
    tags them. (difflib's SequenceMatcher, used before, matched about 90 times slower and changed 2% more
    words on bench/diffs.py's pairs of versions.)"""
    merged: list[Opcode] = []
    for tag, i1, i2, j1, j2 in Indel.opcodes(*_keys(old, new)):
        if tag != "equal" and merged and merged[-1][0] != "equal":
            _, i1, _, j1, _ = merged.pop()
        merged.append((_tag(tag, i1, i2, j1, j2), i1, i2, j1, j2))
    return merged


def _tag(tag: str, i1: int, i2: int, j1: int, j2: int) -> str:
    if tag == "equal":
        return tag
    return "replace" if i2 > i1 and j2 > j1 else "delete" if i2 > i1 else "insert"


def _grouped(codes: list[Opcode], n: int) -> Iterator[list[Opcode]]:
    """The changes with up to `n` words of context each side, changes closer than 2n sharing a group
    (difflib's get_grouped_opcodes, over any opcodes)."""
    group: list[Opcode] = []
    for tag, i1, i2, j1, j2 in _trimmed(codes, n):
        if tag == "equal" and i2 - i1 > 2 * n:
            group.append((tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n)))
            yield group
            group, i1, j1 = [], max(i1, i2 - n), max(j1, j2 - n)
        group.append((tag, i1, i2, j1, j2))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        yield group


def _trimmed(codes: list[Opcode], n: int) -> list[Opcode]:
    """The opcodes with a leading and a trailing unchanged run cut to their `n` words next to a change."""
    codes = list(codes) or [("equal", 0, 1, 0, 1)]
    if codes[0][0] == "equal":
        tag, i1, i2, j1, j2 = codes[0]
        codes[0] = tag, max(i1, i2 - n), i2, max(j1, j2 - n), j2
    if codes[-1][0] == "equal":
        tag, i1, i2, j1, j2 = codes[-1]
        codes[-1] = tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n)
    return codes


def word_opcodes(old: str, new: str) -> tuple[list[str], list[str], list[Opcode]]:
    """The words of both texts, each with the whitespace that follows it (so that joined they give the text
    back, line breaks included, bar leading whitespace), and the opcodes between them (difflib's form), words
    matched by their comparison form as `word_diff` matches them.

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
    groups = list(_grouped(_opcodes(a, b), _CONTEXT))
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
