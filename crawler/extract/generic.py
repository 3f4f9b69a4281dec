"""The generic extractor, for pages whose layout no source definition describes: trafilatura finds the main
text, everything else is ours, read from the one tree trafilatura's parser built.

1. The page is parsed once (`trafilatura.load_html`); the tree is read for what the page declares about
   itself (`pagemeta`), handed to trafilatura (which works on its own copy), and read again by the
   not-an-article rules and the date line.
2. trafilatura runs in its fast mode: its main extractor alone, without the readability and jusText
   comparisons that cost a third of its time. Those fallbacks exist to rescue a main extraction that found
   only a fragment, so when the text found is short (under `FALLBACK_BELOW` characters, three or four
   sentences: less than nearly any article or announcement, more than a caption or a "read more" box)
   the whole cascade runs once more.
3. trafilatura's metadata pass (htmldate's extensive date search over the page, authors, categories, tags)
   is not run: our `pagemeta` reads the declared values, and the publication time is the declared one or
   else the date printed with the headline (`dateline`), never a date found elsewhere on the page.
4. Our cleanup (`boilerplate`), then the not-an-article rules (`notarticle`).
5. The lead is the page's description when the page prints it: as the body's first paragraph (which then
   leaves the text, as the site path's sapo does) or near the headline.

trafilatura is imported on the first generic extraction, here and nowhere else in `crawler.extract`: its
import costs about 0.2 s that a page with site selectors, or a command that extracts nothing, must not pay.
"""
from __future__ import annotations

import importlib
from functools import cache
from types import ModuleType
from typing import Any

import lxml.html
from govmon.crawler.extract.boilerplate import clean_paragraphs, drop_chrome_lines, strip_byline
from govmon.crawler.extract.dateline import headline, printed_date
from govmon.crawler.extract.dates import parse_datetime, to_iso
from govmon.crawler.extract.fingerprint import canonical_url
from govmon.crawler.extract.health import check_content
from govmon.crawler.extract.limits import PAGE_MAX_BYTES, refuse_over
from govmon.crawler.extract.normalize import clean_text, comparison_form
from govmon.crawler.extract.notarticle import check_generic_article
from govmon.crawler.extract.pagemeta import PageMeta, read_meta
from govmon.crawler.extract.types import Article, NotContent

__all__ = ["extract_generic", "trafilatura", "FALLBACK_BELOW"]

FALLBACK_BELOW = 500  # characters of main text under which trafilatura's fallback extractors are consulted
BALANCED_RATIO = 1.5  # trafilatura's own bar for taking a retry's longer text (core.ESCALATION_ACCEPT_RATIO)
_OPTIONS: dict[str, Any] = {"include_comments": False, "include_tables": True, "favor_precision": True}
_SHOWN_WINDOW = 60  # text nodes after the headline searched for a printed sapo (it is among the first)


@cache
def trafilatura() -> ModuleType:
    """The trafilatura module, imported on first use (as `attachments.parser` imports pypdf and docx)."""
    return importlib.import_module("trafilatura")


def _tree(text: str) -> lxml.html.HtmlElement:
    """The page parsed as trafilatura parses it (comments and processing instructions dropped)."""
    refuse_over(len(text), PAGE_MAX_BYTES, "page")
    tree = trafilatura().load_html(text)
    if tree is None:
        raise NotContent("unparseable", "not an HTML document")
    return tree


def _main_text(tree: lxml.html.HtmlElement, url: str) -> str:
    """trafilatura's main extractor; its whole cascade again when that finds little (see step 2)."""
    bare = trafilatura().bare_extraction
    text = _text(bare(tree, url=url, fast=True, **_OPTIONS))
    if len(text) < FALLBACK_BELOW:
        text = _text(bare(tree, url=url, fast=False, **_OPTIONS)) or text
    if len(text) < FALLBACK_BELOW:
        balanced = _text(bare(tree, url=url, fast=False, **{**_OPTIONS, "favor_precision": False}))
        text = balanced if len(balanced) > BALANCED_RATIO * len(text) else text
    return text


def _text(found: Any) -> str:
    return (found.text or "") if found is not None else ""


def _shown(lead: str, tree: lxml.html.HtmlElement, title: str) -> bool:
    """Whether a meta description is also printed on the page as its sapo, not only a summary for robots:
    looked for in the text that follows the headline (or the body's start when there is no headline).

    >>> page = lxml.html.document_fromstring("<h1>Tiêu đề</h1><h2>Chính phủ họp  phiên thường kỳ.</h2><p>x</p>")
    >>> _shown("Chính phủ họp phiên thường kỳ.", page, "Tiêu đề"), _shown("Tóm tắt cho máy", page, "Tiêu đề")
    (True, False)
    """
    if not lead:
        return False
    heading = headline(tree, title)
    start = (heading, "following::text()") if heading is not None else (tree, "//body//text()")
    texts = start[0].xpath(f"{start[1]}[normalize-space()][not(parent::script)][not(parent::style)]"
                           f"[position() <= {_SHOWN_WINDOW}]")
    return " ".join(lead.split())[:60] in " ".join(" ".join(texts).split())


def _published(meta: PageMeta, tree: lxml.html.HtmlElement, title: str) -> str | None:
    """The declared publication time, else the date printed with the headline."""
    return to_iso(parse_datetime(meta.published, ("%Y-%m-%d",)) or printed_date(tree, title))


def _paragraphs(main: str, title: str) -> list[str]:
    return drop_chrome_lines(clean_paragraphs(main.split("\n"), (), skip=(title,)))


def extract_generic(text: str, url: str, source: str = "", lang: str = "vi") -> Article:
    """The article of a page of unknown layout; NotContent for a challenge or error answer, NotArticle for a
    page that holds no article (a list, a search or login page, an error page served as 200)."""
    check_content(text)
    tree = _tree(text)
    meta = read_meta(tree)
    title = clean_text(meta.title)
    paragraphs = _paragraphs(_main_text(tree, url), title)
    check_generic_article(tree, meta, url, title, paragraphs)  # on the text as the page prints it
    if paragraphs:
        paragraphs[0] = strip_byline(paragraphs[0])
    lead = strip_byline(clean_text(meta.description))
    if paragraphs and lead and comparison_form(paragraphs[0]) == comparison_form(lead):
        paragraphs = paragraphs[1:]  # the sapo printed as the body's first paragraph: it is the lead
        shown = True
    else:
        shown = _shown(lead, tree, title) and not (paragraphs and lead in paragraphs[0])
    return Article(
        url=url, canonical_url=canonical_url(meta.canonical or url), source=source, lang=meta.lang or lang,
        title=title, lead=lead if shown else "", text="\n\n".join(paragraphs),
        published_at=_published(meta, tree, title), modified_at=to_iso(parse_datetime(meta.modified)),
        author=clean_text(meta.author), category=meta.section, extractor="generic",
    )
