"""Discovery: the article links a source's `[list]` rule promises on list pages (and their next page), in
RSS/Atom feeds (feedparser) and in sitemaps (plain XML, namespace-agnostic). Pure: bytes in, URLs out.

Feeds and sitemaps are bounded before they are parsed (`limits`): over their size, or declaring XML
entities (billion laughs, external entities: RELIABILITY.md B1, B2), they are refused as NotContent and
no entity is ever expanded."""
from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import urljoin

import feedparser
from lxml import etree
from lxml.cssselect import CSSSelector

from govmon.crawler.extract.fingerprint import canonical_url
from govmon.crawler.extract.html import parse
from govmon.crawler.extract.limits import (
    FEED_MAX_BYTES,
    SITEMAP_MAX_BYTES,
    SITEMAP_MAX_ENTRIES,
    refuse_over,
)
from govmon.crawler.extract.rules import ListRule
from govmon.crawler.extract.types import NotContent, SelectorMismatch

__all__ = ["extract_links", "is_article_url", "next_page_url", "page_params", "feed_links", "sitemap_entries", "sitemap_links", "expand",
           "archive_urls"]


def _hrefs(text: str, selector: str, base: str) -> list[str]:
    tree = parse(text)
    return [urljoin(base, a.get("href", "").strip()) for a in CSSSelector(selector)(tree) if a.get("href")]


def extract_links(text: str, url: str, rule: ListRule) -> list[str]:
    """Article URLs in page order, canonical and deduplicated; fewer than `min_links` is layout drift."""
    links = _allowed(_hrefs(text, rule.links, url), rule)
    if len(links) < rule.min_links:
        raise SelectorMismatch("list.links", rule.links, len(links), f">= {rule.min_links}")
    return links[: rule.max_links] if rule.max_links else links


def next_page_url(text: str, url: str, rule: ListRule, page: int = 1, params: dict[str, str] | None = None) -> str | None:
    """The next list page: the `next_page` link, or `page_template` filled with page + 1 and the `params`
    read from the first page (see `page_params`); None at the end or when the values are missing.

    >>> rule = ListRule(page_template="/timelinelist/{zone}/{page}.htm", page_params={"zone": "#hdZoneId@value"})
    >>> first = '<input id="hdZoneId" value="1021119"><a class="t" href="/a-1.htm">a</a>'
    >>> next_page_url(first, "https://baochinhphu.vn/kinh-te.htm", rule, 1, page_params(first, rule))
    'https://baochinhphu.vn/timelinelist/1021119/2.htm'
    """
    if rule.next_page:
        found = _hrefs(text, rule.next_page, url)
        return canonical_url(found[0]) if found else None
    if not rule.page_template or (rule.page_params and not params):
        return None
    try:
        return canonical_url(urljoin(url, rule.page_template.format(page=page + 1, **(params or {}))))
    except (KeyError, IndexError):
        return None


def page_params(text: str, rule: ListRule) -> dict[str, str]:
    """The template values a first list page carries (``"#hdZoneId@value"``: that element's attribute);
    empty when any is missing, so a redesigned page never produces a made-up URL."""
    if not rule.page_params:
        return {}
    tree = parse(text)
    values = {}
    for name, spec in rule.page_params.items():
        selector, _, attribute = spec.partition("@")
        nodes = CSSSelector(selector)(tree)
        value = (nodes[0].get(attribute, "") if attribute else nodes[0].text_content()).strip() if nodes else ""
        if not value:
            return {}
        values[name] = value
    return values


def is_article_url(url: str, rule: ListRule) -> bool:
    """Whether the source's `allow` pattern takes `url` for an article (every URL, without a pattern).

    >>> is_article_url("https://vanban.chinhphu.vn/?pageid=27160&docid=213001", ListRule(allow="docid=[0-9]+"))
    True
    >>> is_article_url("https://vanban.chinhphu.vn/?pageid=41852&mode=0", ListRule(allow="docid=[0-9]+"))
    False
    """
    return bool(_allowed([url], rule))


def _allowed(links: list[str], rule: ListRule) -> list[str]:
    allow = re.compile(rule.allow) if rule.allow else None
    urls = (canonical_url(h) for h in links if h.startswith("http"))
    return list(dict.fromkeys(u for u in urls if not allow or allow.search(u)))


def _no_entities(body: bytes, what: str) -> None:
    """Refuse XML that declares entities: a feed or sitemap has no use for them, and they are how billion
    laughs and external-entity reads (XXE) work. Checked on the prolog, NUL bytes dropped (UTF-16).

    >>> _no_entities(b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>', "feed")
    Traceback (most recent call last):
    ...
    govmon.crawler.extract.types.NotContent: xml_entities: the feed declares XML entities (refused, never expanded)
    """
    if b"<!ENTITY" in body[:65536].replace(b"\x00", b"").upper():
        raise NotContent("xml_entities", f"the {what} declares XML entities (refused, never expanded)")


