"""A content-addressed file store for attachments: ``<root>/ab/cd/<sha256>``. Writing the same bytes twice
stores them once; a write is atomic (temporary file, fsync, rename), so a crash never leaves half a file
under a real name. The root sits beside the SQLite store by default (``GOVMON_BLOB_DIR`` overrides).
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from platformdirs import user_data_dir

__all__ = ["BlobStore", "default_blob_dir", "blob_dir_for", "BLOB_ENV"]

BLOB_ENV = "GOVMON_BLOB_DIR"


def default_blob_dir() -> Path:
    return Path(os.environ.get(BLOB_ENV) or Path(user_data_dir("govmon", appauthor=False)) / "blobs")


def blob_dir_for(database_url: str) -> Path:
    """$GOVMON_BLOB_DIR, else ``blobs/`` beside a SQLite file, else the user data directory.

    >>> blob_dir_for("sqlite:////srv/govmon/govmon.sqlite3").as_posix()  # doctest: +SKIP
    '/srv/govmon/blobs'
    """
    if os.environ.get(BLOB_ENV):
        return Path(os.environ[BLOB_ENV])
    if database_url.startswith("sqlite:///") and ":memory:" not in database_url:
        return Path(database_url.split("///", 1)[1]).parent / "blobs"
    return default_blob_dir()


class BlobStore:
    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root else default_blob_dir()

    def path(self, digest: str) -> Path:
        return self.root / digest[:2] / digest[2:4] / digest

    def put(self, body: bytes) -> str:
        """Store `body`; its SHA-256 hex digest is its name."""
        digest = hashlib.sha256(body).hexdigest()
        target = self.path(digest)
        if target.is_file():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:
            tmp.write(body)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp.name, target)
        return digest
