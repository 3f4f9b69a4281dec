"""`govmon daemon` (monitor the configured sources until stopped; on PostgreSQL, as one of any number of
workers sharing the store), `govmon status` (per source: last run, outcome, next run, recent errors, the
worker crawling it now; then the workers and when each last checked in — what an operator checks first) and
`govmon events` (what was alerted)."""
from __future__ import annotations

import json
import logging
import sys
from typing import Annotated, Any, Optional

import typer
from rich.markup import escape
from rich.table import Table

from govmon.monitor.cli.backend import chosen_sources, open_store
from govmon.monitor.cli.common import JSON_HELP, fail, load, out, print_json
from govmon.monitor.present.health import next_run_text, source_health, worker_health
from govmon.monitor.present.records import event_record
from govmon.monitor.service.daemon import GRACE_SECONDS, POLL_SECONDS, Daemon
from govmon.storage import repository as repo
from govmon.storage.db import describe_url, session_scope
from govmon.storage.lock import StoreLocked, shared

__all__ = ["daemon", "status", "events"]


def daemon(sources: Annotated[Optional[list[str]], typer.Argument(help="Source names (default: the configured ones).")] = None,
           grace: Annotated[float, typer.Option(help="Seconds running crawls get to finish on SIGTERM.")] = GRACE_SECONDS,
           poll: Annotated[float, typer.Option(min=0.1, help="Seconds between looks for due sources (also right after "
                                                              "each crawl).")] = POLL_SECONDS) -> None:
    """Monitor the sources on their schedules until SIGTERM or Ctrl-C.

    On SQLite one daemon per store; on PostgreSQL any number, on any machines, share the sources."""
    config = load()
    chosen = chosen_sources(config, sources or ())
    engine = open_store()
    logging.getLogger("govmon.monitor").setLevel(logging.INFO)
    if not logging.getLogger().handlers:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    worker = Daemon(engine, config, chosen, poll=poll)
    sharing = f"worker {worker.owner}, sharing the store with any other daemon on it" if shared(engine) else "the store's one daemon"
    out.print(f"govmon daemon: {len(chosen)} sources, {config.parallel} at a time, store "
              f"{describe_url(str(engine.url))} ({sharing}); SIGTERM or Ctrl-C stops it", highlight=False)
    try:
        worker.run(grace)
    except StoreLocked as exc:
        raise fail(str(exc)) from exc
    out.print("govmon daemon: stopped", highlight=False)


def status(as_json: Annotated[bool, typer.Option("--json", help=f"{JSON_HELP} A list of sources (of workers "
                                                 "with --workers).")] = False,
           workers: Annotated[bool, typer.Option("--workers", help="Only the workers (daemons): state, last "
                                                 "check-in, the sources each holds now.")] = False) -> None:
    """Per source: last run and its outcome, the next run, whether it is broken; then the workers (daemons).

    For each source also its recent errors and the worker crawling it now; a source whose definition opts out
    of certificate checks says so. Then the workers sharing the store: which holds what, and when each last
    checked in."""
    config = load()
    engine = open_store()
    with session_scope(engine) as session:
        health = [] if workers else source_health(session, chosen_sources(config))
        crew = worker_health(session)
    if as_json:
        print_json(crew if workers else health)
        return
    if not workers:
        out.print(_status_table(health))
    if crew or workers:
        out.print(_workers_table(crew))


def _status_table(health: list[dict[str, Any]]) -> Table:
    table = Table(title="Sources")
    for column in ("source", "last run", "outcome", "next run", "worker", "broken since", "recent error"):
        table.add_column(column, overflow="fold")
    for h in health:
        name = h["name"] if h["tls_verify"] else f"{h['name']} (tls_verify = false)"
        error = h["recent_errors"][0]["message"] if h["recent_errors"] else ""
        table.add_row(name, (h["last_run_at"] or "never")[:16], h["outcome"], next_run_text(h), escape(h["worker"] or ""),
                      (h["broken_since"] or "")[:16], error[:80])
    return table


def _workers_table(crew: list[dict[str, Any]]) -> Table:
    table = Table(title="Workers")
    for column in ("worker", "state", "started", "last check-in", "sources", "crawling now"):
        table.add_column(column, overflow="fold")
    for w in crew:
        table.add_row(escape(w["name"]), w["state"], (w["started_at"] or "")[:19], (w["checked_in_at"] or "")[:19],
                      f"{w['sources']} ({w['parallel']} at a time)", escape(", ".join(w["holding"])))
    return table


def events(as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line (a stream: JSON lines, "
                                                 "unlike the other commands' one document).")] = False,
           kind: Annotated[Optional[str], typer.Option(help="Only events of this kind.")] = None) -> None:
    """Every recorded event (alerts), oldest first."""
    engine = open_store()
    with session_scope(engine) as session:
        rows = [event_record(session, e) for e in repo.events(session) if not kind or e.kind == kind]
    for row in rows:
        if as_json:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            out.print(f"#{row['id']} {row['created_at']} [bold]{row['kind']}[/] {row['title']}  {row['url']}", highlight=False)
