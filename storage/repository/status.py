"""Document statuses: what vbpl.vn or an announcement states of a document's validity, each distinct statement
kept once per document and source (its `digest`), stated again by moving its `checked_at`."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from govmon.storage.models import DocRelation, Document, DocumentStatus, utcnow
from govmon.storage.repository._rows import dialect

__all__ = ["status_digest", "state_status", "statuses_of", "latest_status", "documents_by_keys", "expiring",
           "endings_taking_effect", "documents_to_verify"]


def status_digest(state: str, effective_on: str | None, expires_on: str | None, by: Sequence[str]) -> str:
    """What makes two statements of one source the same: the state, both dates and the documents, in order.

    >>> status_digest("amended", None, None, ["71/NQ-CP"]) == status_digest("amended", None, None, ["71/NQ-CP"])
    True
    """
    key = json.dumps([state, effective_on, expires_on, list(by)], ensure_ascii=False)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def state_status(session: Session, document: Document, source: str, **fields: Any) -> tuple[DocumentStatus, bool]:
    """Record that `source` states `fields` (state, stated, effective_on, expires_on, by, evidence, url,
    article_id) of `document`: a new row, or the same statement's row with `checked_at` moved to now. The flag
    says whether the statement is new."""
    by = list(fields.pop("by", []))
    digest = status_digest(fields.get("state", ""), fields.get("effective_on"), fields.get("expires_on"), by)
    now = utcnow()
    values = {"document_id": document.id, "source": source, "digest": digest, **fields, "by": by, "seen_at": now,
              "checked_at": now}
    insert = postgresql.insert if dialect(session) == "postgresql" else sqlite.insert
    statement = (insert(DocumentStatus).values(**values)
                 .on_conflict_do_update(index_elements=_STATEMENT_KEY, set_={"checked_at": now})
                 .returning(DocumentStatus).execution_options(populate_existing=True))
    row = session.scalars(statement).one()  # one statement, whoever stated it first: an upsert
    return row, row.seen_at == now


_STATEMENT_KEY = ["document_id", "source", "digest"]  # uq_documentstatus


def statuses_of(session: Session, document_ids: Iterable[int]) -> dict[int, list[DocumentStatus]]:
    """document id → its statements from every source, the latest checked first, in one query."""
    wanted = sorted(set(document_ids))
    found: dict[int, list[DocumentStatus]] = {doc: [] for doc in wanted}
    if wanted:
        query = select(DocumentStatus).where(col(DocumentStatus.document_id).in_(wanted))
        for row in session.exec(query.order_by(col(DocumentStatus.checked_at).desc(), col(DocumentStatus.id).desc())):
            found[row.document_id].append(row)
    return found


def latest_status(session: Session, document: Document, source: str) -> DocumentStatus | None:
    """What `source` last stated of `document`, or None."""
    query = select(DocumentStatus).where(DocumentStatus.document_id == document.id, DocumentStatus.source == source)
    return session.exec(query.order_by(col(DocumentStatus.checked_at).desc(), col(DocumentStatus.id).desc())).first()


def documents_by_keys(session: Session, keys: Iterable[str]) -> dict[str, Document]:
    """registry key → document, for many keys in one query (the ends of a report's relations)."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    return {d.key: d for d in session.exec(select(Document).where(col(Document.key).in_(wanted))).all()}


def expiring(session: Session, start: str, end: str) -> Sequence[tuple[DocumentStatus, Document]]:
    """Statements of an expiry day within [start, end] (ISO days), with their documents."""
    query = select(DocumentStatus, Document).join(Document, col(DocumentStatus.document_id) == Document.id)
    query = query.where(col(DocumentStatus.expires_on) >= start, col(DocumentStatus.expires_on) <= end)
    return session.exec(query.order_by(col(DocumentStatus.expires_on), col(DocumentStatus.id))).all()


Ending = tuple[DocRelation, Document, Document]


def endings_taking_effect(session: Session, start: str, end: str,
                          rels: Sequence[str] = ("replaces", "repeals", "suspends")) -> Sequence[Ending]:
    """Relations that end or suspend a document whose acting document takes effect within [start, end]:
    (relation, acting document, the document it ends)."""
    actor, target = aliased(Document), aliased(Document)
    query = (select(DocRelation, actor, target).join(actor, col(DocRelation.from_document_id) == actor.id)
             .join(target, col(DocRelation.to_document_id) == target.id)
             .where(col(DocRelation.rel).in_(list(rels)), actor.effective_on >= start, actor.effective_on <= end))
    return session.exec(query.order_by(col(DocRelation.id))).all()  # type: ignore[arg-type]


def documents_to_verify(session: Session, source: str, limit: int,
                        skip_codes: Sequence[str] = ()) -> Sequence[Document]:
    """Resolved documents `source` has never stated anything of, then those it stated least recently; sign
    codes ending with one of `skip_codes` left out (local documents a national database does not hold)."""
    checked = (select(DocumentStatus.document_id, func.max(DocumentStatus.checked_at).label("last"))
               .where(DocumentStatus.source == source).group_by(DocumentStatus.document_id).subquery())
    query = select(Document).outerjoin(checked, checked.c.document_id == Document.id).where(col(Document.resolved))
    for code in skip_codes:
        query = query.where(~col(Document.code).endswith(code))
    order = (checked.c.last.is_not(None), checked.c.last, col(Document.id))
    return session.exec(query.order_by(*order).limit(limit)).all()
