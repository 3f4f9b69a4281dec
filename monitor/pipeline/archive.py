"""Archives in and out: WARC files (Internet Archive, Common Crawl, most archiving tools) imported through
the same extraction, identification, dedup and versioning as a crawl, each page at its capture time; and
the store exported as JSON lines or CSV for analysis elsewhere.

An imported page belongs to the source whose hosts include its host; unknown hosts get a plain "web"
source and the generic extractor. Imports are quiet (a baseline: no alerts) unless asked, and idempotent:
a page already stored with the same content adds nothing.
"""
from __future__ import annotations

import csv
import io
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine
from warcio.archiveiterator import ArchiveIterator

from govmon.crawler.extract.attachments import attachment_item, is_document_file
from govmon.crawler.extract.listing import is_article_url
from govmon.crawler.extract.page import extract_page
from govmon.crawler.extract.rules import ListRule
from govmon.crawler.extract.types import NotContent
from govmon.crawler.sources import Source as SourceDef
from govmon.crawler.sources import source_for_url
from govmon.monitor.analysis.article import analyse
from govmon.monitor.config import Channel
from govmon.monitor.analysis.dedupe import batched
from govmon.crawler.extract.dates import local_iso
from govmon.monitor.pipeline.ingest import Ingestor
from govmon.storage import repository as repo
from govmon.storage.db import session_scope

__all__ = ["Imported", "import_warc", "default_workers", "warc_pages", "export_articles", "write_csv", "EXPORT_FIELDS"]

KEPT_PROBLEMS = 100
BATCH = 100  # pages per import transaction (and per hand-over from an extraction process)
Page = tuple[str, str, bytes, str]  # url, capture time, body, content type
Prepared = tuple[SourceDef, dict[str, Any]]  # the page's source, its item for the ingestor
EXPORT_FIELDS = ("url", "source", "title", "published_at", "documents", "cluster", "versions")


@dataclass
class Imported:
    """What an import did so far (the progress display reads it after every batch)."""

    records: int = 0  # HTML captures handled
    pages: int = 0  # of which articles
    skipped: int = 0  # of which not articles, and files no imported article lists
    versions_new: int = 0
    files: int = 0  # attachments (PDF, Word) stored with the article that lists them
    bytes_read: int = 0  # of the WARC files (compressed), read ahead of the import by a few batches
    problems: list[str] = field(default_factory=list)  # the first KEPT_PROBLEMS skipped pages and why

    def skip(self, url: str, why: str) -> None:
        self.skipped += 1
        if len(self.problems) < KEPT_PROBLEMS:
            self.problems.append(f"{url}: {why}")


def warc_pages(path: Path) -> Iterator[Page]:
    """(url, capture time ISO, body, content type) of each HTML response record of a WARC file."""
    with path.open("rb") as stream:
        yield from (page for page in _responses(stream) if _is_html(page[3]))


def _is_html(kind: str) -> bool:
    return "html" in kind.lower()


def _responses(stream: BinaryIO) -> Iterator[Page]:
    """The 200 responses of a WARC that are pages or document files (images, scripts and the like are
    passed over without reading their bodies)."""
    for record in ArchiveIterator(stream):
        if record.rec_type != "response" or record.http_headers is None:
            continue
        if record.http_headers.get_statuscode() != "200":
            continue
        url = record.rec_headers.get_header("WARC-Target-URI")
        kind = record.http_headers.get_header("Content-Type") or ""
        if _is_html(kind) or is_document_file(url, kind):
            yield url, record.rec_headers.get_header("WARC-Date"), record.content_stream().read(), kind


def _read(paths: Sequence[Path], tally: Imported) -> Iterator[Page]:
    """The pages of every file in turn, counting the bytes read into `tally`."""
    done = 0
    for path in paths:
        with path.open("rb") as stream:
            for page in _responses(stream):
                tally.bytes_read = done + stream.tell()
                yield page
        done += path.stat().st_size
        tally.bytes_read = done


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


def _extracted(page: Page, sources: dict[str, SourceDef]) -> Prepared:
    """(source, item) of one WARC page, the item analysed; a page that is not an article gives a
    "problem" item, a document file an attachment item."""
    url, captured, body, kind = page
    source = _source_of(sources, url)
    if not _is_html(kind):
        return source, attachment_item(url, body, "", urlsplit(url).path.rsplit("/", 1)[-1], kind)  # article: at ingestion
    try:
        item = _item(url, captured, body, kind, source)
    except NotContent as exc:
        return source, {"type": "problem", "url": url, "detail": str(exc)}
    item["analysis"] = analyse(item["article"])
    return source, item


_WORKER_SOURCES: dict[str, SourceDef] = {}  # a worker process's copy of the sources (set by its initializer)


def _start_worker(sources: dict[str, SourceDef]) -> None:
    _WORKER_SOURCES.update(sources)


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
                               initargs=(sources,))
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
            with Ingestor.transaction(engine) as session:
                for source, item in batch:
                    _ingest(ingestors, source.name, item, session, tally, listed)
            if progress is not None:
                progress(tally)
        status = "ok"
    finally:
        for ingestor in ingestors.values():
            ingestor.finish(status, "" if status == "ok" else "import stopped")
    return tally


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


def _versions(session: Any, article_id: int) -> list[dict[str, str]]:
    return [{"seq": v.seq, "fetched_at": local_iso(v.fetched_at) or "", "content_hash": v.content_hash}
            for v in repo.versions_of(session, article_id)]


def export_articles(engine: Engine, since: datetime | None = None, source: str | None = None,
                    document_type: str | None = None) -> Iterator[dict[str, Any]]:
    """One dict per article with EXPORT_FIELDS, oldest first, streamed."""
    with session_scope(engine) as session:
        for article, row in repo.export_rows(session, since, source, document_type):
            documents = [doc for doc, _ in repo.article_documents(session, article.id)] if article.id else []
            yield {"url": article.url, "source": row.name, "title": article.title,
                   "published_at": local_iso(article.published_at), "documents": documents,
                   "cluster": article.cluster_id, "versions": _versions(session, article.id or 0)}


def write_csv(rows: Iterable[dict[str, Any]], out: io.TextIOBase) -> None:
    """CSV with the same fields: lists joined by ';', versions as seq@time#hash."""
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS)
    writer.writeheader()
    for row in rows:
        versions = ";".join(f"{v['seq']}@{v['fetched_at']}#{v['content_hash'][:16]}" for v in row["versions"])
        writer.writerow({**row, "documents": ";".join(row["documents"]), "versions": versions})
