"""Atom feeds of the alerts: valid (a RELAX NG grammar of RFC 4287 and feedparser, never string matching),
stable ids, scraped strings kept as text, and conditional GET as RFC 9110 has it."""
from __future__ import annotations

import calendar
import copy
import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import feedparser
import pytest
from lxml import etree

from govmon.monitor.alerts.events import render
from govmon.monitor.config import EVENT_KINDS
from govmon.monitor.web.context import KIND_LABELS
from govmon.monitor.web.feeds import (
    EPOCH,
    atom_feed,
    entry_id,
    etag_for,
    feed_key,
    feed_tag,
    feed_title,
    feed_updated,
    http_date,
    not_modified,
    parse_http_date,
)
from govmon.storage import repository as repo
from govmon.storage.db import session_scope
from tests_support import article_item, ingest

A = "{http://www.w3.org/2005/Atom}"
SCHEMA = etree.RelaxNG(etree.parse(str(Path(__file__).with_name("atom.rng"))))
XSS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "a & b < c ]]> d", "' onmouseover='x"]
BASE = "http://127.0.0.1:8080"

AMENDED = {
    "id": 3, "kind": "document_amended", "created_at": "2026-12-01T09:15:00+07:00",
    "title": "71/NQ-CP sửa đổi 03/NQ-CP", "url": "https://baochinhphu.vn/nq-71.htm",
    "urls": ["https://baochinhphu.vn/nq-71.htm", "https://www.vietnam.vn/nq-71", "https://gialai.gov.vn/nq-71"],
    "source": "baochinhphu", "sources": ["baochinhphu", "vietnam_vn", "gialai"],
    "documents": ["71/NQ-CP", "03/NQ-CP"], "cluster": 2,
    "relation": {"from": "71/NQ-CP", "rel": "amends", "to": "03/NQ-CP", "evidence": "sửa đổi, bổ sung Nghị quyết 03/NQ-CP"},
    "published_at": "2026-12-01T08:30:00+07:00",
}
CHANGED = {
    "id": 5, "kind": "article_changed", "created_at": "2026-12-02T07:00:00+07:00",
    "title": "Bài đã bị sửa: Giá xăng", "url": "https://baochinhphu.vn/gia-xang.htm",
    "urls": ["https://baochinhphu.vn/gia-xang.htm"], "source": "baochinhphu", "sources": ["baochinhphu"],
    "documents": [], "cluster": None, "diff": "Giá [-1.200-] {+1.250+} đồng\nÁp dụng từ 15 giờ",
}
BROKEN = {
    "id": 4, "kind": "source_broken", "created_at": "2026-12-01T23:00:00+07:00",
    "title": "Cổng Gia Lai: 3 lần thu thập liên tiếp thất bại (error)", "url": "", "urls": [],
    "source": "gialai", "sources": [], "documents": [], "cluster": None, "detail": "HTTP 503",
}


def _event(event_id: int, kind: str, **fields: Any) -> dict[str, Any]:
    created = (datetime(2026, 11, 30, 8, 0, tzinfo=UTC) + timedelta(hours=event_id)).astimezone()
    return {"id": event_id, "kind": kind, "created_at": created.isoformat(timespec="seconds"), "title": f"Tin {event_id}",
            "url": f"https://baochinhphu.vn/{event_id}.htm", "urls": [f"https://baochinhphu.vn/{event_id}.htm"],
            "source": "baochinhphu", "sources": ["baochinhphu"], "documents": [], "cluster": None, **fields}


def _page(entry: dict[str, Any]) -> str:
    return f"{BASE}/alerts/{entry['id']}"


def _feed(entries: list[dict[str, Any]], base: str = BASE, **kwargs: Any) -> bytes:
    kwargs.setdefault("page_url", lambda e: f"{base}/alerts/{e['id']}")
    return atom_feed("alerts", feed_title(), f"{base}/feeds/all.atom", f"{base}/", entries, **kwargs)


