"""What every part of the repository shares: inserting a row once by its natural key, whatever other
processes do at the same moment, and serialising the few writes that have no natural key.

`insert_once` is ``INSERT … ON CONFLICT DO NOTHING RETURNING``, then a lookup by the key when another
transaction got there first: on PostgreSQL the statement waits for that transaction and sees its row once it
commits; on SQLite every write transaction begins IMMEDIATE, so writers take turns and the lookup sees the
row. Either way the row exists once and no IntegrityError reaches the caller.
"""
from __future__ import annotations

import zlib
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel, select

from govmon.storage.repository._queue import UNTOUCHED

__all__ = ["insert_once", "insert_many", "serialize", "dialect"]

M = TypeVar("M", bound=SQLModel)


def dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def insert_once(session: Session, model: type[M], values: dict[str, Any], key: dict[str, Any]) -> tuple[M, bool]:
    """The row of `model` with natural `key`: inserted with `values` (which include the key), or the one
    another writer inserted first. The flag says whether this call inserted it."""
    insert = postgresql.insert if dialect(session) == "postgresql" else sqlite.insert
    statement = insert(model).values(**values).on_conflict_do_nothing().returning(model)
    row = session.scalars(statement).first()
    if row is not None:
        return row, True
    return session.exec(select(model).filter_by(**key)).one(), False


def insert_many(session: Session, model: type[M], rows: list[dict[str, Any]]) -> list[M]:
    """`insert_once` for many rows in one statement (an ORM bulk INSERT … ON CONFLICT DO NOTHING RETURNING):
    the rows this call inserted; those another writer inserted first are not returned. Every row names the
    same columns."""
    if not rows:
        return []
    insert = postgresql.insert if dialect(session) == "postgresql" else sqlite.insert
    return list(session.scalars(insert(model).on_conflict_do_nothing().returning(model), rows).all())


def serialize(session: Session, name: str) -> None:
    """Hold a database-wide lock named `name` until this transaction ends (PostgreSQL advisory lock; SQLite
    write transactions are already one at a time), so writers that cannot rely on a unique key — a new
    repost cluster — take turns across processes and hosts."""
    if dialect(session) == "postgresql":
        session.execute(_LOCK, {"key": zlib.crc32(name.encode())})


_LOCK = text("SELECT pg_advisory_xact_lock(:key)").execution_options(**{UNTOUCHED: True})
