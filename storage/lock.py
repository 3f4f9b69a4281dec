"""One daemon per SQLite store: a lock the daemon holds for its whole life.

SQLite: an exclusive `flock` on ``<database file>.daemon.lock`` (released by the kernel if the process dies,
so a crash never leaves a stale lock). A SQLite store is one file on one machine that lets one writer in at
a time, so a second daemon there would only queue behind the first; it is refused, and told why.

PostgreSQL: no lock. Any number of daemons, on any number of machines, share the store: each due source is
leased to exactly one of them (`govmon.monitor.service.claims`), so `StoreLock` lets every one of them in.
"""
from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from sqlalchemy.engine import Engine

__all__ = ["StoreLock", "StoreLocked", "shared"]

WHY = ("a SQLite store admits one daemon (one file on one machine, one writer at a time); to run several "
       "daemons, on this machine or others, use a PostgreSQL store (--database postgresql+psycopg://…)")


class StoreLocked(RuntimeError):
    """Another process holds the store's daemon lock."""


def shared(engine: Engine) -> bool:
    """Whether several daemons may work on this store at once (PostgreSQL) or only one (SQLite)."""
    return engine.url.get_backend_name() != "sqlite"


class StoreLock:
    """Held by a daemon for its life: exclusive on SQLite, open to every daemon on a shared store."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._file: IO[str] | None = None

    def __enter__(self) -> StoreLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def acquire(self) -> None:
        """Take the lock; StoreLocked (saying who holds it and why) when another daemon has it."""
        if not shared(self.engine):
            self._lock_file(Path(str(self.engine.url.database)).with_suffix(".daemon.lock"))

    def _lock_file(self, path: Path) -> None:
        handle = path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.seek(0)
            owner = handle.read().strip() or "?"
            handle.close()
            raise StoreLocked(f"another govmon daemon (pid {owner}) is running on this store ({path}): {WHY}") from exc
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