def _errors(document: bytes | etree._Element) -> str:
    """The schema's complaints ("" when valid) and any two alternate links of one element that share a type
    and hreflang (RFC 4287 4.1.1, 4.1.2: what a grammar cannot say)."""
    root = etree.fromstring(document) if isinstance(document, bytes) else document
    problems = [] if SCHEMA.validate(root) else [str(SCHEMA.error_log)]
    for element in [root, *root.iter(f"{A}entry")]:
        alternates = Counter((link.get("type"), link.get("hreflang")) for link in element.findall(f"{A}link")
                             if link.get("rel", "alternate") == "alternate")
        problems += [f"{element.tag}: alternates {key} x{n}" for key, n in alternates.items() if n > 1]
    return "\n".join(problems)


def _parsed(document: bytes) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(document)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def _utc(struct: Any) -> datetime:
    return datetime.fromtimestamp(calendar.timegm(struct), UTC)


# The feed as a whole

def test_a_feed_of_every_kind_is_valid_atom_in_the_order_given():
    entries = [CHANGED, BROKEN, AMENDED] + [_event(10 + n, kind) for n, kind in enumerate(EVENT_KINDS)]
    document = _feed(entries)
    assert _errors(document) == ""
    parsed = _parsed(document)
    assert [e.id for e in parsed.entries] == [entry_id(e["id"]) for e in entries]
    assert [e.title for e in parsed.entries] == [e["title"] for e in entries]


def test_feed_metadata_names_itself_its_page_its_author_and_its_newest_alert():
    parsed = _parsed(atom_feed(feed_key(kind="document_amended"), feed_title(kind="document_amended"),
                               f"{BASE}/feeds/kind/document_amended.atom", f"{BASE}/?kind=document_amended",
                               [CHANGED, AMENDED]))
    feed = parsed.feed
    assert feed.id == "tag:govmon,2026-11-22:feed/kind/document_amended"
    assert feed.title == f"govmon — {KIND_LABELS['document_amended']}"
    assert {(link.rel, link.href, link.type) for link in feed.links} == {
        ("self", f"{BASE}/feeds/kind/document_amended.atom", "application/atom+xml"),
        ("alternate", f"{BASE}/?kind=document_amended", "text/html")}
    assert feed.author == "govmon" and feed.generator == "govmon" and feed.language == "vi"
    assert _utc(feed.updated_parsed) == datetime.fromisoformat(CHANGED["created_at"])  # the newest, not the first


def test_updated_is_the_newest_entry_or_the_given_time_and_an_empty_feed_stays_the_same():
    later = datetime(2026, 12, 5, tzinfo=UTC)
    assert feed_updated([AMENDED, CHANGED]) == datetime.fromisoformat(CHANGED["created_at"])
    assert feed_updated([AMENDED], later) == later
    assert feed_updated([], later) == later and feed_updated([]) == EPOCH
    empty = _feed([])
    assert _errors(empty) == "" and _parsed(empty).entries == []
    assert empty == _feed([])  # no render time inside: the same bytes, so the same ETag, every time


# Entries

def test_an_entry_says_what_the_alert_says_and_links_the_announcement_its_page_and_its_copies():
    entry = _parsed(_feed([AMENDED])).entries[0]
    assert entry.id == "tag:govmon,2026-11-22:event/3"
    assert _utc(entry.updated_parsed) == datetime(2026, 12, 1, 2, 15, tzinfo=UTC)
    assert entry.content[0].type == "text/plain"
    lines = entry.content[0].value.splitlines()
    assert lines[:3] == ["71/NQ-CP sửa đổi 03/NQ-CP", "“sửa đổi, bổ sung Nghị quyết 03/NQ-CP”", "Đăng lúc: 2026-12-01 08:30"]
    assert lines[3] == "3 bản đăng: baochinhphu, vietnam_vn, gialai"
    assert entry.link == AMENDED["url"]  # what a feed reader opens: the announcement
    assert [(link.rel, link.href) for link in entry.links] == [
        ("alternate", AMENDED["url"]), ("related", f"{BASE}/alerts/3"),
        ("related", "https://www.vietnam.vn/nq-71"), ("related", "https://gialai.gov.vn/nq-71")]
    assert [(t.term, t.scheme.rsplit(":", 1)[1]) for t in entry.tags] == [
        ("document_amended", "kind"), ("baochinhphu", "source"), ("vietnam_vn", "source"), ("gialai", "source"),
        ("71/NQ-CP", "document"), ("03/NQ-CP", "document")]


