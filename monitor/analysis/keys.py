"""The folded forms text is matched in, the same in Python, SQLite and PostgreSQL: lower case without
diacritics, đ → d (`fold`), and for registry filters the words of a name or sign code between spaces
(`words_key`), so "NĐ" finds 13/2023/NĐ-CP but not QĐ-UBND, and "ủy ban" finds Ủy ban nhân dân."""
from __future__ import annotations

import re

from govmon.crawler.extract.normalize import unaccent

__all__ = ["fold", "words_key"]

_NOT_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower case without diacritics, đ → d: the form keywords and types are matched in.

    >>> fold("Nghị Quyết ĐẦU TƯ") == fold("nghi quyet dau tu")
    True
    """
    return " ".join(unaccent(text).casefold().split())


def words_key(text: str) -> str:
    """The folded words of `text` between single spaces, with a space at each end: a word-prefix filter is
    then a LIKE of " <words>" (see `storage.repository.find_documents`).

    >>> words_key("Chính phủ NĐ-CP"), words_key("nđ")
    (' chinh phu nd cp ', ' nd ')
    """
    return f" {_NOT_WORD.sub(' ', fold(text)).strip()} "
