"""One page, start to finish, as a pure function: bytes → decoded text → the source's selectors (or the
generic extractor when there are none or they no longer match) → the documents the article names.

This is what `govmon extract` prints and what evaluations call; the spider runs the same steps.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from govmon.crawler.extract.article import extract_article, extract_generic
from govmon.crawler.extract.docrefs import extract as find_documents
from govmon.crawler.extract.html import decode
from govmon.crawler.extract.rules import ArticleRule
from govmon.crawler.extract.types import Article, SelectorMismatch

__all__ = ["Extracted", "extract_page", "with_documents"]


@dataclass(frozen=True)
class Extracted:
    article: Article
    mismatch: SelectorMismatch | None = None  # set when the site's selectors failed and generic was used


def with_documents(article: Article) -> Article:
    """The article with its references, number-only mentions and relations filled in."""
    refs, partial, relations = find_documents("\n\n".join(p for p in (article.title, article.lead, article.text) if p))
    return replace(article, doc_refs=refs, partial_refs=partial, relations=relations)


def extract_page(body: bytes, url: str, rule: ArticleRule | None = None, source: str = "", lang: str = "vi",
                 content_type: str = "") -> Extracted:
    """Extract one page; NotContent (challenge, error page, empty body) propagates to the caller."""
    text = decode(body, content_type)
    try:
        return Extracted(with_documents(extract_article(text, url, rule, source, lang)))
    except SelectorMismatch as exc:
        return Extracted(with_documents(extract_generic(text, url, source, lang)), exc)
