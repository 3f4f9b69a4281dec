"""Cleaning scraped text before it reaches a header, a terminal or a chat API.

Titles come from government web pages; a title holding ``"\\r\\nBcc: x@y"``,
ANSI escapes or right-to-left overrides must not reach an e-mail header or a
terminal as such.
"""

from __future__ import annotations

import unicodedata

TITLE_LIMIT = 200

# Cc: C0/C1 controls (CR, LF, ESC, DEL, NEL); Cf: format chars (bidi overrides,
# zero-width); Cs: lone surrogates. Vietnamese diacritics are Mn/Ll, untouched.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})


def strip_controls(text: str) -> str:
    """Drop control and format characters, keeping everything printable.

    >>> strip_controls("Thông\\x1b[31m báo\\u202e")
    'Thông[31m báo'
    """
    return "".join(ch for ch in text if unicodedata.category(ch) not in _UNSAFE_CATEGORIES)


def clean_title(text: str, limit: int = TITLE_LIMIT) -> str:
    """One safe line: whitespace runs (CR, LF, tabs, U+2028) become one space,
    controls are dropped, and the result is cut to `limit` characters.

    >>> clean_title("Quyết định\\r\\nBcc: x@y")
    'Quyết định Bcc: x@y'
    >>> len(clean_title("a" * 500))
    200
    """
    line = strip_controls(" ".join(text.split())).strip()
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def clean_lines(text: str) -> list[str]:
    """Split `text` into lines (any line break), each stripped of controls.

    >>> clean_lines("a\\tb\\r\\nc\\x07\\u2028d")
    ['a b', 'c', 'd']
    """
    return [strip_controls(line.replace("\t", " ")).rstrip() for line in text.splitlines()]
