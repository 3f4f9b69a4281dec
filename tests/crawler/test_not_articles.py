"""Pages that hold no article are reported as such (NotArticle, or NotContent for the small error pages
`check_content` knows), never returned as an article made of their menus and footer; articles are not.

The pages under fixtures/not_articles are our own writing, modelled on Vietnamese portals (see the
README there); the real pages of shared/corpus are read at run time and skipped when absent.
"""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import SHARED
from scrapy import Request
from scrapy.http import HtmlResponse

from govmon.crawler.extract.article import extract_article
from govmon.crawler.extract.generic import extract_generic
from govmon.crawler.extract.page import extract_page
from govmon.crawler.extract.rules import ArticleRule
from govmon.crawler.extract.types import NotArticle, NotContent
from govmon.crawler.sources import load_sources
from govmon.crawler.spiders.portal import SourceSpider
from govmon.monitor.demo.replay import resolve

FIXTURES = Path(__file__).with_name("fixtures")
PAGES = FIXTURES / "not_articles"
CORPUS = SHARED / "corpus"
SOURCES = load_sources()


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def refusal(text: str, url: str) -> NotContent:
    with pytest.raises(NotContent) as caught:
        extract_generic(text, url)
    return caught.value


def test_a_search_page_whose_results_load_by_script_is_not_an_article():
    exc = refusal(page("search_script_results.html"), "https://quangtri.gov.vn/tim-kiem?keyword=chuyen+doi+so")
    assert isinstance(exc, NotArticle) and exc.kind == "not_article"
    assert str(exc) == "a search page: its results are not an article"


def test_a_category_list_is_a_list_with_its_number_of_items():
    exc = refusal(page("category_list.html"), "https://quangtri.gov.vn/tin-tuc")
    assert isinstance(exc, NotArticle) and str(exc).startswith("a list of 12 items:")


def test_a_login_page_is_not_an_article():
    exc = refusal(page("login.html"), "https://qlvb.gialai.gov.vn/Account/Login?ReturnUrl=%2Fvanban%2Fden")
    assert isinstance(exc, NotArticle) and str(exc) == "a login page with a password form"


@pytest.mark.parametrize(("name", "says"), [
    ("error_message_in_layout.html", "Bài viết không tồn tại"),  # the portal's chrome, its own title, one line
    ("aspnet_runtime_error.html", "Server Error in '/' Application."),  # IIS's error page, served as 200
])
def test_an_error_page_served_as_200_says_what_it_said(name: str, says: str):
    exc = refusal(page(name), f"https://example.gov.vn/{name}")
    assert isinstance(exc, NotArticle) and str(exc) == f"an error page that says: {says}"


def test_a_small_error_page_is_caught_before_extraction():
    assert refusal(page("error_200.html"), "https://tintuc.vinhlong.gov.vn/x").kind == "soft_404"


@pytest.mark.parametrize(("name", "published"), [
    ("notice_with_attachment.html", "2025-10-30T15:20:00+07:00"),  # one paragraph, a file, "Các tin khác"
    ("article_with_login_modal.html", "2026-02-10T08:30:00+07:00"),  # a password field in the header's modal
    ("digest_article.html", "2025-11-03T18:00:00+07:00"),  # summaries with their links, declared NewsArticle
])
def test_short_articles_and_digests_are_articles(name: str, published: str):
    article = extract_generic(page(name), f"https://example.gov.vn/{name}")
    assert article.text and article.published_at == published


def test_not_an_article_reaches_the_caller_of_extract_page_with_its_reason():
    with pytest.raises(NotArticle, match="^a login page"):
        extract_page(page("login.html").encode(), "https://qlvb.gialai.gov.vn/Account/Login")


def test_the_site_path_refuses_an_error_page_its_selectors_match():
    rule = ArticleRule(title="h1", body="div.error-box")
    with pytest.raises(NotContent):
        extract_article(page("error_200.html"), "https://tintuc.vinhlong.gov.vn/x", rule)
    rule = ArticleRule(title="title", body="div.detail-content")
    with pytest.raises(NotArticle, match="Bài viết không tồn tại"):
        extract_article(page("error_message_in_layout.html"), "https://mof.gov.vn/x", rule)


