"""Comparison form: idempotent, NFC/NFD-invariant, tone-style-invariant, Đ repaired, full-width and other
compatibility digits and punctuation folded; the URL key walks use for what the store has."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govmon.crawler.extract.fingerprint import canonical_url, content_hash, url_key
from govmon.crawler.extract.normalize import (
    canonical_tones,
    clean_text,
    comparison_form,
)

OLD_NEW = [("hòa", "hoà"), ("thủy", "thuỷ"), ("úy", "uý"), ("Hóa", "Hoá"), ("khỏe", "khoẻ"), ("Thủy lợi", "Thuỷ lợi")]
VI_TEXT = st.text(alphabet=st.sampled_from(list("aăâeêioôơuưyđ hgnqtkcmlAĐOƯ\u0300\u0301\u0303\u0309\u0323-–/0123456789")))


@pytest.mark.parametrize(("old", "new"), OLD_NEW)
def test_tone_styles_compare_equal(old: str, new: str) -> None:
    assert comparison_form(old) == comparison_form(new)


def test_distinct_words_stay_distinct() -> None:
    assert comparison_form("hòa") != comparison_form("hóa")
    assert comparison_form("13/2023/NĐ-CP") != comparison_form("12/2023/NĐ-CP")


def test_eth_lookalike_and_dashes_fold() -> None:
    assert comparison_form("NÐ–CP") == comparison_form("NĐ-CP") == "nđ-cp"


def test_clean_text_keeps_paragraphs_and_drops_invisibles() -> None:
    raw = "Nghị\u00ad quyết  số\u200b 03\r\n\r\n\r\nđoạn   hai "
    assert clean_text(raw) == "Nghị quyết số 03\n\nđoạn hai"


def test_canonical_tones_keeps_case() -> None:
    assert canonical_tones("Hoá") == canonical_tones("Hóa") and canonical_tones("Hóa")[0] == "H"


@given(VI_TEXT)
def test_comparison_form_is_idempotent(text: str) -> None:
    once = comparison_form(text)
    assert comparison_form(once) == once


@given(VI_TEXT)
def test_comparison_form_is_nfc_nfd_invariant(text: str) -> None:
    nfd = unicodedata.normalize("NFD", text)
    assert comparison_form(nfd) == comparison_form(unicodedata.normalize("NFC", text))


# --- compatibility forms of digits and punctuation (RELIABILITY.md D5): full-width １.２５０ is 1.250 --------

FULL_WIDTH = str.maketrans({c: chr(ord(c) + 0xFEE0) for c in "0123456789.,:;/()%+=!?"})
COMPAT = "０１２３４５６７８９．，：；／（）％＋！？…‥²³¹①⑩⁽⁾₂"
COMPAT_TEXT = st.text(alphabet=st.sampled_from([*"aăâeêioôơuưyđ hgnqtkAĐ\u0300\u0301\u0303\u0309\u0323-–/0123456789.,", *COMPAT]))
ASCII_FIGURES = st.text(alphabet=st.sampled_from(list("0123456789.,:;/()%+=!? nghịquyếtđồng")), min_size=1)


def test_full_width_figures_do_not_make_a_new_version() -> None:
    assert comparison_form("Tổng vốn １.２５０ tỷ đồng（２０２５）") == comparison_form("Tổng vốn 1.250 tỷ đồng(2025)")
    assert content_hash("Nghị quyết", "Tổng vốn １.２５０ tỷ đồng") == content_hash("Nghị quyết", "Tổng vốn 1.250 tỷ đồng")
    assert comparison_form("Xem thêm…") == comparison_form("Xem thêm...") and comparison_form("m²") == "m2"


def test_compatibility_folding_leaves_letters_and_tones_alone() -> None:
    assert comparison_form("Ｈòa") != comparison_form("Hòa")  # full-width letters are not digits or punctuation
    assert comparison_form("13/2023/NĐ-CP") != comparison_form("１２/2023/NĐ-CP")


@settings(derandomize=True, max_examples=300, deadline=None)
@given(ASCII_FIGURES)
def test_full_width_digits_and_punctuation_compare_equal_to_ascii(text: str) -> None:
    assert comparison_form(text.translate(FULL_WIDTH)) == comparison_form(text)


@settings(derandomize=True, max_examples=300, deadline=None)
@given(COMPAT_TEXT)
def test_comparison_form_with_compatibility_forms_is_idempotent_and_nfc_nfd_invariant(text: str) -> None:
    once = comparison_form(text)
    assert comparison_form(once) == once
    assert comparison_form(unicodedata.normalize("NFD", text)) == comparison_form(unicodedata.normalize("NFC", text))


def test_url_key_is_sixteen_hex_digits_of_the_canonical_url() -> None:
    key = url_key("https://baochinhphu.vn/a-102.htm?utm_source=zalo&b=2&a=1")
    assert key == url_key("HTTPS://BAOCHINHPHU.VN/a-102.htm?a=1&b=2#top") and len(key) == 16 and int(key, 16) >= 0
    assert key != url_key("https://baochinhphu.vn/a-103.htm?a=1&b=2")


@settings(derandomize=True, max_examples=200, deadline=None)
@given(st.from_regex(r"https?://[a-z]{1,8}\.vn/[a-z0-9\-/]{0,20}(\?[a-z]{1,4}=[a-z0-9]{0,4}(&[a-z]{1,4}=[0-9]{0,3}){0,2})?",
                     fullmatch=True))
def test_url_key_is_stable_under_canonicalisation(url: str) -> None:
    assert url_key(canonical_url(url)) == url_key(url)
