"""All govmon tables (sqlmodel's one-`models.py` advice), with the invariants the repository relies on.

    Source ─< Article ─< Version              (append-only; a new row only when the comparison form changes)
               ├─< StoredFile                 (attachments: bytes in the blob store, text extracted)
               │  └─< Mention >─ Document ─< DocRelation >─ Document
               │                  └─< DocumentStatus     (validity as vbpl.vn or an announcement states it)
               └── RepostCluster              (copies of one announcement across sources)
    Event ─< Delivery                          (the outbox: one row per event × channel)
    CrawlRun                                   (one row per crawl of a source: outcome and counts)
    Worker                                     (a daemon sharing the store: who it is, when it last checked in)

Times are stored in UTC (`UTCDateTime`) and shown in Asia/Ho_Chi_Minh by the CLI.
"""
from __future__ import annotations

import zlib
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import JSON, Column, Index, LargeBinary, UniqueConstraint
from sqlalchemy.types import DateTime, TypeDecorator
from sqlmodel import Field, SQLModel

__all__ = [
    "UTCDateTime", "utcnow", "Source", "Article", "Version", "Document", "Mention", "DocRelation",
    "RepostCluster", "Event", "Delivery", "CrawlRun", "Worker", "StoredFile", "SearchEntry", "DocumentStatus", "reflected",
    "compress", "decompress",
]


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (naive storage) and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Optional[datetime], dialect: Any) -> Optional[datetime]:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def compress(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), 6)


def decompress(blob: Optional[bytes]) -> str:
    return zlib.decompress(blob).decode("utf-8") if blob else ""


