"""A backfill spread over Redis, as processes: three `govmon worker` processes over a generated archive of
2,139 pages (3 sites, 20 list pages of 33 articles each, 99 attached files) request every page exactly once
(the replay server's log) and leave the PostgreSQL store equal — articles, versions, documents, mentions,
relations, clusters, files — to a single-process `govmon backfill` of the same window; a worker SIGKILLed mid-run loses
nothing (its requests go back to the queue once its heartbeat expires, and the store is again equal).

Needs Redis (127.0.0.1:6379, or GOVMON_TEST_REDIS) and PostgreSQL: skipped without them, failed when
GOVMON_REQUIRE_SERVICES=1. Each test uses its own key prefix and PostgreSQL schema, and removes them.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from sqlmodel import select

from govmon.monitor.demo.archive_site import ArchiveSite, write_archive
from govmon.monitor.demo.replay import ReplayServer
from govmon.storage.db import make_engine, session_scope
from govmon.storage.migrate import upgrade
from govmon.storage.models import Article, DocRelation, Document, Mention, RepostCluster, StoredFile, Version
from conftest import unavailable

REDIS_URL = os.environ.get("GOVMON_TEST_REDIS", "redis://127.0.0.1:6379/0")
WINDOW = ("--since", "2024-01-01", "--until", "2025-09-30")  # the newest articles fall outside: fetched, not kept
WORKERS = 3


@dataclass
class Setup:
    """A generated archive, its replay server and configuration, and what a single-process backfill of the
    window stored from it (and requested)."""

    archive: ArchiveSite
    replay: ReplayServer
    config: Path
    reference: dict[str, Any]


@contextmanager
def _setup(folder: Path, lists: int) -> Iterator[Setup]:
    archive = write_archive(folder / "archive", sources=3, lists=lists, per_page=33)
    with ReplayServer([archive.root]) as replay:
        config = folder / "govmon.toml"
        config.write_text(f'source_dirs = ["{archive.sources_dir}"]\n[crawl]\nDOWNLOAD_DELAY = 0\n'
                          f'AUTOTHROTTLE_ENABLED = false\nGOVMON_HOST_MAP = {{ "*" = "{replay.base_url}" }}\n',
                          encoding="utf-8")
        database = f"sqlite:///{folder / 'single.sqlite3'}"
        upgrade(make_engine(database))
        done = subprocess.run([*_govmon(config, database), "backfill", *archive.names, *WINDOW, "--quiet"],
                              env=_env(folder), capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        yield Setup(archive, replay, config, {"store": snapshot(make_engine(database)), "served": _pages(replay.served)})


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    """2,139 pages: 3 sites of 20 list pages of 33 articles, one in 20 with a file."""
    with _setup(tmp_path_factory.mktemp("big"), lists=20) as setup:
        yield setup


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    """642 pages: 3 sites of 6 list pages of 33 articles, one in 20 with a file."""
    with _setup(tmp_path_factory.mktemp("small"), lists=6) as setup:
        yield setup


@pytest.fixture
def store(postgres_engine: Any) -> str:
    """The PostgreSQL store's URL, commits not waiting for the disk (durability is not what is tested)."""
    assert "options=" in str(postgres_engine.url)
    return postgres_engine.url.render_as_string(hide_password=False) + "%20-csynchronous_commit%3Doff"


@pytest.fixture
def queue() -> Iterator[tuple[Redis, str]]:
    """Redis and a fresh key prefix (every key under it removed afterwards)."""
    server = Redis.from_url(REDIS_URL)
    try:
        server.ping()
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "no Redis here"
        unavailable("Redis", exc)
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    yield server, prefix
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)


def _govmon(config: Path, database: str) -> list[str]:
    return [sys.executable, "-m", "govmon.monitor", "--config", str(config), "--database", database]


def _env(folder: Path) -> dict[str, str]:
    return {**os.environ, "GOVMON_BLOB_DIR": str(folder / "blobs"), "GOVMON_USER_SOURCES": str(folder / "user"),
            "GOVMON_WALKS_DIR": str(folder / "walks"), "COLUMNS": "200"}


def _pages(served: list[str]) -> Counter[str]:
    """Requests for pages (robots.txt is asked once per host by each crawl process, not a page)."""
    return Counter(path for path in served if not path.endswith("/robots.txt"))


def snapshot(engine: Any) -> dict[str, Any]:
    """What a backfill stored, independent of the order it was stored in: articles (URL, title, date),
    versions (URL, number, content hash), documents (key, type, number, year, issuer), mentions, relations,
    the repost clusters as sets of URLs with their canonical article, and the files of the articles."""
    with session_scope(engine) as s:
        urls = {a.id: a.url for a in s.exec(select(Article))}
        keys = {d.id: d.key for d in s.exec(select(Document))}
        clusters: dict[int, set[str]] = {}
        for a in s.exec(select(Article)):
            clusters.setdefault(a.cluster_id or -a.id, set()).add(a.url)
        canonical = {c.id: urls.get(c.canonical_article_id or 0) for c in s.exec(select(RepostCluster))}
        return {
            "articles": sorted((a.url, a.title, a.published_at.isoformat() if a.published_at else "")
                               for a in s.exec(select(Article))),
            "versions": sorted((urls[v.article_id], v.seq, v.content_hash) for v in s.exec(select(Version))),
            "documents": sorted((d.key, d.type, d.number, d.year, d.issuer) for d in s.exec(select(Document))),
            "mentions": sorted((urls[m.article_id], keys[m.document_id], m.role) for m in s.exec(select(Mention))),
            "relations": sorted((keys[r.from_document_id], r.rel, keys[r.to_document_id])
                                for r in s.exec(select(DocRelation))),
            "clusters": sorted((sorted(members), canonical.get(cid, "")) for cid, members in clusters.items()),
            "files": sorted((urls[f.article_id], f.url, f.sha256, f.problem) for f in s.exec(select(StoredFile))),
        }


