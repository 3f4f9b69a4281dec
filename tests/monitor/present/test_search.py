"""Search as people use it, on announcements ingested as a crawl ingests them: without diacritics, by
document number in any spelling (documents named by number first), paged by cursor, in a fixed number of
queries whatever the page holds."""
from __future__ import annotations

import pytest
from sqlalchemy import event

from govmon.monitor.present.search import BadCursor, search
from govmon.storage.db import session_scope
from tests_support import article_item, ingest

BASE = "https://baochinhphu.vn"
ARTICLES = [
    ("bao-ve-du-lieu-ca-nhan-102250402083000001.htm", "Chính phủ ban hành Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân",
     "Nghị định quy định về bảo vệ dữ liệu cá nhân và trách nhiệm của cơ quan, tổ chức, cá nhân liên quan. "
     "Nghị định có hiệu lực thi hành từ ngày 01/7/2023."),
    ("huong-dan-102250402083000002.htm", "Bộ Công an hướng dẫn doanh nghiệp đánh giá tác động",
     "Các doanh nghiệp xử lý thông tin khách hàng phải lập hồ sơ đánh giá tác động theo Nghị định số 13/2023/NĐ-CP "
     "của Chính phủ trước khi chuyển thông tin ra nước ngoài."),
    ("bao-so-3-102250402083000003.htm", "Thủ tướng chỉ đạo ứng phó bão số 3",
     "Các bộ, ngành và địa phương ven biển triển khai phương án sơ tán người dân, bảo đảm an toàn tính mạng."),
    ("nghi-quyet-71-102250402083000004.htm", "Nghị quyết 71/NQ-CP sửa đổi Nghị quyết 03/NQ-CP",
     "Chính phủ ban hành Nghị quyết 71/NQ-CP ngày 01/4/2025 sửa đổi, bổ sung Nghị quyết số 03/NQ-CP ngày 09/01/2025."),
    ("canh-bao-102250402083000005.htm", "<script>alert('x')</script> Cảnh báo lừa đảo dữ liệu cá nhân",
     "Người dân cần cảnh giác với các cuộc gọi giả danh cơ quan chức năng để thu thập dữ liệu cá nhân & mật khẩu."),
]


@pytest.fixture
def store(engine):
    ingest(engine, *(article_item(f"{BASE}/{path}", text, title) for path, title, text in ARTICLES))
    return engine


def _titles(page) -> list[tuple[str, str]]:
    return [(result["kind"], result["title"]) for result in page.results]


def _run(engine, *args, **kwargs):
    with session_scope(engine) as session:
        return search(session, *args, **kwargs)


def test_a_query_without_diacritics_finds_the_announcements_about_it(store):
    page = _run(store, "nghi dinh du lieu ca nhan", kind="announcement")
    assert _titles(page) == [("announcement", ARTICLES[0][1])]
    (result,) = page.results
    assert result["url"] == f"{BASE}/{ARTICLES[0][0]}" and result["source"] == "baochinhphu"
    assert result["published_at"] == "2025-04-02T08:30:00+07:00"
    assert "dữ liệu cá nhân" in result["snippet"] and page.next_cursor is None


def test_without_a_kind_the_document_titled_by_its_first_announcement_is_found_too(store):
    found = _titles(_run(store, "bao ve du lieu ca nhan"))
    assert ("document", ARTICLES[0][1]) in found and ("announcement", ARTICLES[0][1]) in found
    assert all(title != ARTICLES[2][1] for _, title in found)


@pytest.mark.parametrize("typed", ["13/2023/ND-CP", "13/2023/NĐ-CP", "nghị định 13/2023", "nghi dinh 13", "nd 13/2023"])
def test_a_document_number_in_any_spelling_puts_the_document_first(store, typed):
    page = _run(store, typed)
    first = page.results[0]
    assert (first["kind"], first["id"], first["url"], first["source"]) == ("document", "13/2023/NĐ-CP", "", "")
    assert first["snippet"].startswith("Nghị định 13/2023/NĐ-CP · Chính phủ")
    announcements = {r["title"] for r in page.results if r["kind"] == "announcement"}
    if "/" in typed:  # the sign's words are in both announcements; "nghi dinh 13" alone is in the first only
        assert announcements == {ARTICLES[0][1], ARTICLES[1][1]}
    assert [r["id"] for r in page.results if r["kind"] == "document"].count("13/2023/NĐ-CP") == 1


def test_a_number_without_its_leading_zero_finds_the_document(store):
    page = _run(store, "3/NQ-CP")
    assert (page.results[0]["kind"], page.results[0]["id"]) == ("document", "03/NQ-CP")
    assert ("announcement", ARTICLES[3][1]) in _titles(page)
    assert _run(store, "71/nq-cp").results[0]["id"] == "71/NQ-CP"


def test_a_number_the_registry_does_not_know_finds_only_text(store):
    assert [r["kind"] for r in _run(store, "nghị định 99/2030").results] == []
    assert _run(store, "nghi dinh 13", kind="announcement").results[0]["kind"] == "announcement"


def test_scraped_text_comes_back_raw_for_the_renderer_to_escape(store):
    (result,) = _run(store, "lua dao").results
    assert result["title"] == ARTICLES[4][1]
    assert result["snippet"] == ARTICLES[4][2]


def test_pages_follow_each_other_by_cursor(store):
    whole = _run(store, "13/2023/nd-cp", limit=20)
    seen, cursor, pages = [], None, 0
    while True:
        page = _run(store, "13/2023/nd-cp", limit=1, cursor=cursor)
        seen += page.results
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == whole.results and pages == len(whole.results) == 3


def test_a_cursor_belongs_to_its_search(store):
    page = _run(store, "13/2023/nd-cp", limit=1)
    with pytest.raises(BadCursor):
        _run(store, "bao so 3", cursor=page.next_cursor)
    with pytest.raises(BadCursor):
        _run(store, "13/2023/nd-cp", cursor="not-a-cursor!")
    with pytest.raises(ValueError):
        _run(store, "13/2023/nd-cp", kind="article")
    assert _run(store, " ?! ").results == []


def test_a_page_costs_the_same_few_queries_whatever_it_holds(store):
    statements: list[str] = []

    def count(*args) -> None:
        statements.append(args[2])
    event.listen(store, "before_cursor_execute", count)
    try:
        small = _run(store, "13/2023/nd-cp", limit=1)
        few = len(statements)
        statements.clear()
        large = _run(store, "13/2023/nd-cp", limit=20)
    finally:
        event.remove(store, "before_cursor_execute", count)
    assert len(small.results) == 1 and len(large.results) == 3
    assert len(statements) <= few + 2 and len(statements) <= 8, statements
