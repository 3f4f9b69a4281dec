"""One writer process per store: a lock the daemon holds for its whole life.

SQLite: an exclusive `flock` on ``<database file>.daemon.lock`` (released by the kernel if the process
dies, so a crash never leaves a stale lock). PostgreSQL: a session advisory lock on a connection kept open.
"""
from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO, Any

from sqlalchemy import text
from sqlalchemy.engine import Engine

__all__ = ["StoreLock", "StoreLocked"]

_ADVISORY_KEY = 0x676F766D6F6E  # "govmon"


class StoreLocked(RuntimeError):
    """Another process holds the store's daemon lock."""


class StoreLock:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._file: IO[str] | None = None
        self._connection: Any = None

    def __enter__(self) -> StoreLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def acquire(self) -> None:
        if self.engine.url.get_backend_name() == "sqlite":
            self._lock_file(Path(str(self.engine.url.database)).with_suffix(".daemon.lock"))
        else:
            self._lock_postgres()

    def _lock_file(self, path: Path) -> None:
        handle = path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.seek(0)
            owner = handle.read().strip() or "?"
            handle.close()
            raise StoreLocked(f"another govmon daemon (pid {owner}) is running on this store ({path})") from exc
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle

    def _lock_postgres(self) -> None:
        connection = self.engine.connect()
        if not connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": _ADVISORY_KEY}).scalar():
            connection.close()
            raise StoreLocked("another govmon daemon is running on this store (PostgreSQL advisory lock held)")
        self._connection = connection

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        if self._connection is not None:
            self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _ADVISORY_KEY})
            self._connection.close()
            self._connection = None