def _enqueue(config: Path, database: str, archive: ArchiveSite, prefix: str, folder: Path) -> None:
    done = subprocess.run([*_govmon(config, database), "backfill", *archive.names, *WINDOW, "--queue", REDIS_URL,
                           "--prefix", prefix, "--json"], env=_env(folder), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    assert [row["seeded"] for row in json.loads(done.stdout)] == [1, 1, 1]  # one start URL each


def _workers(config: Path, database: str, prefix: str, folder: Path, *extra: str) -> list[subprocess.Popen[str]]:
    command = [*_govmon(config, database), "worker", "--queue", REDIS_URL, "--prefix", prefix, "--until-empty", *extra]
    return [subprocess.Popen(command, env=_env(folder), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(WORKERS)]


def _status(config: Path, prefix: str, folder: Path) -> dict[str, Any]:
    done = subprocess.run([*_govmon(config, "sqlite://"), "worker", "--queue", REDIS_URL, "--prefix", prefix,
                           "--status", "--json"], env=_env(folder), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def _wait(children: list[subprocess.Popen[str]], seconds: float) -> None:
    for child in children:
        _, stderr = child.communicate(timeout=seconds)
        assert child.returncode in (0, -signal.SIGKILL), stderr[-3000:]


def test_three_workers_request_every_page_once_and_store_what_one_process_stores(big, queue, store, postgres_engine,
                                                                                 tmp_path):
    archive, replay, config, reference = big.archive, big.replay, big.config, big.reference
    prefix, database = queue[1], store
    assert len(archive.pages) >= 2000 and set(reference["served"]) == set(archive.pages)
    _enqueue(config, database, archive, prefix, tmp_path)
    replay.served.clear()
    started = time.monotonic()
    _wait(_workers(config, database, prefix, tmp_path), 180)
    seconds = time.monotonic() - started
    served = _pages(replay.served)
    assert set(served) == set(archive.pages)  # every page, those outside the window included
    assert [path for path, n in served.items() if n > 1] == []  # each once
    assert snapshot(postgres_engine) == reference["store"]
    status = _status(config, prefix, tmp_path)
    files = sum(1 for page in archive.pages if page.endswith(".docx"))  # fetched with their articles, one lease
    assert {j["state"] for j in status["jobs"]} == {"finished"}
    assert sum(j["done"] for j in status["jobs"]) == len(archive.pages) - files and files == 99
    assert sum(j["requeued"] + j["given_up"] + j["dropped"] for j in status["jobs"]) == 0
    shares = [w["done"] for w in status["workers"]]
    assert len(shares) == WORKERS and all(share > 0 for share in shares), shares  # the work was spread
    print(f"\n{len(archive.pages)} pages, {WORKERS} workers: {seconds:.1f} s, {len(archive.pages) / seconds:.1f} "
          f"pages/s, shares {shares}")


def test_a_worker_killed_mid_run_loses_nothing(small, queue, store, postgres_engine, tmp_path):
    archive, replay, config, reference = small.archive, small.replay, small.config, small.reference
    (server, prefix), database = queue, store
    _enqueue(config, database, archive, prefix, tmp_path)
    replay.served.clear()
    children = _workers(config, database, prefix, tmp_path, "--lease", "3")
    deadline = time.monotonic() + 120
    while len(replay.served) < len(archive.pages) // 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    children[0].send_signal(signal.SIGKILL)  # its crawl process dies with it (lifeline)
    held = sum(server.hlen(f"{prefix}:src:{name}:owners") for name in archive.names)
    _wait(children, 180)
    served = _pages(replay.served)
    assert set(served) == set(archive.pages)  # lost: 0
    duplicates = sum(n - 1 for n in served.values())
    assert snapshot(postgres_engine) == reference["store"]
    status = _status(config, prefix, tmp_path)
    assert {j["state"] for j in status["jobs"]} == {"finished"}
    assert sum(j["given_up"] for j in status["jobs"]) == 0
    requeued = sum(j["requeued"] for j in status["jobs"])
    assert 0 < requeued <= held and duplicates <= requeued, (duplicates, requeued, held)  # refetched: only what the dead worker held
    print(f"\nkilled one of {WORKERS} workers after {len(archive.pages) // 3} requests: {requeued} requests put back, "
          f"{duplicates} pages fetched twice, 0 lost")
