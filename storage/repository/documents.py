"""The document registry: documents by key, id and number, the articles that mention them, and their
relations. Filters take folded forms (lower case, no diacritics: `type_key`, `issuer_key`), so SQLite and
PostgreSQL give the same answers, and user text is matched literally (LIKE wildcards escaped)."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, false, func, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from govmon.storage.models import (
    Article,
    DocRelation,
    Document,
    Mention,
    Source,
    utcnow,
)
from govmon.storage.repository._queue import queue_row
from govmon.storage.repository._rows import dialect, insert_many, insert_once
from govmon.storage.repository.search import index_document

__all__ = ["get_document", "documents_by_number", "documents_by_id", "documents_by_ids", "padded_id",
           "add_document", "set_mentions", "add_mentions", "mentions_of", "article_documents", "articles_documents",
           "add_relation", "queue_relation",
           "find_documents", "mention_counts", "relations_of", "relations_touching", "number_key"]


def number_key(number: str) -> str:
    """A document number as compared: leading zeros do not count ("03" is "3")."""
    return number.lstrip("0") or "0"


def get_document(session: Session, key: str) -> Document | None:
    return session.exec(select(Document).where(Document.key == key)).first()


def documents_by_number(session: Session, number: str, type_key: str) -> Sequence[Document]:
    """Registry documents with this number and (folded) type word, for short references such as
    "Nghị quyết 57"."""
    query = select(Document).where(Document.type_key == type_key, Document.number_key == number_key(number))
    return session.exec(query).all()


def documents_by_id(session: Session, canonical_id: str) -> Sequence[Document]:
    """The registry rows of a canonical id (one per year and province it was resolved to); leading zeros do
    not count (`3/NQ-CP` is `03/NQ-CP`). Qualifiers narrow them, as a key writes them (`71/NQ-CP@2025`,
    `1556/KH-UBND@gia-lai`) or as words after the id (`1556/KH-UBND Gia Lai`, `1556/KH-UBND tỉnh Gia Lai`)."""
    doc_id, wanted = _qualified(canonical_id)
    rows = session.exec(select(Document).where(Document.canonical_id == padded_id(doc_id))).all()
    return [d for d in rows if wanted <= set(d.key.split("@")[1:])] if wanted else rows


def padded_id(canonical_id: str) -> str:
    """A canonical id with its number as ids write it: no leading zeros, two digits at least.

    >>> padded_id("3/NQ-CP"), padded_id("003-NQ/TW"), padded_id("1556/KH-UBND"), padded_id("03/NQ-CP")
    ('03/NQ-CP', '03-NQ/TW', '1556/KH-UBND', '03/NQ-CP')
    """
    return _NUMBER.sub(lambda m: f"{int(m.group(1)):02d}", canonical_id, count=1)


def _qualified(text: str) -> tuple[str, set[str]]:
    """`1556/KH-UBND@2025 Gia Lai` → ("1556/KH-UBND", {"2025", "gia-lai"})."""
    head, _, words = text.strip().partition(" ")
    doc_id, *qualifiers = head.split("@")
    place = _PLACE_WORD.sub("", _slug(words))
    return doc_id, {q for q in (*qualifiers, place) if q}


def _slug(text: str) -> str:
    """`monitor.analysis.documents.province_slug`: folded words joined by hyphens ("Lai Châu" → "lai-chau")."""
    stripped = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return _NOT_SLUG.sub("-", stripped.replace("đ", "d").replace("Đ", "D").casefold()).strip("-")


_NUMBER = re.compile(r"^0*([0-9]{1,5})(?=[/-])")
_NOT_SLUG = re.compile(r"[^0-9a-z]+")
_PLACE_WORD = re.compile(r"^(?:tinh|thanh-pho|tp)-")


def documents_by_ids(session: Session, canonical_ids: Iterable[str]) -> dict[str, list[Document]]:
    """canonical id → its registry rows (one per resolved year), for many ids in one query."""
    wanted = sorted(set(canonical_ids))
    found: dict[str, list[Document]] = {doc_id: [] for doc_id in wanted}
    if wanted:
        for document in session.exec(select(Document).where(col(Document.canonical_id).in_(wanted))).all():
            found[document.canonical_id].append(document)
    return found


def add_document(session: Session, key: str, canonical_id: str, **fields: Any) -> Document:
    """The registry row with `key`: created with `fields` (and indexed for search), or the one another
    writer created first."""
    values = {"key": key, "canonical_id": canonical_id, "first_seen_at": utcnow(),
              "number_key": number_key(str(fields.get("number", ""))), **fields}
    document, inserted = insert_once(session, Document, values, {"key": key})
    if inserted:
        index_document(session, document)
    return document


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


def add_mentions(session: Session, article_id: int, wanted: Iterable[tuple[Document, str, str]]) -> None:
    """`set_mentions` for an article that has none yet (one this transaction created), in bulk: the mentions are
    queued with the transaction (SQLAlchemy Core, `storage.repository._queue`), one per document, "subject"
    over "cites" whatever the order."""
    mentions: dict[int, dict[str, Any]] = {}
    for document, role, raw in wanted:
        mention = mentions.setdefault(document.id or 0, {"article_id": article_id, "document_id": document.id,
                                                         "role": role, "raw": raw})
        if mention["role"] != "subject":
            mention["role"] = role
    for mention in mentions.values():
        queue_row(session, _MENTIONS, ("mention",), mention)


_MENTIONS = Mention.__table__.insert()


def mentions_of(session: Session, document: Document, role: str | None = None,
                limit: int | None = None) -> Sequence[tuple[Mention, Article, Source]]:
    """The articles that mention `document` (with `role`, when given), with their sources, in one query:
    oldest first, or with `limit` the latest `limit` of them (still oldest first)."""
    query = select(Mention, Article, Source).join(Article, col(Mention.article_id) == Article.id).join(Source)
    query = query.where(Mention.document_id == document.id)
    if role is not None:
        query = query.where(Mention.role == role)
    if limit is None:
        return session.exec(query.order_by(col(Article.first_seen_at), col(Article.id))).all()
    latest = session.exec(query.order_by(col(Mention.article_id).desc()).limit(limit)).all()  # ids grow as seen
    return latest[::-1]


def article_documents(session: Session, article_id: int) -> list[tuple[str, str]]:
    """(canonical id, role) of the documents an article mentions, subjects first."""
    query = select(Document.canonical_id, Mention.role).join(Mention).where(Mention.article_id == article_id)
    rows = session.exec(query.order_by(Mention.id)).all()
    return sorted(((doc, role) for doc, role in rows), key=lambda row: row[1] != "subject")


def articles_documents(session: Session, article_ids: Iterable[int]) -> dict[int, list[tuple[str, str]]]:
    """`article_documents` for many articles in one query: article id → (canonical id, role), subjects first."""
    wanted = sorted(set(article_ids))
    found: dict[int, list[tuple[str, str]]] = {article_id: [] for article_id in wanted}
    if wanted:
        query = select(Mention.article_id, Document.canonical_id, Mention.role).join(Document)
        for article_id, doc, role in session.exec(query.where(col(Mention.article_id).in_(wanted)).order_by(Mention.id)):
            found[article_id].append((doc, role))
    return {article_id: sorted(rows, key=lambda row: row[1] != "subject") for article_id, rows in found.items()}


def add_relation(session: Session, source: Document, rel: str, target: Document,
                 evidence: str, article_id: int | None) -> DocRelation | None:
    """Insert the relation unless it is already known (by anyone); returns the new row, or None."""
    values = {"from_document_id": source.id, "rel": rel, "to_document_id": target.id, "evidence": evidence,
              "article_id": article_id, "first_seen_at": utcnow()}
    added = insert_many(session, DocRelation, [values])
    return added[0] if added else None


def queue_relation(session: Session, source: Document, rel: str, target: Document, evidence: str,
                   article_id: int | None) -> None:
    """`add_relation` for a caller that need not know whether the relation is new (a quiet import): queued with
    the transaction (`storage.repository._queue`), inserted once by its key, whoever else inserts it."""
    values = {"from_document_id": source.id, "rel": rel, "to_document_id": target.id, "evidence": evidence,
              "article_id": article_id, "first_seen_at": utcnow()}
    queue_row(session, _relation_statement(dialect(session)), ("docrelation",), values)


def _relation_statement(name: str) -> Any:
    if name not in _RELATIONS:
        _RELATIONS[name] = (postgresql.insert if name == "postgresql" else sqlite.insert)(
            DocRelation.__table__).on_conflict_do_nothing()
    return _RELATIONS[name]


_RELATIONS: dict[str, Any] = {}


def find_documents(session: Session, type_key: str | None = None, issuer_key: str | None = None,
                   since: datetime | None = None, limit: int = 500) -> Sequence[Document]:
    """Registry documents, newest first seen first, filtered by folded type word, by the words an issuer
    name or sign code starts with (`issuer_key`: " chinh phu", " nd", matched literally), and `since`: issued on or after it — by the issue date when the texts
    gave one, else by the year of the sign, else by when govmon first saw the document (so a backfilled
    history answers "what was issued since 2024")."""
    query = select(Document)
    if type_key is not None:
        query = query.where(Document.type_key == type_key)
    if issuer_key is not None:  # blank: the user's text had no letters or digits, so nothing matches
        query = query.where(col(Document.issuer_key).contains(issuer_key, autoescape=True) if issuer_key.strip()
                            else false())
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
    return relations_touching(session, [document.id or 0])


def relations_touching(session: Session, document_ids: Iterable[int]) -> Sequence[DocRelation]:
    """Every relation from or to any of the documents, in one query, oldest first."""
    wanted = sorted(set(document_ids))
    if not wanted:
        return []
    query = select(DocRelation).where(or_(col(DocRelation.from_document_id).in_(wanted),
                                          col(DocRelation.to_document_id).in_(wanted)))
    return session.exec(query.order_by(DocRelation.id)).all()
