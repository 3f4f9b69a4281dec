"""Property-based fuzzing (hypothesis) of every parser that reads what others wrote: article pages (site
rules of every built-in source, and the generic extractor), list pages, feeds, sitemaps, document
references, dates, WARC files (through the import's reader) and source definitions (through
`load_source`). The oracle: no crash — only the documented clear errors (SelectorMismatch, NotContent,
SourceError; a WARC record is Skipped with its reason) — and outputs of the promised shape.

Derandomized and without an example database, so CI sees the same cases on every run; the whole file
runs in well under a minute (`pytest --hypothesis-show-statistics` prints the cases per test)."""
from __future__ import annotations

import io
import re
import unicodedata
from datetime import date, datetime, time
from typing import Any

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from govmon.crawler.extract.article import extract_article
from govmon.crawler.extract.dates import VN_TZ, parse_datetime
from govmon.crawler.extract.docrefs import extract as find_documents
from govmon.crawler.extract.limits import ATTACHMENT_MAX_BYTES, PAGE_MAX_BYTES
from govmon.crawler.extract.listing import (
    extract_links,
    feed_links,
    next_page_url,
    page_params,
    sitemap_entries,
    sitemap_links,
)
from govmon.crawler.extract.page import extract_page
from govmon.crawler.extract.rules import ListRule
from govmon.crawler.extract.types import Article, NotContent, SelectorMismatch
from govmon.crawler.sources import Source, SourceError, load_source, load_sources
from govmon.monitor.pipeline.warc import Skipped, warc_captures

SOURCES = load_sources()
SITE_RULES = sorted((s for s in SOURCES.values() if s.article is not None), key=lambda s: s.name)
LIST_RULES = sorted(SOURCES.values(), key=lambda s: s.name)


def fuzz(examples: int) -> Any:
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# --- HTML built from the vocabulary the built-in rules look for ----------------------------------------

def _selector_words() -> list[str]:
    selectors = [s for src in SOURCES.values() for s in (src.list.links, src.list.next_page)]
    selectors += [v for src in SITE_RULES for v in (src.article.title, src.article.body, src.article.lead,
                                                    src.article.published, src.article.breadcrumb, src.article.attachments)]
    return sorted({w for s in selectors if s for w in re.findall(r"[.#]([A-Za-z][\w-]*)", s)})


WORDS = _selector_words()
TAGS = ["div", "p", "h1", "h2", "span", "a", "table", "tr", "td", "ul", "li", "script", "style", "article",
        "section", "time", "header", "footer", "figure", "b", "br", "img", "input", "meta", "link", "title", "iframe"]
SNIPPETS = ["Nghị quyết số 03/NQ-CP", "Nghị định 13/2023/NĐ-CP", "57-NQ/TW", "ngày 10/01/2025", "01/03/2026 09:51",
            "2026-03-01T09:51:00+07:00", "Trang không tồn tại", "document.cookie=\"D0N=1\";location.reload()",
            "Tin liên quan", "Ảnh: TTXVN", "(Chinhphu.vn) - ", "&amp;", "&#x2B;", "&#99999999;", "&nbsp;", "<!--",
            "]]>", "<![CDATA[", "\u200b", "\ufeff", "Ð", "１.２５０", "…", "\x00", "\x0b", "javascript:alert(1)"]
TEXT = st.one_of(st.sampled_from(SNIPPETS), st.text(max_size=40))
URLS = st.one_of(st.sampled_from(["https://baochinhphu.vn/a-102250101000000001.htm", "/tin-tuc/b-2.htm", "?page=2",
                                  "https://www.vietnamplus.vn/x-post1024386.vnp", "javascript:void(0)", "#", "",
                                  "http://[::1", "//x.vn/y", "https://vanban.chinhphu.vn/?pageid=27160&docid=1"]),
                 st.text(max_size=30))
ATTRIBUTES = st.dictionaries(
    st.sampled_from(["class", "id", "href", "content", "property", "name", "rel", "lang", "value", "itemprop", "src"]),
    st.one_of(st.sampled_from(WORDS), URLS, TEXT,
              st.sampled_from(["article:published_time", "og:url", "canonical", "description", "vi"])),
    max_size=3)


@st.composite
def _element(draw: Any, children: Any) -> str:
    tag = draw(st.sampled_from(TAGS))
    attrs = "".join(f' {k}="{v}"' for k, v in draw(ATTRIBUTES).items())
    inner = "".join(draw(st.lists(children, max_size=4)))
    closing = draw(st.sampled_from([f"</{tag}>", f"</{tag}>", "", "</div>"]))
    return f"<{tag}{attrs}>{inner}{closing}"


