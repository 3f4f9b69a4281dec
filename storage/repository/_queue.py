"""Rows written in bulk: the append-only rows a transaction adds by the hundred (an import's versions, mentions
and search entries) are queued with the session and written with one executemany per statement (SQLAlchemy
Core) instead of one ORM unit of work each.

Queued rows belong to the session's transaction, and it reads its own writes as with the ORM's autoflush: the
queue is written before any statement of the session that touches a queued table (or that cannot say which
tables it touches, such as raw SQL), and before the session commits; a rollback drops it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction
from sqlalchemy.sql import Executable
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.sql.util import find_tables
from sqlmodel import Session

__all__ = ["queue_row", "write_queued", "queued", "memo", "UNTOUCHED"]

_KEY = "govmon_queued_rows"
_MEMO = "govmon_transaction_memo"
UNTOUCHED = "govmon_touches_no_table"  # execution option of raw SQL that reads and writes no table (a lock)


@dataclass
class _Queue:
    """Rows waiting, by statement in the order first queued, and the tables they go to."""

    rows: dict[Executable, list[dict[str, Any]]] = field(default_factory=dict)
    tables: set[str] = field(default_factory=set)


def queue_row(session: Session, statement: Executable, tables: tuple[str, ...], row: dict[str, Any]) -> None:
    """Queue `row` for `statement` (an INSERT or UPDATE of the first of `tables`; the others are read with it),
    written in bulk later in this transaction. Every row of one statement must name the same columns."""
    waiting = _queue(session)
    waiting.rows.setdefault(statement, []).append(row)
    waiting.tables.update(tables)


def queued(session: Session) -> int:
    """How many rows wait in `session`'s queue."""
    waiting = session.info.get(_KEY)
    return sum(len(rows) for rows in waiting.rows.values()) if waiting else 0


def write_queued(session: Session) -> None:
    """Write every queued row now, one executemany per statement, in the order the statements were first used."""
    waiting = session.info.get(_KEY)
    if not waiting or not waiting.rows:
        return
    batches, waiting.rows, waiting.tables = waiting.rows, {}, set()
    connection = session.connection()
    for statement, rows in batches.items():
        connection.execute(statement, rows)


def memo(session: Session) -> dict[str, Any]:
    """What the session's callers remember for the rest of its transaction (locks they hold, rows they read
    under them); forgotten when the transaction commits or rolls back."""
    found = session.info.get(_MEMO)
    if found is None:
        found = session.info[_MEMO] = {}
    return found


@event.listens_for(OrmSession, "after_transaction_end")
def _forget(session: OrmSession, transaction: SessionTransaction) -> None:
    """The transaction ended (committed, rolled back, or its connection invalidated): its memo and whatever
    it left queued (nothing, once committed) go with it."""
    if transaction.parent is None:
        session.info.pop(_MEMO, None)
        session.info.pop(_KEY, None)


def _queue(session: Session) -> _Queue:
    waiting = session.info.get(_KEY)
    if waiting is None:
        waiting = session.info[_KEY] = _Queue()
    return waiting


@event.listens_for(OrmSession, "before_commit")
def _before_commit(session: OrmSession) -> None:
    """Flush the ORM's pending objects (whose flush may queue rows: a document's search entry) and write the
    queue, until neither is left."""
    while True:
        session.flush()
        if not queued(session):
            return
        write_queued(session)


@event.listens_for(OrmSession, "do_orm_execute")
def _before_statement(state: ORMExecuteState) -> None:
    waiting = state.session.info.get(_KEY)
    if waiting and waiting.rows and _touches(state, waiting.tables):
        write_queued(state.session)


def _touches(state: ORMExecuteState, tables: set[str]) -> bool:
    """Whether the statement may read or write one of `tables`: raw SQL may, unless it says it touches none."""
    statement = state.statement
    if isinstance(statement, TextClause):
        return not state.execution_options.get(UNTOUCHED, False)
    names = {getattr(found, "name", None) for found in find_tables(statement, include_crud=True)}
    return not names.isdisjoint(tables)


