"""List pages: the article links a source's `[list]` rule promises, and the next page."""
from __future__ import annotations

import re
from urllib.parse import urljoin

from lxml.cssselect import CSSSelector

from crawler.extract.fingerprint import canonical_url
from crawler.extract.html import parse
from crawler.extract.rules import ListRule
from crawler.extract.types import SelectorMismatch

__all__ = ["extract_links", "next_page_url"]


def _hrefs(text: str, selector: str, base: str) -> list[str]:
    tree = parse(text)
    return [urljoin(base, a.get("href", "").strip()) for a in CSSSelector(selector)(tree) if a.get("href")]


def extract_links(text: str, url: str, rule: ListRule) -> list[str]:
    """Article URLs in page order, canonical and deduplicated; fewer than `min_links` is layout drift."""
    allow = re.compile(rule.allow) if rule.allow else None
    links = [canonical_url(h) for h in _hrefs(text, rule.links, url) if h.startswith("http")]
    links = list(dict.fromkeys(h for h in links if not allow or allow.search(h)))
    if len(links) < rule.min_links:
        raise SelectorMismatch("list.links", rule.links, len(links), f">= {rule.min_links}")
    return links


def next_page_url(text: str, url: str, rule: ListRule) -> str | None:
    if not rule.next_page:
        return None
    found = _hrefs(text, rule.next_page, url)
    return canonical_url(found[0]) if found else None
