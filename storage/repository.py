"""The repository: the one module that builds queries. Callers pass an open session (one transaction
per ingested page, see `storage.db.session_scope`) and get model objects back.

Writes are idempotent where the world may repeat itself: sources, documents, mentions, relations,
events and deliveries are looked up by their natural key before they are inserted.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from govmon.storage.models import (
    Article, CrawlRun, Delivery, DocRelation, Document, Event, Mention, RepostCluster, Source, StoredFile, Version,
    utcnow,
)

__all__ = [
    "ensure_source", "source_by_name", "sources", "article_by_url", "add_article", "latest_version",
    "versions_of", "add_version", "known_pages", "get_document", "add_document", "documents_by_id",
    "documents_by_ids", "set_mentions", "mentions_of", "add_relation", "relations_of", "new_cluster",
    "cluster_members", "add_event", "events", "due_deliveries", "start_run",
    "finish_run", "latest_runs", "recent_runs", "article_documents", "add_file", "files_of", "find_documents",
    "mention_counts", "documents_by_number", "recent_clusters", "deliveries", "retry_deliveries",
]


# --- sources and crawl runs -------------------------------------------------------------------------

def source_by_name(session: Session, name: str) -> Source | None:
    return session.exec(select(Source).where(Source.name == name)).first()


def ensure_source(session: Session, name: str, **fields: Any) -> Source:
    """The source row for `name`, created or updated with `fields` (title, kind, official)."""
    source = source_by_name(session, name) or Source(name=name)
    for key, value in fields.items():
        setattr(source, key, value)
    session.add(source)
    session.flush()
    return source


def sources(session: Session) -> Sequence[Source]:
    return session.exec(select(Source).order_by(Source.name)).all()


def start_run(session: Session, source: Source) -> CrawlRun:
    run = CrawlRun(source_id=source.id, started_at=utcnow())
    session.add(run)
    session.flush()
    return run


def finish_run(session: Session, run: CrawlRun, status: str, message: str = "", **counts: int) -> None:
    run.status, run.message, run.finished_at = status, message, utcnow()
    for key, value in counts.items():
        setattr(run, key, value)
    session.add(run)


def recent_runs(session: Session, source_id: int, count: int = 5) -> Sequence[CrawlRun]:
    """The source's last `count` finished runs, newest first."""
    query = (select(CrawlRun).where(CrawlRun.source_id == source_id, CrawlRun.status != "running")
             .order_by(col(CrawlRun.id).desc()).limit(count))
    return session.exec(query).all()


def latest_runs(session: Session) -> dict[int, CrawlRun]:
    """The most recent crawl run of every source, by source id."""
    newest = select(CrawlRun.source_id, func.max(CrawlRun.id)).group_by(CrawlRun.source_id).subquery()
    rows = session.exec(select(CrawlRun).join(newest, col(CrawlRun.id) == newest.c[1])).all()
    return {run.source_id: run for run in rows}


# --- articles and versions --------------------------------------------------------------------------

def article_by_url(session: Session, url: str) -> Article | None:
    return session.exec(select(Article).where(Article.url == url)).first()


def add_article(session: Session, source: Source, url: str, **fields: Any) -> Article:
    now = utcnow()
    article = Article(source_id=source.id, url=url, first_seen_at=now, last_seen_at=now, **fields)
    session.add(article)
    session.flush()
    return article


def latest_version(session: Session, article_id: int) -> Version | None:
    query = select(Version).where(Version.article_id == article_id).order_by(col(Version.seq).desc())
    return session.exec(query).first()


def versions_of(session: Session, article_id: int) -> Sequence[Version]:
    return session.exec(select(Version).where(Version.article_id == article_id).order_by(Version.seq)).all()


def add_version(session: Session, article: Article, previous: Version | None, **fields: Any) -> Version:
    """Append the next version of `article` (versions are never updated or deleted)."""
    seq = previous.seq + 1 if previous else 1
    fields.setdefault("fetched_at", utcnow())  # an archive import passes the capture time
    version = Version(article_id=article.id, seq=seq, **fields)
    session.add(version)
    return version  # inserted at the next flush (its id is known after it)


def known_pages(session: Session, source: Source) -> dict[str, dict[str, str]]:
    """URL → HTTP validators (and the extractor of the last fetch) of every article of `source`."""
    query = select(Article.url, Article.etag, Article.last_modified, Article.extractor).where(
        Article.source_id == source.id)
    return {url: {"etag": etag, "last_modified": lm, "extractor": how}
            for url, etag, lm, how in session.exec(query).all()}


