"""`govmon daemon` (monitor the configured sources until stopped), `govmon status` (per source: last run,
outcome, next run, recent errors — what an operator checks first) and `govmon events` (what was alerted)."""
from __future__ import annotations

import json
import logging
import sys
from typing import Annotated, Any, Optional

import typer
from rich.table import Table

from govmon.monitor.cli.common import (
    JSON_HELP,
    chosen_sources,
    fail,
    load,
    open_store,
    out,
    print_json,
)
from govmon.monitor.present.health import next_run_text, source_health
from govmon.monitor.present.records import event_record
from govmon.monitor.service.daemon import GRACE_SECONDS, Daemon
from govmon.storage import repository as repo
from govmon.storage.db import describe_url, session_scope
from govmon.storage.lock import StoreLocked

__all__ = ["daemon", "status", "events"]


def daemon(sources: Annotated[Optional[list[str]], typer.Argument(help="Source names (default: the configured ones).")] = None,
           grace: Annotated[float, typer.Option(help="Seconds running crawls get to finish on SIGTERM.")] = GRACE_SECONDS) -> None:
    """Monitor the sources on their schedules until SIGTERM or Ctrl-C (one daemon per store)."""
    config = load()
    chosen = chosen_sources(config, sources or ())
    engine = open_store()
    logging.getLogger("monitor").setLevel(logging.INFO)
    if not logging.getLogger().handlers:
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    out.print(f"govmon daemon: {len(chosen)} sources, {config.parallel} at a time, store "
              f"{describe_url(str(engine.url))}; SIGTERM or Ctrl-C stops it", highlight=False)
    try:
        Daemon(engine, config, chosen).run(grace)
    except StoreLocked as exc:
        raise fail(str(exc)) from exc
    out.print("govmon daemon: stopped", highlight=False)


def status(as_json: Annotated[bool, typer.Option("--json", help=f"{JSON_HELP} A list of sources.")] = False) -> None:
    """Per source: last run and its outcome, the next run, whether it is broken, recent errors; a source whose
    definition opts out of certificate checks says so."""
    config = load()
    engine = open_store()
    with session_scope(engine) as session:
        health = source_health(session, chosen_sources(config))
    if as_json:
        print_json(health)
        return
    out.print(_status_table(health))


def _status_table(health: list[dict[str, Any]]) -> Table:
    table = Table(title="Sources")
    for column in ("source", "last run", "outcome", "next run", "broken since", "recent error"):
        table.add_column(column, overflow="fold")
    for h in health:
        name = h["name"] if h["tls_verify"] else f"{h['name']} (tls_verify = false)"
        error = h["recent_errors"][0]["message"] if h["recent_errors"] else ""
        table.add_row(name, (h["last_run_at"] or "never")[:16], h["outcome"], next_run_text(h),
                      (h["broken_since"] or "")[:16], error[:80])
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
