"""Article pages: a source's `[article]` selectors when we know the site, trafilatura when we do not.

Both paths end in the same cleanup: boilerplate blocks dropped ("Same tag", "Tin liên quan", …),
photo-credit lines and byline markers such as "(Chinhphu.vn) - " removed, paragraphs kept, NFC text.
"""
from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import lxml.html
import trafilatura
from lxml.cssselect import CSSSelector

from govmon.crawler.extract.dates import parse_datetime, to_iso
from govmon.crawler.extract.fingerprint import canonical_url
from govmon.crawler.extract.health import check_content, visible_text
from govmon.crawler.extract.html import block_texts, node_text, parse
from govmon.crawler.extract.normalize import clean_text, comparison_form
from govmon.crawler.extract.rules import ArticleRule
from govmon.crawler.extract.types import Article, Attachment, SelectorMismatch

__all__ = ["extract_article", "extract_generic", "BOILERPLATE_MARKERS"]

BOILERPLATE_MARKERS = (
    "Same tag", "Same category", "Same author", "Comment (0)", "No data", "Tham khảo thêm", "Tin liên quan",
    "Cùng chuyên mục", "Tin cùng chuyên mục", "Bài viết liên quan", "Xem thêm", "Related news", "Read more",
)
_BYLINE = re.compile(r"^\((?:[\w.+/ -]{2,40})\)\s*[-–—]\s*")
_CREDIT = re.compile(r"^(?:\(?\s*(?:Ảnh|Photo|Nguồn ảnh|Video|Clip)\s*:[^.]{0,80}\)?\.?|[\w ]{0,60}- Ảnh \d+\.?)$", re.I)


@lru_cache(maxsize=1024)
def _compiled(selector: str) -> CSSSelector:
    return CSSSelector(selector)


def _select(tree: lxml.html.HtmlElement, selector: str) -> list[lxml.html.HtmlElement]:
    return _compiled(selector)(tree) if selector else []


def _one(tree: lxml.html.HtmlElement, name: str, selector: str) -> lxml.html.HtmlElement:
    found = _select(tree, selector)
    if len(found) != 1:
        raise SelectorMismatch(f"article.{name}", selector, len(found), "exactly 1")
    return found[0]


def _first_text(tree: lxml.html.HtmlElement, selector: str, attr: str = "") -> str:
    for node in _select(tree, selector):
        value = node.get(attr, "") if attr else node_text(node)
        if value.strip():
            return value.strip()
    return ""


def _meta(tree: lxml.html.HtmlElement, prop: str) -> str:
    if not prop:
        return ""
    return _first_text(tree, f'meta[property="{prop}"], meta[name="{prop}"], meta[itemprop="{prop}"]', "content")


def strip_byline(text: str, patterns: Sequence[str] = ()) -> str:
    """Remove a leading byline marker such as "(Chinhphu.vn) - " or "(TTXVN/Vietnam+) – "."""
    for pattern in patterns:
        text = re.sub(pattern, "", text)
    return _BYLINE.sub("", text, count=1)


def _skeleton(text: str) -> str:
    """The first letters and digits without any marks: equal for two texts that may be the same paragraph
    in another tone style or case, and cheap (the full comparison form is the costly step)."""
    bare = unicodedata.normalize("NFD", text[:64].casefold())
    return "".join(c for c in bare if c.isalnum() and not unicodedata.combining(c))[:24]


@lru_cache(maxsize=256)
def _forms(texts: tuple[str, ...]) -> frozenset[str]:
    return frozenset(comparison_form(t) for t in texts if t)


def clean_paragraphs(paragraphs: Sequence[str], markers: Sequence[str], skip: Sequence[str] = ()) -> list[str]:
    """Cut at the first boilerplate marker; drop credit lines and repeats of the title or lead. Only a
    paragraph short enough to be a marker, the title or the lead is put in comparison form (the slow part)."""
    stops, skips = _forms((*BOILERPLATE_MARKERS, *markers)), _forms(tuple(skip))
    longest_stop = max((len(s) for s in stops), default=0) + 16
    skeletons = {_skeleton(s) for s in skip if s}
    kept: list[str] = []
    for paragraph in (clean_text(p) for p in paragraphs):
        maybe = len(paragraph) <= longest_stop or _skeleton(paragraph) in skeletons
        form = comparison_form(paragraph) if maybe else ""
        if form and form in stops:
            break
        if paragraph and not (form and form in skips) and not _CREDIT.match(paragraph):
            kept.append(paragraph)
    return kept


def _without_lead(paragraphs: list[str], lead: str, prefixes: Sequence[str] = ()) -> list[str]:
    """The body with the byline marker stripped from its first paragraph, and that paragraph dropped when
    it is only the lead again ("(Chinhphu.vn) - <lead>" printed inside the body)."""
    if not paragraphs:
        return paragraphs
    first = strip_byline(paragraphs[0], prefixes)
    if lead and comparison_form(first) == comparison_form(lead):
        return paragraphs[1:]
    return [first, *paragraphs[1:]]


def _published(tree: lxml.html.HtmlElement, rule: ArticleRule) -> str | None:
    raw = _meta(tree, rule.published_meta) or _first_text(tree, rule.published, rule.published_attr)
    return to_iso(parse_datetime(raw, rule.date_formats))


