"""What the read-only views (web pages, feeds, the JSON API) page through: events newest first with the filters
people use, announcements newest first, an announcement with its source, documents by canonical id. Every list
is keyset-paginated on ids (`before`: the last id of the previous page), so a page costs the same at any depth.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, any_, func, or_
from sqlmodel import Session, col, select

from govmon.storage.models import (
    Article,
    Delivery,
    DocRelation,
    Document,
    Event,
    Mention,
    Source,
)

__all__ = ["EventFilter", "events_page", "articles_page", "article_and_source", "documents_page",
           "document_neighbours", "clusters_members", "articles_by_ids", "sources_by_ids"]

_LINEAGE = ("implements", "guides")


@dataclass(frozen=True)
class EventFilter:
    """Which events a view lists; every field optional, all must hold. `documents` are registry row ids:
    events about them, about what implements or guides them, and about articles that mention them."""

    kinds: tuple[str, ...] = ()
    sources: tuple[str, ...] | None = None  # source names; an empty tuple matches nothing (unknown province)
    documents: tuple[int, ...] | None = None
    channel: str | None = None  # events a channel (or subscription) selected: it has a delivery for them
    since: datetime | None = None
    until: datetime | None = None


def _among(dialect: str, column: Any, values: Select[Any]) -> ColumnElement[bool]:
    """`column IN (values)`; on PostgreSQL `= ANY(ARRAY(values))`, which the planner can answer from the
    event indexes (a bitmap OR) instead of checking a hashed subplan against every event it walks."""
    if dialect == "postgresql":
        return col(column) == any_(func.array(values.scalar_subquery()))
    return col(column).in_(values)


def _document_clause(dialect: str, ids: Sequence[int]) -> ColumnElement[bool]:
    lineage = select(DocRelation.from_document_id).where(col(DocRelation.to_document_id).in_(ids),
                                                         col(DocRelation.rel).in_(_LINEAGE))
    mentioned = select(Mention.article_id).where(col(Mention.document_id).in_(ids))
    return or_(col(Event.document_id).in_(ids), _among(dialect, Event.document_id, lineage),
               _among(dialect, Event.article_id, mentioned))


def _source_clause(dialect: str, names: Sequence[str]) -> ColumnElement[bool]:
    """Events of these sources, or about an announcement one of them carried (any copy of it)."""
    ids = select(Source.id).where(col(Source.name).in_(names))
    clusters = select(Article.cluster_id).where(col(Article.source_id).in_(ids), col(Article.cluster_id).is_not(None))
    own = select(Article.id).where(col(Article.source_id).in_(ids))
    copies = select(Article.id).where(col(Article.cluster_id).in_(clusters))
    return or_(_among(dialect, Event.source_id, ids), _among(dialect, Event.article_id, own),
               _among(dialect, Event.article_id, copies))


def events_page(session: Session, where: EventFilter, before: int | None = None, limit: int = 50) -> Sequence[Event]:
    """Events matching `where`, newest first, `limit` of them with ids below `before`."""
    query, dialect = select(Event), session.get_bind().dialect.name
    if where.kinds:
        query = query.where(col(Event.kind).in_(where.kinds))
    if where.sources is not None:
        query = query.where(_source_clause(dialect, where.sources))
    if where.documents is not None:
        query = query.where(_document_clause(dialect, where.documents))
    if where.channel is not None:
        query = query.where(col(Event.id).in_(select(Delivery.event_id).where(Delivery.channel == where.channel)))
    if where.since is not None:
        query = query.where(col(Event.created_at) >= where.since)
    if where.until is not None:
        query = query.where(col(Event.created_at) <= where.until)
    if before is not None:
        query = query.where(col(Event.id) < before)
    return session.exec(query.order_by(col(Event.id).desc()).limit(limit)).all()


def articles_page(session: Session, source: str | None = None, before: int | None = None,
                  limit: int = 50) -> Sequence[tuple[Article, Source]]:
    """Announcements newest stored first, with their source."""
    query = select(Article, Source).join(Source)
    if source is not None:
        query = query.where(Source.name == source)
    if before is not None:
        query = query.where(col(Article.id) < before)
    return session.exec(query.order_by(col(Article.id).desc()).limit(limit)).all()


def article_and_source(session: Session, article_id: int) -> tuple[Article, Source] | None:
    return session.exec(select(Article, Source).join(Source).where(Article.id == article_id)).first()


def documents_page(session: Session, before: int | None = None, limit: int = 50) -> Sequence[Document]:
    """Registry documents, most recently registered first."""
    query = select(Document)
    if before is not None:
        query = query.where(col(Document.id) < before)
    return session.exec(query.order_by(col(Document.id).desc()).limit(limit)).all()


def document_neighbours(session: Session, ids: Iterable[int]) -> dict[int, Document]:
    """Registry rows by id, in one query (the ends of a relation graph's edges)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {d.id: d for d in session.exec(select(Document).where(col(Document.id).in_(wanted))).all() if d.id}


def clusters_members(session: Session, cluster_ids: Iterable[int]) -> dict[int, list[tuple[Article, Source]]]:
    """cluster id → its member articles with their sources, for many clusters in one query."""
    wanted = sorted(set(cluster_ids))
    members: dict[int, list[tuple[Article, Source]]] = {cid: [] for cid in wanted}
    if wanted:
        query = select(Article, Source).join(Source).where(col(Article.cluster_id).in_(wanted))
        for article, source in session.exec(query.order_by(col(Article.id))).all():
            members[article.cluster_id or 0].append((article, source))
    return members


def articles_by_ids(session: Session, ids: Iterable[int]) -> dict[int, Article]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {a.id: a for a in session.exec(select(Article).where(col(Article.id).in_(wanted))).all() if a.id}


def sources_by_ids(session: Session, ids: Iterable[int]) -> dict[int, Source]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {s.id: s for s in session.exec(select(Source).where(col(Source.id).in_(wanted))).all() if s.id}