def test_an_edit_shows_its_diff_and_a_broken_source_its_detail_and_its_page():
    changed, broken = _parsed(_feed([CHANGED, BROKEN])).entries
    assert changed.content[0].value.splitlines() == ["Giá [-1.200-] {+1.250+} đồng", "Áp dụng từ 15 giờ"]
    assert broken.content[0].value == "HTTP 503"
    assert [(link.rel, link.href) for link in broken.links] == [("alternate", f"{BASE}/alerts/4")]


def test_without_a_page_an_alert_with_no_announcement_still_has_content_and_stays_valid():
    document = atom_feed("source/gialai", feed_title(source="gialai"), f"{BASE}/f", f"{BASE}/", [BROKEN])
    assert _errors(document) == ""
    entry = _parsed(document).entries[0]
    assert entry.get("links", []) == [] and entry.content[0].value == "HTTP 503"


@pytest.mark.parametrize("scraped", XSS)
def test_every_scraped_string_comes_out_as_the_same_text(scraped):
    event = {**AMENDED, "title": scraped, "source": scraped, "sources": [scraped], "documents": [scraped],
             "relation": {**AMENDED["relation"], "evidence": scraped}, "url": f"https://x.vn/?q={scraped}",
             "urls": []}
    document = _feed([event])
    assert _errors(document) == ""
    root = etree.fromstring(document)
    assert {e.tag for e in root.iter(etree.Element)} <= {f"{A}{name}" for name in (
        "feed", "id", "title", "updated", "author", "name", "link", "generator", "entry", "content", "category")}
    entry = _parsed(document).entries[0]
    assert entry.title == scraped and entry.title_detail.type == "text/plain"
    assert f"“{scraped}”" in entry.content[0].value.splitlines()
    assert {t.term for t in entry.tags} >= {scraped}
    assert root.find(f"{A}entry/{A}link").get("href") == f"https://x.vn/?q={scraped}"


def test_characters_xml_cannot_carry_are_dropped_not_fatal():
    event = {**CHANGED, "title": "Giá\x0b xăng\x00 \ud800tăng", "diff": "a\x1fb"}
    assert etag_for([event]) != etag_for([CHANGED])
    document = _feed([event])
    assert _errors(document) == ""
    entry = _parsed(document).entries[0]
    assert (entry.title, entry.content[0].value) == ("Giá xăng tăng", "ab")


def test_an_untitled_alert_is_titled_by_its_kind():
    entry = _parsed(_feed([{**BROKEN, "title": ""}])).entries[0]
    assert entry.title == KIND_LABELS["source_broken"]


# Identity

TAG_URI = re.compile(r"tag:(?P<authority>[A-Za-z0-9.-]+|[^@\s]+@[A-Za-z0-9.-]+),"
                     r"(?P<date>\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?):"
                     r"(?P<specific>([A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-F]{2})*)")  # RFC 4151 section 2.1


def test_entry_ids_do_not_depend_on_the_host_the_feed_was_fetched_from_nor_on_the_render():
    entries = [AMENDED, CHANGED, BROKEN]
    first = _parsed(_feed(entries, "http://127.0.0.1:8080"))
    second = _parsed(_feed(list(reversed(entries)), "https://govmon.example.org:8443/base"))
    assert [e.id for e in first.entries] == [e.id for e in reversed(second.entries)]
    assert first.feed.id == second.feed.id
    assert {e.link for e in first.entries} != {e.links[-1].href for e in second.entries}  # the URLs did change


