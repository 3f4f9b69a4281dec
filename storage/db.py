"""Engine and sessions: `GOVMON_DATABASE_URL` selects the database; the default is a SQLite file in the
user's data directory. SQLite runs in WAL mode with a busy timeout, and write transactions begin
IMMEDIATE so two writers wait for each other instead of failing (RELIABILITY.md E1/E2). PostgreSQL
connections are checked before use (pre-ping), and `write` retries a transaction that lost its connection
or a race, then says clearly that the database is away (E6)."""
from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from platformdirs import user_data_dir
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlmodel import Session, create_engine

from govmon.storage import ENV_VAR, StoreUnavailable

__all__ = ["default_url", "reader", "database_url", "make_engine", "session_scope", "describe_url", "write", "transient",
           "StoreUnavailable"]

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRIES = 5  # tries of one transaction: about 15 s of back-off before the store is declared away
_RACES = {"40001", "40P01"}  # PostgreSQL serialization failure, deadlock detected


def default_url() -> str:
    """sqlite:///<user data dir>/govmon/govmon.sqlite3 (e.g. ~/.local/share/govmon on Linux)."""
    path = Path(user_data_dir("govmon", appauthor=False)) / "govmon.sqlite3"
    return f"sqlite:///{path}"


def database_url(url: str | None = None) -> str:
    return url or os.environ.get(ENV_VAR) or default_url()


def describe_url(url: str) -> str:
    """The URL with any password masked, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # let SQLAlchemy's "begin" hook below emit BEGIN itself
    cur = dbapi_conn.cursor()
    for pragma in ("journal_mode=WAL", "busy_timeout=15000", "synchronous=NORMAL", "foreign_keys=ON"):
        cur.execute(f"PRAGMA {pragma}")
    cur.close()


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get("govmon_reader") else "BEGIN IMMEDIATE")


def _sqlite_abandon(dbapi_conn: Any, _record: Any, _error: Any) -> None:
    """Before a discarded connection is closed, end its transaction: SQLite keeps a connection that still has a
    half-read statement open after close(), and with it the write lock of its transaction."""
    if dbapi_conn.in_transaction:
        dbapi_conn.rollback()


def reader(engine: Engine) -> Engine:
    """`engine` for work that only reads (the web view, feeds, the API): on SQLite its transactions begin
    DEFERRED, so readers neither wait for writers nor hold them up (WAL gives each a snapshot); writers keep
    BEGIN IMMEDIATE, which makes them take turns."""
    return engine.execution_options(govmon_reader=True)


def make_engine(url: str | None = None) -> Engine:
    """An engine for `url` (or the configured one); SQLite files get their directory created."""
    url = database_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True)


def _sqlite_engine(url: str) -> Engine:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 15, "check_same_thread": False})
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    event.listen(engine, "invalidate", _sqlite_abandon)
    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed on success, rolled back on any exception. An interrupt (Ctrl-C, SIGTERM's
    SystemExit) may land between a statement and its last row; its connection is then discarded, not
    pooled, or SQLite refuses the next commit on it ("SQL statements in progress")."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise
        except BaseException:
            session.invalidate()
            raise


def transient(error: BaseException) -> bool:
    """Worth another try: a lost or refused connection, a lock or serialization race, a key another writer
    took between our look and our insert."""
    if isinstance(error, IntegrityError):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    code = getattr(getattr(error, "orig", None), "sqlstate", None)
    return code in _RACES or isinstance(error, OperationalError)


def write(engine: Engine, work: Callable[[Session], T], tries: int = RETRIES) -> T:
    """`work(session)` in one transaction, committed; a transient failure rolls it back and runs it again
    (with back-off), so `work` must only write through the session. After `tries`, StoreUnavailable."""
    for attempt in range(1, tries + 1):
        try:
            with session_scope(engine) as session:
                return work(session)
        except (OperationalError, IntegrityError, DBAPIError) as exc:
            if not transient(exc):
                raise
            if attempt == tries:
                raise StoreUnavailable(_why(engine, exc, attempt)) from exc
            log.warning("store: %s; trying again (%d/%d)", type(exc.orig).__name__ if exc.orig else exc, attempt, tries)
            time.sleep(min(8.0, 0.5 * 2 ** (attempt - 1)))
    raise AssertionError("unreachable")


def _why(engine: Engine, error: DBAPIError, attempts: int) -> str:
    first = str(error.orig or error).strip().splitlines()[0] if str(error.orig or error).strip() else type(error).__name__
    return f"the database {describe_url(str(engine.url))} failed {attempts} time(s): {first}"
