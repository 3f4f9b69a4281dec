"""Archives in and out: WARC files (Internet Archive, Common Crawl, most archiving tools) imported through
the same extraction, identification, dedup and versioning as a crawl, each page at its capture time; and
the store exported as JSON lines or CSV for analysis elsewhere.

An imported page belongs to the source whose hosts include its host; unknown hosts get a plain "web"
source and the generic extractor. Imports are quiet (a baseline: no alerts) unless asked, and idempotent:
a page already stored with the same content adds nothing.

Archives are input too: records are streamed, never read whole. A record that is truncated, lacks its
target URI or date, carries an unreadable date, or is over its kind's size limit (`crawler.extract.limits`;
a payload's Content-Encoding is undone a buffer at a time, so a gzip bomb stops at the limit) is skipped
with its reason, and the import goes on; a file that stops being readable is skipped from there on. Each
page is extracted within the crawl's time limit, and an extraction process within `PAGE_MEMORY_BYTES`
of data memory beyond its start.
"""
from __future__ import annotations

import csv
import io
import os
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from multiprocessing import get_context
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import brotli
from sqlalchemy.engine import Engine
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser

from govmon.crawler.extract.attachments import attachment_item, is_document_file
from govmon.crawler.extract.limits import (
    ATTACHMENT_MAX_BYTES, ATTACHMENT_SECONDS, PAGE_MAX_BYTES, PAGE_MEMORY_BYTES, PAGE_SECONDS, megabytes,
)
from govmon.crawler.extract.listing import is_article_url
from govmon.crawler.extract.page import extract_page
from govmon.crawler.extract.rules import ListRule
from govmon.crawler.extract.types import NotContent
from govmon.crawler.sources import Source as SourceDef
from govmon.crawler.sources import source_for_url
from govmon.crawler.spiders.portal import TooSlow, cap_memory, time_limit
from govmon.monitor.analysis.keys import fold
from govmon.monitor.analysis.article import analyse
from govmon.monitor.config import Channel
from govmon.monitor.analysis.dedupe import batched
from govmon.crawler.extract.dates import local_iso
from govmon.monitor.pipeline.ingest import Ingestor
from govmon.storage import repository as repo
from govmon.storage.db import session_scope, write

__all__ = ["Imported", "Skipped", "import_warc", "default_workers", "warc_pages", "warc_captures", "export_articles",
           "write_csv", "EXPORT_FIELDS"]

KEPT_PROBLEMS = 100
BATCH = 100  # pages per import transaction (and per hand-over from an extraction process)
Page = tuple[str, str, bytes, str]  # url, capture time (ISO, UTC), body, content type
_CHUNK = 64 * 1024
_HEADROOM = 64 * 1024  # HTTP headers and chunk framing on top of a payload within its limit
_HTTP = StatusAndHeadersParser(["HTTP/"], verify=False)
_NO_URI = "(no target URI)"


@dataclass(frozen=True)
class Skipped:
    """A WARC record that is not imported — or, with the file's name as `url`, the rest of a file — and why."""

    url: str
    why: str


Capture = Page | Skipped
Prepared = tuple[SourceDef, dict[str, Any]]  # the page's source, its item for the ingestor
EXPORT_FIELDS = ("url", "source", "title", "published_at", "documents", "cluster", "versions")


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


def warc_pages(path: Path) -> Iterator[Page]:
    """(url, capture time ISO, body, content type) of each readable HTML response record of a WARC file."""
    yield from (c for c in warc_captures(path) if not isinstance(c, Skipped) and _is_html(c[3]))


def warc_captures(path: Path) -> Iterator[Capture]:
    """The pages and document files of a WARC file, and a `Skipped` for each record that cannot be imported
    (and for the rest of a file that stops being readable)."""
    try:
        with path.open("rb") as stream:
            yield from _responses(stream, str(path))
    except OSError as exc:
        yield Skipped(str(path), f"cannot read the file: {exc}")


def _is_html(kind: str) -> bool:
    return "html" in kind.lower()


def _responses(stream: BinaryIO, origin: str) -> Iterator[Capture]:
    """The 200 responses of a WARC that are pages or document files (images, scripts and the like are
    passed over without reading their bodies), record by record: a record that cannot be read is skipped,
    and when the file itself stops making sense, the rest of it."""
    records = iter(ArchiveIterator(stream, no_record_parse=True))  # HTTP headers: ours, per record (_capture)
    while True:
        try:
            record = next(records)
        except StopIteration:
            return
        except Exception as exc:  # noqa: BLE001 - warcio raises many types on hostile bytes; the rest is unreadable
            yield Skipped(origin, f"unreadable from byte {stream.tell()} on: {_why(exc)}")
            return
        capture = _capture(record)
        if capture is not None:
            yield capture


