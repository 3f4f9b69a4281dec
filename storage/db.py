"""Engine and sessions: `GOVMON_DATABASE_URL` selects the database; the default is a SQLite file in the
user's data directory. SQLite runs in WAL mode with a busy timeout, and write transactions begin
IMMEDIATE so two writers wait for each other instead of failing (RELIABILITY.md E1/E2)."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

__all__ = ["default_url", "database_url", "make_engine", "session_scope", "describe_url"]

ENV_VAR = "GOVMON_DATABASE_URL"


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
    conn.exec_driver_sql("BEGIN IMMEDIATE")


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
    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed on success, rolled back on any exception (Ctrl-C included)."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
