"""What the read-only views (web pages, feeds, the JSON API) page through: events newest first with the filters
people use, announcements newest first, an announcement with its source, documents by canonical id. Every list
is keyset-paginated on ids (`before`: the last id of the previous page), so a page costs the same at any depth.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, or_
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
           "document_neighbours", "clusters_members", "sources_by_ids"]

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


def _document_clause(ids: Sequence[int]) -> ColumnElement[bool]:
    lineage = select(DocRelation.from_document_id).where(col(DocRelation.to_document_id).in_(ids),
                                                         col(DocRelation.rel).in_(_LINEAGE))
    mentioned = select(Mention.article_id).where(col(Mention.document_id).in_(ids))
    return or_(col(Event.document_id).in_(ids), col(Event.document_id).in_(lineage),
               col(Event.article_id).in_(mentioned))


def _source_clause(names: Sequence[str]) -> ColumnElement[bool]:
    """Events of these sources, or about an announcement one of them carried (any copy of it)."""
    ids = select(Source.id).where(col(Source.name).in_(names))
    clusters = select(Article.cluster_id).where(col(Article.source_id).in_(ids), col(Article.cluster_id).is_not(None))
    carried = select(Article.id).where(or_(col(Article.source_id).in_(ids), col(Article.cluster_id).in_(clusters)))
    return or_(col(Event.source_id).in_(ids), col(Event.article_id).in_(carried))


def events_page(session: Session, where: EventFilter, before: int | None = None, limit: int = 50) -> Sequence[Event]:
    """Events matching `where`, newest first, `limit` of them with ids below `before`."""
    query = select(Event)
    if where.kinds:
        query = query.where(col(Event.kind).in_(where.kinds))
    if where.sources is not None:
        query = query.where(_source_clause(where.sources))
    if where.documents is not None:
        query = query.where(_document_clause(where.documents))
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


def sources_by_ids(session: Session, ids: Iterable[int]) -> dict[int, Source]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {s.id: s for s in session.exec(select(Source).where(col(Source.id).in_(wanted))).all() if s.id}
