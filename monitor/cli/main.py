"""The `govmon` command line: the app, its global options, and its commands grouped in `--help` by what
people do with them (the panels of COMMANDS). Each command lives in the module of its group: `passes` (run,
crawl, demo), `daemon` (daemon, status, events), `docs`, `refs`, `articles` (versions, diff), `clusters` (and
dedupe), `backfill`, `archive` (import-warc, record, export), `sources`, `store` (db), `outbox` (and notify),
`extract` and `serve`.

COMMANDS is the table of them, as data: where each is, its panel and its one-line help (the first line of
its docstring; tests/monitor/cli/test_startup.py holds the table to the commands). `--help` is printed from
the table alone and a command's module is imported only when it runs (`lazy`): `govmon --help` and
`govmon extract` start in a blink, not after importing Scrapy, SQLAlchemy and the notifiers.

Every command uses `GOVMON_DATABASE_URL` (or `--database`) and `GOVMON_CONFIG` (or `--config`). Errors a
user can fix (bad configuration, unknown source, out-of-date schema, unreachable database) are one clear
line on stderr and exit status 2; a pass where some source could not be crawled exits 1.
"""
from __future__ import annotations

import logging
import os
import sys
from typing import Annotated, Optional

import typer

from govmon.monitor.cli.common import err, state
from govmon.monitor.cli.lazy import Entry, LazyGroup
from govmon.monitor.config.deferred import Deferred
from govmon.storage import ENV_VAR, StoreUnavailable

__all__ = ["app", "govmon", "COMMANDS"]

_notifiers = Deferred("govmon.notifiers")  # Apprise and httpx, imported when a database URL is given

_CLI = "govmon.monitor.cli"
MONITOR, DOCUMENTS, ARCHIVES, SETUP = "Monitor", "Documents", "Archives", "Setup and tools"

