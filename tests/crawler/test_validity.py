"""Effective and expiry dates as texts state them (crawler.extract.validity), one wording family per test, each
from sentences written for these tests: the day, whom it is said of, and what is not a statement at all."""
from __future__ import annotations

import pytest

from govmon.crawler.extract.validity import SIGNING, THIS, find_validity


def said(text: str) -> list[tuple[str, str | None, str | None, str]]:
    return [(v.kind, v.doc_id, v.on, v.upon) for v in find_validity(text)]


@pytest.mark.parametrize("text", [
    "Thông tư số 08/2024/TT-BTC có hiệu lực từ ngày 15/3/2024.",
    "Thông tư số 08/2024/TT-BTC có hiệu lực thi hành từ ngày 15/03/2024.",
    "Thông tư số 08/2024/TT-BTC có hiệu lực thi hành kể từ ngày 15 tháng 3 năm 2024.",
    "Thông tư số 08/2024/TT-BTC chính thức có hiệu lực từ 15/3/2024.",
    "THÔNG TƯ SỐ 08/2024/TT-BTC CÓ HIỆU LỰC TỪ NGÀY 15/3/2024.",
    "Circular 08/2024/TT-BTC takes effect on March 15, 2024.",
    "Circular No. 08/2024/TT-BTC comes into force from 15 March 2024.",
    "Circular 08/2024/TT-BTC shall take effect as of 15/3/2024.",
    "Circular 08/2024/TT-BTC will be effective from 15 March 2024.",
])
def test_an_effective_day_in_vietnamese_or_english(text):
    assert said(text) == [("effective", "08/2024/TT-BTC", "2024-03-15", "")]


@pytest.mark.parametrize("text", [
    "Quyết định số 1120/QĐ-TTg hết hiệu lực từ ngày 31/12/2025.",
    "Quyết định số 1120/QĐ-TTg hết hiệu lực thi hành kể từ ngày 31 tháng 12 năm 2025.",
    "Quyết định số 1120/QĐ-TTg chấm dứt hiệu lực vào ngày 31/12/2025.",
    "Decision 1120/QĐ-TTg ceases to be effective on December 31, 2025.",
    "Decision 1120/QĐ-TTg expires on 31 December 2025.",
    "Decision 1120/QĐ-TTg is no longer in force from 31/12/2025.",
])
def test_an_expiry_day(text):
    assert said(text) == [("expires", "1120/QĐ-TTg", "2025-12-31", "")]


def test_the_day_may_open_the_sentence():
    assert said("Kể từ ngày 01/7/2026, Nghị định số 45/2019/NĐ-CP hết hiệu lực.") == [
        ("expires", "45/2019/NĐ-CP", "2026-07-01", "")]
    assert said("From 1 July 2026, Decree 45/2019/ND-CP ceases to have effect.") == [
        ("expires", "45/2019/NĐ-CP", "2026-07-01", "")]


def test_the_day_of_signing_and_the_day_another_document_takes_effect():
    assert said("Quyết định số 77/QĐ-BTC có hiệu lực kể từ ngày ký.") == [("effective", "77/QĐ-BTC", None, SIGNING)]
    assert said("Decision 77/QĐ-BTC takes effect from the date of signing.") == [
        ("effective", "77/QĐ-BTC", None, SIGNING)]
    assert said("Nghị định số 45/2019/NĐ-CP hết hiệu lực kể từ ngày Nghị định số 12/2026/NĐ-CP có hiệu lực thi hành.") == [
        ("expires", "45/2019/NĐ-CP", None, "12/2026/NĐ-CP")]
    assert said("Thông tư số 13/2020/TT-BYT hết hiệu lực kể từ ngày Thông tư này có hiệu lực.") == [
        ("expires", "13/2020/TT-BYT", None, THIS)]


def test_the_subject_of_the_sentence_not_the_document_it_replaces_or_rests_on():
    assert said("Nghị định số 12/2026/NĐ-CP thay thế Nghị định số 45/2019/NĐ-CP, có hiệu lực từ ngày 1/3/2026.") == [
        ("effective", "12/2026/NĐ-CP", "2026-03-01", "")]
    assert said("Decree 12/2026/ND-CP, issued under Law 20/2023/QH15, takes effect on 1 March 2026.") == [
        ("effective", "12/2026/NĐ-CP", "2026-03-01", "")]
    assert said("Luật số 20/2023/QH15 do Quốc hội thông qua ngày 22/6/2023 có hiệu lực từ ngày 01/7/2024.") == [
        ("effective", "20/2023/QH15", "2024-07-01", "")]


def test_this_one_is_left_to_the_caller_with_the_type_it_names():
    found = find_validity("Nghị định này có hiệu lực thi hành từ ngày 20/5/2026.")
    assert [(v.doc_id, v.this, v.type_word, v.on) for v in found] == [(None, True, "nghị định", "2026-05-20")]
    found = find_validity("The Law takes effect on 1 January 2027.")
    assert [(v.doc_id, v.this, v.type_word, v.on) for v in found] == [(None, False, "luật", "2027-01-01")]
    found = find_validity("Căn cứ Luật số 20/2023/QH15, Quy định này có hiệu lực từ ngày 2/2/2026.")
    assert [(v.doc_id, v.this, v.type_word) for v in found] == [(None, True, "")]


def test_each_statement_keeps_its_sentence():
    text = "Hội nghị diễn ra sáng nay. Nghị định số 12/2026/NĐ-CP có hiệu lực từ ngày 1/3/2026. Đại biểu thảo luận."
    assert [v.evidence for v in find_validity(text)] == ["Nghị định số 12/2026/NĐ-CP có hiệu lực từ ngày 1/3/2026."]


def test_two_statements_in_one_text():
    text = ("Nghị định số 12/2026/NĐ-CP có hiệu lực từ ngày 1/3/2026.\n"
            "Nghị định số 45/2019/NĐ-CP hết hiệu lực kể từ ngày Nghị định này có hiệu lực.")
    assert said(text) == [("effective", "12/2026/NĐ-CP", "2026-03-01", ""), ("expires", "45/2019/NĐ-CP", None, THIS)]


@pytest.mark.parametrize("text", [
    "Dự thảo Nghị định dự kiến có hiệu lực từ ngày 1/1/2027.",  # intended
    "Nghị định số 12/2026/NĐ-CP dự kiến có hiệu lực từ ngày 1/3/2026.",
    "The draft decree is expected to take effect on 1 January 2027.",
    "Các chính sách mới có hiệu lực từ tháng 3/2026.",  # a month, not a day
    "Sự đồng ý chỉ có hiệu lực khi chủ thể dữ liệu biết rõ mục đích xử lý.",  # no day
    "Nghị định số 12/2026/NĐ-CP chưa có hiệu lực từ ngày 1/3/2026 như đề xuất.",  # negated
    "Hội nghị khai mạc ngày 1/3/2026 tại Hà Nội.",  # a day, no validity
    "Giấy phép có hiệu lực từ ngày 1/3/2026.",  # nobody named
])
def test_what_is_not_a_statement(text):
    assert said(text) == []


def test_no_abbreviation_splits_a_sentence():
    assert said("Under Decree No. 12/2026/ND-CP, Decision No. 15/2026/QĐ-TTg takes effect on 2 February 2026.") == [
        ("effective", "15/2026/QĐ-TTg", "2026-02-02", "")]
