"""The `govmon` command line: run passes, crawl sources, look at versions, diffs and events, manage the store.

Every command uses `GOVMON_DATABASE_URL` (or `--database`) and `GOVMON_CONFIG` (or `--config`). Errors a
user can fix (bad configuration, unknown source, out-of-date schema, unreachable database) are one clear
line on stderr and exit status 2; a pass where some source could not be crawled exits 1. Source and
extraction commands live in `monitor.cli.sources` and `monitor.cli.extract`.
"""
from __future__ import annotations

import json
import logging
import os
import sys
from typing import Annotated, Optional

import typer
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from govmon.monitor.alerts.dispatch import dispatch
from govmon.monitor.alerts.events import render
from govmon.monitor.analysis.changes import word_diff
from govmon.monitor.cli.archive import export, import_warc_command, record
from govmon.monitor.cli.backfill import backfill
from govmon.monitor.cli.clusters import clusters_app, dedupe
from govmon.monitor.cli.common import (
    chosen_sources,
    env_database,
    err,
    fail,
    load,
    open_store,
    out,
    state,
)
from govmon.monitor.cli.daemon import daemon, status
from govmon.monitor.cli.docs import docs_app
from govmon.monitor.cli.extract import extract
from govmon.monitor.cli.outbox import notify_app, outbox_app
from govmon.monitor.cli.refs import refs
from govmon.monitor.cli.sources import sources_app
from govmon.monitor.cli.views import print_report, versions_table
from govmon.monitor.config import Config, channel_urls
from govmon.monitor.demo.offline import demo_config, run_demo, temporary_database_url
from govmon.monitor.service.runner import CrawlReport, run_pass
from govmon.notifiers import protect_logs
from govmon.storage import repository as repo
from govmon.storage.db import (
    ENV_VAR,
    StoreUnavailable,
    database_url,
    describe_url,
    make_engine,
    session_scope,
)
from govmon.storage.migrate import current_revision, head_revision, upgrade

__all__ = ["app", "govmon"]

app = typer.Typer(help="govmon: monitor Vietnamese government announcements and the legal documents they are about.",
                  no_args_is_help=True, pretty_exceptions_enable=False)
db_app = typer.Typer(help="The store (GOVMON_DATABASE_URL, default SQLite in your data directory).", no_args_is_help=True)
app.add_typer(sources_app, name="sources")
app.add_typer(db_app, name="db")
app.add_typer(docs_app, name="docs")
app.add_typer(clusters_app, name="clusters")
app.add_typer(outbox_app, name="outbox")
app.add_typer(notify_app, name="notify")
app.command()(dedupe)
app.command("import-warc")(import_warc_command)
app.command()(export)
app.command()(backfill)
app.command()(record)
app.command()(daemon)
app.command()(status)
app.command()(extract)
app.command()(refs)


