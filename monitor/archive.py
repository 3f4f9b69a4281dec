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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.engine import Engine
from warcio.archiveiterator import ArchiveIterator

from crawler.extract.rules import ListRule
from crawler.extract.page import extract_page
from crawler.extract.types import NotContent
from crawler.sources import Source as SourceDef
from crawler.sources import source_for_url
from monitor.config import Channel
from monitor.events import local_iso
from monitor.ingest import Ingestor
from storage import repository as repo
from storage.db import session_scope

__all__ = ["Imported", "import_warc", "warc_pages", "export_articles", "write_csv", "EXPORT_FIELDS"]

EXPORT_FIELDS = ("url", "source", "title", "published_at", "documents", "cluster", "versions")


@dataclass
class Imported:
    records: int = 0
    pages: int = 0
    skipped: int = 0
    versions_new: int = 0
    problems: list[str] = field(default_factory=list)


def warc_pages(path: Path) -> Iterator[tuple[str, str, bytes, str]]:
    """(url, capture time ISO, body, content type) of each HTML response record of a WARC file."""
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type != "response" or record.http_headers is None:
                continue
            if record.http_headers.get_statuscode() != "200":
                continue
            kind = record.http_headers.get_header("Content-Type") or ""
            if "html" not in kind.lower():
                continue
            yield (record.rec_headers.get_header("WARC-Target-URI"), record.rec_headers.get_header("WARC-Date"),
                   record.content_stream().read(), kind)


def _web_source(host: str) -> SourceDef:
    return SourceDef(name=host, title=host, kind="web", hosts=(host,), start_urls=(), list=ListRule(), article=None)


def _item(url: str, captured: str, body: bytes, kind: str, source: SourceDef) -> dict[str, Any]:
    done = extract_page(body, url, source.article, source.name, source.lang, kind)
    return {"type": "article", "url": url, "status": 200, "html": body.decode("utf-8", "replace"),
            "fetched_at": captured.replace("Z", "+00:00"), "article": done.article.to_json()}


def import_warc(engine: Engine, paths: Sequence[Path], sources: dict[str, SourceDef],
                channels: Sequence[Channel], notify: bool = False) -> Imported:
    tally, ingestors = Imported(), {}
    for path in paths:
        for url, captured, body, kind in warc_pages(path):
            tally.records += 1
            host = (urlsplit(url).hostname or "").lower()
            source = source_for_url(sources, url) or _web_source(host)
            ingestor = ingestors.get(source.name) or ingestors.setdefault(
                source.name, Ingestor(engine, source, channels, quiet=not notify))
            try:
                item = _item(url, captured, body, kind, source)
            except NotContent as exc:
                tally.skipped += 1
                tally.problems.append(f"{url}: {exc}")
                continue
            before = ingestor.tally.versions_new
            ingestor.handle(item)
            tally.pages += 1
            tally.versions_new += ingestor.tally.versions_new - before
    for ingestor in ingestors.values():
        ingestor.finish("ok")
    return tally


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
