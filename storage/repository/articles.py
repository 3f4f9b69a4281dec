"""Articles, their versions in time order, their attached files, and what a crawl needs to know of them."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from govmon.storage.models import (
    Article,
    Document,
    Mention,
    Source,
    StoredFile,
    Version,
    utcnow,
)
from govmon.storage.repository._queue import queue_row
from govmon.storage.repository._rows import insert_many, insert_once
from govmon.storage.repository.search import index_article

__all__ = ["article_by_url", "add_article", "add_articles", "lock_article", "latest_version", "versions_of",
           "version_next_to", "add_version", "append_version", "known_pages", "known_urls", "add_file", "files_of",
           "export_rows"]

_NO_HTML = defer(col(Version.raw_html))  # the page as fetched is evidence, read only when asked for
_NEWEST = (col(Version.fetched_at).desc(), col(Version.id).desc())
_OLDEST = (col(Version.fetched_at), col(Version.id))


def article_by_url(session: Session, url: str) -> Article | None:
    return session.exec(select(Article).where(Article.url == url)).first()


def add_article(session: Session, source: Source, url: str, **fields: Any) -> tuple[Article, bool]:
    """The article at `url`: created now, or the one another writer created first (flag False)."""
    now = utcnow()
    values = {"source_id": source.id, "url": url, "first_seen_at": now, "last_seen_at": now, **fields}
    return insert_once(session, Article, values, {"url": url})


def add_articles(session: Session, source: Source,
                 articles: Sequence[dict[str, Any]]) -> dict[str, tuple[Article, bool]]:
    """`add_article` for many at once, in two statements whatever their number: URL → (the article, whether this
    call created it). Each of `articles` has its "url" and the same other fields; a URL given twice is created
    with its first fields."""
    now = utcnow()
    rows = list({row["url"]: {"source_id": source.id, "first_seen_at": now, "last_seen_at": now, **row}
                 for row in reversed(articles)}.values())[::-1]
    found = {article.url: (article, True) for article in insert_many(session, Article, rows)}
    others = [row["url"] for row in rows if row["url"] not in found]
    if others:
        found.update((article.url, (article, False))
                     for article in session.exec(select(Article).where(col(Article.url).in_(others))).all())
    return found


def lock_article(session: Session, article: Article) -> Article:
    """Hold `article` for this transaction, so two writers never append to one history at once (PostgreSQL
    row lock; SQLite writers already take turns); returns the row as now committed."""
    query = select(Article).where(Article.id == article.id).with_for_update()
    return session.exec(query.execution_options(populate_existing=True)).one()


def latest_version(session: Session, article_id: int) -> Version | None:
    """The newest version by fetch or capture time, whatever order versions arrived in."""
    query = select(Version).options(_NO_HTML).where(Version.article_id == article_id).order_by(*_NEWEST)
    return session.exec(query).first()


def versions_of(session: Session, article_id: int) -> Sequence[Version]:
    """The article's history, oldest first by fetch or capture time."""
    query = select(Version).options(_NO_HTML).where(Version.article_id == article_id).order_by(*_OLDEST)
    return session.exec(query).all()


def version_next_to(session: Session, article_id: int, when: datetime, after: bool) -> Version | None:
    """The version just before `when` (or just after, with `after`) in the article's history."""
    query = select(Version).options(_NO_HTML).where(Version.article_id == article_id)
    if after:
        query = query.where(col(Version.fetched_at) > when).order_by(*_OLDEST)
    else:
        query = query.where(col(Version.fetched_at) <= when).order_by(*_NEWEST)
    return session.exec(query).first()


def add_version(session: Session, article: Article, **fields: Any) -> Version:
    """Append a version of `article` (versions are never updated or deleted); `seq` counts arrivals, the
    history's order is `fetched_at` (an archive import passes the capture time). The search index follows
    the newest version by that order."""
    arrived = session.exec(select(func.max(Version.seq)).where(Version.article_id == article.id)).one()
    fields.setdefault("fetched_at", utcnow())
    version = Version(article_id=article.id, seq=(arrived or 0) + 1, **fields)
    session.add(version)
    index_article(session, article.id, version.title, f"{version.lead}\n{version.text}", version.fetched_at)
    return version  # inserted at the next flush (its id is known after it)


def append_version(session: Session, article_id: int, seq: int = 1, folded: tuple[str, str] | None = None,
                   **fields: Any) -> None:
    """`add_version` in bulk (SQLAlchemy Core, `storage.repository._queue`): the version and its search entry
    are queued with the transaction and written with the others it queues. The caller knows the version's `seq`
    (1 for an article it created in this transaction) and gives every field `add_version` takes; `folded`: the
    search entry's words, when computed elsewhere (`search.folded_entry`)."""
    row = {"article_id": article_id, "seq": seq, "lead": "", "author": "", "modified_at": None, "raw_html": None,
           "extra": {}, "fetched_at": utcnow(), **fields}
    queue_row(session, _VERSIONS, ("version",), row)
    index_article(session, article_id, row["title"], f"{row['lead']}\n{row['text']}", row["fetched_at"], folded)


_VERSIONS = Version.__table__.insert()


def known_pages(session: Session, source: Source, seen_since: datetime | None = None) -> dict[str, dict[str, str]]:
    """URL → HTTP validators (and the extractor of the last fetch) of the source's articles last seen since
    `seen_since` (all when None): what a monitoring crawl may re-request conditionally."""
    query = select(Article.url, Article.etag, Article.last_modified, Article.extractor).where(
        Article.source_id == source.id)
    if seen_since is not None:
        query = query.where(col(Article.last_seen_at) >= seen_since)
    return {url: {"etag": etag, "last_modified": lm, "extractor": how}
            for url, etag, lm, how in session.exec(query).all()}


def known_urls(session: Session, source: Source, batch: int = 5000) -> Iterator[str]:
    """Every article URL of `source`, streamed in id order (a walk skips what the store has)."""
    last = 0
    while True:
        query = select(Article.id, Article.url).where(Article.source_id == source.id, col(Article.id) > last)
        rows = session.exec(query.order_by(col(Article.id)).limit(batch)).all()
        if not rows:
            return
        yield from (url for _, url in rows)
        last = rows[-1][0]


def add_file(session: Session, article: Article, url: str, sha256: str, **fields: Any) -> StoredFile | None:
    """Record an attachment as fetched; None when these bytes at this URL are already recorded."""
    values = {"article_id": article.id, "url": url, "sha256": sha256, "fetched_at": utcnow(), **fields}
    added = insert_many(session, StoredFile, [values])
    return added[0] if added else None


def files_of(session: Session, article_id: int) -> Sequence[StoredFile]:
    return session.exec(select(StoredFile).where(StoredFile.article_id == article_id).order_by(col(StoredFile.id))).all()


def export_rows(session: Session, since: datetime | None = None, source: str | None = None,
                type_key: str | None = None, batch: int = 500) -> Iterator[tuple[Article, Source]]:
    """Articles for export, oldest first, read `batch` at a time (a store of millions streams in bounded
    memory); `type_key`: the folded type of a document the article must mention."""
    last = 0
    while True:
        query = select(Article, Source).join(Source).where(Article.id > last)
        if since:
            query = query.where(func.coalesce(Article.published_at, Article.first_seen_at) >= since)
        if source:
            query = query.where(Source.name == source)
        if type_key:
            typed = select(Mention.article_id).join(Document).where(Document.type_key == type_key)
            query = query.where(col(Article.id).in_(typed))
        rows = session.exec(query.order_by(col(Article.id)).limit(batch)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1][0].id or last
