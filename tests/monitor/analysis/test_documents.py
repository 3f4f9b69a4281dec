"""Document identity in the analysis: the province a local sign belongs to, and the registry key it gets."""
from __future__ import annotations

import pytest

from govmon.crawler.extract.types import DocRef
from govmon.monitor.analysis.documents import (
    PROVINCES,
    identify,
    is_local,
    loose_keys,
    province_slug,
    qualifiers,
    registry_key,
)
from govmon.storage.repository.documents import _qualified


def _plan(date: str | None = "2025-05-12", number: str = "1556", code: str = "KH-UBND") -> DocRef:
    return DocRef(f"{number}/{code}", "kế hoạch", number, None, code, f"{number}/{code}", date)


@pytest.mark.parametrize("text, expected", [
    ("UBND tỉnh Lai Châu ban hành Kế hoạch số 1556/KH-UBND về chuyển đổi số.", "Lai Châu"),
    ("Kế hoạch số 1556/KH-UBND ngày 12/5/2025 của Ủy ban nhân dân tỉnh Lai Châu.", "Lai Châu"),
    ("Thực hiện Quyết định 1556/QĐ-UBND do Chủ tịch UBND TP. Hồ Chí Minh ký, các sở họp.", "Hồ Chí Minh"),
    ("HĐND tỉnh Bà Rịa - Vũng Tàu thông qua Nghị quyết số 1556/2024/NQ-HĐND.", "Bà Rịa – Vũng Tàu"),
    ("Tỉnh uỷ Thanh Hoá ban hành Kế hoạch số 1556-KH/TU.", "Thanh Hóa"),
    ("ỦY BAN NHÂN DÂN\nTỈNH GIA LAI\n-------\nSố: 1556/KH-UBND\n\nKẾ HOẠCH\nTriển khai chuyển đổi số", "Gia Lai"),
])
def test_the_text_states_the_province_of_a_local_sign(text, expected):
    found = identify("", "", text)
    assert list(found.provinces.values()) == [expected]


def test_the_issuer_named_with_a_sign_outranks_the_header_and_each_sign_gets_its_own():
    found = identify("UBND tỉnh Gia Lai triển khai chuyển đổi số", "",
                     "Căn cứ Kế hoạch số 12/KH-UBND của UBND tỉnh Lai Châu; UBND tỉnh ban hành Kế hoạch số 30/KH-UBND. "
                     "Sở Tài chính tham mưu theo Nghị quyết số 03/NQ-CP.")
    assert found.provinces == {"12/KH-UBND": "Lai Châu", "30/KH-UBND": "Gia Lai"}


@pytest.mark.parametrize("text", [
    "Ngày 28/3/2025, UBND tỉnh ban hành Kế hoạch số 1056/KH-UBND trên địa bàn tỉnh Gia Lai.",  # not its issuer
    "Tỉnh Lai Châu đã có nhiều cố gắng. " + "Chi tiết. " * 60 + "Quyết định 12/QĐ-UBND được ký.",  # past the header
    "UBND tỉnh Lai Châu họp. Sở Nội vụ tham mưu Nghị quyết số 03/NQ-CP của Chính phủ.",  # not a local sign
])
def test_no_province_where_the_text_states_none_for_the_sign(text):
    assert identify("", "", text).provinces == {}


def test_local_signs():
    assert [is_local(code) for code in ("QĐ-UBND", "NQ-HĐND", "KH/TU", "UBND-KT", "NQ-CP", "QĐ-TTg", "TT-BTC")] == [
        True, True, True, True, False, False, False]


def test_registry_keys_carry_year_then_province_and_a_local_sign_needs_its_province():
    assert registry_key(_plan(), [], "Gia Lai") == ("1556/KH-UBND@2025@gia-lai", True)
    assert registry_key(_plan(None), [], "Gia Lai") == ("1556/KH-UBND@gia-lai", False)
    known = [("1556/KH-UBND@2025@gia-lai", True)]
    assert registry_key(_plan(None), known, "Gia Lai") == ("1556/KH-UBND@2025@gia-lai", True)
    assert registry_key(_plan(None), known, "Lai Châu") == ("1556/KH-UBND@lai-chau", False)
    assert registry_key(_plan(None), known) == ("1556/KH-UBND", False)
    yeared = DocRef("12/2024/NQ-HĐND", "nghị quyết", "12", 2024, "NQ-HĐND", "12/2024/NQ-HĐND")
    assert registry_key(yeared, [], "Hà Nội") == ("12/2024/NQ-HĐND@ha-noi", True)
    assert registry_key(yeared, []) == ("12/2024/NQ-HĐND", False)
    central = DocRef("71/NQ-CP", "nghị quyết", "71", None, "NQ-CP", "71/NQ-CP", "2025-04-01")
    assert registry_key(central, [], "Gia Lai") == ("71/NQ-CP@2025", True)


def test_loose_keys_are_what_knew_less_of_the_same_document():
    assert loose_keys(_plan(), "Gia Lai") == ["1556/KH-UBND@gia-lai", "1556/KH-UBND@2025", "1556/KH-UBND"]
    assert loose_keys(_plan(None), "Gia Lai") == ["1556/KH-UBND"]
    assert loose_keys(_plan(None)) == []
    assert qualifiers("1556/KH-UBND@2025@gia-lai") == (2025, "gia-lai")


def test_the_repository_reads_a_province_as_the_keys_write_it():
    for name in PROVINCES:
        assert _qualified(f"1556/KH-UBND {name}") == ("1556/KH-UBND", {province_slug(name)})
        assert _qualified(f"1556/KH-UBND tỉnh {name}") == ("1556/KH-UBND", {province_slug(name)})
    assert len({province_slug(name) for name in PROVINCES}) == len(PROVINCES)
