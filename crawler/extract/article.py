"""Article pages: a source's `[article]` selectors when we know the site, the generic extractor
(`crawler.extract.generic`, trafilatura) when we do not.

Both paths end in the same cleanup (`crawler.extract.boilerplate`): boilerplate blocks dropped ("Same tag",
"Tin liên quan", …), photo-credit lines and byline markers such as "(Chinhphu.vn) - " removed, paragraphs
kept, NFC text.
"""
from __future__ import annotations

from functools import lru_cache

import lxml.html
from lxml.cssselect import CSSSelector

from govmon.crawler.extract.boilerplate import BOILERPLATE_MARKERS, clean_paragraphs, strip_byline, without_lead
from govmon.crawler.extract.dates import parse_datetime, to_iso
from govmon.crawler.extract.fingerprint import canonical_url
from govmon.crawler.extract.generic import extract_generic
from govmon.crawler.extract.health import check_content
from govmon.crawler.extract.html import block_texts, node_text, parse
from govmon.crawler.extract.normalize import clean_text
from govmon.crawler.extract.notarticle import check_site_article
from govmon.crawler.extract.pagemeta import meta_values
from govmon.crawler.extract.rules import ArticleRule
from govmon.crawler.extract.types import Article, Attachment, SelectorMismatch

__all__ = ["extract_article", "extract_generic", "BOILERPLATE_MARKERS"]


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


def _published(tree: lxml.html.HtmlElement, metas: dict[str, str], rule: ArticleRule) -> str | None:
    raw = metas.get(rule.published_meta.lower(), "") or _first_text(tree, rule.published, rule.published_attr)
    return to_iso(parse_datetime(raw, rule.date_formats))


def _canonical(tree: lxml.html.HtmlElement, metas: dict[str, str], url: str) -> str:
    link = _first_text(tree, 'link[rel="canonical"]', "href") or metas.get("og:url", "")
    return canonical_url(link if link.startswith("http") else url)


def _attachments(tree: lxml.html.HtmlElement, selector: str, url: str) -> list[Attachment]:
    found = [(a.get("href", ""), node_text(a)) for a in _select(tree, selector)]
    return [Attachment(url=lxml.html.urljoin(url, href), name=name) for href, name in found if href]


def extract_article(text: str, url: str, rule: ArticleRule | None, source: str = "", lang: str = "vi") -> Article:
    """Extract with the source's selectors; raises SelectorMismatch when the layout is not the one expected
    (callers then fall back to `extract_generic` and report the source as broken), NotArticle when what
    the selectors found is an error page or nothing at all."""
    check_content(text)
    if rule is None:
        return extract_generic(text, url, source, lang)
    tree = parse(text)
    metas = meta_values(tree)  # every <meta> once, not a selector per meta
    title = clean_text(node_text(_one(tree, "title", rule.title)))
    body = _one(tree, "body", rule.body)
    attachments = _attachments(tree, rule.attachments, url)  # before `drop`, which may remove the file box
    author = clean_text(_first_text(tree, rule.author)) if rule.author else ""  # likewise the byline
    for selector in rule.drop:
        for node in _select(body, selector):
            node.drop_tree()
    lead = strip_byline(clean_text(_first_text(tree, rule.lead)), rule.strip_prefixes)
    paragraphs = without_lead(clean_paragraphs(block_texts(body), rule.stop_markers, skip=(title, lead)),
                               lead, rule.strip_prefixes)
    check_site_article(tree, title, "\n\n".join(paragraphs), len(attachments))
    return Article(
        url=url, canonical_url=_canonical(tree, metas, url), source=source, lang=tree.get("lang", "")[:2] or lang,
        title=title, lead=lead, text="\n\n".join(paragraphs), published_at=_published(tree, metas, rule),
        modified_at=to_iso(parse_datetime(metas.get(rule.modified_meta.lower(), ""))),
        author=author,
        category=[clean_text(node_text(a)) for a in _select(tree, rule.breadcrumb)],
        attachments=attachments, subject_text=clean_text(_first_text(tree, rule.subject)) if rule.subject else "",
        extractor="site",
    )