@pytest.mark.parametrize("key", ["alerts", feed_key(document="13/2023/NĐ-CP"), feed_key(subscription="bàn pháp lý"),
                                 feed_key(kind="new_document", source="baochinhphu")])
def test_feed_ids_are_tag_uris_distinct_per_feed(key):
    tag = feed_tag(key)
    assert TAG_URI.fullmatch(tag), tag
    assert TAG_URI.fullmatch(entry_id(12345))
    assert len({feed_tag(k) for k in ("alerts", key, key + "x")}) == (2 if key == "alerts" else 3)


def test_feed_keys_and_titles_name_what_the_feed_selects():
    assert feed_key(subscription="legal", kind="new_document") == "subscription/legal/kind/new_document"
    assert feed_title(subscription="legal", kind="new_document") == "govmon — Theo dõi legal · Văn bản mới"
    assert feed_title(document="71/NQ-CP") == "govmon — Văn bản 71/NQ-CP"
    assert set(EVENT_KINDS) <= set(KIND_LABELS)  # every kind a channel may select has a name
    assert len({feed_title(kind=kind) for kind in EVENT_KINDS}) == len(EVENT_KINDS)


# The grammar the feeds are checked against must itself reject what RFC 4287 forbids

def _remove(path: str) -> Callable[[etree._Element], None]:
    def edit(root: etree._Element) -> None:
        element = root.find(path)
        element.getparent().remove(element)
    return edit


def _set(path: str, attribute: str | None, value: str) -> Callable[[etree._Element], None]:
    def edit(root: etree._Element) -> None:
        element = root.find(path)
        if attribute is None:
            element.text = value
        else:
            element.set(attribute, value)
    return edit


def _duplicate(path: str) -> Callable[[etree._Element], None]:
    def edit(root: etree._Element) -> None:
        element = root.find(path)
        element.addnext(copy.deepcopy(element))
    return edit


def _chain(*edits: Callable[[etree._Element], None]) -> Callable[[etree._Element], None]:
    def edit(root: etree._Element) -> None:
        for one in edits:
            one(root)
    return edit


def _add(path: str, tag: str, text: str = "") -> Callable[[etree._Element], None]:
    def edit(root: etree._Element) -> None:
        etree.SubElement(root.find(path), tag).text = text
    return edit


def _drop_attribute(path: str, attribute: str) -> Callable[[etree._Element], None]:
    return lambda root: root.find(path).attrib.pop(attribute)


Edit = Callable[[etree._Element], None]
BY_REFERENCE = _chain(_set(f"{A}entry/{A}content", "src", "https://x.vn/a.pdf"), _set(f"{A}entry/{A}content", None, ""),
                      _set(f"{A}entry/{A}content", "type", "application/pdf"))
