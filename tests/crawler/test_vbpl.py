"""vbpl.vn's pages read (crawler.extract.vbpl): the real Thuộc tính, Lược đồ and VB liên quan tabs of September 2023
(shared/corpus/vbpl.vn, read at run time, skipped when absent), pages written for the tests in their image
(data/vbpl), and pages that are not what they are read as, which fail loudly."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SHARED

from govmon.crawler.extract.vbpl import (
    NotVbplPage,
    link_kind,
    parse_diagram,
    parse_properties,
    parse_related,
    parse_search,
    state_of,
)

DATA = Path(__file__).with_name("data") / "vbpl"
CORPUS = SHARED / "corpus" / "vbpl.vn"
REAL = {"thuoctinh": "minh0511_vbpl_thuoctinh_itemid96172_boluat-totunghinhsu-101-2015-qh13_2023-09.html",
        "luocdo": "minh0511_vbpl_luocdo_itemid32801_hienphap-2013_2023-09.html",
        "vanbanlienquan": "minh0511_vbpl_vanbanlienquan_itemid32801_hienphap-2013_2023-09.html",
        "toanvan": "minh0511_vbpl_toanvan_itemid32801_hienphap-2013_2023-09.html"}


def real(tab: str) -> str:
    path = CORPUS / REAL[tab]
    if not path.is_file():
        pytest.skip(f"real page {path.name} not available (shared/ is absent)")
    return path.read_text(encoding="utf-8")


def page(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def test_the_real_properties_tab_of_the_criminal_procedure_code():
    props = parse_properties(real("thuoctinh"), "https://vbpl.vn/TW/Pages/vbpq-thuoctinh.aspx?dvid=13&ItemID=96172&Keyword=")
    assert (props.item_id, props.sign, props.doc_id, props.doc_type) == ("96172", "101/2015/QH13", "101/2015/QH13", "Bộ luật")
    assert (props.issued_on, props.effective_on, props.expires_on) == ("2015-11-27", "2018-01-01", None)
    assert (props.issuer, props.signer_title, props.signer) == ("Quốc hội", "Chủ tịch Quốc hội", "Nguyễn Sinh Hùng")
    assert (props.status, props.state, props.title) == ("Còn hiệu lực", "in_force", "Tố tụng hình sự")
    assert props.facts["Nguồn thu thập"] == "Công báo số 1271 đến 1276, năm 2015"


def test_the_real_diagram_of_the_constitution():
    links = parse_diagram(real("luocdo"), "https://vbpl.vn/TW/Pages/vbpq-luocdo.aspx?ItemID=32801")
    groups = {}
    for link in links:
        groups.setdefault(link.group, []).append(link)
    assert {g: len(v) for g, v in groups.items()} == {"Văn bản HD, QĐ chi tiết": 88, "Văn bản dẫn chiếu": 4,
                                                       "Văn bản liên quan khác": 2}
    first = groups["Văn bản HD, QĐ chi tiết"][0]
    assert (first.rel, first.direction, first.doc_id, first.item_id) == ("guides", "in", "42/2017/QH14", "123002")
    assert first.url == "https://vbpl.vn/TW/Pages/vbpq-luocdo.aspx?ItemID=123002"
    assert {link.doc_id for link in groups["Văn bản dẫn chiếu"]} == {None}  # "Hiến pháp Không số": no number
    assert all(link.rel == "" for link in groups["Văn bản liên quan khác"])


def test_the_real_related_tab_of_the_constitution_with_dates():
    links = parse_related(real("vanbanlienquan"), "https://vbpl.vn/TW/Pages/vbpq-vanbanlienquan.aspx?dvid=13&ItemID=32801")
    assert [(link.item_id, link.issued_on, link.effective_on) for link in links] == [
        ("11234", "1992-04-15", "1992-04-15"), ("1534", "1980-12-18", "1980-12-19"),
        ("889", "1959-12-31", "1960-01-01"), ("535", "1946-11-09", "1946-11-09")]
    assert {link.group for link in links} == {"Văn bản dẫn chiếu"}


@pytest.mark.parametrize(("reader", "tab"), [(parse_properties, "luocdo"), (parse_properties, "toanvan"),
                                             (parse_diagram, "thuoctinh"), (parse_diagram, "vanbanlienquan"),
                                             (parse_related, "toanvan"), (parse_related, "thuoctinh"),
                                             (parse_search, "thuoctinh")])
def test_a_real_page_read_as_another_tab_fails_loudly(reader, tab):
    with pytest.raises(NotVbplPage):
        reader(real(tab), "https://vbpl.vn/TW/Pages/x.aspx?ItemID=1")


@pytest.mark.parametrize("reader", [parse_properties, parse_diagram, parse_related, parse_search])
def test_an_error_page_or_an_article_is_not_a_vbpl_page(reader):
    for text in ("<html><body><h1>Sorry, something went wrong</h1><p>An unexpected error has occurred.</p></body></html>",
                 "<html><body><div class='detail-content'><p>Nghị định số 23/2025/NĐ-CP có hiệu lực.</p></div></body></html>"):
        with pytest.raises(NotVbplPage):
            reader(text, "https://vbpl.vn/TW/Pages/vbpq-thuoctinh.aspx?ItemID=1")


def test_a_document_no_longer_in_force_with_its_expiry_day():
    props = parse_properties(page("thuoctinh_130-2018.html"), "https://vbpl.vn/TW/Pages/vbpq-thuoctinh.aspx?ItemID=131300")
    assert (props.doc_id, props.state, props.status) == ("130/2018/NĐ-CP", "expired", "Hết hiệu lực toàn bộ")
    assert (props.effective_on, props.expires_on, props.signer) == ("2018-11-15", "2025-04-10", "Nguyễn Xuân Phúc")


def test_the_diagram_says_who_acts_on_whom():
    links = parse_diagram(page("luocdo_130-2018.html"), "https://vbpl.vn/TW/Pages/vbpq-luocdo.aspx?ItemID=131300")
    assert {(link.doc_id, link.rel, link.direction) for link in links} == {
        ("23/2025/NĐ-CP", "ends", "in"), ("51/2005/QH11", "cites", "out"), ("48/2024/NĐ-CP", "amends", "in"),
        ("86/2015/QH13", "", "")}


def test_the_related_tab_names_the_replacing_document_with_its_dates():
    links = parse_related(page("vanbanlienquan_130-2018.html"), "https://vbpl.vn/TW/Pages/vbpq-vanbanlienquan.aspx?ItemID=131300")
    replacing = [link for link in links if link.rel == "replaces"]
    assert [(link.doc_id, link.direction, link.issued_on, link.effective_on) for link in replacing] == [
        ("23/2025/NĐ-CP", "in", "2025-02-21", "2025-04-10")]


def test_search_results_with_their_item_ids():
    hits = parse_search(page("search_130-2018.html"), "https://vbpl.vn/VBQPPL_UserControls/Publishing_22/TimKiem/p.aspx")
    assert [(hit.item_id, hit.doc_id) for hit in hits] == [("131300", "130/2018/NĐ-CP"), ("170001", "23/2025/NĐ-CP")]
    assert hits[0].url == "https://vbpl.vn/TW/Pages/vbpq-toanvan.aspx?ItemID=131300"
    empty = '<div class="message"><span>Tìm thấy <strong>0</strong> văn bản.</span></div>'
    assert parse_search(empty, "https://vbpl.vn/x") == []


@pytest.mark.parametrize(("label", "kind"), [
    ("Văn bản được sửa đổi", ("amends", "out", False)), ("Văn bản sửa đổi", ("amends", "in", False)),
    ("Văn bản được bổ sung", ("amends", "out", False)), ("Văn bản bổ sung", ("amends", "in", False)),
    ("Văn bản bị thay thế", ("replaces", "out", False)), ("Văn bản thay thế", ("replaces", "in", False)),
    ("Văn bản hết hiệu lực", ("ends", "out", False)), ("Văn bản quy định hết hiệu lực", ("ends", "in", False)),
    ("Văn bản bị hết hiệu lực 1 phần", ("ends", "out", True)), ("Văn bản quy định hết hiệu lực 1 phần", ("ends", "in", True)),
    ("Văn bản bị đình chỉ", ("suspends", "out", False)), ("Văn bản đình chỉ 1 phần", ("suspends", "in", True)),
    ("Văn bản được HD, QĐ chi tiết", ("guides", "out", False)), ("Văn bản HD, QĐ chi tiết", ("guides", "in", False)),
    ("Văn bản được hướng dẫn", ("guides", "out", False)), ("Văn bản hướng dẫn", ("guides", "in", False)),
    ("Văn bản căn cứ", ("cites", "out", False)), ("Văn bản dẫn chiếu", ("", "", False)),
    ("Văn bản liên quan khác", ("", "", False)), ("Van ban sua doi", ("amends", "in", False)),
])
def test_labels_read_without_diacritics(label, kind):
    assert link_kind(label) == kind


@pytest.mark.parametrize(("text", "state"), [
    ("Còn hiệu lực", "in_force"), ("Hết hiệu lực toàn bộ", "expired"), ("Hết hiệu lực một phần", "partly_expired"),
    ("Hết hiệu lực 1 phần", "partly_expired"), ("Chưa có hiệu lực", "not_yet"), ("Ngưng hiệu lực", "suspended"),
    ("Ngưng hiệu lực một phần", "partly_suspended"), ("Chưa xác định", "unknown"), ("Tình trạng lạ", "unknown"),
])
def test_states_as_vbpl_words_them(text, state):
    assert state_of(text) == state
