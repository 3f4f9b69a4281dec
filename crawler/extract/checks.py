"""What each selector of a source definition finds on a page: the evidence `govmon sources check` shows
when a site may have been redesigned. Pure: page text and rules in, one row per selector out.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

from lxml.cssselect import CSSSelector, SelectorSyntaxError

from govmon.crawler.extract.html import node_text, parse
from govmon.crawler.extract.rules import ArticleRule, ListRule

__all__ = ["SelectorCheck", "check_article", "check_list"]

_EXACTLY_ONE = {"title", "body"}
_SELECTORS = ("title", "lead", "body", "published", "author", "breadcrumb", "attachments")


@dataclass(frozen=True)
class SelectorCheck:
    name: str
    selector: str
    found: int
    expected: str
    ok: bool
    sample: str = ""


def _run(tree: object, name: str, selector: str, expected: str, ok: bool | None = None) -> SelectorCheck:
    try:
        nodes = CSSSelector(selector)(tree)
    except SelectorSyntaxError as exc:
        return SelectorCheck(name, selector, 0, expected, False, f"invalid selector: {exc}")
    sample = node_text(nodes[0])[:80] if nodes else ""
    verdict = _meets(len(nodes), expected) if ok is None else ok
    return SelectorCheck(name, selector, len(nodes), expected, verdict, sample)


def _meets(found: int, expected: str) -> bool:
    if expected == "exactly 1":
        return found == 1
    if expected.startswith(">= "):
        return found >= int(expected[3:])
    return True


def check_article(text: str, rule: ArticleRule) -> list[SelectorCheck]:
    """
    >>> rows = check_article("<h1 class=t>Tiêu đề</h1><div class=b>x</div>", ArticleRule(title="h1.t", body="div.c"))
    >>> [(r.name, r.found, r.ok) for r in rows]
    [('title', 1, True), ('body', 0, False)]
    """
    tree = parse(text)
    values = {f.name: getattr(rule, f.name) for f in fields(rule)}
    return [_run(tree, name, values[name], "exactly 1" if name in _EXACTLY_ONE else "any")
            for name in _SELECTORS if values.get(name)]


def check_list(text: str, rule: ListRule) -> list[SelectorCheck]:
    tree = parse(text)
    rows = [_run(tree, "links", rule.links, f">= {rule.min_links}")] if rule.links else []
    if rule.next_page:
        rows.append(_run(tree, "next_page", rule.next_page, "any"))
    return rows