@app.callback()
def main(config: Annotated[Optional[str], typer.Option("--config", "-c", help="TOML configuration file (default $GOVMON_CONFIG).")] = None,
         database: Annotated[Optional[str], typer.Option("--database", help=f"SQLAlchemy URL (default ${ENV_VAR}).")] = None,
         verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens.")] = False) -> None:
    state.config_path, state.database = config, database
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    protect_logs([url for url in (database, os.environ.get(ENV_VAR)) if url])  # a database password, too



def _finish_pass(engine: Engine, config: Config, reports: list[CrawlReport], title: str) -> None:
    print_report(out, reports, title)
    sent = dispatch(engine, config.channels)
    out.print(f"alerts: {sent.sent} delivered, {sent.retrying} to retry, {sent.dead} given up")
    bad = [r for r in reports if r.status != "ok"]
    if bad:
        names = ", ".join(f"{r.source} ({r.status})" for r in bad)
        raise fail(f"{len(bad)} of {len(reports)} sources not crawled cleanly: {names}", code=1)


@app.command()
def run(sources: Annotated[Optional[list[str]], typer.Argument(help="Source names (default: the configured ones).")] = None) -> None:
    """One monitoring pass: crawl the configured sources, store what changed, send the alerts."""
    config = load()
    chosen = chosen_sources(config, sources or ())
    engine = open_store()
    out.print(f"store: {describe_url(str(engine.url))}", highlight=False)
    reports = run_pass(engine, config, chosen)
    _finish_pass(engine, config, reports, "Monitoring pass")


@app.command()
def crawl(sources: Annotated[list[str], typer.Argument(help="Source names, see `govmon sources list`.")]) -> None:
    """Crawl the named sources now (same as `run SOURCE...`)."""
    run(sources)


@app.command()
def demo(notify: Annotated[Optional[str], typer.Option(help="Also deliver the demo's alerts to this Apprise URL (mailto://…, json://…).")] = None) -> None:
    """Offline demonstration: two recorded days of four sites, replayed locally; prints day 2's alerts."""
    url = database_url(state.database) if (state.database or env_database()) else temporary_database_url()
    engine = open_store(url)
    out.print(f"demo store: {describe_url(url)}", highlight=False)
    config = demo_config(load(), notify)
    protect_logs(channel_urls(config))
    days = run_demo(engine, config, on_day=lambda name: out.rule(f"[bold]{name}[/]"))
    for day in days:
        print_report(out, day.reports, f"{day.name}: crawl report")
    out.print(f"day 1 alerts: {days[0].delivered.sent}  ·  day 2 alerts: {days[1].delivered.sent}")
    out.print(f"see them again: GOVMON_DATABASE_URL={url} govmon events --json", highlight=False, soft_wrap=True)


@app.command()
def events(as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
           kind: Annotated[Optional[str], typer.Option(help="Only events of this kind.")] = None) -> None:
    """Every recorded event (alerts), oldest first."""
    engine = open_store()
    with session_scope(engine) as session:
        rows = [render(session, e) for e in repo.events(session) if not kind or e.kind == kind]
    for row in rows:
        if as_json:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            out.print(f"#{row['id']} {row['created_at']} [bold]{row['kind']}[/] {row['title']}  {row['url']}", highlight=False)


@app.command()
def versions(url: str) -> None:
    """The stored versions of one article."""
    engine = open_store()
    with session_scope(engine) as session:
        article = repo.article_by_url(session, url)
        if article is None:
            raise fail(f"no article stored for {url}")
        out.print(versions_table(url, repo.versions_of(session, article.id)))


@app.command()
def diff(url: str,
         old: Annotated[Optional[int], typer.Option("--from", help="Version number (default: the one before --to).")] = None,
         new: Annotated[Optional[int], typer.Option("--to", help="Version number (default: the latest).")] = None) -> None:
    """What changed between two versions of an article (word level). Versions are numbered in time order
    (fetch or capture time), as `govmon versions` lists them."""
    engine = open_store()
    with session_scope(engine) as session:
        article = repo.article_by_url(session, url)
        stored = dict(enumerate(repo.versions_of(session, article.id), 1)) if article else {}
    if len(stored) < 2:
        raise fail(f"{url} has {len(stored)} stored version(s); nothing to compare")
    last = new or max(stored)
    first = old or last - 1
    a, b = stored.get(first), stored.get(last)
    if a is None or b is None:
        raise fail(f"versions are numbered 1–{max(stored)}")
    out.print(f"{url}: version {first} → {last}", highlight=False)
    out.print(word_diff(f"{a.title}\n{a.lead}\n{a.text}", f"{b.title}\n{b.lead}\n{b.text}", limit=20000), highlight=False)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema to the latest version (Alembic migrations)."""
    engine = make_engine(state.database)
    try:
        upgrade(engine)
    except OperationalError as exc:
        raise fail(f"cannot open the database {describe_url(str(engine.url))}: {exc.orig}") from exc
    out.print(f"{describe_url(str(engine.url))}: schema at {current_revision(engine)}", highlight=False)


@db_app.command("status")
def db_status() -> None:
    """Where the store is and which schema revision it has."""
    engine = make_engine(state.database)
    out.print(f"{describe_url(str(engine.url))}: schema {current_revision(engine)} (latest {head_revision()})", highlight=False)


def govmon() -> None:
    """The `govmon` command: the app, with a store that stayed away after retries reported in one line
    (exit 2), never as a traceback."""
    try:
        app(prog_name="govmon")
    except StoreUnavailable as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False)
        sys.exit(2)
