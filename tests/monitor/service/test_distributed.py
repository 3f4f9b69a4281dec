"""The monitor side of distributed backfills: jobs in the shared queue (queued once, joined by the same
window, refused for another, finished and cleared when drained), the progress any machine reads, the
commands (`backfill --queue`, `worker --status`), a worker's intake (a lease acknowledged only after what the
request produced is stored), and worker processes: `--sources` keeps a worker to its sources, SIGTERM stops
one at once with what it held back in the queue, and another worker finishes the job with nothing lost.

Needs Redis (127.0.0.1:6379, or GOVMON_TEST_REDIS): skipped without it, failed when GOVMON_REQUIRE_SERVICES=1.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from redis import Redis
from scrapy import Request
from typer.testing import CliRunner

from govmon.crawler.distributed import Keys, LeasedQueue, QueueSpider
from govmon.crawler.sources import load_sources
from govmon.monitor.cli.main import app
from govmon.monitor.config import Config
from govmon.monitor.demo.archive_site import ArchiveSite, write_archive
from govmon.monitor.demo.replay import ReplayServer, resolve
from govmon.monitor.service.distributed import Job, Queue, QueueError
from govmon.monitor.service.worker import Intake
from govmon.storage import repository as repo
from govmon.storage.db import session_scope
from conftest import unavailable
from tests_support import article_item

REDIS_URL = os.environ.get("GOVMON_TEST_REDIS", "redis://127.0.0.1:6379/0")
JOB = Job("", "2024-01-01T00:00:00+07:00", "", 50)
runner = CliRunner()


@pytest.fixture
def queue() -> Iterator[Queue]:
    """A queue under a fresh key prefix (every key under it removed afterwards)."""
    try:
        Redis.from_url(REDIS_URL).ping()
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "no Redis here"
        unavailable("Redis", exc)
    shared = Queue(REDIS_URL, f"test-{uuid.uuid4().hex[:10]}")
    yield shared
    for key in shared.server.scan_iter(f"{shared.prefix}:*"):
        shared.server.delete(key)


@pytest.fixture
def site(tmp_path: Path) -> ArchiveSite:
    """Two sites of 2 list pages of 6 articles: 28 pages."""
    return write_archive(tmp_path / "archive", sources=2, lists=2, per_page=6)


def _sources(site: ArchiveSite) -> dict:
    return load_sources(site.sources_dir)


def _drain(queue: Queue, source: str) -> None:
    """Take and acknowledge every request of `source`, as a worker would."""
    leases = queue.leases(source)
    queue.server.set(queue.keys.alive("w"), "1", px=60_000)
    while (taken := leases.pop("w")) is not None:
        leases.ack(taken[0])


# --- jobs ------------------------------------------------------------------------------------------------

def test_a_queue_is_refused_with_a_bad_prefix_or_without_redis():
    with pytest.raises(QueueError, match="prefix"):
        Queue(REDIS_URL, "a b")
    with pytest.raises(QueueError, match="cannot reach the queue redis://127.0.0.1:1/0"):
        Queue("redis://127.0.0.1:1/0")
    with pytest.raises(QueueError) as refused:
        Queue("redis://:s3cretPW@127.0.0.1:1/0")
    assert "s3cretPW" not in str(refused.value) and "127.0.0.1:1/0" in str(refused.value)


def test_a_job_is_joined_by_the_same_window_and_refused_for_another(queue, site):
    source = _sources(site)["luutru0"]
    first = queue.enqueue(source, replace(JOB, source="luutru0"))
    assert (first.seeded, first.joined) == (1, False)
    again = queue.enqueue(source, replace(JOB, source="luutru0"))
    assert (again.seeded, again.joined) == (0, True)  # the dupefilter has its start page
    with pytest.raises(QueueError, match="another window is queued"):
        queue.enqueue(source, replace(JOB, source="luutru0", since="2025-01-01T00:00:00+07:00"))
    (job,) = queue.status()["jobs"]
    assert (job["state"], job["queued"], job["seeded"], job["done"]) == ("running", 1, 1, 0)


def test_a_drained_job_is_finished_and_cleared_so_the_next_backfill_walks_again(queue, site):
    source = _sources(site)["luutru0"]
    queue.enqueue(source, replace(JOB, source="luutru0"))
    assert not queue.finish_if_drained("luutru0")  # still queued
    _drain(queue, "luutru0")
    assert queue.finish_if_drained("luutru0")
    (job,) = queue.status()["jobs"]
    assert (job["state"], job["done"]) == ("finished", 1) and job["finished_at"]
    assert not queue.server.exists(queue.keys.source("luutru0").dupefilter)
    assert queue.active() == []
    later = queue.enqueue(source, replace(JOB, source="luutru0", since="2025-01-01T00:00:00+07:00"))
    assert (later.seeded, later.joined) == (1, False)  # another window is fine once the first is over
    (job,) = queue.status()["jobs"]
    assert (job["state"], job["done"], job["since"][:4]) == ("running", 0, "2025")


def test_the_commands_queue_a_backfill_and_show_the_progress(queue, site, tmp_path):
    config = tmp_path / "govmon.toml"
    config.write_text(f'source_dirs = ["{site.sources_dir}"]\n', encoding="utf-8")
    common = ["--config", str(config), "--database", f"sqlite:///{tmp_path / 'unused.sqlite3'}"]
    done = runner.invoke(app, [*common, "backfill", *site.names, "--since", "2024-01-01", "--queue", REDIS_URL,
                               "--prefix", queue.prefix, "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout) == [{"source": "luutru0", "seeded": 1, "joined": False},
                                       {"source": "luutru1", "seeded": 1, "joined": False}]
    assert not (tmp_path / "unused.sqlite3").exists()  # queuing never opens the store
    shown = runner.invoke(app, [*common, "worker", "--queue", REDIS_URL, "--prefix", queue.prefix, "--status", "--json"])
    status = json.loads(shown.stdout)
    assert [(j["source"], j["state"], j["queued"]) for j in status["jobs"]] == [("luutru0", "running", 1),
                                                                               ("luutru1", "running", 1)]
    assert status["queue"] == f"{REDIS_URL} (prefix {queue.prefix})" and status["workers"] == []
    refused = runner.invoke(app, [*common, "backfill", "luutru0", "--since", "2023-01-01", "--queue", REDIS_URL,
                                  "--prefix", queue.prefix])
    assert refused.exit_code == 2 and "another window is queued" in refused.output


# --- a worker's intake -----------------------------------------------------------------------------------

def test_a_lease_is_acknowledged_only_after_what_its_request_produced_is_stored(queue, sqlite_engine):
    definition = load_sources()["baochinhphu"]
    queue.server.hset(queue.keys.jobs, "baochinhphu", json.dumps(asdict(replace(JOB, source="baochinhphu"))))
    spider = QueueSpider(definition, walk=JOB.walk())
    spider.bind(queue.server, queue.prefix, "w1")
    requests = LeasedQueue(queue.server, spider, spider.leases.keys.requests)
    requests.push(Request("https://baochinhphu.vn/a-1.htm"))
    queue.server.set(queue.keys.alive("w1"), "1", px=60_000)
    token = requests.pop().meta["govmon_lease"]
    intake = Intake(sqlite_engine, Config(), {"baochinhphu": replace(JOB, source="baochinhphu")},
                    {"baochinhphu": definition}, queue, "w1")
    item = article_item("https://baochinhphu.vn/a-1.htm", "Nội dung của bài số một, đủ dài để lưu.", "Bài một",
                        "2025-04-02T08:30:00+07:00")
    intake.take(json.dumps({**item, "source": "baochinhphu"}))
    assert queue.server.hexists(spider.leases.keys.owners, token)  # stored, not yet acknowledged
    intake.take(json.dumps({"type": "done", "source": "baochinhphu", "lease": token, "failed": False}))
    assert not queue.server.hexists(spider.leases.keys.owners, token)
    assert queue.server.hgetall(queue.keys.worker_stats("w1")) == {b"done": b"1", b"done:baochinhphu": b"1"}
    assert intake.finish() == {"baochinhphu": "ok"}  # a share of a walk without list pages is not a failure
    with session_scope(sqlite_engine) as s:
        assert [a.url for a, _ in repo.export_rows(s)] == ["https://baochinhphu.vn/a-1.htm"]


# --- worker processes ------------------------------------------------------------------------------------

def _config(tmp_path: Path, site: ArchiveSite, replay: Any, delay: float) -> Path:
    config = tmp_path / "govmon.toml"
    config.write_text(f'source_dirs = ["{site.sources_dir}"]\n[crawl]\nDOWNLOAD_DELAY = {delay}\n'
                      f'AUTOTHROTTLE_ENABLED = false\nGOVMON_HOST_MAP = {{ "*" = "{replay.base_url}" }}\n', encoding="utf-8")
    return config


def _worker(config: Path, database: str, queue: Queue, tmp_path: Path, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "GOVMON_BLOB_DIR": str(tmp_path / "blobs"), "GOVMON_USER_SOURCES": str(tmp_path / "user")}
    command = [sys.executable, "-m", "govmon.monitor", "--config", str(config), "--database", database, "worker",
               "--queue", REDIS_URL, "--prefix", queue.prefix, *extra]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _pages(served: list[str]) -> Counter[str]:
    return Counter(path for path in served if not path.endswith("/robots.txt"))


def test_a_worker_takes_only_its_sources(queue, site, engine, tmp_path):
    sources = _sources(site)
    for name in site.names:
        queue.enqueue(sources[name], replace(JOB, source=name))
    with ReplayServer([site.root]) as replay:
        config = _config(tmp_path, site, replay, 0)
        database = engine.url.render_as_string(hide_password=False)
        child = _worker(config, database, queue, tmp_path, "--sources", "luutru1", "--until-empty")
        _, stderr = child.communicate(timeout=120)
    assert child.returncode == 0, stderr[-3000:]
    assert {path.split("/")[1] for path in _pages(replay.served)} == {site.hosts[1]}
    states = {j["source"]: (j["state"], j["done"]) for j in queue.status()["jobs"]}
    assert states == {"luutru0": ("running", 0), "luutru1": ("finished", 14)}
    (worker,) = queue.status()["workers"]
    assert (worker["alive"], worker["done"], worker["per_source"]) == (False, 14, {"luutru1": {"done": 14}})
    assert worker["stopped_at"] and worker["sources"] == ["luutru1"]


def test_sigterm_stops_a_worker_at_once_with_what_it_held_back_in_the_queue(queue, site, postgres_engine, tmp_path):
    sources = _sources(site)
    queue.enqueue(sources["luutru0"], replace(JOB, source="luutru0"))
    database = postgres_engine.url.render_as_string(hide_password=False)
    with ReplayServer([site.root]) as replay:
        config = _config(tmp_path, site, replay, 0.3)  # the host's delay: about 3 pages a second
        child = _worker(config, database, queue, tmp_path)
        deadline = time.monotonic() + 60
        while len(_pages(replay.served)) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        child.send_signal(signal.SIGTERM)
        stopping = time.monotonic()
        _, stderr = child.communicate(timeout=60)
        stopped_in = time.monotonic() - stopping
        assert child.returncode == 0 and "stopped;" in stderr, stderr[-3000:]
        assert stopped_in < 10
        (job,) = queue.status()["jobs"]
        assert job["state"] == "running" and job["in_flight"] == 0 and job["queued"] > 0  # nothing left held
        (worker,) = queue.status()["workers"]
        assert not worker["alive"] and worker["stopped_at"]
        finisher = _worker(_config(tmp_path, site, replay, 0), database, queue, tmp_path, "--until-empty")
        _, stderr = finisher.communicate(timeout=120)
        assert finisher.returncode == 0, stderr[-3000:]
    served = _pages(replay.served)
    pages = [p for p in site.pages if p.startswith(f"/{site.hosts[0]}/")]
    assert set(served) == set(pages)  # nothing lost
    (job,) = queue.status()["jobs"]
    assert job["state"] == "finished" and sum(served.values()) - len(pages) <= job["requeued"], job
    with session_scope(postgres_engine) as s:
        assert len(list(repo.export_rows(s))) == 12  # every article of the site, once


class _Timed(BaseHTTPRequestHandler):
    """Serves the archive like the replay server, noting when each page was asked for."""

    server: Any

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.server.asked.append((time.monotonic(), self.path))
        parts = urlsplit(self.path)
        host, _, path = parts.path.lstrip("/").partition("/")
        found = resolve([self.server.root], host, "/" + path, parts.query)
        body = found.read_bytes() if found else b"<html><body>404</body></html>"
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet
        pass


def test_two_workers_keep_one_connection_and_the_sources_delay_per_host(queue, tmp_path, sqlite_engine):
    site = write_archive(tmp_path / "one", sources=1, lists=1, per_page=8)
    queue.enqueue(_sources(site)["luutru0"], replace(JOB, source="luutru0"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Timed)
    server.root, server.asked = site.root, []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        replay = type("Replay", (), {"base_url": f"http://127.0.0.1:{server.server_address[1]}"})()
        config = _config(tmp_path, site, replay, 0.25)
        database = sqlite_engine.url.render_as_string(hide_password=False)
        crew = [_worker(config, database, queue, tmp_path, "--until-empty") for _ in range(2)]
        for child in crew:
            _, stderr = child.communicate(timeout=120)
            assert child.returncode == 0, stderr[-3000:]
    finally:
        server.shutdown()
        server.server_close()
    times = sorted(t for t, path in server.asked if not path.endswith("/robots.txt"))
    assert len(times) == len(site.pages) == 10 and queue.status()["jobs"][0]["state"] == "finished"  # a file too
    gaps = [later - earlier for earlier, later in zip(times, times[1:])]
    assert min(gaps) >= 0.24, gaps  # one page at a time, 0.25 s apart, whichever worker asked