def add_file(session: Session, article: Article, url: str, sha256: str, **fields: Any) -> StoredFile | None:
    """Record an attachment as fetched; None when these bytes at this URL are already recorded."""
    query = select(StoredFile).where(StoredFile.article_id == article.id, StoredFile.url == url,
                                     StoredFile.sha256 == sha256)
    if session.exec(query).first() is not None:
        return None
    row = StoredFile(article_id=article.id, url=url, sha256=sha256, fetched_at=utcnow(), **fields)
    session.add(row)
    session.flush()
    return row


def files_of(session: Session, article_id: int) -> Sequence[StoredFile]:
    return session.exec(select(StoredFile).where(StoredFile.article_id == article_id).order_by(col(StoredFile.id))).all()


# --- documents, mentions, relations -----------------------------------------------------------------

def get_document(session: Session, key: str) -> Document | None:
    return session.exec(select(Document).where(Document.key == key)).first()


def documents_by_number(session: Session, number: str, type_: str) -> Sequence[Document]:
    """Registry documents with this number and type word (for short references such as "Nghị quyết 57");
    leading zeros do not count ("03" is "3")."""
    wanted = number.lstrip("0") or "0"
    query = select(Document).where(func.lower(Document.type) == type_.lower(),
                                   or_(func.ltrim(Document.number, "0") == wanted, Document.number == wanted))
    return session.exec(query).all()


def documents_by_id(session: Session, canonical_id: str) -> Sequence[Document]:
    return session.exec(select(Document).where(Document.canonical_id == canonical_id)).all()


def add_document(session: Session, key: str, canonical_id: str, **fields: Any) -> Document:
    document = Document(key=key, canonical_id=canonical_id, first_seen_at=utcnow(), **fields)
    session.add(document)
    session.flush()
    return document


def documents_by_ids(session: Session, canonical_ids: Iterable[str]) -> dict[str, list[Document]]:
    """canonical id → its registry rows (one per resolved year), for many ids in one query."""
    wanted = sorted(set(canonical_ids))
    found: dict[str, list[Document]] = {doc_id: [] for doc_id in wanted}
    if wanted:
        for document in session.exec(select(Document).where(col(Document.canonical_id).in_(wanted))).all():
            found[document.canonical_id].append(document)
    return found


def set_mentions(session: Session, article: Article, wanted: Iterable[tuple[Document, str, str]],
                 known: Iterable[Mention] | None = None) -> None:
    """Record that `article` mentions each (document, role, raw text); a "subject" role is never
    downgraded to "cites". The article's existing mentions are read in one query, unless the caller
    knows them (`known=()` for an article it has just created)."""
    query = select(Mention).where(Mention.article_id == article.id)
    known = {mention.document_id: mention for mention in (session.exec(query).all() if known is None else known)}
    for document, role, raw in wanted:
        mention = known.get(document.id) or Mention(article_id=article.id, document_id=document.id, raw=raw)
        known[document.id] = mention
        if mention.role != "subject":
            mention.role = role
        session.add(mention)


def mentions_of(session: Session, document: Document) -> Sequence[tuple[Mention, Article]]:
    query = select(Mention, Article).join(Article).where(Mention.document_id == document.id)
    return session.exec(query.order_by(Article.first_seen_at)).all()


def article_documents(session: Session, article_id: int) -> list[tuple[str, str]]:
    """(canonical id, role) of the documents an article mentions, subjects first."""
    query = select(Document.canonical_id, Mention.role).join(Mention).where(Mention.article_id == article_id)
    rows = session.exec(query.order_by(Mention.id)).all()
    return sorted(((doc, role) for doc, role in rows), key=lambda row: row[1] != "subject")


def add_relation(session: Session, source: Document, rel: str, target: Document,
                 evidence: str, article_id: int | None) -> DocRelation | None:
    """Insert the relation unless it is already known; returns the new row, or None if it existed."""
    query = select(DocRelation).where(
        DocRelation.from_document_id == source.id, DocRelation.rel == rel, DocRelation.to_document_id == target.id)
    if session.exec(query).first():
        return None
    relation = DocRelation(from_document_id=source.id, rel=rel, to_document_id=target.id,
                           evidence=evidence, article_id=article_id, first_seen_at=utcnow())
    session.add(relation)
    session.flush()
    return relation


def find_documents(session: Session, type_: str | None = None, issuer: str | None = None,
                   since: datetime | None = None, limit: int = 500) -> Sequence[Document]:
    """Registry documents, newest first seen first, filtered by type word, issuer or code, and `since`: issued
    on or after it — by the issue date when the texts gave one, else by the year of the sign, else by when
    govmon first saw the document (so a backfilled history answers "what was issued since 2024")."""
    query = select(Document)
    if type_:
        query = query.where(func.lower(Document.type) == type_.lower())
    if issuer:
        pattern = f"%{issuer.lower()}%"
        query = query.where(or_(func.lower(Document.issuer).like(pattern), func.lower(Document.code).like(pattern)))
    if since:
        undated = col(Document.issued_on).is_(None)
        query = query.where(or_(col(Document.issued_on) >= since.date().isoformat(),
                                and_(undated, col(Document.year) >= since.year),
                                and_(undated, col(Document.year).is_(None), Document.first_seen_at >= since)))
    return session.exec(query.order_by(col(Document.first_seen_at).desc(), col(Document.id).desc()).limit(limit)).all()