def test_the_site_path_keeps_a_notice_that_is_only_a_file():
    text = ("<html><body><h1>Quyết định số 2150/QĐ-UBND</h1><div class='c'><a href='/f/2150.pdf'>Tải về</a>"
            "</div></body></html>")
    article = extract_article(text, "https://x.gov.vn/a", ArticleRule(title="h1", body="div.c", attachments="a"))
    assert article.text == "Tải về" and article.attachments


def test_a_one_paragraph_notice_that_links_to_its_document_is_an_article():
    """Its paragraph and the document's headline link sit in one small block: that alone is not a list
    (a list needs two items, and a one-item list page is let through for that reason)."""
    text = ("<html><head><title>Thông báo kết luận của Chủ tịch UBND tỉnh - Cổng TTĐT tỉnh</title></head><body>"
            "<nav class='menu'><a href='/'>Trang chủ</a> <a href='/thong-bao'>Thông báo</a></nav>"
            "<h1>Thông báo kết luận của Chủ tịch UBND tỉnh</h1><div class='content'><p>Chủ tịch UBND tỉnh kết luận"
            " tại cuộc họp về tiến độ giải phóng mặt bằng các dự án trọng điểm, yêu cầu các xã hoàn thành trước "
            "ngày 30/11/2025.</p><p><a href='/van-ban/thong-bao-ket-luan-412-tb-ubnd'>Thông báo số 412/TB-UBND "
            "ngày 20/10/2025</a></p></div><footer>Cơ quan chủ quản: UBND tỉnh</footer></body></html>")
    assert "giải phóng mặt bằng" in extract_generic(text, "https://x.gov.vn/thong-bao/ket-luan-412").text


def _fixture_pages(section: str) -> list[tuple[str, str]]:
    found = []
    for expected in sorted(FIXTURES.glob("*/expected.json")):
        data = json.loads(expected.read_text(encoding="utf-8"))
        found += [(expected.parent.name, url) for url in data.get(section, {}) if url not in data.get("corpus", {})]
    return found


def _fixture_text(name: str, url: str) -> str:
    parts = urlsplit(url)
    found = resolve([FIXTURES / name / "site"], parts.hostname or "", parts.path, parts.query)
    return found.read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "url"), _fixture_pages("articles"))
def test_no_article_of_the_site_fixtures_is_refused_by_the_generic_extractor(name: str, url: str):
    assert extract_generic(_fixture_text(name, url), url).text


def real(path: str) -> str:
    file = CORPUS / path
    if not file.is_file():
        pytest.skip(f"real page {path} not available (shared/ is absent)")
    return file.read_text(encoding="utf-8")


@pytest.mark.parametrize(("path", "url"), [
    ("baochinhphu.vn/meth04_baochinhphu_article.html",
     "https://baochinhphu.vn/chinh-sach-moi-co-hieu-luc-tu-thang-3-2026-102260228093004191.htm"),
    ("vbpl.vn/minh0511_vbpl_toanvan_itemid32801_hienphap-2013_2023-09.html",
     "https://vbpl.vn/TW/Pages/vbpq-toanvan.aspx?ItemID=32801"),
])
def test_real_articles_are_not_refused(path: str, url: str):
    assert len(extract_generic(real(path), url).text) > 5000


@pytest.mark.parametrize(("path", "url"), [
    ("baochinhphu.vn/meth04_baochinhphu_list_chinh-sach-moi.html",
     "https://baochinhphu.vn/chinh-sach-va-cuoc-song/chinh-sach-moi.htm"),
    ("vbpl.vn/minh0511_vbpl_luocdo_itemid32801_hienphap-2013_2023-09.html",
     "https://vbpl.vn/TW/Pages/vbpq-luocdo.aspx?ItemID=32801"),
])
def test_real_lists_are_lists(path: str, url: str):
    with pytest.raises(NotArticle, match=r"^a list of \d+ items"):
        extract_generic(real(path), url)


def test_a_crawl_reports_a_list_at_an_article_url_as_a_list_beside_the_layout_problem():
    url = "https://baochinhphu.vn/tin-tuc-102250101000000001.htm"
    response = HtmlResponse(url=url, body=page("category_list.html").encode(), encoding="utf-8", request=Request(url))
    items = list(SourceSpider(SOURCES["baochinhphu"]).parse_article(response))
    assert [(item["type"], item["kind"]) for item in items] == [("problem", "layout"), ("problem", "not_article")]
    assert items[1]["detail"].startswith("a list of 12 items:")
