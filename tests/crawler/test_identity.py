"""Document identity in the recogniser: one canonical id however the number is padded, and a type that never
contradicts the sign (DOCNUMBERS.md A.3 and Part B "type")."""
from __future__ import annotations

import pytest

from govmon.crawler.extract.docrefs import canonical_id, find_refs


def _typed(text: str) -> list[tuple[str, str | None]]:
    return [(ref.id, ref.type) for ref in find_refs(text)]


@pytest.mark.parametrize("written", ["3/NQ-CP", "03/NQ-CP", "003/NQ-CP", "Nghị quyết số 3/NQ-CP", "3/nq-cp"])
def test_a_number_with_or_without_leading_zeros_is_one_id(written):
    assert canonical_id(written) == "03/NQ-CP"


def test_padding_applies_to_every_shape_and_the_number_is_kept_as_printed():
    refs = find_refs("Nghị định 5/2020/NĐ-CP, Nghị quyết 9-NQ/TW, Quyết định 0012/QĐ-UBND và Kế hoạch 1556/KH-UBND")
    assert [r.id for r in refs] == ["05/2020/NĐ-CP", "09-NQ/TW", "12/QĐ-UBND", "1556/KH-UBND"]
    assert [r.number for r in refs] == ["5", "9", "0012", "1556"]


def test_slugs_are_padded_too():
    assert canonical_id("Nghi-quyet-3-NQ-CP-2025.aspx") == "03/NQ-CP"
    assert canonical_id("Nghi-dinh-8-2023-ND-CP-465185.aspx") == "08/2023/NĐ-CP"


def test_two_spellings_in_one_text_give_the_same_id():
    refs = find_refs("Nghị quyết 3/NQ-CP, tức Nghị quyết số 03/NQ-CP ngày 9/1/2025")
    assert {r.id for r in refs} == {"03/NQ-CP"} and len(refs) == 2


@pytest.mark.parametrize("text, expected", [
    ("Dự án Luật sửa đổi toàn diện Luật Khoa học và Công nghệ số 29/2013/QH13.", "luật"),
    ("theo quy định tại 29/2013/QH13", "luật"),  # no word at all: a QH sign is a law first
    ("Số: 29/2013/QH13", "luật"),
    ("Nghị quyết của Quốc hội về thí điểm một số cơ chế (số 98/2023/QH15)", "nghị quyết"),
    ("Bộ luật Lao động số 45/2019/QH14", "bộ luật"),
    ("văn bản số 1211/2016/UBTVQH13", "nghị quyết"),  # a generic word: the issuer decides
    ("Pháp lệnh này (02/2020/UBTVQH14) có hiệu lực", "pháp lệnh"),
    ("NGHỊ QUYẾT\n\nSố: 56/2017/QH14\n\nQUỐC HỘI", "nghị quyết"),
])
def test_a_sign_without_a_type_abbreviation_is_typed_within_what_its_issuer_issues(text, expected):
    ((_, kind),) = _typed(text)
    assert kind == expected


def test_words_beyond_another_number_do_not_type_a_qh_sign():
    assert _typed("Nghị quyết 57-NQ/TW và 20/2023/QH15") == [("57-NQ/TW", "nghị quyết"), ("20/2023/QH15", "luật")]


def test_a_law_title_is_the_nearest_capitalised_one_before_its_number():
    (ref,) = find_refs("Dự án Luật được xây dựng trên cơ sở sửa đổi toàn diện "
                       "Luật Khoa học và Công nghệ số 29/2013/QH13")
    assert ref.raw == "Luật Khoa học và Công nghệ số 29/2013/QH13" and ref.type == "luật"


def test_legacy_state_signs():
    assert _typed("LỆNH\n\nCỦA CHỦ TỊCH NƯỚC SỐ 36-L/CTN") == [("36-L/CTN", "lệnh")]
    assert _typed("theo 34/CP năm 1994") == [("34/CP", "nghị định")]


def test_the_word_in_the_text_still_wins_and_other_bare_signs_stay_official_letters():
    assert _typed("Công văn số 29/2013/QH13") == [("29/2013/QH13", "công văn")]
    assert _typed("Số: 3127/BTTTT-CĐSQG") == [("3127/BTTTT-CĐSQG", "công văn")]
    assert _typed("số 73/TTg-CN") == [("73/TTg-CN", "công văn")]
