"""The search index: one entry per article (its newest content by fetch or capture time) and per registry
document, in folded words (lower case, no diacritics, đ → d, numbers without leading zeros), so what people
type without accents finds what the sites print with them.

The plain table `searchentry` is written here; the database keeps the full-text index of it current on every
write: on SQLite an external-content FTS5 table (`searchentry_fts`) filled by triggers, on PostgreSQL a
generated `tsvector` column with a GIN index (the 'simple' configuration: no stemming, no stop words). Both
live only in migration 0005; `reflected` tells alembic to leave them alone.

A search ranks the RANKED most recently indexed matches by relevance (SQLite: bm25, PostgreSQL: ts_rank;
title words weigh more than body words), so a query that matches half the store costs the same as a rare
one. Pages follow each other by a keyset position (score, entry id), not an offset.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    Float,
    Integer,
    and_,
    column,
    event,
    func,
    inspect,
    literal_column,
    or_,
    table,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import defer
from sqlalchemy.sql import Select
from sqlmodel import Session, col, select

from govmon.storage.models import (
    Article,
    Document,
    SearchEntry,
    Source,
    Version,
    reflected,
    utcnow,
)
from govmon.storage.repository._queue import queue_row

__all__ = ["SearchEntry", "SearchHit", "Position", "Found", "index_words", "folded_entry", "index_article",
           "index_document", "search_entries", "found_articles", "documents_by_rows", "reflected", "RANKED", "KINDS"]

RANKED = 2000  # matches ranked per search: the most recently indexed ones
KINDS = ("article", "document")
BODY_LIMIT = 200_000  # characters of folded body indexed (PostgreSQL refuses a tsvector over 1 MB)
_NOT_WORD = re.compile(r"[\W_]+")
_TRACKED = ("title", "type", "issuer", "code", "canonical_id")  # what a document's entry is made of
_FTS = "searchentry_fts"


class SearchHit(NamedTuple):
    """A match: what it is (`kind`, `ref_id`) and where it stands (`score`, lower is better; `entry`)."""

    kind: str
    ref_id: int
    score: float
    entry: int

    @property
    def position(self) -> Position:
        return Position(self.score, self.entry)


class Position(NamedTuple):
    """Where a page ended: the next page starts after this (score, entry id)."""

    score: float
    entry: int


@dataclass(frozen=True)
class Found:
    """An article found, with its source's name and its newest version (None if it has none yet)."""

    article: Article
    source: str
    version: Version | None


# --- folding -------------------------------------------------------------------------------------------
def _fold(text: str) -> str:
    """`govmon.monitor.analysis.keys.fold` (storage may not import monitor): lower case, no diacritics, đ → d.
    The marks Vietnamese (and Latin) letters decompose into go by one regex; a text with other scripts' marks
    left is stripped of them character by character."""
    stripped = _LATIN_MARKS.sub("", unicodedata.normalize("NFD", text or ""))
    if not stripped.isascii() and any(unicodedata.combining(c) for c in set(stripped)):
        stripped = "".join(c for c in stripped if not unicodedata.combining(c))
    return " ".join(stripped.replace("đ", "d").replace("Đ", "D").casefold().split())


_LATIN_MARKS = re.compile("[\u0300-\u034e\u0350-\u036f]+")  # combining diacritics (U+034F is not one)


def _word(word: str) -> str:
    return (word.lstrip("0") or "0") if word.isascii() and word.isdigit() else word


def index_words(text: str) -> list[str]:
    """The words an entry is indexed and a query is matched in: folded, split at anything but letters and
    digits, numbers without leading zeros (03/NQ-CP is found as 3/NQ-CP). Idempotent.

    >>> index_words("Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân; Nghị quyết 03/NQ-CP")
    ['nghi', 'dinh', '13', '2023', 'nd', 'cp', 've', 'bao', 've', 'du', 'lieu', 'ca', 'nhan', 'nghi', 'quyet', '3', 'nq', 'cp']
    """
    return [_word(word) if word[0] == "0" else word for word in _NOT_WORD.split(_fold(text)) if word]