def _why(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc)[:200]}"


def _capture(record: Any) -> Capture | None:
    """A page or document file of one response record, Skipped with the reason, or None (not wanted: not
    a response, another scheme's record, not a 200, neither a page nor a document file)."""
    url = (record.rec_headers.get_header("WARC-Target-URI") or "").strip().strip("<>")
    if record.rec_type != "response" or (url and not url.lower().startswith(("http:", "https:"))):
        return None
    try:
        http = _HTTP.parse(_Head(record.raw_stream))
    except Exception as exc:  # noqa: BLE001 - whatever the header parser makes of hostile bytes
        return Skipped(url or _NO_URI, f"unreadable HTTP headers: {_why(exc)}")
    kind = http.get_header("Content-Type") or ""
    if http.get_statuscode() != "200" or not (_is_html(kind) or is_document_file(url, kind)):
        return None
    captured, undated = _capture_time(record.rec_headers.get_header("WARC-Date"))
    why = _target_problem(url) or undated
    if why:
        return Skipped(url or _NO_URI, why)
    return _payload(record, http, url, captured, kind)


class _Head:
    """The start of a record's block for the HTTP header parser: at most `_HEADROOM` bytes of it, so a
    header "line" of a gigabyte is cut instead of read."""

    def __init__(self, raw: Any) -> None:
        self.raw, self.left = raw, _HEADROOM

    def readline(self, size: int = -1) -> bytes:
        line = self.raw.readline(self.left) if self.left > 0 else b""
        self.left -= len(line)
        return line


def _target_problem(url: str) -> str:
    if not url:
        return "no WARC-Target-URI"
    try:
        parts = urlsplit(url)
        good = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        good = False
    return "" if good else "WARC-Target-URI is not an http(s) URL"


def _capture_time(raw: str | None) -> tuple[str, str]:
    """(the capture time as ISO 8601 in UTC, "") or ("", why there is none).

    >>> _capture_time("2025-04-03T01:00:00Z"), _capture_time("03/04/2025")
    (('2025-04-03T01:00:00+00:00', ''), ('', "unreadable WARC-Date '03/04/2025'"))
    """
    if not raw:
        return "", "no WARC-Date"
    try:
        moment = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
        return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(timezone.utc).isoformat(), ""
    except (ValueError, OverflowError):  # not ISO 8601, or out of datetime's range once in UTC
        return "", f"unreadable WARC-Date {raw[:40]!r}"


def _payload(record: Any, http: StatusAndHeaders, url: str, captured: str, kind: str) -> Capture:
    """The record's HTTP payload, de-chunked and its Content-Encoding undone 64 KiB at a time, up to the
    limit of its kind; Skipped when it is over the limit (declared or unpacked), truncated, or undecodable."""
    limit = PAGE_MAX_BYTES if _is_html(kind) else ATTACHMENT_MAX_BYTES
    over = Skipped(url, f"record over {megabytes(limit)}")
    if _declared_length(record) > limit + _HEADROOM:  # the raw block alone is over: never read it
        return over
    try:
        raw = _dechunked(record.raw_stream, http).read()
        truncated = _truncated(record.raw_stream)
        body = None if truncated else _unpacked(raw, http.get_header("Content-Encoding") or "", limit)
    except Exception as exc:  # noqa: BLE001 - a broken chunked or compressed payload raises whatever its decoder does
        return Skipped(url, f"unreadable payload: {_why(exc)}")
    if truncated:
        return Skipped(url, "record truncated (the file ends inside it)")
    return over if body is None else (url, captured, body, kind)


def _declared_length(record: Any) -> int:
    try:
        return int(record.rec_headers.get_header("Content-Length") or 0)
    except ValueError:
        return 0


def _dechunked(raw: Any, http: StatusAndHeaders) -> Any:
    """The payload stream, de-chunked when it says so (warcio's reader: its reads are bounded by the
    record's declared length, checked before)."""
    if (http.get_header("Transfer-Encoding") or "").lower() == "chunked":
        return ChunkedDataReader(raw)
    return raw


def _truncated(raw: Any) -> bool:
    """Whether the record's block ends before its declared Content-Length (the file was cut)."""
    while getattr(raw, "limit", 0) > 0:
        if not raw.read(_CHUNK):
            return True
    return False