NODES = st.recursive(TEXT, lambda children: _element(children), max_leaves=25)
PAGES = st.builds(lambda head, body: f"<html><head>{head}</head><body>{body}</body></html>",
                  st.lists(NODES, max_size=3).map("".join), st.lists(NODES, max_size=8).map("".join))
PAGE_BYTES = st.one_of(PAGES.map(str.encode), st.binary(max_size=300),
                       st.builds(lambda page, cut: page.encode()[:cut], PAGES, st.integers(0, 2000)),
                       PAGES.map(lambda p: p.encode("cp1258", errors="replace")))


def _article_shape(article: Article) -> None:
    assert isinstance(article.title, str) and isinstance(article.text, str)
    assert article.published_at is None or datetime.fromisoformat(article.published_at).tzinfo is not None
    assert unicodedata.is_normalized("NFC", article.text)


@fuzz(250)
@given(st.sampled_from(SITE_RULES), PAGES)
def test_site_rules_on_any_page_match_or_say_why(source: Source, page: str) -> None:
    try:
        _article_shape(extract_article(page, "https://x.gov.vn/a.htm", source.article, source.name))
    except (SelectorMismatch, NotContent):
        pass


@fuzz(120)
@given(st.sampled_from([None, *SITE_RULES]), PAGE_BYTES, st.sampled_from(["", "text/html; charset=windows-1258",
                                                                           "text/html; charset=bogus", "text/html; charset=utf-16"]))
def test_whole_page_extraction_never_crashes(source: Source | None, body: bytes, content_type: str) -> None:
    rule = source.article if source else None
    try:
        done = extract_page(body, "https://x.gov.vn/a.htm", rule, "x", content_type=content_type)
    except NotContent:
        return
    _article_shape(done.article)


@fuzz(250)
@given(st.sampled_from(LIST_RULES), PAGES, st.integers(1, 3))
def test_list_pages_give_web_links_or_say_why(source: Source, page: str, number: int) -> None:
    rule = source.list
    try:
        links = extract_links(page, "https://x.gov.vn/list.htm", rule)
        following = next_page_url(page, "https://x.gov.vn/list.htm", rule, number, page_params(page, rule))
    except (SelectorMismatch, NotContent):
        return
    assert all(link.startswith("http") for link in links) and len(links) == len(set(links))
    assert following is None or isinstance(following, str)


# --- feeds and sitemaps -----------------------------------------------------------------------------

XML_TEXT = st.one_of(st.sampled_from(["&amp;", "&lt;b&gt;", "<![CDATA[https://a.vn/x]]>", "&undefined;", "&#0;",
                                      "https://baochinhphu.vn/a-1.htm", " https://a.vn/b ", "2025-04-02", "\x01"]),
                     st.text(max_size=30))


@st.composite
def _feed(draw: Any) -> bytes:
    item = st.builds(lambda link, title: f"<item><title>{title}</title><link>{link}</link></item>", XML_TEXT, XML_TEXT)
    entry = st.builds(lambda link: f'<entry><link href="{link}"/></entry>', XML_TEXT)
    items = "".join(draw(st.lists(st.one_of(item, entry), max_size=5)))
    shell = draw(st.sampled_from(["<rss><channel>{}</channel></rss>", '<feed xmlns="http://www.w3.org/2005/Atom">{}</feed>',
                                  "<rss><channel>{}", "{}", "<html><body>{}</body></html>"]))
    prolog = draw(st.sampled_from(["", '<?xml version="1.0" encoding="utf-8"?>', '<?xml version="1.0" encoding="bogus"?>',
                                   '<!DOCTYPE rss [<!ENTITY a "b">]>']))
    return (prolog + shell.format(items)).encode("utf-8", errors="replace")


@st.composite
def _sitemap(draw: Any) -> bytes:
    url = st.builds(lambda loc, mod: f"<url><loc>{loc}</loc><lastmod>{mod}</lastmod></url>", XML_TEXT, XML_TEXT)
    child = st.builds(lambda loc: f"<sitemap><loc>{loc}</loc></sitemap>", XML_TEXT)
    root = draw(st.sampled_from(["urlset", "sitemapindex", "html", "x:urlset"]))
    nodes = "".join(draw(st.lists(st.one_of(url, child, XML_TEXT), max_size=6)))
    closing = draw(st.sampled_from([f"</{root}>", ""]))
    return f'<{root} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{nodes}{closing}'.encode("utf-8", "replace")


