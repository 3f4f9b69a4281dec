"""The store exported for analysis elsewhere: one record per article (JSON lines or CSV), streamed in bounded
memory, its versions in time order as `govmon versions` numbers them."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from govmon.crawler.extract.dates import local_iso
from govmon.monitor.analysis.keys import fold
from govmon.storage import repository as repo
from govmon.storage.db import session_scope

__all__ = ["export_articles", "write_csv", "EXPORT_FIELDS"]

EXPORT_FIELDS = ("url", "source", "title", "published_at", "documents", "cluster", "versions")


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
