"""Coordination overhead of daemons sharing a store: what leasing, renewing, releasing and rescheduling a source
costs per source-run, with 1 and with 3 worker processes over the same due sources.

    .venv/bin/python bench/coordination.py                     # PostgreSQL (and SQLite, 1 worker), table
    .venv/bin/python bench/coordination.py --sources 600 --json

Each round makes `--sources` sources, all due, and starts the workers at one moment (real processes). A
worker does what a `govmon daemon` does around each crawl, with the crawl itself taken out: lease due sources
(`claims.claim_due`, FOR UPDATE SKIP LOCKED, as many as its `--parallel` slots), then per source the
runner's own steps (`reap_runs`, the crawl's `Claim` taken — a renewal of the worker's lease — and released)
and the daemon's `reschedule`; until nothing is due. Reported: `ms_per_source_run` (the time a worker spends
on this per source it runs: its coordination time over its runs, averaged over workers), `runs_per_s` (the
whole fleet's rate: runs over the wall time), `duplicates` (sources run twice in the round: must be 0) and
`missed` (sources nobody ran: must be 0). Also the cost of an empty poll over all `--sources` names (a worker
with nothing due asks every `poll` seconds) and of a heartbeat. Only reports; no thresholds.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import text

from govmon.monitor.service.claims import check_in, claim_due
from govmon.storage import repository as repo
from govmon.storage.db import make_engine, session_scope
from govmon.storage.migrate import upgrade

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CRAWL_TIMEOUT = 900.0
WORKER = """
import json, sys, time
from datetime import timedelta
from pathlib import Path
from govmon.monitor.service.claims import Claim, claim_due, owner_name, reap_runs, reschedule
from govmon.storage import repository as repo
from govmon.storage.db import make_engine, session_scope
from govmon.storage.models import utcnow
database, names, slots, start = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3]), Path(sys.argv[4])
engine = make_engine(database)
with session_scope(engine) as session:
    ids = {row.name: row.id for row in repo.sources(session)}
Path(f"{start}.ready.{sys.argv[5]}").touch()
while not start.exists():
    time.sleep(0.002)
ran, busy = [], 0.0
while True:
    began = time.perf_counter()
    leased = claim_due(engine, names, 900.0, slots)
    if not leased:
        break
    for name in leased:
        reap_runs(engine, 900.0)
        claim = Claim(engine, ids[name], 900.0)
        assert claim.take(), name
        claim.release()
        reschedule(engine, name, utcnow() + timedelta(hours=1))
    busy += time.perf_counter() - began
    ran += leased
print(json.dumps({"owner": owner_name(), "ran": ran, "busy": busy}))
"""


def _store(kind: str, folder: Path) -> str | None:
    if kind == "sqlite":
        return f"sqlite:///{folder / f'coordination-{uuid.uuid4().hex[:6]}.sqlite3'}"
    schema = f"bench_coordination_{uuid.uuid4().hex[:8]}"
    try:
        with make_engine(PG_URL).begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception:  # noqa: BLE001 - no PostgreSQL here: that row is skipped
        return None
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


def _drop(database: str) -> None:
    if "search_path" in database:
        schema = database.rsplit("%3D", 1)[1]
        with make_engine(PG_URL).begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))


def _sources(database: str, count: int) -> list[str]:
    engine = make_engine(database)
    upgrade(engine)
    names = [f"bench{n:05d}" for n in range(count)]
    with session_scope(engine) as session:
        for name in names:
            repo.ensure_source(session, name, title=name, kind="provincial")
    engine.dispose()
    return names


def _round(database: str, workers: int, sources: int, slots: int, folder: Path) -> dict[str, Any]:
    names = _sources(database, sources)
    start = folder / f"start-{uuid.uuid4().hex[:6]}"
    args = [database, ",".join(names), str(slots), str(start)]
    children = [subprocess.Popen([sys.executable, "-c", WORKER, *args, str(n)], stdout=subprocess.PIPE, text=True)
                for n in range(workers)]
    while len(list(folder.glob(f"{start.name}.ready.*"))) < workers:  # every worker imported and connected
        time.sleep(0.05)
    began = time.perf_counter()
    start.touch()
    outputs = [json.loads(child.communicate(timeout=600)[0]) for child in children]
    seconds = time.perf_counter() - began
    ran = Counter(name for output in outputs for name in output["ran"])
    per_worker = [1000 * o["busy"] / len(o["ran"]) for o in outputs if o["ran"]]
    result = {"workers": workers, "sources": sources, "runs": sum(ran.values()),
              "ms_per_source_run": round(sum(per_worker) / len(per_worker), 2), "runs_per_s": round(sum(ran.values()) / seconds, 1),
              "runs_by_worker": [len(o["ran"]) for o in outputs], "duplicates": sum(ran.values()) - len(ran),
              "missed": sources - len(ran), "exit_codes_ok": [c.returncode for c in children].count(0) == workers}
    result.update(_idle_costs(database, names))
    return result


def _idle_costs(database: str, names: list[str], repeat: int = 20) -> dict[str, float]:
    """Milliseconds of a poll that finds nothing due (every name asked) and of a heartbeat."""
    engine = make_engine(database)
    began = time.perf_counter()
    for _ in range(repeat):
        assert claim_due(engine, names, CRAWL_TIMEOUT, 4) == []
    poll = (time.perf_counter() - began) / repeat
    began = time.perf_counter()
    for _ in range(repeat):
        check_in(engine, "running", owner="bench:0", sources=len(names), parallel=4)
    heartbeat = (time.perf_counter() - began) / repeat
    engine.dispose()
    return {"empty_poll_ms": round(1000 * poll, 2), "heartbeat_ms": round(1000 * heartbeat, 2)}


def run(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {"load_average_before": round(os.getloadavg()[0], 2)}  # other work on the machine
    with tempfile.TemporaryDirectory() as tmp:
        for kind, fleet in (("postgresql", (1, 3)), ("sqlite", (1,))):
            results[kind] = {}
            for workers in fleet:
                database = _store(kind, Path(tmp))
                if database is None:
                    results[kind] = "skipped: PostgreSQL not reachable"
                    break
                try:
                    results[kind][f"{workers}_workers"] = _round(database, workers, args.sources, args.parallel, Path(tmp))
                finally:
                    _drop(database)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=int, default=300)
    parser.add_argument("--parallel", type=int, default=4, help="slots per worker: sources leased per poll")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = run(args)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"load average (1 min) before the run: {results.pop('load_average_before')}")
    for kind, rounds in results.items():
        if isinstance(rounds, str):
            print(f"{kind}: {rounds}")
            continue
        for r in rounds.values():
            print(f"{kind}, {r['workers']} worker(s), {r['sources']} sources: {r['ms_per_source_run']} ms per "
                  f"source-run, {r['runs_per_s']} runs/s, by worker {r['runs_by_worker']}, duplicates "
                  f"{r['duplicates']}, missed {r['missed']}; empty poll {r['empty_poll_ms']} ms, heartbeat "
                  f"{r['heartbeat_ms']} ms")


if __name__ == "__main__":
    main()