@fuzz(250)
@given(st.sampled_from(LIST_RULES), st.one_of(_feed(), st.binary(max_size=200)))
def test_feeds_give_web_links_or_say_why(source: Source, body: bytes) -> None:
    try:
        links = feed_links(body, "https://x.gov.vn/rss", source.list)
    except (SelectorMismatch, NotContent):
        return
    assert links and all(link.startswith("http") for link in links)


@fuzz(250)
@given(st.one_of(_sitemap(), st.binary(max_size=200)))
def test_sitemaps_give_entries_or_say_why(body: bytes) -> None:
    try:
        kind, entries = sitemap_entries(body)
    except (SelectorMismatch, NotContent):
        return
    assert kind in ("index", "urlset") and all(loc and isinstance(mod, str) for loc, mod in entries)
    assert all(link.startswith("http") for link in sitemap_links(entries, ListRule(), 10))


# --- document references and dates ---------------------------------------------------------------------

REF_PIECES = st.sampled_from(["Nghị quyết", "số", "03/NQ-CP", "13/2023/NĐ-CP", "57-NQ/TW", "Nghị định", "Thông tư",
                              "sửa đổi", "bổ sung", "thay thế", "bãi bỏ", "ngày", "10/01/2025", "tháng 3 năm 2024",
                              "Quyết định", "QĐ-TTg", "/", "-", " ", "\n", "Ð", "–", "\u200b", "１２", "năm", "Điều 3",
                              "Luật", "Resolution No.", "dated December 22, 2024", "(", ")", ";", "và"])
REF_TEXT = st.one_of(st.lists(REF_PIECES, max_size=30).map(" ".join), st.text(max_size=200),
                     st.lists(st.one_of(REF_PIECES, st.text(max_size=5)), max_size=40).map("".join))


@fuzz(400)
@given(REF_TEXT)
def test_document_references_point_into_the_text_they_came_from(text: str) -> None:
    refs, partial, relations = find_documents(text)
    for ref in refs:
        assert text[ref.start:ref.end] == ref.raw and ref.id
    assert all(p.number for p in partial) and all(r.from_id and r.to_id for r in relations)


@fuzz(400)
@given(st.one_of(st.text(max_size=60), st.sampled_from(SNIPPETS + ["Thứ Hai, 05/04/2025 - 08:30", "31/02/2025",
                                                                   "9999-12-31T23:59:59-23:59", "0001-01-01T00:00"])),
       st.lists(st.sampled_from(["%d/%m/%Y", "%d/%m/%Y %H:%M", "%d/%m/%Y - %H:%M", "%Y-%m-%d", "%m/%d/%Y %I:%M:%S %p"]),
                max_size=2))
def test_dates_are_aware_or_none_never_an_error(raw: str, formats: list[str]) -> None:
    value = parse_datetime(raw, formats)
    assert value is None or value.tzinfo is not None


@fuzz(200)
@given(st.dates(date(1900, 1, 1), date(2100, 12, 31)), st.times())
def test_any_day_month_year_date_round_trips(day: date, moment: time) -> None:
    written = datetime.combine(day, moment.replace(second=0, microsecond=0))
    assert parse_datetime(written.strftime("%d/%m/%Y %H:%M"), ("%d/%m/%Y %H:%M",)) == written.replace(tzinfo=VN_TZ)


# --- WARC files, through the import's reader ---------------------------------------------------------

HEADER_VALUES = st.one_of(st.sampled_from(["gzip", "deflate", "br", "x-compress", "chunked", "identity", ""]),
                          st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=12))


@st.composite
def _record(draw: Any) -> dict[str, Any]:
    return {"url": draw(st.sampled_from(["https://baochinhphu.vn/a-1.htm", "https://x.vn/f.pdf", "dns:x.vn", "", "nonsense"])),
            "date": draw(st.sampled_from(["2025-04-03T01:00:00Z", "", "yesterday", "2025-13-45T00:00:00Z"])),
            "body": draw(st.one_of(st.binary(max_size=300), PAGES.map(str.encode))),
            "headers": draw(st.lists(st.tuples(st.sampled_from(["Content-Encoding", "Transfer-Encoding", "Content-Type",
                                                                  "Content-Length"]), HEADER_VALUES), max_size=3)),
            "status": draw(st.sampled_from(["200 OK", "404 Not Found", "200", "abc"])),
            "kind": draw(st.sampled_from(["response", "response", "request", "resource", "revisit"]))}


