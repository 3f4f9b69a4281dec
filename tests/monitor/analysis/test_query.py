"""Understanding a search query: document numbers in every spelling people type, folded words as the index
folds them, and snippets cut where the words are."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govmon.monitor.analysis.query import DocQuery, query_words, snippet, understand
from govmon.storage.repository.search import index_words


@pytest.mark.parametrize("typed", ["13/2023/ND-CP", "13/2023/NĐ-CP", "13/2023/nđ-cp", "13 / 2023 / NĐ–CP",
                                   "Nghị định 13/2023/NĐ-CP", "nghi dinh so 13/2023/nd-cp"])
def test_a_full_sign_in_any_spelling_is_one_canonical_id(typed):
    (document,) = understand(typed).documents
    assert (document.canonical_id, document.type_key, document.number, document.year, document.code) == (
        "13/2023/NĐ-CP", "nghi dinh", "13", 2023, "NĐ-CP")


@pytest.mark.parametrize("typed,expected", [
    ("nghị định 13/2023", ("nghi dinh", "13", 2023)),
    ("Nghi Dinh 13/2023", ("nghi dinh", "13", 2023)),
    ("nd 13/2023", ("nghi dinh", "13", 2023)),
    ("NĐ 13", ("nghi dinh", "13", None)),
    ("nghi dinh 13", ("nghi dinh", "13", None)),
    ("nghị quyết số 57", ("nghi quyet", "57", None)),
    ("thong tu so: 200/2014", ("thong tu", "200", 2014)),
    ("decree 13/2023", ("nghi dinh", "13", 2023)),
])
def test_a_short_reference_needs_no_diacritics(typed, expected):
    (document,) = understand(typed).documents
    assert (document.type_key, document.number, document.year) == expected and document.canonical_id == ""


@pytest.mark.parametrize("typed", ["luat 2024", "nghi dinh du lieu ca nhan", "13/2023", "ngày 13/2023",
                                   "nghị định 13/2023/khác", "hd 5", "covid-19"])
def test_what_names_no_document_is_only_words(typed):
    query = understand(typed)
    assert query.documents == () and query.words


def test_signs_without_a_year_and_with_or_without_leading_zeros():
    (resolution,) = understand("71/NQ-CP").documents
    assert resolution.ids()[0] == "71/NQ-CP" and resolution.year is None and resolution.code == "NQ-CP"
    (short,) = understand("3/NQ-CP").documents
    assert "03/NQ-CP" in short.ids() and "3/NQ-CP" in short.ids()
    (padded,) = understand("03/NQ-CP").documents
    assert padded.ids()[:2] == ("03/NQ-CP", "3/NQ-CP")
    (party,) = understand("57-NQ/TW").documents
    assert party.ids()[:2] == ("57-NQ/TW", "057-NQ/TW")
    assert DocQuery("13", "nghi dinh").ids() == ()  # a short reference has no canonical id


def test_several_documents_in_one_query_keep_their_order_and_come_once():
    query = understand("Nghị quyết 71/NQ-CP sửa đổi nq 3 và 71/nq-cp")
    assert [(d.canonical_id or d.number) for d in query.documents] == ["71/NQ-CP", "3"]


def test_the_words_are_folded_as_the_index_folds_them():
    query = understand("Nghị định 13/2023/NĐ-CP về “Dữ liệu” cá nhân (03)")
    assert query.words == ("nghi", "dinh", "13", "2023", "nd", "cp", "ve", "du", "lieu", "ca", "nhan", "3")
    assert query.folded == "nghi dinh 13 2023 nd cp ve du lieu ca nhan 3"


@given(st.text(max_size=60))
def test_query_words_and_index_words_never_disagree(text):
    assert query_words(text) == index_words(text)


def test_a_snippet_is_cut_where_most_words_are():
    text = ("Hà Nội, ngày 5/4/2023. " + "Tin ngắn về thời tiết và giao thông trong ngày. " * 12
            + "Chính phủ ban hành Nghị định 13/2023/NĐ-CP quy định về bảo vệ dữ liệu cá nhân. "
            + "Phần kết thúc của bài. " * 12)
    cut = snippet(text, understand("nghi dinh du lieu ca nhan").words, width=120)
    assert "Nghị định 13/2023/NĐ-CP" in cut and "dữ liệu cá nhân" in cut
    assert cut.startswith("… ") and cut.endswith(" …") and len(cut) <= 124


def test_a_snippet_without_the_words_is_the_start_of_the_text():
    assert snippet("Thông báo   kết luận\ncủa Thủ tướng.", ["dat", "dai"]) == "Thông báo kết luận của Thủ tướng."
    assert snippet("Một hai ba bốn năm sáu", ["xyz"], width=10) == "Một hai ba …"
    assert snippet("", ["x"]) == ""


def test_a_snippet_matches_whole_words_numbers_with_their_zeros_and_any_normal_form():
    nfd = "Nghi\u0323 quye\u0302\u0301t 03/NQ-CP ve\u0302\u0300 đa\u0302\u0301t đai"
    assert snippet(nfd, ["3", "nq", "dat", "dai"]) == nfd
    assert snippet("Cac cachet cache", ["cache"], width=6) == "… cache"