def _folded(text: str, limit: int | None = None) -> str:
    words = " ".join(index_words(text))
    return words[:limit].rsplit(" ", 1)[0] if limit is not None and len(words) > limit else words


# --- writing -------------------------------------------------------------------------------------------
def folded_entry(title: str, text: str) -> tuple[str, str]:
    """The (title, body) an article's entry holds, as `index_article` makes them: what an import's extraction
    processes compute beside the text, so the process writing the store does not fold it again."""
    return _folded(title), _folded(text, BODY_LIMIT)


def _upsert_statement(dialect: str, newer_only: bool) -> Any:
    """INSERT of an entry that replaces the one of its (kind, ref_id); with `newer_only`, an entry indexed from a
    later version (by `at`) is kept. One statement per dialect, so rows queued for it are written together."""
    key = (dialect, newer_only)
    if key not in _UPSERTS:
        entries = SearchEntry.__table__
        statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(entries)
        changes = {name: statement.excluded[name] for name in ("title", "body", "at")}
        where = entries.c.at <= statement.excluded.at if newer_only else None
        _UPSERTS[key] = statement.on_conflict_do_update(index_elements=["kind", "ref_id"], set_=changes, where=where)
    return _UPSERTS[key]


_UPSERTS: dict[tuple[str, bool], Any] = {}
_QUEUED_TABLES = ("searchentry", _FTS)  # a query of the full-text table reads the entries too


def _upsert(connection: Connection | Session, values: dict[str, Any], newer_only: bool) -> None:
    """Write an entry: at once on a connection, queued with the transaction on a session."""
    statement = _upsert_statement(_dialect(connection), newer_only)
    if isinstance(connection, OrmSession):
        queue_row(connection, statement, _QUEUED_TABLES, values)
    else:
        connection.execute(statement, [values])


def _dialect(connection: Connection | Session) -> str:
    bind = connection.get_bind() if isinstance(connection, OrmSession) else connection
    return bind.dialect.name


def index_article(session: Session | Connection, article_id: int, title: str, text: str, at: datetime,
                  folded: tuple[str, str] | None = None) -> None:
    """Index an article's content as of `at` (its version's fetch or capture time). A version older than the
    one indexed (an archive capture arriving late) leaves the entry as it is. `folded`: the entry's (title,
    body) from `folded_entry`, when computed elsewhere. With a session, the entry is queued with its
    transaction and written in bulk (`storage.repository._queue`)."""
    title_words, body_words = folded or folded_entry(title, text)
    values = {"kind": "article", "ref_id": article_id, "title": title_words, "body": body_words, "at": at}
    _upsert(session, values, newer_only=True)


def index_document(session: Session | Connection, document: Document) -> None:
    """Index a registry document: its type and number, title, issuer and sign code (queued as `index_article`)."""
    title = f"{document.type} {document.canonical_id} {document.title}"
    values = {"kind": "document", "ref_id": document.id, "title": _folded(title),
              "body": _folded(f"{document.issuer} {document.code}"), "at": utcnow()}
    _upsert(session, values, newer_only=False)


def _changed(document: Document, new: bool) -> bool:
    state = inspect(document)
    return new or any(state.attrs[name].history.has_changes() for name in _TRACKED)


@event.listens_for(OrmSession, "after_flush")
def _reindex_documents(session: OrmSession, _context: Any) -> None:
    """A document whose title, type, issuer or sign changed in place (the pipeline titles a document when
    its first announcement arrives) is indexed again in the same transaction."""
    new = {id(obj) for obj in session.new}
    changed = [obj for obj in (*session.new, *session.dirty)
               if isinstance(obj, Document) and obj.id is not None and _changed(obj, id(obj) in new)]
    for document in changed:
        index_document(session, document)


