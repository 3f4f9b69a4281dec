"""Vietnamese text normalisation: the comparison form used for hashing, matching and dedup.

Raw text is kept for display; everything that is hashed or compared goes through `comparison_form`.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["nfc", "clean_text", "canonical_tones", "comparison_form", "unaccent", "INVISIBLES", "DASHES"]

_LOOKALIKES = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111", "\u2215": "/", "\uff0f": "/"})
# The one table of each, shared with the document-number folding (docrefs_tables):
INVISIBLES = "\u00ad\u200b\u200c\u200d\u2060\ufeff"  # soft hyphen, zero-width space/joiners, word joiner, BOM
DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"  # hyphens, en/em dashes, minus, small/full-width
_INVISIBLE = re.compile(f"[{INVISIBLES}]")
_HAS_LOOKALIKE = re.compile("[\u00d0\u00f0\u2215\uff0f]")
_HAS_QUOTE = re.compile("[\u2018\u2019\u201c\u201d\u00ab\u00bb]")
_DASHES = re.compile(f"[{DASHES}]")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00ab": '"', "\u00bb": '"'})
_SPACES = re.compile(r"[^\S\n]+")
# Compatibility forms of digits and punctuation (full-width １.２５０, ellipsis …, super/subscripts, ①):
# their NFKC form, which is plain ASCII or a character NFKC keeps. Letters (and tones) are left alone, and
# spaces are folded by the final split anyway. The blocks where such forms live:
_COMPAT_BLOCKS = ((0x00A0, 0x00BF), (0x2000, 0x209F), (0x2150, 0x218F), (0x2460, 0x24FF), (0x3000, 0x303F),
                  (0xFE10, 0xFE6F), (0xFF00, 0xFFEF), (0x1D7CE, 0x1D7FF))


def _folds(char: str) -> str | None:
    """The NFKC form of a digit, punctuation or math/currency sign that has one without combining marks."""
    kind, folded = unicodedata.category(char), unicodedata.normalize("NFKC", char)
    wanted = kind in ("Nd", "No", "Sm", "Sc") or kind.startswith("P")
    if not wanted or folded == char or any(unicodedata.combining(c) for c in folded):
        return None
    return folded


def _compat_table() -> dict[int, str]:
    codes = (code for low, high in _COMPAT_BLOCKS for code in range(low, high + 1))
    return {code: folded for code in codes if (folded := _folds(chr(code))) is not None}


_COMPAT = _compat_table()
_HAS_COMPAT = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_COMPAT)) + "]")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def nfc(text: str) -> str:
    """Unicode NFC with the Vietnamese look-alikes (Ð U+00D0 → Đ U+0110) repaired."""
    text = unicodedata.normalize("NFC", text)
    return text.translate(_LOOKALIKES) if _HAS_LOOKALIKE.search(text) else text  # translate is slow: only if needed


def clean_text(text: str) -> str:
    """Display-safe cleanup: NFC, invisible characters removed, spaces collapsed, paragraphs kept."""
    text = _INVISIBLE.sub("", nfc(text)).replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_VOWELS = set("aeiouyăâêôơư")
_PRIORITY = "ơêôâăư"  # a vowel carrying a modifier takes the tone (ơ before ư in "ươ")
_WORD = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f])+")


def _place(base: str, tone: str) -> str:
    """Put `tone` on the vowel of the toneless NFC syllable `base` by one fixed rule (new style)."""
    low = base.lower()
    start = 2 if low[:2] in ("qu", "gi") and len(low) > 2 and low[2] in _VOWELS else 0
    idx = [i for i in range(start, len(low)) if low[i] in _VOWELS]
    if not idx:
        return base + tone
    cluster = idx[: next((k for k in range(1, len(idx)) if idx[k] != idx[k - 1] + 1), len(idx))]
    marked = [i for c in _PRIORITY for i in cluster if low[i] == c]
    if marked:
        pos = marked[0]
    elif len(cluster) == 1:
        pos = cluster[0]
    elif cluster[-1] + 1 < len(low) or len(cluster) == 3:
        pos = cluster[-1] if len(cluster) == 2 else cluster[1]
    else:
        pair = low[cluster[0]] + low[cluster[1]]
        pos = cluster[1] if pair in ("oa", "oe", "uy") else cluster[0]
    return unicodedata.normalize("NFC", base[: pos + 1] + tone + base[pos + 1 :])


@lru_cache(maxsize=1 << 16)
def _retone_word(original: str) -> str:
    """One syllable in the canonical tone placement (cached: Vietnamese has a few thousand syllables)."""
    word = unicodedata.normalize("NFD", original)
    tones = [ch for ch in word if ch in _TONES]
    if len(tones) != 1:
        return original
    base = unicodedata.normalize("NFC", "".join(ch for ch in word if ch not in _TONES))
    return _place(base, tones[0])


def _retone(match: re.Match[str]) -> str:
    return _retone_word(match.group(0))


def canonical_tones(text: str) -> str:
    """One tone-mark placement convention: `hòa`/`hoà`, `thủy`/`thuỷ`, `úy`/`uý` all become the same."""
    return _WORD.sub(_retone, nfc(text))


def comparison_form(text: str) -> str:
    """The form hashed and compared: NFC, one tone convention, Đ repaired, invisibles dropped, full-width
    and other compatibility digits and punctuation as NFKC has them, dashes/quotes/spaces folded, case
    folded. Idempotent.

    >>> comparison_form("Tổng: １.２５０ tỷ đồng…") == comparison_form("Tổng: 1.250 tỷ đồng...")
    True
    """
    text = _INVISIBLE.sub("", nfc(text))
    text = text.translate(_COMPAT) if _HAS_COMPAT.search(text) else text
    text = _DASHES.sub("-", text)
    text = text.translate(_QUOTES) if _HAS_QUOTE.search(text) else text
    text = canonical_tones(unicodedata.normalize("NFC", text.casefold()))
    return " ".join(text.split())


def unaccent(text: str) -> str:
    """Letters without diacritics, đ → d: how text reads after PDF glyph loss or typed without accents.

    >>> unaccent("Sửa đổi, bổ sung Điều 3")
    'Sua doi, bo sung Dieu 3'
    """
    stripped = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return stripped.replace("đ", "d").replace("Đ", "D")
