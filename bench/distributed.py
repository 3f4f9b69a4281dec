"""Distributed backfill throughput: pages/s of `govmon worker` processes (1, 2, 3 …) sharing one Redis queue
and one PostgreSQL store, over a generated archive served by the replay server (delay 0), next to a
single-process `govmon backfill` of the same archive into PostgreSQL; with the CPU the govmon processes
used per page, the requests each page got (duplicates) and the pages never requested (lost), from the replay
server's log.

Each run gets a fresh PostgreSQL schema and Redis key prefix (removed afterwards). Run:

    .venv/bin/python bench/distributed.py [--sources 3 --lists 20 --per-page 33] [--workers 1,2,3]
                                          [--relaxed-commits] [--json]

Needs Redis (GOVMON_BENCH_REDIS, default redis://127.0.0.1:6379/0) and PostgreSQL (GOVMON_BENCH_POSTGRES,
default postgresql+psycopg://postgres@127.0.0.1:5432/test).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from redis import Redis
from sqlalchemy import func, select, text
from sqlmodel import Session

from govmon.monitor.demo.archive_site import ArchiveSite, write_archive
from govmon.monitor.demo.replay import ReplayServer
from govmon.storage.db import make_engine
from govmon.storage.migrate import upgrade
from govmon.storage.models import Article, Version

REDIS = os.environ.get("GOVMON_BENCH_REDIS", "redis://127.0.0.1:6379/0")
POSTGRES = os.environ.get("GOVMON_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@contextmanager
def fresh_store(relaxed: bool = False) -> Iterator[str]:
    """A migrated, empty PostgreSQL schema; its URL (`relaxed`: commits do not wait for the disk)."""
    schema = f"bench_dist_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{POSTGRES}?options=-csearch_path%3D{schema}" + ("%20-csynchronous_commit%3Doff" if relaxed else "")
    upgrade(make_engine(url))
    try:
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))


def govmon(config: Path, database: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "govmon.monitor", "--config", str(config), "--database", database, *args]


def environment(folder: Path) -> dict[str, str]:
    return {**os.environ, "GOVMON_BLOB_DIR": str(folder / "blobs"), "GOVMON_USER_SOURCES": str(folder / "user"),
            "GOVMON_WALKS_DIR": str(folder / "walks")}


def children_cpu() -> float:
    """CPU seconds of the finished govmon processes this script started (workers and their crawl processes;
    PostgreSQL's and Redis's own are not counted)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def pages_seen(served: list[str], site: ArchiveSite) -> dict[str, int]:
    asked = Counter(path for path in served if not path.endswith("/robots.txt"))
    return {"requested": sum(asked.values()), "duplicates": sum(n - 1 for n in asked.values()),
            "lost": len(set(site.pages) - set(asked))}


def stored(database: str) -> dict[str, int]:
    with Session(make_engine(database)) as session:
        return {"articles": session.exec(select(func.count()).select_from(Article)).one()[0],
                "versions": session.exec(select(func.count()).select_from(Version)).one()[0]}


def single(site: ArchiveSite, config: Path, replay: ReplayServer, folder: Path, relaxed: bool) -> dict[str, Any]:
    with fresh_store(relaxed) as database:
        replay.served.clear()
        start, cpu = time.perf_counter(), children_cpu()
        subprocess.run(govmon(config, database, "backfill", *site.names, "--since", "2024-01-01", "--quiet"),
                       env=environment(folder), check=True, capture_output=True)
        seconds, cpu = time.perf_counter() - start, children_cpu() - cpu
        return {"seconds": round(seconds, 1), "pages_s": round(len(site.pages) / seconds, 1),
                "cpu_ms_per_page": round(cpu * 1000 / len(site.pages), 1),
                **pages_seen(replay.served, site), **stored(database)}


def distributed(site: ArchiveSite, config: Path, replay: ReplayServer, folder: Path, workers: int,
                relaxed: bool) -> dict[str, Any]:
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    queue = ("--queue", REDIS, "--prefix", prefix)
    try:
        with fresh_store(relaxed) as database:
            subprocess.run(govmon(config, database, "backfill", *site.names, "--since", "2024-01-01", *queue),
                           env=environment(folder), check=True, capture_output=True)
            replay.served.clear()
            start, cpu = time.perf_counter(), children_cpu()
            crew = [subprocess.Popen(govmon(config, database, "worker", *queue, "--until-empty"), env=environment(folder),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(workers)]
            codes = [child.wait() for child in crew]
            seconds, cpu = time.perf_counter() - start, children_cpu() - cpu
            return {"workers": workers, "seconds": round(seconds, 1), "pages_s": round(len(site.pages) / seconds, 1),
                    "cpu_ms_per_page": round(cpu * 1000 / len(site.pages), 1), "exit_codes_ok": codes == [0] * workers,
                    **pages_seen(replay.served, site), **stored(database)}
    finally:
        server = Redis.from_url(REDIS)
        for key in server.scan_iter(f"{prefix}:*"):
            server.delete(key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=3)
    parser.add_argument("--lists", type=int, default=20)
    parser.add_argument("--per-page", type=int, default=33)
    parser.add_argument("--workers", default="1,2,3", help="comma-separated worker counts, one run each")
    parser.add_argument("--relaxed-commits", action="store_true",
                        help="PostgreSQL commits without waiting for the disk (synchronous_commit=off)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        site = write_archive(folder / "archive", args.sources, args.lists, args.per_page)
        with ReplayServer([site.root]) as replay:
            config = folder / "govmon.toml"
            config.write_text(f'source_dirs = ["{site.sources_dir}"]\n[crawl]\nDOWNLOAD_DELAY = 0\n'
                              f'AUTOTHROTTLE_ENABLED = false\nGOVMON_HOST_MAP = {{ "*" = "{replay.base_url}" }}\n')
            relaxed = args.relaxed_commits
            result = {"pages": len(site.pages), "cores": os.cpu_count(), "relaxed_commits": relaxed,
                      "load_before": round(os.getloadavg()[0], 1),
                      "single_process": single(site, config, replay, folder, relaxed),
                      "workers": [distributed(site, config, replay, folder, int(n), relaxed)
                                  for n in args.workers.split(",")]}
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
