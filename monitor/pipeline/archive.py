"""WARC files (Internet Archive, Common Crawl, most archiving tools, `govmon record`) imported through the same
extraction, identification, dedup and versioning as a crawl, each page at its capture time.

An imported page belongs to the source whose hosts include its host; unknown hosts get a plain "web"
source and the generic extractor. Imports are quiet (a baseline: no alerts) unless asked, and idempotent:
a page already stored with the same content adds nothing. Files are read as hostile input (`warc`); each
page is extracted within the crawl's time limit, and an extraction process within `PAGE_MEMORY_BYTES` of
data memory beyond its start. BATCH pages go in one transaction, run again if it loses a race with another
writer.
"""
from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine

from govmon.crawler.budget import TooSlow, cap_memory, time_limit
from govmon.crawler.extract.attachments import attachment_item
from govmon.crawler.extract.limits import (
    ATTACHMENT_SECONDS,
    PAGE_MEMORY_BYTES,
    PAGE_SECONDS,
)
from govmon.crawler.extract.listing import is_article_url
from govmon.crawler.extract.page import extract_page
from govmon.crawler.extract.rules import ListRule
from govmon.crawler.extract.types import NotContent
from govmon.crawler.extract.validity import find_validity
from govmon.crawler.sources import Source as SourceDef
from govmon.crawler.sources import source_for_url
from govmon.monitor.analysis.article import analyse
from govmon.monitor.analysis.dedupe import batched
from govmon.monitor.config import Channel
from govmon.monitor.pipeline.documents import hold_documents
from govmon.monitor.pipeline.ingest import Ingestor, latest_text
from govmon.monitor.pipeline.warc import Capture, Page, Skipped, is_html, responses
from govmon.storage.db import write
from govmon.storage.models import compress
from govmon.storage.repository.search import folded_entry

__all__ = ["Imported", "import_warc", "default_workers", "BATCH"]

KEPT_PROBLEMS = 100
BATCH = 100  # pages per import transaction (and per hand-over from an extraction process)
Prepared = tuple[SourceDef, dict[str, Any]]  # the page's source, its item for the ingestor


@dataclass
class Imported:
    """What an import did so far (the progress display reads it after every batch)."""

    records: int = 0  # HTML captures handled
    pages: int = 0  # of which articles
    skipped: int = 0  # of which not articles, and files no imported article lists
    unreadable: int = 0  # records skipped before extraction: truncated, no URI or date, over the size limit
    versions_new: int = 0
    files: int = 0  # attachments (PDF, Word) stored with the article that lists them
    bytes_read: int = 0  # of the WARC files (compressed), read ahead of the import by a few batches
    problems: list[str] = field(default_factory=list)  # the first KEPT_PROBLEMS skipped pages and why

    def skip(self, url: str, why: str) -> None:
        self.skipped += 1
        self._keep(url, why)

    def unread(self, skipped: Skipped) -> None:
        self.unreadable += 1
        self._keep(skipped.url, skipped.why)

    def _keep(self, url: str, why: str) -> None:
        if len(self.problems) < KEPT_PROBLEMS:
            self.problems.append(f"{url}: {why}")


def _read(paths: Sequence[Path], tally: Imported) -> Iterator[Page]:
    """The pages of every file in turn, counting the bytes read into `tally` and the records skipped."""
    done = 0
    for path in paths:
        for capture in _file_captures(path, tally, done):
            if isinstance(capture, Skipped):
                tally.unread(capture)
            else:
                yield capture
        done += path.stat().st_size
        tally.bytes_read = done


def _file_captures(path: Path, tally: Imported, done: int) -> Iterator[Capture]:
    try:
        stream = path.open("rb")
    except OSError as exc:
        yield Skipped(str(path), f"cannot read the file: {exc}")
        return
    with stream:
        for capture in responses(stream, str(path)):
            tally.bytes_read = done + stream.tell()
            yield capture


def _web_source(host: str) -> SourceDef:
    return SourceDef(name=host, title=host, kind="web", hosts=(host,), start_urls=(), list=ListRule(), article=None)


def _item(url: str, captured: str, body: bytes, kind: str, source: SourceDef) -> dict[str, Any]:
    """The article item of a capture. A page of a known source that its article rules do not fit and whose
    URL is not an article URL of the source (its list pages, say) is not an article — as in a crawl, which
    fetches only such URLs as articles; one whose URL is (a redesign) keeps its generic extraction."""
    done = extract_page(body, url, source.article, source.name, source.lang, kind)
    if done.mismatch is not None and not is_article_url(url, source.list):
        raise NotContent("not an article", f"{source.name} pages at such URLs are not articles (a list page?)")
    return {"type": "article", "url": url, "status": 200, "raw_html": compress(body.decode("utf-8", "replace")),
            "fetched_at": captured.replace("Z", "+00:00"), "article": done.article.to_json()}


def _source_of(sources: dict[str, SourceDef], url: str) -> SourceDef:
    return source_for_url(sources, url) or _web_source((urlsplit(url).hostname or "").lower())


def _extracted(page: Page, sources: dict[str, SourceDef]) -> Prepared:
    """(source, item) of one WARC page, the item analysed; a page that is not an article gives a
    "problem" item, a document file an attachment item. Extraction runs within the crawl's time limit."""
    url, captured, body, kind = page
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
    """The item with what the store would otherwise compute from its text as it writes it: the analysis, the
    validity statements and the words of its search entry."""
    data = item["article"]
    item["analysis"] = analyse(data)
    item["validity"] = find_validity(latest_text(data))
    item["search"] = folded_entry(data["title"], f"{data.get('lead', '')}\n{data['text']}")
    return item