def _canonical(tree: lxml.html.HtmlElement, url: str) -> str:
    link = _first_text(tree, 'link[rel="canonical"]', "href") or _meta(tree, "og:url")
    return canonical_url(link if link.startswith("http") else url)


def _attachments(tree: lxml.html.HtmlElement, selector: str, url: str) -> list[Attachment]:
    found = [(a.get("href", ""), node_text(a)) for a in _select(tree, selector)]
    return [Attachment(url=lxml.html.urljoin(url, href), name=name) for href, name in found if href]


def extract_article(text: str, url: str, rule: ArticleRule | None, source: str = "", lang: str = "vi") -> Article:
    """Extract with the source's selectors; raises SelectorMismatch when the layout is not the one expected
    (callers then fall back to `extract_generic` and report the source as broken)."""
    check_content(text)
    if rule is None:
        return extract_generic(text, url, source, lang)
    tree = parse(text)
    title = clean_text(node_text(_one(tree, "title", rule.title)))
    body = _one(tree, "body", rule.body)
    attachments = _attachments(tree, rule.attachments, url)  # before `drop`, which may remove the file box
    author = clean_text(_first_text(tree, rule.author)) if rule.author else ""  # likewise the byline
    for selector in rule.drop:
        for node in _select(body, selector):
            node.drop_tree()
    lead = strip_byline(clean_text(_first_text(tree, rule.lead)), rule.strip_prefixes)
    paragraphs = _without_lead(clean_paragraphs(block_texts(body), rule.stop_markers, skip=(title, lead)),
                               lead, rule.strip_prefixes)
    return Article(
        url=url, canonical_url=_canonical(tree, url), source=source, lang=tree.get("lang", "")[:2] or lang,
        title=title, lead=lead, text="\n\n".join(paragraphs), published_at=_published(tree, rule),
        modified_at=to_iso(parse_datetime(_meta(tree, rule.modified_meta))),
        author=author,
        category=[clean_text(node_text(a)) for a in _select(tree, rule.breadcrumb)],
        attachments=attachments, subject_text=clean_text(_first_text(tree, rule.subject)) if rule.subject else "",
        extractor="site",
    )


def _shown(lead: str, page: str) -> bool:
    """Whether a meta description is also printed in the page body (a sapo), not only a summary for robots.

    >>> _shown("Chính phủ họp phiên thường kỳ.", "<head><meta content='x'></head><body><h2>Chính phủ họp  phiên thường kỳ.</h2>")
    True
    >>> _shown("Tóm tắt cho máy tìm kiếm", "<head><meta name=description content='Tóm tắt cho máy tìm kiếm'></head><body><p>x</p>")
    False
    """
    if not lead:
        return False
    start = page.lower().find("<body")
    visible = " ".join(html.unescape(visible_text(page[max(start, 0):])).split())
    return " ".join(lead.split())[:60] in visible


_PUBLISHED_META = re.compile(
    r"""<meta\b[^>]*["'](?:article:published_time|datePublished|pubdate|og:published_time|dc\.date\.issued)["'][^>]*>""",
    re.I)
_CONTENT = re.compile(r"""\bcontent\s*=\s*["']([^"']+)""", re.I)


def _generic_date(page: str, found: str | None) -> str | None:
    """The publication time of an unknown layout: a published-time meta tag (with its time of day) when the
    page has one, else the date trafilatura/htmldate found (a date alone is read as local midnight).

    >>> _generic_date('<meta content="2026-03-13T08:05:00+07:00" property="article:published_time">', "2026-03-13")
    '2026-03-13T08:05:00+07:00'
    >>> _generic_date("<p>x</p>", "2026-03-13")
    '2026-03-13T00:00:00+07:00'
    """
    tag = _PUBLISHED_META.search(page[:60000])
    content = _CONTENT.search(tag.group(0)) if tag else None
    for raw in (content.group(1) if content else None, found):
        value = parse_datetime(raw, ("%Y-%m-%d",))
        if value is not None:
            return to_iso(value)
    return None


def extract_generic(text: str, url: str, source: str = "", lang: str = "vi") -> Article:
    """trafilatura's main-content extraction (htmldate for dates) plus our boilerplate rules."""
    check_content(text)
    doc = trafilatura.bare_extraction(text, url=url, with_metadata=True, include_comments=False,
                                      include_tables=True, favor_precision=True)
    if doc is None:
        return Article(url=url, canonical_url=canonical_url(url), source=source, lang=lang,
                       title="", lead="", text="", extractor="generic")
    title = clean_text(doc.title or "")
    lead = strip_byline(clean_text(doc.description or ""))
    paragraphs = clean_paragraphs((doc.text or "").split("\n"), (), skip=(title,))
    if paragraphs:
        paragraphs[0] = strip_byline(paragraphs[0])
    return Article(
        url=url, canonical_url=canonical_url(doc.url or url), source=source, lang=(doc.language or lang)[:2],
        title=title, lead=lead if _shown(lead, text) and not (paragraphs and lead in paragraphs[0]) else "",
        text="\n\n".join(paragraphs), published_at=_generic_date(text, doc.date),
        author=clean_text(doc.author or ""), category=list(doc.categories or []), extractor="generic",
    )
