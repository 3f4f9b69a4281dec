"""The `govmon` command line: the app, its global options, and its commands grouped in `--help` by what
people do with them (PANELS). Each command lives in the module of its group: `passes` (run, crawl, demo),
`daemon` (daemon, status, events), `docs`, `refs`, `articles` (versions, diff), `clusters` (and dedupe),
`backfill`, `archive` (import-warc, record, export), `sources`, `store` (db), `outbox` (and notify),
`extract` and `serve`.

Every command uses `GOVMON_DATABASE_URL` (or `--database`) and `GOVMON_CONFIG` (or `--config`). Errors a
user can fix (bad configuration, unknown source, out-of-date schema, unreachable database) are one clear
line on stderr and exit status 2; a pass where some source could not be crawled exits 1.
"""
from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from typing import Annotated, Any, Optional

import click
import typer
from typer.core import TyperGroup

from govmon.monitor.cli.archive import export, import_warc_command, record
from govmon.monitor.cli.articles import diff, versions
from govmon.monitor.cli.backfill import backfill
from govmon.monitor.cli.clusters import clusters_app, dedupe
from govmon.monitor.cli.common import err, state
from govmon.monitor.cli.daemon import daemon, events, status
from govmon.monitor.cli.docs import docs_app
from govmon.monitor.cli.extract import extract
from govmon.monitor.cli.outbox import notify_app, outbox_app
from govmon.monitor.cli.passes import crawl, demo, run
from govmon.monitor.cli.refs import refs
from govmon.monitor.cli.serve import serve
from govmon.monitor.cli.sources import sources_app
from govmon.monitor.cli.store import db_app
from govmon.monitor.cli.worker import worker
from govmon.notifiers import protect_logs
from govmon.storage.db import ENV_VAR, StoreUnavailable

__all__ = ["app", "govmon", "PANELS"]

PANELS: dict[str, tuple[str, ...]] = {
    "Monitor": ("run", "crawl", "daemon", "status", "events"),
    "Documents": ("docs", "refs", "versions", "diff", "clusters"),
    "Archives": ("backfill", "worker", "import-warc", "record", "export"),
    "Setup and tools": ("sources", "db", "notify", "outbox", "extract", "dedupe", "serve", "demo"),
}
_ORDER = [name for names in PANELS.values() for name in names]

COMMANDS: dict[str, Callable[..., Any] | typer.Typer] = {
    "run": run, "crawl": crawl, "daemon": daemon, "status": status, "events": events,
    "docs": docs_app, "refs": refs, "versions": versions, "diff": diff, "clusters": clusters_app,
    "backfill": backfill, "worker": worker, "import-warc": import_warc_command, "record": record, "export": export,
    "sources": sources_app, "db": db_app, "notify": notify_app, "outbox": outbox_app, "extract": extract,
    "dedupe": dedupe, "serve": serve, "demo": demo,
}


class _InPanels(TyperGroup):
    """Lists the commands in PANELS order (typer would list plain commands before command groups)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = super().list_commands(ctx)
        return sorted(names, key=lambda name: _ORDER.index(name) if name in _ORDER else len(_ORDER))


app = typer.Typer(help="govmon: monitor Vietnamese government announcements and the legal documents they are about.\n\n"
                       "Commands that list or show something take --json: one JSON document on stdout, with the "
                       "field names of the web API (`events --json`, a stream, writes one JSON object per line).",
                  cls=_InPanels, no_args_is_help=True, pretty_exceptions_enable=False)


def _register() -> None:
    """Every command under its panel, in PANELS order."""
    for panel, names in PANELS.items():
        for name in names:
            target = COMMANDS[name]
            if isinstance(target, typer.Typer):
                app.add_typer(target, name=name, rich_help_panel=panel)
            else:
                app.command(name, rich_help_panel=panel)(target)


_register()


@app.callback()
def main(config: Annotated[Optional[str], typer.Option("--config", "-c", help="TOML configuration file (default $GOVMON_CONFIG).")] = None,
         database: Annotated[Optional[str], typer.Option("--database", help=f"SQLAlchemy URL (default ${ENV_VAR}).")] = None,
         verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens.")] = False) -> None:
    state.config_path, state.database = config, database
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    protect_logs([url for url in (database, os.environ.get(ENV_VAR)) if url])  # a database password, too


def govmon() -> None:
    """The `govmon` command: the app, with a store that stayed away after retries reported in one line
    (exit 2), never as a traceback."""
    try:
        app(prog_name="govmon")
    except StoreUnavailable as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False)
        sys.exit(2)