# What RFC 4287 forbids, each with (when there is one) the nearest thing it allows, which must stay valid: the
# grammar rejects the fault, not the neighbourhood.
BROKEN_FEEDS: dict[str, tuple[Edit, Edit | None]] = {
    "an entry without id": (_remove(f"{A}entry/{A}id"), None),
    "an entry without title": (_remove(f"{A}entry/{A}title"), _set(f"{A}entry/{A}title", None, "")),
    "an entry with two updated": (_duplicate(f"{A}entry/{A}updated"), _add(f"{A}entry", f"{A}published", "2026-12-01T09:00:00Z")),
    "a feed without id": (_remove(f"{A}id"), None),
    "a feed with two titles": (_duplicate(f"{A}title"), lambda r: r.find(f"{A}title").addnext(etree.Element(f"{A}subtitle"))),
    "a text type on content by reference": (_chain(BY_REFERENCE, _add(f"{A}entry", f"{A}summary"),
                                                   _set(f"{A}entry/{A}content", "type", "text")), None),
    "a feed without updated": (_remove(f"{A}updated"), None),
    "no author anywhere": (_remove(f"{A}author"), _chain(_remove(f"{A}author"), _add(f"{A}entry", f"{A}author"),
                                                         _add(f"{A}entry/{A}author", f"{A}name", "govmon"))),
    "a date without time zone": (_set(f"{A}entry/{A}updated", None, "2026-12-01T09:15:00"),
                                 _set(f"{A}entry/{A}updated", None, "2026-12-01T02:15:00Z")),
    "a date with a lower-case t": (_set(f"{A}updated", None, "2026-12-01t09:15:00+07:00"), None),
    "a date that is no date": (_set(f"{A}updated", None, "hôm qua"), None),
    "a relative id": (_set(f"{A}entry/{A}id", None, "event/3"), _set(f"{A}entry/{A}id", None, "urn:govmon:event/3")),
    "a link without href": (_drop_attribute(f"{A}entry/{A}link", "href"), _drop_attribute(f"{A}entry/{A}link", "rel")),
    "an unknown text type": (_set(f"{A}entry/{A}title", "type", "markdown"), _set(f"{A}entry/{A}title", "type", "html")),
    "an attribute of no namespace Atom does not define": (_set(f"{A}entry/{A}title", "onclick", "x"),
                                                          _set(f"{A}entry/{A}title", "{urn:x}onclick", "x")),
    "content by reference without summary": (BY_REFERENCE, _chain(BY_REFERENCE, _add(f"{A}entry", f"{A}summary", "tóm tắt"))),
    "no content and no alternate link": (_chain(_remove(f"{A}entry/{A}content"), _set(f"{A}entry/{A}link", "rel", "related")),
                                         _remove(f"{A}entry/{A}content")),
    "an Atom element where none belongs": (_add(f"{A}entry", f"{A}feed"), _add(f"{A}entry", "{urn:x}feed")),
    "a category without term": (_drop_attribute(f"{A}entry/{A}category", "term"),
                                _drop_attribute(f"{A}entry/{A}category", "label")),
}


def _validates(edit: Edit) -> bool:
    root = etree.fromstring(_feed([AMENDED]))
    edit(root)
    return bool(SCHEMA.validate(etree.fromstring(etree.tostring(root))))


@pytest.mark.parametrize("breakage", BROKEN_FEEDS, ids=list(BROKEN_FEEDS))
def test_the_schema_rejects_what_rfc_4287_forbids(breakage):
    broken, allowed = BROKEN_FEEDS[breakage]
    assert _errors(_feed([AMENDED])) == ""
    assert not _validates(broken)
    assert allowed is None or _validates(allowed)


def test_two_alternate_links_of_one_type_and_language_are_caught():
    root = etree.fromstring(_feed([AMENDED]))
    _set(f"{A}entry/{A}link[3]", "rel", "alternate")(root)  # a copy, untyped like the announcement
    assert "alternates" in _errors(root)


VALID_ELSEWHERE = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:x="urn:example:ext" xml:lang="vi">
  <title type="html">Tin &lt;b&gt;mới&lt;/b&gt;</title>
  <subtitle type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">Bản <b>tin</b></div></subtitle>
  <link href="https://example.vn/"/>
  <updated>2026-12-01T02:00:00Z</updated>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <x:owner x:since="2020">Ban biên tập</x:owner>
  <entry>
    <title>Có tác giả riêng</title>
    <link rel="alternate" type="text/html" hreflang="vi" href="https://example.vn/1"/>
    <link rel="alternate" type="text/html" hreflang="en" href="https://example.vn/en/1"/>
    <link rel="enclosure" type="application/pdf" length="1337" href="https://example.vn/1.pdf"/>
    <id>tag:example.vn,2026:1</id>
    <updated>2026-12-01T02:00:00.25+07:00</updated>
    <published>2026-11-30T02:00:00Z</published>
    <author><name>Ban biên tập</name><email>bbt@example.vn</email><uri>https://example.vn/bbt</uri></author>
    <contributor><name>Phóng viên</name></contributor>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Nội dung</p></div></content>
  </entry>
  <entry>
    <title>Tác giả qua nguồn</title>
    <id>tag:example.vn,2026:2</id>
    <updated>2026-12-01T02:00:00Z</updated>
    <source><id>https://other.vn/feed</id><title>Nguồn</title><author><name>Báo khác</name></author></source>
    <content type="application/pdf" src="https://other.vn/2.pdf"/>
    <summary>Tóm tắt</summary>
  </entry>
  <entry>
    <title>Không có nội dung</title>
    <link rel="related" href="https://example.vn/r"/>
    <link href="https://example.vn/3"/>
    <id>tag:example.vn,2026:3</id>
    <updated>2026-12-01T02:00:00Z</updated>
    <author><name>Ban biên tập</name></author>
    <content type="application/xml"><x:data>1</x:data></content>
  </entry>