def feed_links(body: bytes, url: str, rule: ListRule) -> list[str]:
    """Article links of an RSS/Atom feed, in feed order. A feed without entries (an HTML error page in its
    place, a redesign) is layout drift, like a list page without links; one over `FEED_MAX_BYTES` or
    declaring entities is NotContent.

    >>> rss = b'<rss><channel><item><link><![CDATA[https://baochinhphu.vn/a-102250101000000001.htm]]></link></item></channel></rss>'
    >>> feed_links(rss, "https://baochinhphu.vn/kinh-te.rss", ListRule())
    ['https://baochinhphu.vn/a-102250101000000001.htm']
    """
    refuse_over(len(body), FEED_MAX_BYTES, "feed")
    _no_entities(body, "feed")
    parsed = feedparser.parse(body, response_headers={"content-location": url})
    links = _allowed([urljoin(url, e.get("link", "").strip()) for e in parsed.entries], rule)
    if not links:
        raise SelectorMismatch("list.feeds", url, 0, ">= 1 entry")
    return links


def _xml(body: bytes) -> etree._Element:
    refuse_over(len(body), SITEMAP_MAX_BYTES, "sitemap")
    _no_entities(body, "sitemap")
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        return etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise NotContent("not_xml", str(exc)) from exc


def sitemap_entries(body: bytes) -> tuple[str, list[tuple[str, str]]]:
    """("index" | "urlset", [(loc, lastmod)]) of a sitemap, namespace-agnostic; more than
    `SITEMAP_MAX_ENTRIES` (the protocol's limit) is NotContent "too_large".

    >>> sitemap_entries(b'<urlset><url><loc> https://a.vn/x </loc><lastmod>2025-04-02</lastmod></url></urlset>')
    ('urlset', [('https://a.vn/x', '2025-04-02')])
    """
    root = _xml(body)
    if root is None or _local(root.tag) not in ("sitemapindex", "urlset"):
        raise SelectorMismatch("list.sitemaps", "sitemapindex|urlset", 0, "a sitemap root element")
    kind = "index" if _local(root.tag) == "sitemapindex" else "urlset"
    if len(root) > SITEMAP_MAX_ENTRIES:
        raise NotContent("too_large", f"sitemap of {len(root)} entries, over the {SITEMAP_MAX_ENTRIES:,} limit")
    entries = [(_child(node, "loc"), _child(node, "lastmod")) for node in root if isinstance(node.tag, str)]
    return kind, [(loc, lastmod) for loc, lastmod in entries if loc]


def _local(tag: object) -> str:
    """An element's name without namespace or prefix; "" for comments and processing instructions.
    (lxml's QName refuses the "x:urlset" a recovering parser keeps for an undeclared prefix.)

    >>> _local("{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"), _local("x:urlset"), _local(None)
    ('urlset', 'urlset', '')
    """
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1] if isinstance(tag, str) else ""


def _child(node: etree._Element, name: str) -> str:
    found = [c.text or "" for c in node if _local(c.tag) == name]
    return found[0].strip() if found else ""


def sitemap_links(entries: list[tuple[str, str]], rule: ListRule, limit: int) -> list[str]:
    """The newest `limit` article URLs of a urlset (by lastmod when given, else in file order)."""
    ordered = sorted(entries, key=lambda e: e[1], reverse=True) if any(m for _, m in entries) else entries
    return _allowed([loc for loc, _ in ordered], rule)[:limit]


def expand(template: str, today: date) -> str:
    """Fill a sitemap URL template: ``news-{year}-{month}.xml`` → ``news-2025-4.xml`` (months not padded).

    >>> expand("https://www.vietnamplus.vn/sitemaps/news-{year}-{month}.xml", date(2025, 4, 2))
    'https://www.vietnamplus.vn/sitemaps/news-2025-4.xml'
    """
    return template.format(year=today.year, month=today.month, month2=f"{today.month:02d}")


def archive_urls(templates: tuple[str, ...], since: date, until: date) -> list[str]:
    """Every distinct URL the templates give for the days from `since` to `until`, newest first.

    >>> archive_urls(("https://www.vietnamplus.vn/sitemaps/news-{year}-{month}.xml",), date(2025, 3, 30), date(2025, 4, 2))
    ['https://www.vietnamplus.vn/sitemaps/news-2025-4.xml', 'https://www.vietnamplus.vn/sitemaps/news-2025-3.xml']
    >>> archive_urls(("https://mst.gov.vn/tin-tuc-su-kien/xem-theo-ngay-{day2}-{month2}-{year}.htm",), date(2025, 6, 15), date(2025, 6, 16))
    ['https://mst.gov.vn/tin-tuc-su-kien/xem-theo-ngay-16-06-2025.htm', 'https://mst.gov.vn/tin-tuc-su-kien/xem-theo-ngay-15-06-2025.htm']
    """
    days = [until - timedelta(days=n) for n in range((until - since).days + 1)]
    urls = (t.format(year=d.year, month=d.month, month2=f"{d.month:02d}", day=d.day, day2=f"{d.day:02d}")
            for d in days for t in templates)
    return list(dict.fromkeys(urls))
