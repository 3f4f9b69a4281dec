"""Comparison form: idempotent, NFC/NFD-invariant, tone-style-invariant, Đ repaired."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govmon.crawler.extract.normalize import canonical_tones, clean_text, comparison_form

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