def _ts(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class Source(SQLModel, table=True):
    """A site govmon watches; `baseline_at` is set once its first successful pass has been stored.
    `crawl_owner`/`crawl_until` are the lease of the process crawling it now (one crawl of a source at a
    time, across processes and hosts; a lease whose process died expires). `next_due_at` is the daemons'
    shared schedule: when the source is next crawled (None: at once), by whichever daemon leases it first."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True)
    title: str = ""
    kind: str = ""
    official: bool = False
    baseline_at: Optional[datetime] = _ts()
    broken_since: Optional[datetime] = _ts()
    last_run_at: Optional[datetime] = _ts()
    last_status: str = ""
    crawl_owner: str = ""
    crawl_until: Optional[datetime] = _ts()
    next_due_at: Optional[datetime] = _ts(index=True)


class RepostCluster(SQLModel, table=True):
    """Copies of one announcement; `canonical_article_id` is the earliest, official source first on ties."""

    id: Optional[int] = Field(default=None, primary_key=True)
    canonical_article_id: Optional[int] = Field(default=None, index=True)
    signature: str = ""
    created_at: Optional[datetime] = _ts(nullable=False, index=True)


class Article(SQLModel, table=True):
    """One page, identified by its canonical URL; its content lives in versions."""

    __table_args__ = (UniqueConstraint("url", name="uq_article_url"),
                      Index("ix_article_source_seen", "source_id", "last_seen_at"))
    id: Optional[int] = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", index=True)
    url: str
    title: str = ""
    lang: str = "vi"
    published_at: Optional[datetime] = _ts(index=True)
    first_seen_at: Optional[datetime] = _ts(nullable=False)
    last_seen_at: Optional[datetime] = _ts()
    cluster_id: Optional[int] = Field(default=None, foreign_key="repostcluster.id", index=True)
    etag: str = ""
    last_modified: str = ""
    extractor: str = ""  # of the latest fetch: "site" selectors, or the "generic" fallback after a mismatch
    missing_polls: int = 0
    gone_at: Optional[datetime] = _ts()


class Version(SQLModel, table=True):
    """An append-only snapshot; `content_hash` is SHA-256 of the comparison form of title+lead+text. An
    article's history is its versions in the order of `fetched_at` (the fetch or capture time); `seq` only
    counts arrivals (an archive capture older than the latest arrives after it)."""

    __table_args__ = (UniqueConstraint("article_id", "seq", name="uq_version_seq"),
                      Index("ix_version_article_time", "article_id", "fetched_at"))
    id: Optional[int] = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    seq: int
    content_hash: str = Field(index=True)
    title: str = ""
    lead: str = ""
    text: str = ""
    author: str = ""
    modified_at: Optional[datetime] = _ts()
    fetched_at: Optional[datetime] = _ts(nullable=False)
    raw_html: Optional[bytes] = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    extra: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class StoredFile(SQLModel, table=True):
    """An attachment of an article as fetched: its bytes live in the blob store under `sha256`; `text` is
    what could be read from it ("" with `problem` set when nothing could). A changed file is a new row."""

    __tablename__ = "storedfile"
    __table_args__ = (UniqueConstraint("article_id", "url", "sha256", name="uq_storedfile"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    url: str
    name: str = ""
    sha256: str = Field(index=True)
    content_type: str = ""
    size: int = 0
    text: str = ""
    problem: str = ""
    fetched_at: Optional[datetime] = _ts(nullable=False)


class Document(SQLModel, table=True):
    """A numbered legal document; `key` is the canonical id, plus `@year` when a sign without year was dated.
    `type_key`, `issuer_key` and `number_key` are the folded forms filters match (lower case, no
    diacritics, đ → d; the number without leading zeros), the same on SQLite and PostgreSQL."""

    __table_args__ = (Index("ix_document_type_number", "type_key", "number_key"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    key: str = Field(unique=True, index=True)
    canonical_id: str = Field(index=True)
    type: str = ""
    number: str = ""
    year: Optional[int] = None
    code: str = ""
    issuer: str = ""
    type_key: str = ""
    issuer_key: str = ""  # issuer name and sign code, folded, space-separated
    number_key: str = ""
    title: str = ""
    issued_on: Optional[str] = None
    effective_on: Optional[str] = None
    resolved: bool = False
    first_seen_at: Optional[datetime] = _ts(nullable=False)
    first_subject_at: Optional[datetime] = _ts()
    first_seen_article_id: Optional[int] = Field(default=None, foreign_key="article.id")


class Mention(SQLModel, table=True):
    """An article's reference to a document: `role` is "subject" (it is about it) or "cites"."""

    __table_args__ = (UniqueConstraint("article_id", "document_id", name="uq_mention"),
                      Index("ix_mention_document_role", "document_id", "role", "article_id"))
    id: Optional[int] = Field(default=None, primary_key=True)
    article_id: int = Field(foreign_key="article.id", index=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    role: str = "cites"
    raw: str = ""


class DocRelation(SQLModel, table=True):
    """`from_document` amends/replaces/repeals/implements/guides/... `to_document`, with its evidence."""

    __table_args__ = (UniqueConstraint("from_document_id", "rel", "to_document_id", name="uq_relation"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    from_document_id: int = Field(foreign_key="document.id", index=True)
    rel: str
    to_document_id: int = Field(foreign_key="document.id", index=True)
    evidence: str = ""
    article_id: Optional[int] = Field(default=None, foreign_key="article.id")
    first_seen_at: Optional[datetime] = _ts(nullable=False)


class DocumentStatus(SQLModel, table=True):
    """What a source states of a document's validity: `source` "vbpl.vn" (the Ministry of Justice's national
    database, the authority) or "announcement" (a sentence of an article, `article_id`). `state` is govmon's
    word for it (in_force, amended, partly_expired, expired, replaced, repealed, suspended, partly_suspended,
    not_yet, unknown; "" when only dates are stated) and `stated` the source's own; `effective_on` and
    `expires_on` are ISO dates; `by` the canonical ids of the documents that made it so; `evidence` and `url`
    where it is said. One row per distinct statement (`digest` of state, dates and by): `seen_at` when first
    stated, `checked_at` when last stated again — a source's current statement is its latest checked."""

    __tablename__ = "documentstatus"
    __table_args__ = (UniqueConstraint("document_id", "source", "digest", name="uq_documentstatus"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    source: str
    state: str = ""
    stated: str = ""
    effective_on: Optional[str] = None
    expires_on: Optional[str] = None
    by: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    evidence: str = ""
    url: str = ""
    article_id: Optional[int] = Field(default=None, foreign_key="article.id")
    digest: str
    seen_at: Optional[datetime] = _ts(nullable=False)
    checked_at: Optional[datetime] = _ts(nullable=False)


class Event(SQLModel, table=True):
    """Something users may be alerted about; `dedup_key` makes each event happen once."""

    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(index=True)
    dedup_key: str = Field(unique=True)
    created_at: Optional[datetime] = _ts(nullable=False, index=True)
    source_id: Optional[int] = Field(default=None, foreign_key="source.id", index=True)
    article_id: Optional[int] = Field(default=None, foreign_key="article.id", index=True)
    cluster_id: Optional[int] = Field(default=None, foreign_key="repostcluster.id")
    document_id: Optional[int] = Field(default=None, foreign_key="document.id", index=True)
    title: str = ""
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Delivery(SQLModel, table=True):
    """The outbox: one row per event × channel, written in the transaction that creates the event. A sender
    claims a due row (status "sending", `claimed_by`, `lease_until`) before it sends; a claim whose lease
    ran out (its sender died) is due again."""

    __table_args__ = (UniqueConstraint("event_id", "channel", name="uq_delivery"),
                      Index("ix_delivery_due", "channel", "status", "next_attempt_at"),
                      Index("ix_delivery_channel_event", "channel", "event_id"))
    id: Optional[int] = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    channel: str
    status: str = Field(default="pending", index=True)  # pending | sending | sent | dead
    attempts: int = 0
    next_attempt_at: Optional[datetime] = _ts()
    sent_at: Optional[datetime] = _ts()
    last_error: str = ""
    claimed_by: str = ""
    lease_until: Optional[datetime] = _ts()


class CrawlRun(SQLModel, table=True):
    """One crawl of one source: when, how it ended, what it found, and which process ran it (`host`, `pid`),
    so a run whose process is gone can be told from one still running."""

    __table_args__ = (Index("ix_crawlrun_source_run", "source_id", "id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="source.id", index=True)
    started_at: Optional[datetime] = _ts(nullable=False)
    finished_at: Optional[datetime] = _ts()
    status: str = Field(default="running", index=True)
    host: str = ""
    pid: int = 0
    pages: int = 0
    articles_new: int = 0
    versions_new: int = 0
    problems: int = 0
    message: str = ""


class Worker(SQLModel, table=True):
    """A `govmon daemon` process sharing the store. `name` ("host:pid") is the owner its leases carry;
    `checked_in_at` is its last heartbeat; `state` is running, stopping or stopped (a worker that died says
    nothing: its check-ins stop). `sources` and `parallel`: how many sources it serves, how many at once."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(unique=True, index=True)
    host: str = ""
    pid: int = 0
    state: str = "running"
    sources: int = 0
    parallel: int = 0
    started_at: Optional[datetime] = _ts(nullable=False)
    checked_in_at: Optional[datetime] = _ts(nullable=False)
    stopped_at: Optional[datetime] = _ts()


class SearchEntry(SQLModel, table=True):
    """One searchable thing: `kind` "article" (`ref_id` an article id, `at` the fetch or capture time of
    the version indexed) or "document" (a registry row id). `title` and `body` are folded words."""

    __tablename__ = "searchentry"
    __table_args__ = (UniqueConstraint("kind", "ref_id", name="uq_searchentry"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str
    ref_id: int
    title: str = ""
    body: str = ""
    at: Optional[datetime] = Field(default=None, sa_column=Column(UTCDateTime(), nullable=False))


# The parts of the search index only migration 0005 manages: the FTS5 table (and its shadow tables) on SQLite,
# the generated tsvector column and its GIN index on PostgreSQL.
_INDEX_TABLES = ("searchentry_fts",)
_INDEX_PG = {("column", "tsv"), ("index", "ix_searchentry_tsv")}


def reflected(name: str | None, type_: str, parent_names: Mapping[str, Any]) -> bool:
    """Alembic's `include_name`: False for the parts of the search index only migrations manage (the FTS5
    table and its shadow tables on SQLite, the tsvector column and its GIN index on PostgreSQL), so
    comparing the models with a database, or autogenerating a revision, leaves them alone."""
    if name is None:
        return True
    if type_ == "table":
        return not any(name == base or name.startswith(f"{base}_") for base in _INDEX_TABLES)
    return not (parent_names.get("table_name") == "searchentry" and (type_, name) in _INDEX_PG)
