"""`govmon worker --queue redis://host:6379/0`: process the backfills queued with `govmon backfill … --queue`
on this machine, into the store of GOVMON_DATABASE_URL (or --database): as many workers as you like, on
as many machines, all on one queue and one PostgreSQL store. SIGTERM or Ctrl-C stops a worker: what it
fetched is stored, what it held goes back to the queue. `--status` shows the queue's progress (jobs per
source, workers) from any machine.
"""
from __future__ import annotations

import logging
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any, Optional

import typer
from rich.markup import escape
from rich.table import Table

from govmon.crawler.extract.dates import local_iso
from govmon.monitor.cli.backend import chosen_sources, open_store
from govmon.monitor.cli.common import JSON_HELP, err, fail, load, out, print_json
from govmon.monitor.service.distributed import DEFAULT_PREFIX, Queue, QueueError
from govmon.monitor.service.worker import LEASE_SECONDS, Worker
from govmon.storage.db import describe_url

__all__ = ["worker", "connect", "QUEUE_HELP", "PREFIX_HELP"]

QUEUE_HELP = "The shared Redis queue, e.g. redis://host:6379/0 (see `govmon worker`)."
PREFIX_HELP = "Prefix of the queue's Redis keys (several deployments can share one Redis)."


def connect(url: str, prefix: str) -> Queue:
    """The queue, or a one-line error (exit 2)."""
    try:
        return Queue(url, prefix)
    except QueueError as exc:
        raise fail(str(exc)) from exc


def worker(queue: Annotated[str, typer.Option("--queue", help=QUEUE_HELP)],
           prefix: Annotated[str, typer.Option(help=PREFIX_HELP)] = DEFAULT_PREFIX,
           sources: Annotated[Optional[list[str]], typer.Option("--sources", help="Only these sources' jobs "
                                                                "(comma-separated, or repeated).")] = None,
           until_empty: Annotated[bool, typer.Option("--until-empty", help="Exit when the queue is drained "
                                                     "(default: wait for new jobs).")] = False,
           lease: Annotated[float, typer.Option(min=1.0, help="Seconds after which a dead worker's requests go back "
                                                "to the queue.")] = LEASE_SECONDS,
           status: Annotated[bool, typer.Option("--status", help="Show the queue's progress and exit.")] = False,
           as_json: Annotated[bool, typer.Option("--json", help=f"{JSON_HELP} (with --status)")] = False) -> None:
    """Fetch, extract and store the requests of queued backfills (`backfill --queue`), on any machine."""
    shared = connect(queue, prefix)
    if status:
        _show(shared.status(), as_json)
        return
    config = load()
    names = tuple(s.name for s in chosen_sources(config, _names(sources))) if sources else ()
    engine = open_store()
    logging.getLogger("govmon.monitor").setLevel(logging.INFO)
    if not logging.getLogger().handlers:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    crew = Worker(engine, config, shared, names, lease=lease, until_empty=until_empty)
    err.print(f"govmon worker {crew.id}: queue {shared.where}, store {describe_url(str(engine.url))}, "
              f"{'sources ' + ', '.join(names) if names else 'every source'}; SIGTERM or Ctrl-C stops it",
              highlight=False, markup=False)
    with _stopping(crew):
        report = crew.run()
    err.print(f"govmon worker {crew.id}: stopped; {report.done} requests done, {report.failed} failed, "
              f"{report.rounds} round(s)", highlight=False, markup=False)


def _names(values: list[str]) -> list[str]:
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


@contextmanager
def _stopping(crew: Worker) -> Iterator[None]:
    """SIGTERM and Ctrl-C stop the worker cleanly (a second one kills its crawl process at once)."""
    def stop(signum: int, frame: Any) -> None:
        crew.halt()

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _show(status: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(status)
        return
    out.print(f"queue {status['queue']}", highlight=False, markup=False)
    out.print(_jobs_table(status["jobs"]))
    out.print(_workers_table(status["workers"]))


def _jobs_table(jobs: list[dict[str, Any]]) -> Table:
    table = Table(title="Backfill jobs")
    for column in ("source", "state", "window", "queued", "in flight", "done", "failed", "requeued", "given up"):
        table.add_column(column, justify="left" if column in ("source", "state", "window") else "right")
    for job in jobs:
        window = f"{job['since'][:10] or '…'} – {job['until'][:10] or 'now'}"
        table.add_row(job["source"], job["state"], window, *(str(job[k]) for k in (
            "queued", "in_flight", "done", "failed", "requeued", "given_up")))
    return table


def _shown(moment: str) -> str:
    """A stored UTC time as people read it (Asia/Ho_Chi_Minh)."""
    return (local_iso(datetime.fromisoformat(moment)) or "") if moment else ""


def _workers_table(workers: list[dict[str, Any]]) -> Table:
    table = Table(title="Workers")
    for column in ("worker", "state", "last seen", "done", "failed", "per source"):
        table.add_column(column, justify="right" if column in ("done", "failed") else "left")
    for row in workers:
        state = "working" if row["alive"] else ("stopped" if row.get("stopped_at") else "gone (no heartbeat)")
        per = ", ".join(f"{name} {counts.get('done', 0)}" for name, counts in sorted(row["per_source"].items()))
        table.add_row(escape(row["worker"]), state, _shown(row.get("last_seen", "")), str(row["done"]), str(row["failed"]), per)
    return table
