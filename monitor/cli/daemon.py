"""`govmon daemon` (monitor the configured sources until stopped) and `govmon status` (per source: last
run, outcome, next run, recent errors — what an operator checks first)."""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Annotated, Optional

import typer
from rich.table import Table

from govmon.crawler.extract.dates import local_iso
from govmon.monitor.cli.common import chosen_sources, fail, load, open_store, out
from govmon.monitor.service.daemon import GRACE_SECONDS, Daemon
from govmon.monitor.service.runner import enabled_sources
from govmon.storage import repository as repo
from govmon.storage.db import describe_url, session_scope
from govmon.storage.lock import StoreLocked

__all__ = ["daemon", "status"]


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


def status() -> None:
    """Per source: last run and its outcome, the next run, whether it is broken, recent errors; a source whose
    definition opts out of certificate checks says so."""
    config = load()
    definitions = {s.name: s for s in enabled_sources(config)}
    engine = open_store()
    table = Table(title="Sources")
    for column in ("source", "last run", "outcome", "next run", "broken since", "recent error"):
        table.add_column(column, overflow="fold")
    with session_scope(engine) as session:
        stored = {s.name: s for s in repo.sources(session)}
        for name in sorted(set(definitions) | set(stored)):
            row, definition = stored.get(name), definitions.get(name)
            errors = [r.message or r.status for r in repo.recent_runs(session, row.id, 3) if r.status != "ok"] if row else []
            due = (row.last_run_at + timedelta(minutes=definition.interval_minutes)
                   if row and row.last_run_at and definition else None)
            name = f"{name} (tls_verify = false)" if definition and not definition.tls_verify else name
            table.add_row(name, (local_iso(row.last_run_at) or "never")[:16] if row else "never",
                          row.last_status if row else "", (local_iso(due) or ("now" if definition else "—"))[:16],
                          (local_iso(row.broken_since) or "")[:16] if row else "", (errors[0] if errors else "")[:80])
    out.print(table)
