"""What changed between two versions of an article, for people: the inline word diff alerts and the CLI
print (`analysis.changes.word_diff`), and the same comparison as a list of operations a page lays out side by
side or inline. Words are matched by their comparison form, as everywhere else (a tone-mark style or a
full-width digit is no change); the texts are kept raw, line breaks included.

An unchanged run longer than a phone screen wants is marked collapsible: its first and last `context` words
(the ones next to a change) stay visible, the rest can be folded away.

>>> [(o["op"], o["old"], o["new"]) for o in diff_ops("Tổng vốn 1.200 tỷ", "Tổng vốn 1.250 tỷ")]
[('equal', 'Tổng vốn ', 'Tổng vốn '), ('replace', '1.200 ', '1.250 '), ('equal', 'tỷ', 'tỷ')]
"""
from __future__ import annotations

from typing import Any

from govmon.monitor.analysis.changes import (
    Opcode,
    is_significant,
    word_diff,
    word_opcodes,
)
from govmon.monitor.present.records import version_record
from govmon.storage.models import Version

__all__ = ["diff_ops", "diff_record", "version_text", "CONTEXT", "DIFF_LIMIT"]

CONTEXT = 12  # words of an unchanged run shown next to a change when the run is folded
DIFF_LIMIT = 20000  # characters of the inline diff (`govmon diff` prints as much)


def version_text(version: Version) -> str:
    """What is compared: title, lead and text, one per line."""
    return f"{version.title}\n{version.lead}\n{version.text}"


def diff_ops(old: str, new: str, context: int = CONTEXT) -> list[dict[str, Any]]:
    """The operations that turn `old` into `new`: ``{"op": "equal"|"delete"|"insert"|"replace", "old":
    text, "new": text}``, in order; joined, the `old` texts give `old` back and the `new` texts `new` (leading
    whitespace aside). An `equal` op also has `head` and `tail` (the words to keep visible before and after
    a fold) and `hidden` (how many words a fold hides; 0: show it whole).

    >>> ops = diff_ops(" ".join(f"w{i}" for i in range(40)) + " cũ", " ".join(f"w{i}" for i in range(40)) + " mới", 3)
    >>> ops[0]["hidden"], ops[0]["head"], ops[0]["tail"], ops[1]["op"]
    (37, '', 'w37 w38 w39 ', 'replace')
    """
    a, b, opcodes = word_opcodes(old, new)
    last = len(opcodes) - 1
    return [_op(a, b, code, context if n > 0 else 0, context if n < last else 0, context)
            for n, code in enumerate(opcodes)]


def _op(a: list[str], b: list[str], code: Opcode, before: int, after: int, context: int) -> dict[str, Any]:
    """One operation; an equal run shows `before` words after the previous change and `after` words before
    the next, and folds what lies between when that is more than `context` words."""
    tag, i1, i2, j1, j2 = code
    op: dict[str, Any] = {"op": tag, "old": "".join(a[i1:i2]), "new": "".join(b[j1:j2])}
    if tag != "equal":
        return op
    hidden = (j2 - j1) - before - after
    if hidden <= context:
        return {**op, "head": "", "tail": "", "hidden": 0}
    return {**op, "head": "".join(b[j1:j1 + before]), "tail": "".join(b[j2 - after:j2]), "hidden": hidden}


def diff_record(url: str, number_a: int, version_a: Version, number_b: int, version_b: Version) -> dict[str, Any]:
    """Two versions of the article at `url` compared: `from` and `to` (version records), `diff` (the inline
    text, ``[-removed-] {+added+}`` hunks, as alerts carry it), `significant` (a word with letters or digits
    changed) and `ops` (`diff_ops`, for side-by-side and inline views)."""
    old, new = version_text(version_a), version_text(version_b)
    return {"url": url, "from": version_record(number_a, version_a), "to": version_record(number_b, version_b),
            "diff": word_diff(old, new, limit=DIFF_LIMIT), "significant": is_significant(old, new),
            "ops": diff_ops(old, new)}