COMMANDS: dict[str, Entry] = {
    "run": Entry(f"{_CLI}.passes:run", MONITOR,
                 "One monitoring pass: crawl the configured sources, store what changed, send the alerts."),
    "crawl": Entry(f"{_CLI}.passes:crawl", MONITOR, "Crawl the named sources now (same as `run SOURCE...`)."),
    "daemon": Entry(f"{_CLI}.daemon:daemon", MONITOR,
                    "Monitor the sources on their schedules until SIGTERM or Ctrl-C."),
    "status": Entry(f"{_CLI}.daemon:status", MONITOR,
                    "Per source: last run and its outcome, the next run, whether it is broken; then the workers "
                    "(daemons)."),
    "events": Entry(f"{_CLI}.daemon:events", MONITOR, "Every recorded event (alerts), oldest first."),
    "docs": Entry(f"{_CLI}.docs:docs_app", DOCUMENTS, "The document registry: every legal document govmon has seen.", {
        "list": "Documents in the registry, most recently seen first.",
        "show": "One document: timeline, every source that carried it, and its relations in both directions.",
        "verify": "Ask vbpl.vn, the Ministry of Justice's national legal database, what it states of documents "
                  "govmon knows.",
    }),
    "refs": Entry(f"{_CLI}.refs:refs", DOCUMENTS,
                  "Document references, number-only mentions and relations in text read from stdin, as JSON."),
    "versions": Entry(f"{_CLI}.articles:versions", DOCUMENTS,
                      "The stored versions of one article, numbered in time order (the numbers `govmon diff` takes)."),
    "diff": Entry(f"{_CLI}.articles:diff", DOCUMENTS, "What changed between two versions of an article (word level)."),
    "clusters": Entry(f"{_CLI}.clusters:clusters_app", DOCUMENTS,
                      "Repost clusters: the copies of one announcement across sites.", {
                          "show": "The copies of one announcement: canonical first, then by publication time.",
                      }),
    "backfill": Entry(f"{_CLI}.backfill:backfill", ARCHIVES,
                      "Walk the sources' archives back to --since and store what was published in the window."),
    "worker": Entry(f"{_CLI}.worker:worker", ARCHIVES,
                    "Fetch, extract and store the requests of queued backfills (`backfill --queue`), on any machine."),
    "import-warc": Entry(f"{_CLI}.archive:import_warc_command", ARCHIVES,
                         "Ingest web-archive captures through extraction, documents, dedup and versions (capture "
                         "time = version time)."),
    "record": Entry(f"{_CLI}.archive:record", ARCHIVES,
                    "Crawl the sources now, store as usual, and append every response to a WARC file."),
    "export": Entry(f"{_CLI}.archive:export", ARCHIVES,
                    "Stream the stored articles, one per line (fields documented in the README)."),
    "sources": Entry(f"{_CLI}.sources:sources_app", SETUP,
                     "Source definitions: list them, check them against a page, add your own.", {
                         "list": "The source definitions govmon knows (built-in, ~/.config/govmon/sources and your "
                                 "source_dirs).",
                         "check": "Show which selectors of a source match what on a live (or saved) page; exit 1 if "
                                  "any fails.",
                         "add": "Write a new source definition (TOML) for a site, based on a platform; then run "
                                "`sources check`.",
                     }),
    "db": Entry(f"{_CLI}.store:db_app", SETUP,
                "The store (GOVMON_DATABASE_URL, default SQLite in your data directory).", {
                    "upgrade": "Bring the database schema to the latest version (Alembic migrations).",
                    "status": "Where the store is and which schema revision it has.",
                }),
    "notify": Entry(f"{_CLI}.outbox:notify_app", SETUP, "Channels.", {
        "test": "Send one test message through a configured channel.",
    }),
    "outbox": Entry(f"{_CLI}.outbox:outbox_app", SETUP,
                    "The outbox: every alert × channel, and whether it was delivered.", {
                        "list": "Deliveries, newest first, with their attempts and last error.",
                        "retry": "Make given-up and waiting deliveries due now, and send what can be sent.",
                    }),
    "extract": Entry(f"{_CLI}.extract:extract", SETUP,
                     "Extract one saved page (title, lead, dates, author, text, attachments, documents) as JSON."),
    "dedupe": Entry(f"{_CLI}.clusters:dedupe", SETUP,
                    'Cluster reposts: writes {"id", "cluster", "canonical"} per input line (after reading them all).'),
    "serve": Entry(f"{_CLI}.serve:serve", SETUP,
                   "Serve the web view, Atom feeds and JSON API of the store (read-only) until Ctrl-C."),
    "demo": Entry(f"{_CLI}.passes:demo", SETUP,
                  "Offline demonstration: two recorded days of four sites, replayed locally; prints day 2's alerts."),
}


class _Commands(LazyGroup):
    """The app's group: COMMANDS, listed in the table's order (panel by panel)."""

    ENTRIES = COMMANDS


app = typer.Typer(help="govmon: monitor Vietnamese government announcements and the legal documents they are about.\n\n"
                       "Commands that list or show something take --json: one JSON document on stdout, with the "
                       "field names of the web API (`events --json`, a stream, writes one JSON object per line).",
                  cls=_Commands, no_args_is_help=True, pretty_exceptions_enable=False)


@app.callback()
def main(config: Annotated[Optional[str], typer.Option("--config", "-c", help="TOML configuration file (default $GOVMON_CONFIG).")] = None,
         database: Annotated[Optional[str], typer.Option("--database", help=f"SQLAlchemy URL (default ${ENV_VAR}).")] = None,
         verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens.")] = False) -> None:
    state.config_path, state.database = config, database
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    urls = [url for url in (database, os.environ.get(ENV_VAR)) if url]
    if urls:
        _notifiers.protect_logs(urls)  # a database password, too


def govmon() -> None:
    """The `govmon` command: the app, with a store that stayed away after retries reported in one line
    (exit 2), never as a traceback."""
    try:
        app(prog_name="govmon")
    except Exception as exc:
        if not isinstance(exc, StoreUnavailable):
            raise
        err.print(f"[red]error:[/] {exc}", highlight=False)
        sys.exit(2)