</feed>"""


def test_the_schema_accepts_valid_atom_of_other_shapes():
    """Feeds without a feed author, XHTML and HTML text, content by reference, extensions, sources."""
    document = VALID_ELSEWHERE.encode()
    assert _errors(document) == ""
    assert len(_parsed(document).entries) == 3
    entry = etree.fromstring(document).find(f"{A}entry")
    assert SCHEMA.validate(etree.ElementTree(entry))  # an entry document of its own (it names its author)


# The store's own events, as `govmon events --json` renders them

NQ71 = ("Chính phủ ban hành Nghị quyết số 71/NQ-CP sửa đổi, bổ sung Nghị quyết số 03/NQ-CP về chương trình hành "
        "động thực hiện Nghị quyết số 57-NQ/TW của Bộ Chính trị về khoa học, công nghệ và chuyển đổi số.")


def test_the_store_s_rendered_events_make_a_valid_feed(sqlite_engine):
    ingest(sqlite_engine, article_item("https://baochinhphu.vn/hop-102250401083000000.htm", "Phiên họp thường kỳ.", "Họp"))
    ingest(sqlite_engine, article_item("https://baochinhphu.vn/nq-102250402083000001.htm", NQ71, XSS[1]))
    with session_scope(sqlite_engine) as session:
        records = [render(session, event) for event in reversed(repo.events(session))]
    assert {r["kind"] for r in records} >= {"new_article", "document_amended"}
    document = _feed(records)
    assert _errors(document) == ""
    entries = _parsed(document).entries
    assert [e.id for e in entries] == [entry_id(r["id"]) for r in records]
    assert XSS[1] in [e.title for e in entries]


# Conditional GET

def test_the_etag_is_strong_and_changes_with_anything_the_feed_shows():
    tag, modified = etag_for([AMENDED, CHANGED])
    assert re.fullmatch(r'"[0-9a-f]{32}"', tag)
    assert modified == datetime(2026, 12, 2, 0, 0, tzinfo=UTC) and modified.utcoffset() == timedelta(0)
    assert etag_for([copy.deepcopy(AMENDED), copy.deepcopy(CHANGED)]) == (tag, modified)
    grown = {**AMENDED, "urls": [*AMENDED["urls"], "https://vnexpress.net/nq-71"]}  # same id and time, one more copy
    later = datetime(2026, 12, 3, tzinfo=UTC)
    others = [etag_for([grown, CHANGED])[0], etag_for([CHANGED, AMENDED])[0], etag_for([AMENDED])[0],
              etag_for([AMENDED, CHANGED], later)[0], etag_for([])[0]]
    assert len({tag, *others}) == 6
    assert etag_for([AMENDED, CHANGED], later)[1] == later and etag_for([])[1] == EPOCH


def test_equal_validators_mean_equal_feeds():
    """A strong ETag promises the same bytes: two renders of the same entries at the same URL are identical."""
    assert etag_for([AMENDED, CHANGED]) == etag_for([dict(AMENDED), dict(CHANGED)])
    assert _feed([AMENDED, CHANGED]) == _feed([dict(AMENDED), dict(CHANGED)])


def test_http_dates_are_imf_fixdates_in_gmt():
    moment = datetime.fromisoformat("2026-12-02T00:30:00+07:00")
    assert http_date(moment) == "Tue, 01 Dec 2026 17:30:00 GMT"
    assert parsedate_to_datetime(http_date(moment)) == moment


@pytest.mark.parametrize("value, expected", [
    ("Sun, 06 Nov 1994 08:49:37 GMT", datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)),  # RFC 9110's three forms
    ("Sunday, 06-Nov-94 08:49:37 GMT", datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)),
    ("Sun Nov  6 08:49:37 1994", datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)),
    (" Sun, 06 Nov 1994 08:49:37 GMT\t", datetime(1994, 11, 6, 8, 49, 37, tzinfo=UTC)),
    ("Sun, 06 Nov 1994 08:49:37 +0700", None),  # not GMT
    ("sun, 06 nov 1994 08:49:37 gmt", None),  # case-sensitive
    ("Sun, 06 Nov 1994 08:49:37 GMT, Mon, 07 Nov 1994 08:49:37 GMT", None),  # two members
    ("Mon, 31 Feb 2025 08:49:37 GMT", None),
    ("2026-12-01T09:00:00+07:00", None), ("", None), ("yesterday", None),
])
def test_http_dates_are_read_in_their_three_forms_and_nothing_else(value, expected):
    assert parse_http_date(value) == expected


ETAG = '"0123456789abcdef0123456789abcdef"'
MODIFIED = datetime(2026, 12, 1, 9, 15, 0, 500000, tzinfo=UTC)
SAME = "Tue, 01 Dec 2026 09:15:00 GMT"
EARLIER = "Tue, 01 Dec 2026 09:14:59 GMT"
LATER = "Wed, 02 Dec 2026 00:00:00 GMT"


@pytest.mark.parametrize("if_none_match, if_modified_since, expected", [
    (None, None, False),  # unconditional
    (ETAG, None, True),
    (f"W/{ETAG}", None, True),  # If-None-Match compares weakly
    (f'"other", {ETAG}', None, True),
    (f'"a,b" ,, W/"x" ,{ETAG}', None, True),  # a comma inside a tag, empty list members
    ('"other"', None, False),
    ("*", None, True),
    (" * ", None, True),
    (ETAG.strip('"'), None, False),  # unquoted: not an entity tag
    (f"{ETAG} garbage", None, False),
    ('"other"', LATER, False),  # If-None-Match decides; If-Modified-Since is then ignored
    (ETAG, EARLIER, True),
    ("", LATER, False),  # present, though empty: it decides
    (None, SAME, True),  # not modified since: Last-Modified is compared to the second
    (None, LATER, True),
    (None, EARLIER, False),
    (None, "Tuesday, 01-Dec-26 09:15:00 GMT", True),
    (None, "Tue Dec  1 09:15:00 2026", True),
    (None, "Tue, 01 Dec 2026 16:15:00 +0700", False),  # not an HTTP-date: ignored
    (None, "not a date", False),
    (None, f"{SAME}, {LATER}", False),  # more than one member: ignored
])
def test_not_modified_follows_rfc_9110(if_none_match, if_modified_since, expected):
    assert not_modified(if_none_match, if_modified_since, ETAG, MODIFIED) is expected


def test_a_feed_s_own_validators_answer_its_revalidation():
    tag, modified = etag_for([AMENDED, CHANGED])
    assert not_modified(tag, None, tag, modified) and not_modified(None, http_date(modified), tag, modified)
    newer_tag, newer = etag_for([{**CHANGED, "id": 6, "created_at": "2026-12-02T08:00:00+07:00"}, AMENDED, CHANGED])
    assert not not_modified(tag, None, newer_tag, newer)
    assert not not_modified(None, http_date(modified), newer_tag, newer)