# --- searching -----------------------------------------------------------------------------------------
def search_entries(session: Session, folded_query: str, kind: str | None = None, limit: int = 20,
                   after: Position | None = None) -> list[SearchHit]:
    """Entries holding every word of `folded_query` (folded again here, so raw text works too), best
    first, `limit` of them after `after`; of `kind` ("article" or "document") when given. Ranked among
    the RANKED most recently indexed matches."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}: one of {', '.join(KINDS)}")
    words = sorted(set(index_words(folded_query)))
    if not words or limit <= 0:
        return []
    ranked = _sqlite_ranked(words, kind) if _dialect(session) == "sqlite" else _postgres_ranked(words, kind)
    return _page(session, ranked.subquery("ranked"), limit, after)


def _sqlite_ranked(words: list[str], kind: str | None) -> Select[Any]:
    fts = table(_FTS, column("rowid", Integer))
    match = "{title body} : (" + " ".join(f'"{word}"' for word in words) + ")"
    if kind is not None:
        match = f'kind : "{kind}" AND {match}'
    score = func.bm25(literal_column(_FTS), 5.0, 1.0, 0.0).label("score")
    return (select(fts.c.rowid.label("entry"), score).select_from(fts)
            .where(literal_column(_FTS).op("MATCH")(match)).order_by(fts.c.rowid.desc()).limit(RANKED))


def _postgres_ranked(words: list[str], kind: str | None) -> Select[Any]:
    entries = table("searchentry", column("id", Integer), column("kind"), column("tsv", postgresql.TSVECTOR))
    query = func.plainto_tsquery(literal_column("'simple'::regconfig"), " ".join(words))
    newest = select(entries.c.id, entries.c.tsv).where(entries.c.tsv.op("@@")(query))
    if kind is not None:
        newest = newest.where(entries.c.kind == kind)
    newest_sq = newest.order_by(entries.c.id.desc()).limit(RANKED).subquery("newest")
    score = (-func.ts_rank(newest_sq.c.tsv, query)).cast(Float).label("score")
    return select(newest_sq.c.id.label("entry"), score)


def _page(session: Session, ranked: Any, limit: int, after: Position | None) -> list[SearchHit]:
    """The page of `ranked` (entry, score) after `after`, best first, then what each entry is."""
    page = select(ranked.c.entry, ranked.c.score)
    if after is not None:
        page = page.where(or_(ranked.c.score > after.score,
                              and_(ranked.c.score == after.score, ranked.c.entry < after.entry)))
    chosen = page.order_by(ranked.c.score, ranked.c.entry.desc()).limit(limit).subquery("page")
    entries = SearchEntry.__table__
    query = (select(entries.c.kind, entries.c.ref_id, chosen.c.score, chosen.c.entry)
             .join(entries, entries.c.id == chosen.c.entry).order_by(chosen.c.score, chosen.c.entry.desc()))
    return [SearchHit(kind, ref_id, float(score), entry) for kind, ref_id, score, entry in session.execute(query).all()]


# --- what a result page shows --------------------------------------------------------------------------
def found_articles(session: Session, article_ids: Iterable[int]) -> dict[int, Found]:
    """Articles by id with their source names and newest versions, in two queries whatever their number."""
    wanted = sorted(set(article_ids))
    if not wanted:
        return {}
    rows = session.exec(select(Article, Source.name).join(Source).where(col(Article.id).in_(wanted))).all()
    newest = _newest_versions(session, wanted)
    return {article.id: Found(article, name, newest.get(article.id)) for article, name in rows
            if article.id is not None}


def _newest_versions(session: Session, article_ids: list[int]) -> Mapping[int, Version]:
    query = (select(Version).options(defer(col(Version.raw_html))).where(col(Version.article_id).in_(article_ids))
             .order_by(col(Version.article_id), col(Version.fetched_at).desc(), col(Version.id).desc()))
    newest: dict[int, Version] = {}
    for version in session.exec(query).all():
        newest.setdefault(version.article_id, version)
    return newest


def documents_by_rows(session: Session, ids: Iterable[int]) -> dict[int, Document]:
    """Registry documents by row id, in one query."""
    wanted = sorted(set(ids))
    rows = session.exec(select(Document).where(col(Document.id).in_(wanted))).all() if wanted else []
    return {document.id: document for document in rows if document.id is not None}
