"""What a page says about itself, read from its one parsed tree: the `<meta>` tags (OpenGraph, article:,
name=, itemprop=), JSON-LD, `<link rel=canonical>`, `<html lang>`, the `<h1>` and `<title>`.

Nothing here guesses from the visible text: a value is what the page declares, or empty. The generic extractor
uses it for the title, lead, canonical URL, language, author, section and publication times, and the
not-an-article rules for what the page declares itself to be (`og:type`, JSON-LD `@type`).

>>> meta = read_meta(lxml.html.document_fromstring(
...     '<html lang="vi-VN"><head><meta property="og:type" content="article">'
...     '<meta property="og:title" content="Nghị quyết 71/NQ-CP"><title>Nghị quyết 71/NQ-CP - Báo Chính phủ</title>'
...     '<meta property="article:published_time" content="2025-05-07T06:15:00&#x2B;07:00"></head><body></body></html>'))
>>> meta.title, meta.lang, meta.published, meta.declares_article
('Nghị quyết 71/NQ-CP', 'vi', '2025-05-07T06:15:00+07:00', True)
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import lxml.html

__all__ = ["PageMeta", "read_meta", "meta_values", "ARTICLE_TYPES"]

# schema.org types of a page that is one piece of writing (NewsArticle, Report, …); a WebSite, WebPage,
# CollectionPage, SearchResultsPage or ItemList is not.
ARTICLE_TYPES = frozenset({"article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "blogposting",
                           "report", "scholarlyarticle", "techarticle", "opinionnewsarticle", "legislation",
                           "governmentpermit", "pressrelease", "socialmediaposting", "liveblogposting"})
_PUBLISHED = ("article:published_time", "og:published_time", "datepublished", "pubdate", "publishdate",
              "dc.date.issued", "dcterms.issued", "dc.date", "date")
_MODIFIED = ("article:modified_time", "og:updated_time", "datemodified", "dcterms.modified", "last-modified")
_AUTHOR = ("article:author", "author", "dc.creator", "byl")
_SECTION = ("article:section",)
_JSON_LD_MAX = 200_000  # characters of one JSON-LD script read; a larger one is not metadata we need
_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " » ")


@dataclass(frozen=True)
class PageMeta:
    title: str = ""
    description: str = ""
    canonical: str = ""
    lang: str = ""
    author: str = ""
    section: list[str] = field(default_factory=list)
    published: str = ""  # as written (ISO in most pages); parsed by the caller
    modified: str = ""
    types: frozenset[str] = frozenset()  # og:type and JSON-LD @type values, lower case

    @property
    def declares_article(self) -> bool:
        """The page calls itself an article (og:type article, an Article-like JSON-LD type, a publication
        time): strong evidence for an article; its absence proves nothing (many portals declare nothing)."""
        return bool(self.types & ARTICLE_TYPES) or bool(self.published)


def meta_values(tree: lxml.html.HtmlElement) -> dict[str, str]:
    """The first non-empty `content` of each meta key (property, name or itemprop, lower case)."""
    found: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        content = " ".join((meta.get("content") or "").split())
        if key and content and key not in found:
            found[key] = content
    return found


def _first(values: dict[str, str], keys: tuple[str, ...]) -> str:
    return next((values[k] for k in keys if values.get(k)), "")


def _json_objects(tree: lxml.html.HtmlElement) -> Iterator[dict[str, Any]]:
    """Every JSON object of the page's JSON-LD scripts, `@graph` members included; broken JSON is skipped."""
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        text = (script.text or "").strip()
        if not text or len(text) > _JSON_LD_MAX:
            continue
        try:
            data = json.loads(text)
        except ValueError:
            continue
        yield from _flatten(data)


def _flatten(data: Any) -> Iterator[dict[str, Any]]:
    items = data if isinstance(data, list) else [data]
    for item in items:
        if isinstance(item, dict):
            yield item
            yield from _flatten(item.get("@graph", []))


def _types(item: dict[str, Any]) -> set[str]:
    kind = item.get("@type", "")
    return {str(k).lower() for k in (kind if isinstance(kind, list) else [kind]) if k}


def _name(value: Any) -> str:
    """A JSON-LD person or text: its name."""
    if isinstance(value, list):
        return ", ".join(n for n in (_name(v) for v in value) if n)
    if isinstance(value, dict):
        return str(value.get("name") or "").strip()
    return str(value or "").strip()


def _ld(tree: lxml.html.HtmlElement) -> dict[str, Any]:
    """The JSON-LD facts we use: types, and headline/dates/author/section of the article-like object."""
    found: dict[str, Any] = {"types": set()}
    for item in _json_objects(tree):
        kinds = _types(item)
        found["types"] |= kinds
        if kinds & ARTICLE_TYPES and "headline" not in found:
            found.update(headline=_name(item.get("headline")), published=_name(item.get("datePublished")),
                         modified=_name(item.get("dateModified")), author=_name(item.get("author")),
                         section=_name(item.get("articleSection")))
    return found


def _title(tree: lxml.html.HtmlElement, metas: dict[str, str], ld: dict[str, Any]) -> str:
    """og:title, twitter:title, a JSON-LD headline, the one <h1>, else <title> without the site's name."""
    declared = _first(metas, ("og:title", "twitter:title", "title", "headline")) or ld.get("headline", "")
    if declared:
        return declared
    headings = tree.findall(".//h1")
    if len(headings) == 1 and (text := " ".join(headings[0].text_content().split())):
        return text
    return _without_site_name(" ".join(tree.findtext(".//title", "").split()))


def _without_site_name(title: str) -> str:
    """'Tin tức - Cổng TTĐT tỉnh X' → 'Tin tức': the site's name comes last (a headline may hold " - " too)."""
    for separator in _TITLE_SEPARATORS:
        if separator in title:
            return title.rsplit(separator, 1)[0].strip()
    return title


def _canonical(tree: lxml.html.HtmlElement, metas: dict[str, str]) -> str:
    for link in tree.iterfind(".//link[@rel]"):
        if link.get("rel", "").strip().lower() == "canonical" and link.get("href", "").startswith("http"):
            return link.get("href", "").strip()
    url = metas.get("og:url", "")
    return url if url.startswith("http") else ""


def _lang(tree: lxml.html.HtmlElement, metas: dict[str, str]) -> str:
    declared = tree.get("lang") or tree.get("xml:lang") or metas.get("og:locale") or metas.get("language", "")
    return declared.strip()[:2].lower()


def _author(metas: dict[str, str], ld: dict[str, Any]) -> str:
    """A person's name: a URL (Facebook profile) or a domain name ('baochinhphu.vn') is not one."""
    for value in (ld.get("author", ""), _first(metas, _AUTHOR)):
        if value and "://" not in value and not value.lower().endswith((".vn", ".com", ".net", ".org")):
            return value
    return ""


def read_meta(tree: lxml.html.HtmlElement) -> PageMeta:
    """What the page declares about itself (see the module docstring)."""
    metas, ld = meta_values(tree), _ld(tree)
    og_type = metas.get("og:type", "").lower()
    section = [s for s in (_first(metas, _SECTION) or ld.get("section", ""),) if s]
    return PageMeta(
        title=_title(tree, metas, ld), description=_first(metas, ("og:description", "description",
                                                                   "twitter:description")),
        canonical=_canonical(tree, metas), lang=_lang(tree, metas), author=_author(metas, ld), section=section,
        published=ld.get("published") or _first(metas, _PUBLISHED), modified=ld.get("modified") or
        _first(metas, _MODIFIED), types=frozenset(ld["types"] | ({og_type} if og_type else set())))
