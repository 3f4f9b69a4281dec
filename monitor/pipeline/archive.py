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

from sqlalchemy.engine import Engine

from govmon.crawler.extract.limits import PAGE_MEMORY_BYTES
from govmon.crawler.sources import Source as SourceDef
from govmon.monitor.analysis.dedupe import batched
from govmon.monitor.config import Channel
from govmon.monitor.pipeline.captures import Prepared, extract_batch, extracted, start_worker
from govmon.monitor.pipeline.documents import hold_documents
from govmon.monitor.pipeline.ingest import Ingestor
from govmon.monitor.pipeline.warc import Capture, Page, Skipped, responses
from govmon.storage.db import write

__all__ = ["Imported", "import_warc", "default_workers", "BATCH"]

KEPT_PROBLEMS = 100
BATCH = 100  # pages per import transaction (and per hand-over from an extraction process)


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


def default_workers() -> int:
    """Extraction processes: one per core, at most four, beside the process writing the store (whose share of
    a page's work is small: on 2 cores, 2 extraction processes import 0.47-0.52x extraction's pages/s, 1 only
    0.33-0.37x, bench/backfill.py); none on a single core."""
    cores = os.cpu_count() or 1
    return min(4, cores) if cores > 1 else 0


def _batches(pages: Iterable[Page], sources: dict[str, SourceDef], workers: int) -> Iterator[list[Prepared]]:
    """Extracted and analysed pages, BATCH at a time, in order; with workers, the next batches are
    extracted in other processes while the store writes this one (a few batches ahead, bounded memory)."""
    chunks = batched(pages, BATCH)
    if workers < 1:
        yield from ([extracted(page, sources) for page in chunk] for chunk in chunks)
        return
    pool = ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=start_worker,
                               initargs=(sources, PAGE_MEMORY_BYTES))
    try:
        ahead: deque[Future[list[Prepared]]] = deque()
        for chunk in chunks:
            ahead.append(pool.submit(extract_batch, chunk))
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
    processes (default: `default_workers`; 0 extracts in this process); `progress` sees the tally after
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
