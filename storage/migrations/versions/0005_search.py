"""searchentry: the search index (folded words of every article's newest version and of every document)

The plain table is what the repository writes (govmon.storage.repository.search). The full-text index over
it lives only here: on SQLite an external-content FTS5 table kept current by triggers, on PostgreSQL a
generated tsvector column ('simple' configuration) with a GIN index. Existing stores are indexed now.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-10
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_TEXT = sqlmodel.sql.sqltypes.AutoString()
_WHEN = sa.DateTime(timezone=True)
_BATCH = 500
_BODY_LIMIT = 200_000
_NOT_WORD = re.compile(r"[\W_]+")
_FTS = "searchentry_fts"
_COLUMNS = "title, body, kind"
_TRIGGERS = {
    "searchentry_ai": f"AFTER INSERT ON searchentry BEGIN INSERT INTO {_FTS}(rowid, {_COLUMNS}) "
                      "VALUES (new.id, new.title, new.body, new.kind); END",
    "searchentry_ad": f"AFTER DELETE ON searchentry BEGIN INSERT INTO {_FTS}({_FTS}, rowid, {_COLUMNS}) "
                      "VALUES ('delete', old.id, old.title, old.body, old.kind); END",
    "searchentry_au": f"AFTER UPDATE ON searchentry BEGIN INSERT INTO {_FTS}({_FTS}, rowid, {_COLUMNS}) "
                      "VALUES ('delete', old.id, old.title, old.body, old.kind); "
                      f"INSERT INTO {_FTS}(rowid, {_COLUMNS}) VALUES (new.id, new.title, new.body, new.kind); END",
}
_TSV = ("ALTER TABLE searchentry ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('simple'::regconfig, title), 'A') || "
        "setweight(to_tsvector('simple'::regconfig, body), 'D')) STORED")

_entries = sa.table("searchentry", sa.column("kind", _TEXT), sa.column("ref_id", sa.Integer),
                    sa.column("title", _TEXT), sa.column("body", _TEXT), sa.column("at", _WHEN))
_article = sa.table("article", sa.column("id", sa.Integer))
_version = sa.table("version", sa.column("id", sa.Integer), sa.column("article_id", sa.Integer),
                    sa.column("title", _TEXT), sa.column("lead", _TEXT), sa.column("text", _TEXT),
                    sa.column("fetched_at", _WHEN))
_document = sa.table("document", sa.column("id", sa.Integer), sa.column("type", _TEXT),
                     sa.column("canonical_id", _TEXT), sa.column("title", _TEXT), sa.column("issuer", _TEXT),
                     sa.column("code", _TEXT))


def _fold(text: str) -> str:
    """`govmon.monitor.analysis.keys.fold` as it was when this revision was written."""
    stripped = "".join(c for c in unicodedata.normalize("NFD", text or "") if not unicodedata.combining(c))
    return " ".join(stripped.replace("đ", "d").replace("Đ", "D").casefold().split())


def _words(text: str, limit: int | None = None) -> str:
    """`govmon.storage.repository.search.index_words`, joined, as it was when this revision was written."""
    words = [(w.lstrip("0") or "0") if w.isascii() and w.isdigit() else w for w in _NOT_WORD.split(_fold(text)) if w]
    joined = " ".join(words)
    return joined[:limit].rsplit(" ", 1)[0] if limit is not None and len(joined) > limit else joined


def _article_batches(connection: sa.Connection) -> Iterator[list[int]]:
    last = 0
    while True:
        query = sa.select(_article.c.id).where(_article.c.id > last).order_by(_article.c.id).limit(_BATCH)
        ids = list(connection.execute(query).scalars())
        if not ids:
            return
        yield ids
        last = ids[-1]


def _article_entries(connection: sa.Connection, ids: list[int]) -> list[dict[str, Any]]:
    """The entries of these articles: each one's newest version by fetch or capture time."""
    query = (sa.select(_version.c.article_id, _version.c.title, _version.c.lead, _version.c.text,
                       _version.c.fetched_at).where(_version.c.article_id.in_(ids))
             .order_by(_version.c.article_id, _version.c.fetched_at.desc(), _version.c.id.desc()))
    newest: dict[int, dict[str, Any]] = {}
    for row in connection.execute(query):
        if row.article_id not in newest:
            newest[row.article_id] = {"kind": "article", "ref_id": row.article_id, "title": _words(row.title),
                                      "body": _words(f"{row.lead}\n{row.text}", _BODY_LIMIT), "at": row.fetched_at}
    return list(newest.values())


def _document_entries(connection: sa.Connection) -> list[dict[str, Any]]:
    now = datetime.now(timezone.utc)
    rows = connection.execute(sa.select(_document)).all()
    return [{"kind": "document", "ref_id": row.id, "title": _words(f"{row.type} {row.canonical_id} {row.title}"),
             "body": _words(f"{row.issuer} {row.code}"), "at": now} for row in rows]


def _backfill(connection: sa.Connection) -> None:
    for ids in _article_batches(connection):
        entries = _article_entries(connection, ids)
        if entries:
            connection.execute(_entries.insert(), entries)
    documents = _document_entries(connection)
    for start in range(0, len(documents), _BATCH):
        connection.execute(_entries.insert(), documents[start:start + _BATCH])


def _sqlite_index(connection: sa.Connection) -> None:
    options = {row[0].upper() for row in connection.exec_driver_sql("PRAGMA compile_options")}
    if "ENABLE_FTS5" not in options:
        raise RuntimeError("this Python's SQLite has no FTS5, which govmon's search needs: use a Python built "
                           "with a current SQLite (3.24 or later, with FTS5), or PostgreSQL")
    op.execute(f"CREATE VIRTUAL TABLE {_FTS} USING fts5({_COLUMNS}, content='searchentry', content_rowid='id', "
               "tokenize='unicode61')")
    op.execute(f"INSERT INTO {_FTS}({_FTS}) VALUES ('rebuild')")
    for name, body in _TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def upgrade() -> None:
    op.create_table('searchentry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', _TEXT, nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.Column('title', _TEXT, nullable=False),
    sa.Column('body', _TEXT, nullable=False),
    sa.Column('at', _WHEN, nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('kind', 'ref_id', name='uq_searchentry')
    )
    connection = op.get_bind()
    _backfill(connection)
    if connection.dialect.name == "sqlite":
        _sqlite_index(connection)
    else:
        op.execute(_TSV)
        op.execute("CREATE INDEX ix_searchentry_tsv ON searchentry USING gin (tsv)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in _TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"DROP TABLE IF EXISTS {_FTS}")
    op.drop_table('searchentry')
