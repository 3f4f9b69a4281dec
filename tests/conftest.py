"""Shared fixtures: stores on SQLite (always) and PostgreSQL (when reachable; mandatory in CI).

`GOVMON_REQUIRE_SERVICES=1` (set by .ci/run on machines that run PostgreSQL) turns a missing server from a
skip into a failure, so CI cannot pass by skipping.
"""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from govmon.storage.db import make_engine
from govmon.storage.migrate import upgrade

pytest_plugins = ["receivers"]  # tests/receivers.py: loopback HTTP and SMTP receivers for any test

PG_URL = os.environ.get("GOVMON_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def services_required() -> bool:
    return os.environ.get("GOVMON_REQUIRE_SERVICES") == "1"


def unavailable(what: str, why: object) -> None:
    """Skip, or fail when services are mandatory."""
    message = f"{what} not available: {why}"
    if services_required():
        pytest.fail(message + " (GOVMON_REQUIRE_SERVICES=1)")
    pytest.skip(message)


def _postgres_engine() -> Iterator[Engine]:
    schema = f"govmon_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "no PostgreSQL here"
        unavailable("PostgreSQL", exc)
    engine = make_engine(PG_URL + f"?options=-csearch_path%3D{schema}")
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty store on each database engine govmon supports."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'govmon.sqlite3'}")
        upgrade(eng)
        yield eng
        eng.dispose()
        return
    for eng in _postgres_engine():
        upgrade(eng)
        yield eng


@pytest.fixture
def postgres_engine() -> Iterator[Engine]:
    """A migrated, empty PostgreSQL store, for what only PostgreSQL has (a skip, or a failure in CI, without it)."""
    for eng in _postgres_engine():
        upgrade(eng)
        yield eng


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    eng = make_engine(f"sqlite:///{tmp_path / 'govmon.sqlite3'}")
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture(autouse=True)
def _blob_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Attachments stored during a test go to its own directory, never to the user's data directory."""
    blobs = tmp_path / "blobs"
    monkeypatch.setenv("GOVMON_BLOB_DIR", str(blobs))
    monkeypatch.setenv("GOVMON_USER_SOURCES", str(tmp_path / "user-sources"))  # never the user's own
    monkeypatch.setenv("GOVMON_WALKS_DIR", str(tmp_path / "walks"))
    return blobs