def _unpacked(raw: bytes, encoding: str, limit: int) -> bytes | None:
    """`raw` with its Content-Encoding (gzip, deflate, br) undone, or None once that passes `limit`: a gzip
    bomb costs `limit` bytes, not what it unpacks to.

    >>> _unpacked(zlib.compress(bytes(10_000)), "deflate", 100) is None, _unpacked(b"abc", "", 100)
    (True, b'abc')
    """
    pieces, size = [], 0
    for piece in _pieces(raw, encoding.strip().lower()):
        size += len(piece)
        if size > limit:
            return None
        pieces.append(piece)
    return b"".join(pieces)


def _pieces(raw: bytes, encoding: str) -> Iterator[bytes]:
    if encoding in ("", "identity"):
        yield raw
    elif encoding in ("gzip", "x-gzip", "deflate"):
        yield from _inflated(raw, 31 if "gzip" in encoding else 15)
    elif encoding == "br":
        yield from _unbrotli(raw)
    else:
        raise ValueError(f"unsupported Content-Encoding {encoding[:40]!r}")


def _inflated(raw: bytes, wbits: int) -> Iterator[bytes]:
    """zlib's output `_CHUNK` bytes at a time (a deflate body without its zlib header is read as raw deflate)."""
    unpack = zlib.decompressobj(wbits)
    try:
        piece = unpack.decompress(raw, _CHUNK)
    except zlib.error:
        if wbits != 15:
            raise
        unpack = zlib.decompressobj(-15)
        piece = unpack.decompress(raw, _CHUNK)
    while True:
        yield piece
        if unpack.eof:
            return
        piece = unpack.decompress(unpack.unconsumed_tail, _CHUNK)
        if not piece and not unpack.unconsumed_tail and not unpack.eof:
            raise zlib.error("the compressed payload ends early")


def _unbrotli(raw: bytes) -> Iterator[bytes]:
    unpack = brotli.Decompressor()
    piece = unpack.process(raw, output_buffer_limit=_CHUNK)
    while True:
        yield piece
        if unpack.is_finished():
            return
        piece = unpack.process(b"", output_buffer_limit=_CHUNK)
        if not piece:
            raise ValueError("the brotli payload ends early")


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
        for capture in _responses(stream, str(path)):
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
    return {"type": "article", "url": url, "status": 200, "html": body.decode("utf-8", "replace"),
            "fetched_at": captured.replace("Z", "+00:00"), "article": done.article.to_json()}


def _source_of(sources: dict[str, SourceDef], url: str) -> SourceDef:
    return source_for_url(sources, url) or _web_source((urlsplit(url).hostname or "").lower())


def _extracted(page: Page, sources: dict[str, SourceDef]) -> Prepared:
    """(source, item) of one WARC page, the item analysed; a page that is not an article gives a
    "problem" item, a document file an attachment item. Extraction runs within the crawl's time limit."""
    url, captured, body, kind = page
    source = _source_of(sources, url)
    try:
        with time_limit(PAGE_SECONDS if _is_html(kind) else ATTACHMENT_SECONDS):
            return source, _prepared(page, source)
    except TooSlow as exc:
        return source, {"type": "problem", "url": url, "detail": f"too_slow: {exc}"}
    except MemoryError:
        return source, {"type": "problem", "url": url, "detail": "too_large: out of memory while extracting"}


def _prepared(page: Page, source: SourceDef) -> dict[str, Any]:
    url, captured, body, kind = page
    if not _is_html(kind):
        return attachment_item(url, body, "", urlsplit(url).path.rsplit("/", 1)[-1], kind)  # article: at ingestion
    try:
        item = _item(url, captured, body, kind, source)
    except NotContent as exc:
        return {"type": "problem", "url": url, "detail": str(exc)}
    item["analysis"] = analyse(item["article"])
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
        for source, item in batch:
            _ingest(ingestors, source.name, item, session, tally, listed)
    write(engine, work)


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
    """The article's versions in time order, numbered as `govmon versions` numbers them."""
    return [{"seq": number, "fetched_at": local_iso(v.fetched_at) or "", "content_hash": v.content_hash}
            for number, v in enumerate(repo.versions_of(session, article_id), 1)]


def export_articles(engine: Engine, since: datetime | None = None, source: str | None = None,
                    document_type: str | None = None) -> Iterator[dict[str, Any]]:
    """One dict per article with EXPORT_FIELDS, oldest first, streamed."""
    with session_scope(engine) as session:
        for article, row in repo.export_rows(session, since, source, fold(document_type) if document_type else None):
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
