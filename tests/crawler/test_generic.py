"""The generic extractor's own parts: trafilatura imported only when a generic extraction runs, the fallback
cascade only for a short main text, what a page declares (pagemeta), the date printed with the headline
(dateline) and the chrome lines dropped (boilerplate). Pages are our own writing."""
from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace
from typing import Any

import lxml.html
import pytest

from govmon.crawler.extract import generic
from govmon.crawler.extract.boilerplate import drop_chrome_lines
from govmon.crawler.extract.dateline import printed_date
from govmon.crawler.extract.generic import extract_generic
from govmon.crawler.extract.pagemeta import read_meta

REAL_TRAFILATURA = generic.trafilatura()
PARAGRAPH = "Ủy ban nhân dân tỉnh ban hành kế hoạch triển khai chuyển đổi số trong các cơ quan nhà nước năm 2026. "


def article(body: str, head: str = "", heading: str = "Ban hành kế hoạch chuyển đổi số năm 2026") -> str:
    return (f"<html lang='vi'><head><title>{heading} - Cổng TTĐT tỉnh</title>{head}</head><body>"
            f"<nav class='main-menu'><a href='/'>Trang chủ</a></nav><h1>{heading}</h1>{body}"
            f"<footer>Cơ quan chủ quản: UBND tỉnh</footer></body></html>")


def test_the_extraction_package_imports_trafilatura_only_for_a_generic_extraction():
    code = ("import sys; import govmon.crawler.extract.page, govmon.crawler.extract.article; "
            "print(sorted(m for m in ('trafilatura', 'htmldate', 'justext') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "[]"


def _recording(calls: list[dict[str, Any]], lengths: dict[tuple[bool, bool], int]) -> SimpleNamespace:
    """A stand-in for trafilatura whose main text is as long as `lengths[(fast, precision)]`."""
    real = REAL_TRAFILATURA

    def bare_extraction(tree: Any, **options: Any) -> SimpleNamespace:
        calls.append(options)
        size = lengths[(options["fast"], options["favor_precision"])]
        return SimpleNamespace(text=(PARAGRAPH * 10)[:size])
    return SimpleNamespace(load_html=real.load_html, bare_extraction=bare_extraction)


@pytest.mark.parametrize(("lengths", "runs"), [
    ({(True, True): 900}, [(True, True)]),  # long enough: the main extractor alone
    ({(True, True): 120, (False, True): 700}, [(True, True), (False, True)]),  # short: the whole cascade
    ({(True, True): 120, (False, True): 120, (False, False): 800},  # still short: the balanced retry
     [(True, True), (False, True), (False, False)]),
])
def test_the_fallbacks_run_only_for_a_short_main_text(monkeypatch, lengths, runs):
    calls: list[dict[str, Any]] = []
    fake = _recording(calls, lengths)
    monkeypatch.setattr(generic, "trafilatura", lambda: fake)
    extract_generic(article(f"<p>{PARAGRAPH}</p>"), "https://x.gov.vn/a")
    assert [(c["fast"], c["favor_precision"]) for c in calls] == runs


def test_what_the_page_declares():
    head = ("<meta property='og:type' content='article'><meta name='description' content='Tóm tắt.'>"
            "<link rel='canonical' href='https://x.gov.vn/a-1.htm'><meta property='article:section' content='Tin tức'>"
            "<script type='application/ld+json'>{\"@graph\": [{\"@type\": \"NewsArticle\", \"headline\": \"Tiêu đề\","
            " \"author\": {\"name\": \"Thu Hà\"}, \"datePublished\": \"2026-01-15T10:30:00+07:00\"}]}</script>")
    meta = read_meta(lxml.html.document_fromstring(article("<p>x</p>", head)))
    assert (meta.title, meta.description, meta.canonical, meta.author) == ("Tiêu đề", "Tóm tắt.", "https://x.gov.vn/a-1.htm",
                                                                          "Thu Hà")
    assert (meta.section, meta.published, meta.declares_article) == (["Tin tức"], "2026-01-15T10:30:00+07:00", True)


def test_a_page_without_markup_declares_nothing_and_its_title_loses_the_site_name():
    meta = read_meta(lxml.html.document_fromstring("<html><head><title>Tin tức - Cổng thông tin điện tử tỉnh Gia Lai"
                                                   "</title></head><body><p>x</p></body></html>"))
    assert (meta.title, meta.published, meta.declares_article) == ("Tin tức", "", False)


@pytest.mark.parametrize(("after_heading", "expected"), [
    ("<div class='post-info'>Thứ Năm, 09/10/2025 15:40 | Lượt xem: 412</div>", "2025-10-09T15:40:00+07:00"),
    ("<span>Thứ Hai, 28/10/2024 | 14:35</span>", "2024-10-28T14:35:00+07:00"),
    ("<div>1/8/2026 2:15:00 PM</div>", "2026-01-08T14:15:00+07:00"),  # SharePoint's US order with AM/PM
    ("<div>Thu Hằng</div><div>03/10/2024 <span>•</span> 15:20</div>", "2024-10-03T15:20:00+07:00"),
    ("<time datetime='2025-05-07T09:10:00+07:00'>07/05/2025</time>", "2025-05-07T09:10:00+07:00"),
    ("<p>Ngày 08/10/2025, UBND tỉnh họp phiên thường kỳ để bàn các nội dung trọng tâm của quý IV.</p>", None),
])
def test_the_date_printed_with_the_headline(after_heading: str, expected: str | None):
    page = lxml.html.document_fromstring(f"<div class='today'>Thứ Sáu, 10/10/2025</div><nav>Menu</nav><nav>Tin</nav>"
                                         f"<h1>Tiêu đề bài</h1>{after_heading}")
    found = printed_date(page, "Tiêu đề bài")
    assert (found.isoformat() if found else None) == expected


def test_a_generic_article_takes_the_date_by_its_headline_not_the_portals_today():
    page = article(f"<div class='date'>15/01/2026 10:30</div><p>{PARAGRAPH * 6}</p>")
    page = page.replace("<nav", "<div class='today'>Thứ Ba, 20/01/2026</div><nav")
    assert extract_generic(page, "https://x.gov.vn/a").published_at == "2026-01-15T10:30:00+07:00"


def test_chrome_lines_are_dropped_and_a_following_box_ends_the_article():
    lines = ["Thứ Năm, 09/10/2025 15:40", "Chia sẻ", PARAGRAPH, ">> Xem thêm: Tỉnh công bố quy hoạch",
             "Lượt xem: 1.234", "Xem thêm các quy định tại Điều 5 của Kế hoạch.", "Từ khóa: chuyển đổi số",
             "Tin khác", "Tin A của mục"]
    assert drop_chrome_lines(lines) == [PARAGRAPH, "Xem thêm các quy định tại Điều 5 của Kế hoạch."]