def mention_counts(session: Session, document_ids: Sequence[int]) -> dict[tuple[int, str], int]:
    """(document id, role) → number of articles, for the given documents."""
    query = (select(Mention.document_id, Mention.role, func.count())
             .where(col(Mention.document_id).in_(list(document_ids))).group_by(Mention.document_id, Mention.role))
    return {(doc, role): n for doc, role, n in session.exec(query).all()}


def relations_of(session: Session, document: Document) -> Sequence[DocRelation]:
    query = select(DocRelation).where(
        or_(DocRelation.from_document_id == document.id, DocRelation.to_document_id == document.id))
    return session.exec(query.order_by(DocRelation.id)).all()


# --- repost clusters --------------------------------------------------------------------------------

def new_cluster(session: Session, article: Article, signature: str = "") -> RepostCluster:
    cluster = RepostCluster(canonical_article_id=article.id, signature=signature, created_at=utcnow())
    session.add(cluster)
    session.flush()
    article.cluster_id = cluster.id
    session.add(article)
    return cluster


def export_rows(session: Session, since: datetime | None = None, source: str | None = None,
                document_type: str | None = None, batch: int = 500) -> Iterator[tuple[Article, Source]]:
    """Articles for export, oldest first, read `batch` at a time (a store of millions streams in bounded memory)."""
    last = 0
    while True:
        query = select(Article, Source).join(Source).where(Article.id > last)
        if since:
            query = query.where(func.coalesce(Article.published_at, Article.first_seen_at) >= since)
        if source:
            query = query.where(Source.name == source)
        if document_type:
            typed = select(Mention.article_id).join(Document).where(func.lower(Document.type) == document_type.lower())
            query = query.where(col(Article.id).in_(typed))
        rows = session.exec(query.order_by(col(Article.id)).limit(batch)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1][0].id or last


def recent_clusters(session: Session, since: datetime) -> Sequence[tuple[int, str]]:
    """(id, signature) of the clusters created since `since`, oldest first."""
    query = select(RepostCluster.id, RepostCluster.signature).where(RepostCluster.created_at >= since)
    return session.exec(query.order_by(col(RepostCluster.id))).all()


def cluster_members(session: Session, cluster_id: int) -> Sequence[tuple[Article, Source]]:
    query = select(Article, Source).join(Source).where(Article.cluster_id == cluster_id)
    return session.exec(query).all()


# --- events and the outbox --------------------------------------------------------------------------

def add_event(session: Session, kind: str, dedup_key: str, channels: Iterable[str] | dict[str, datetime],
              **fields: Any) -> Event | None:
    """Record an event once (by `dedup_key`) with one pending delivery per channel (due now, or at the time
    given per channel), in the caller's transaction; returns None when the event already happened."""
    if session.exec(select(Event).where(Event.dedup_key == dedup_key)).first():
        return None
    now = utcnow()
    event = Event(kind=kind, dedup_key=dedup_key, created_at=now, **fields)
    session.add(event)
    session.flush()
    due = channels if isinstance(channels, dict) else {channel: now for channel in channels}
    for channel, when in due.items():
        session.add(Delivery(event_id=event.id, channel=channel, next_attempt_at=when))
    return event


def events(session: Session, since_id: int = 0) -> Sequence[Event]:
    return session.exec(select(Event).where(col(Event.id) > since_id).order_by(Event.id)).all()


def deliveries(session: Session, status: str | None = None, limit: int = 200) -> Sequence[Delivery]:
    """The outbox, newest first, optionally only rows with `status` (pending, sent, dead)."""
    query = select(Delivery)
    if status:
        query = query.where(Delivery.status == status)
    return session.exec(query.order_by(col(Delivery.id).desc()).limit(limit)).all()


def retry_deliveries(session: Session, now: datetime, channel: str | None = None) -> int:
    """Make dead (and waiting) deliveries due now again; returns how many."""
    query = select(Delivery).where(col(Delivery.status).in_(["dead", "pending"]))
    if channel:
        query = query.where(Delivery.channel == channel)
    rows = session.exec(query).all()
    for row in rows:
        row.status, row.next_attempt_at, row.attempts = "pending", now, 0
        session.add(row)
    return len(rows)


def due_deliveries(session: Session, now: datetime, limit: int = 100) -> Sequence[Delivery]:
    query = (select(Delivery).where(Delivery.status == "pending", col(Delivery.next_attempt_at) <= now)
             .order_by(Delivery.id).limit(limit))
    return session.exec(query).all()