def _warc(records: list[dict[str, Any]], gzip: bool) -> bytes:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gzip)
    for r in records:
        http = StatusAndHeaders(r["status"], [("Content-Type", "text/html"), *r["headers"]], protocol="HTTP/1.1")
        record = writer.create_warc_record(r["url"] or "https://x.vn/", r["kind"], payload=io.BytesIO(r["body"]),
                                           http_headers=http if r["kind"] in ("response", "request", "revisit") else None,
                                           warc_headers_dict={"WARC-Date": r["date"]} if r["date"] else {})
        if not r["url"]:
            record.rec_headers.remove_header("WARC-Target-URI")
        if not r["date"]:
            record.rec_headers.remove_header("WARC-Date")
        writer.write_record(record)
    return out.getvalue()


@fuzz(150)
@given(st.lists(_record(), min_size=1, max_size=4), st.booleans(), st.integers(0, 400),
       st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=3))
def test_warc_files_give_pages_or_reasons_never_an_error(tmp_path_factory: Any, records: list[dict[str, Any]],
                                                         gzip: bool, cut: int, flips: list[tuple[int, int]]) -> None:
    data = bytearray(_warc(records, gzip))
    for where, value in flips:
        data[where % len(data)] = value
    path = tmp_path_factory.mktemp("warc") / "fuzz.warc"
    path.write_bytes(bytes(data[: len(data) - cut]))
    for capture in warc_captures(path):
        if isinstance(capture, Skipped):
            assert capture.why and isinstance(capture.url, str)
            continue
        url, captured, body, kind = capture
        assert url.startswith(("http://", "https://")) and datetime.fromisoformat(captured).tzinfo is not None
        assert len(body) <= max(PAGE_MAX_BYTES, ATTACHMENT_MAX_BYTES) and isinstance(kind, str)


# --- source definitions, through load_source on generated TOML files ----------------------------------

SCALARS = st.one_of(st.text(max_size=15), st.integers(-5, 10**6), st.booleans(), st.floats(allow_nan=False),
                    st.sampled_from(["https://x.gov.vn/", "file:///etc/passwd", "liferay", "portal", "h1", "[", "a::text"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=6)
TOP_KEYS = ["name", "title", "kind", "hosts", "start_urls", "lang", "official", "legacy", "province", "extends",
            "interval_minutes", "download_delay", "concurrency", "notes", "tls_verify", "typo_key"]
LIST_KEYS = ["links", "min_links", "allow", "next_page", "max_pages", "max_links", "feeds", "sitemaps", "archive",
             "page_template", "page_params", "sitemap_follow", "bogus"]
ARTICLE_KEYS = ["title", "body", "lead", "published", "date_formats", "drop", "stop_markers", "extra", "bogus"]


@st.composite
def _definition(draw: Any, tables: Any = VALUES) -> dict[str, Any]:
    """A definition: the keys a source has (and a typo), values of any TOML type; [list] and [article]
    tables of any content, or — with `tables` — anything at all in their place."""
    document = draw(st.dictionaries(st.sampled_from([k for k in TOP_KEYS if k != "extends"]), VALUES, max_size=8))
    if draw(st.booleans()):
        document["extends"] = draw(st.sampled_from(["liferay", "dnn", "portal", "no-such-platform"]))
    for table, keys in (("list", LIST_KEYS), ("article", ARTICLE_KEYS)):
        if draw(st.booleans()):
            document[table] = draw(st.one_of(st.dictionaries(st.sampled_from(keys), VALUES, max_size=6), tables))
    return document


def _load(tmp_path_factory: Any, content: bytes) -> None:
    path = tmp_path_factory.mktemp("sources") / "fuzzed.toml"
    path.write_bytes(content)
    try:
        source = load_source(path)
    except SourceError as exc:
        assert str(exc).startswith(str(path))
        return
    assert isinstance(source, Source) and source.origin == str(path)


@fuzz(300)
@given(st.one_of(_definition(tables=st.nothing()).map(lambda d: tomli_w.dumps(d).encode()),
                 st.text(max_size=200).map(str.encode)))
def test_source_definitions_load_or_say_why(tmp_path_factory: Any, content: bytes) -> None:
    _load(tmp_path_factory, content)


@fuzz(300)
@given(st.one_of(_definition().map(lambda d: tomli_w.dumps(d).encode()), st.binary(max_size=200),
                 st.dictionaries(st.sampled_from(TOP_KEYS), VALUES, max_size=8).map(lambda d: tomli_w.dumps(d).encode())))
def test_any_file_in_a_source_directory_loads_or_says_why(tmp_path_factory: Any, content: bytes) -> None:
    _load(tmp_path_factory, content)
