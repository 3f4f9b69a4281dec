"""Outbox under contention: N sender processes drain the same pending deliveries to a slow receiver.

    .venv/bin/python bench/outbox.py                        # SQLite and PostgreSQL (when reachable), table
    .venv/bin/python bench/outbox.py --senders 8 --deliveries 200 --delay 0.2 --json

Each round makes `--deliveries` pending deliveries (spread over channels of at most 20, so each is its own
message rather than a flood digest), starts the senders at one moment (each a real process running
`govmon.monitor.alerts.dispatch.dispatch`), and counts what the receiver got: delivered, duplicates (messages
received more than once) and lost (pending deliveries never received). The baseline is one sender over the
same deliveries in the same run; `speedup` is its time over the N senders' time. Only reports; no thresholds.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import text

from govmon.storage import repository as repo
from govmon.storage.db import make_engine, session_scope
from govmon.storage.migrate import upgrade

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PER_CHANNEL = 20
SENDER = """
import sys, time
from pathlib import Path
from govmon.monitor.alerts.dispatch import dispatch
from govmon.monitor.config import Channel
from govmon.storage.db import make_engine
database, base, count, start = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
channels = tuple(Channel(f"c{n}", f"json://127.0.0.1:{base}/c{n}") for n in range(count))
engine = make_engine(database)
engine.connect().close()
Path(f"{start}.ready.{sys.argv[5]}").touch()
while not start.exists():
    time.sleep(0.002)
dispatch(engine, channels)
"""


class _Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, delay: float) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.delay, self.titles, self.lock = delay, Counter(), threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    server: _Receiver

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        time.sleep(self.server.delay)
        with self.server.lock:
            self.server.titles[json.loads(body)["title"]] += 1
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def _store(kind: str, folder: Path) -> str | None:
    if kind == "sqlite":
        return f"sqlite:///{folder / f'outbox-{uuid.uuid4().hex[:6]}.sqlite3'}"
    schema = f"bench_outbox_{uuid.uuid4().hex[:8]}"
    try:
        with make_engine(PG_URL).begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception:  # noqa: BLE001 - no PostgreSQL here: that row is skipped
        return None
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


def _pending(database: str, deliveries: int) -> int:
    engine = make_engine(database)
    upgrade(engine)
    with session_scope(engine) as session:
        for n in range(deliveries):
            repo.add_event(session, "new_document", f"bench:{n}", [f"c{n // PER_CHANNEL}"], title=f"alert {n}",
                           payload={"url": f"https://example.vn/{n}", "documents": []})
    engine.dispose()
    return (deliveries + PER_CHANNEL - 1) // PER_CHANNEL


def _round(database: str, senders: int, deliveries: int, delay: float, folder: Path) -> dict[str, Any]:
    channels = _pending(database, deliveries)
    receiver = _Receiver(delay)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    start = folder / f"start-{uuid.uuid4().hex[:6]}"
    args = [database, str(receiver.server_address[1]), str(channels), str(start)]
    children = [subprocess.Popen([sys.executable, "-c", SENDER, *args, str(n)]) for n in range(senders)]
    while len(list(folder.glob(f"{start.name}.ready.*"))) < senders:  # every sender imported and connected
        time.sleep(0.05)
    began = time.perf_counter()
    start.touch()
    codes = [child.wait(timeout=600) for child in children]
    seconds = time.perf_counter() - began
    receiver.shutdown()
    titles = receiver.titles
    return {"senders": senders, "exit_codes_ok": codes.count(0) == senders, "delivered": len(titles),
            "duplicates": sum(titles.values()) - len(titles), "lost": deliveries - len(titles),
            "seconds": round(seconds, 2)}


def run(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("sqlite", "postgresql"):
            stores = [_store(kind, Path(tmp)) for _ in range(2)]
            if None in stores:
                results[kind] = "skipped: PostgreSQL not reachable"
                continue
            many = _round(stores[0], args.senders, args.deliveries, args.delay, Path(tmp))
            one = _round(stores[1], 1, args.deliveries, args.delay, Path(tmp))
            many["speedup_vs_one_sender"] = round(one["seconds"] / many["seconds"], 2) if many["seconds"] else None
            results[kind] = {"many": many, "one": one}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--deliveries", type=int, default=200)
    parser.add_argument("--delay", type=float, default=0.2, help="seconds the receiver takes per message")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = run(args)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for kind, result in results.items():
        if isinstance(result, str):
            print(f"{kind}: {result}")
            continue
        many, one = result["many"], result["one"]
        print(f"{kind}: {many['senders']} senders over {args.deliveries} deliveries (receiver {args.delay}s each): "
              f"delivered {many['delivered']}, duplicates {many['duplicates']}, lost {many['lost']}, "
              f"{many['seconds']} s; one sender {one['seconds']} s (speedup {many['speedup_vs_one_sender']}x)")


if __name__ == "__main__":
    main()