_WORKER_SOURCES: dict[str, SourceDef] = {}  # a worker process's copy of the sources (set by its initializer)


def _start_worker(sources: dict[str, SourceDef], memory: int = PAGE_MEMORY_BYTES) -> None:
    _WORKER_SOURCES.update(sources)
    cap_memory(memory)


def _extract_batch(pages: list[Page]) -> list[Prepared]:
    return [_extracted(page, _WORKER_SOURCES) for page in pages]


def default_workers() -> int:
    """Extraction processes beside the one writing the store: the other cores, at most four."""
    return min(4, (os.cpu_count() or 1) - 1)


def _batches(pages: Iterable[Page], sources: dict[str, SourceDef], workers: int) -> Iterator[list[Prepared]]:
    """Extracted and analysed pages, BATCH at a time, in order; with workers, the next batches are
    extracted in other processes while the store writes this one (a few batches ahead, bounded memory)."""
    chunks = batched(pages, BATCH)
    if workers < 1:
        yield from ([_extracted(page, sources) for page in chunk] for chunk in chunks)
        return
    pool = ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_start_worker,
                               initargs=(sources, PAGE_MEMORY_BYTES))
    try:
        ahead: deque[Future[list[Prepared]]] = deque()
        for chunk in chunks:
            ahead.append(pool.submit(_extract_batch, chunk))
            if len(ahead) > workers + 1:
                yield ahead.popleft().result()
        while ahead:
            yield ahead.popleft().result()
    finally:
        pool.shutdown(cancel_futures=True)


def import_warc(engine: Engine, paths: Sequence[Path], sources: dict[str, SourceDef],
                channels: Sequence[Channel], notify: bool = False, workers: int | None = None,
                progress: Callable[[Imported], None] | None = None) -> Imported:
    """Import every HTML capture of `paths`, BATCH pages per transaction: an interrupted import keeps the
    batches it committed and a re-run adds only what is missing. Pages are extracted by `workers`
    processes (default: the other cores; 0 extracts in this process); `progress` sees the tally after
    every batch."""
    tally, ingestors, listed = Imported(), {}, {}
    status = "interrupted"
    try:
        for batch in _batches(_read(paths, tally), sources, default_workers() if workers is None else workers):
            for source, item in batch:  # a new source's row is written before the batch's transaction opens
                if source.name not in ingestors and item["type"] != "attachment":
                    ingestors[source.name] = Ingestor(engine, source, channels, quiet=not notify)
            _store_batch(engine, batch, ingestors, tally, listed)
            if progress is not None:
                progress(tally)
        status = "ok"
    finally:
        for ingestor in ingestors.values():
            ingestor.finish(status, "" if status == "ok" else "import stopped")
    return tally


def _store_batch(engine: Engine, batch: list[Prepared], ingestors: dict[str, Ingestor], tally: Imported,
                 listed: dict[str, tuple[str, str]]) -> None:
    """One batch in one transaction. Another importer or crawl may write the same articles and documents at
    the same moment; a batch that loses a race with it (or its connection) is run again from where it began
    (`storage.db.write`), the tallies put back first."""
    counts = (tally.records, tally.pages, tally.skipped, tally.versions_new, tally.files, len(tally.problems))
    marks = {name: ingestor.tally.mark() for name, ingestor in ingestors.items()}
    owners = dict(listed)

    def work(session: Any) -> None:
        tally.records, tally.pages, tally.skipped, tally.versions_new, tally.files = counts[:5]
        del tally.problems[counts[5]:]
        for name, mark in marks.items():
            ingestors[name].tally.restore(mark)
        listed.clear()
        listed.update(owners)
        _prepare(session, batch, ingestors)
        for source, item in batch:
            _ingest(ingestors, source.name, item, session, tally, listed)
    write(engine, work)


def _prepare(session: Any, batch: list[Prepared], ingestors: dict[str, Ingestor]) -> None:
    """What the batch's items would each do alone, done for all at once: hold the documents they name (in
    sorted order) and read their registry rows, create their new articles."""
    analysed = [item["analysis"] for _, item in batch if item.get("analysis") is not None]
    hold_documents(session, sorted({ref.id for analysis in analysed for ref in analysis.found.refs}))
    for name, ingestor in ingestors.items():
        ingestor.prepare(session, [item for source, item in batch if source.name == name])


def _ingest(ingestors: dict[str, Ingestor], source: str, item: dict[str, Any], session: Any,
            tally: Imported, listed: dict[str, tuple[str, str]]) -> None:
    """Ingest one prepared item. `listed` maps the attachment URLs of the articles imported so far to
    (article URL, source): a file is stored with the article that lists it, as a crawl would."""
    if item["type"] == "attachment":
        _attach(ingestors, item, session, tally, listed)
        return
    tally.records += 1
    if item["type"] == "problem":
        tally.skip(item["url"], item["detail"])
        return
    ingestor = ingestors[source]
    before = ingestor.tally.versions_new
    ingestor.handle(item, session)
    tally.pages += 1
    tally.versions_new += ingestor.tally.versions_new - before
    for attachment in item["article"].get("attachments", []):
        listed[attachment["url"]] = (item["url"], source)


def _attach(ingestors: dict[str, Ingestor], item: dict[str, Any], session: Any, tally: Imported,
            listed: dict[str, tuple[str, str]]) -> None:
    owner = listed.get(item["url"])
    if owner is None:
        tally.skip(item["url"], "a file no imported article lists (or captured before its article)")
        return
    ingestors[owner[1]].handle({**item, "article_url": owner[0]}, session)
    tally.files += 1
