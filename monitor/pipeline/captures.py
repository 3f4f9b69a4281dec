"""What an import does to each WARC capture before the store sees it, in the extraction processes: extraction
within the crawl's time limit, then the analysis the store would otherwise do as it writes (content hash,
documents, repost features, validity statements).

This module imports extraction and analysis only, never the store: an extraction process is spawned afresh,
and what it imports is start-up time and memory it pays for (about half of importing `pipeline.archive`).
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from govmon.crawler.budget import TooSlow, cap_memory, time_limit
from govmon.crawler.extract.attachments import attachment_item
from govmon.crawler.extract.limits import ATTACHMENT_SECONDS, PAGE_MEMORY_BYTES, PAGE_SECONDS
from govmon.crawler.extract.listing import is_article_url
from govmon.crawler.extract.page import extract_page
from govmon.crawler.extract.rules import ListRule
from govmon.crawler.extract.types import NotContent
from govmon.crawler.extract.validity import find_validity
from govmon.crawler.sources import Source as SourceDef
from govmon.crawler.sources import source_for_url
from govmon.monitor.analysis.article import analyse
from govmon.monitor.analysis.documents import whole_text
from govmon.monitor.pipeline.warc import Page, is_html

__all__ = ["Prepared", "extracted", "extract_batch", "start_worker", "latest_text"]

Prepared = tuple[SourceDef, dict[str, Any]]  # the page's source, its item for the ingestor


def latest_text(data: dict[str, Any]) -> str:
    """An extracted article's text as its version reads it whole (title, lead, body), where validity statements
    are found (`monitor.pipeline.status.record_dates`)."""
    return whole_text(data["title"], data.get("lead", ""), data["text"])


def _web_source(host: str) -> SourceDef:
    return SourceDef(name=host, title=host, kind="web", hosts=(host,), start_urls=(), list=ListRule(), article=None)


def _item(url: str, captured: str, body: bytes, kind: str, source: SourceDef) -> dict[str, Any]:
    """The article item of a capture. A page of a known source that its article rules do not fit and whose
    URL is not an article URL of the source (its list pages, say) is not an article — as in a crawl, which
    fetches only such URLs as articles; one whose URL is (a redesign) keeps its generic extraction."""
    done = extract_page(body, url, source.article, source.name, source.lang, kind)
    if done.mismatch is not None and not is_article_url(url, source.list):
        raise NotContent("not an article", f"{source.name} pages at such URLs are not articles (a list page?)")
    return {"type": "article", "url": url, "status": 200, "html": body.decode("utf-8", "replace"),
            "fetched_at": captured.replace("Z", "+00:00"), "article": done.article.to_json()}


def _source_of(sources: dict[str, SourceDef], url: str) -> SourceDef:
    return source_for_url(sources, url) or _web_source((urlsplit(url).hostname or "").lower())


def extracted(page: Page, sources: dict[str, SourceDef]) -> Prepared:
    """(source, item) of one WARC page, the item analysed; a page that is not an article gives a
    "problem" item, a document file an attachment item. Extraction runs within the crawl's time limit."""
    url, _, _, kind = page
    source = _source_of(sources, url)
    try:
        with time_limit(PAGE_SECONDS if is_html(kind) else ATTACHMENT_SECONDS):
            return source, _prepared(page, source)
    except TooSlow as exc:
        return source, {"type": "problem", "url": url, "detail": f"too_slow: {exc}"}
    except MemoryError:
        return source, {"type": "problem", "url": url, "detail": "too_large: out of memory while extracting"}


def _prepared(page: Page, source: SourceDef) -> dict[str, Any]:
    url, captured, body, kind = page
    if not is_html(kind):
        return attachment_item(url, body, "", urlsplit(url).path.rsplit("/", 1)[-1], kind)  # article: at ingestion
    try:
        item = _item(url, captured, body, kind, source)
    except NotContent as exc:
        return {"type": "problem", "url": url, "detail": str(exc)}
    return _analysed(item)


def _analysed(item: dict[str, Any]) -> dict[str, Any]:
    """The item with the analysis and the validity statements of its text (`Ingestor` takes them as given)."""
    data = item["article"]
    item["analysis"] = analyse(data)
    item["validity"] = find_validity(latest_text(data))
    return item


_WORKER_SOURCES: dict[str, SourceDef] = {}  # an extraction process's copy of the sources (set by start_worker)


def start_worker(sources: dict[str, SourceDef], memory: int = PAGE_MEMORY_BYTES) -> None:
    """An extraction process's initializer: its sources, and its data memory capped."""
    _WORKER_SOURCES.update(sources)
    cap_memory(memory)


def extract_batch(pages: list[Page]) -> list[Prepared]:
    return [extracted(page, _WORKER_SOURCES) for page in pages]
