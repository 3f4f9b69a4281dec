"""`govmon run` and `govmon crawl` (one monitoring pass over the sources, its report and its alerts) and
`govmon demo` (two recorded days of four sites replayed offline, then, with --serve, the web view over them)."""
from __future__ import annotations

from typing import Annotated, Optional

import typer
from sqlalchemy.engine import Engine

from govmon.monitor.alerts.dispatch import dispatch
from govmon.monitor.cli.backend import chosen_sources, env_database, open_store
from govmon.monitor.cli.common import fail, load, out, state
from govmon.monitor.cli.serve import serve_store
from govmon.monitor.cli.views import print_report
from govmon.monitor.config import Config, channel_urls
from govmon.monitor.demo.offline import demo_config, run_demo, temporary_database_url
from govmon.monitor.service.runner import CrawlReport, run_pass
from govmon.notifiers import protect_logs
from govmon.storage.db import database_url, describe_url

__all__ = ["run", "crawl", "demo"]


def _finish_pass(engine: Engine, config: Config, reports: list[CrawlReport], title: str) -> None:
    print_report(out, reports, title)
    sent = dispatch(engine, config.channels)
    out.print(f"alerts: {sent.sent} delivered, {sent.retrying} to retry, {sent.dead} given up")
    bad = [r for r in reports if r.status != "ok"]
    if bad:
        names = ", ".join(f"{r.source} ({r.status})" for r in bad)
        raise fail(f"{len(bad)} of {len(reports)} sources not crawled cleanly: {names}", code=1)


def run(sources: Annotated[Optional[list[str]], typer.Argument(help="Source names (default: the configured ones).")] = None) -> None:
    """One monitoring pass: crawl the configured sources, store what changed, send the alerts."""
    config = load()
    chosen = chosen_sources(config, sources or ())
    engine = open_store()
    out.print(f"store: {describe_url(str(engine.url))}", highlight=False)
    reports = run_pass(engine, config, chosen)
    _finish_pass(engine, config, reports, "Monitoring pass")


def crawl(sources: Annotated[list[str], typer.Argument(help="Source names, see `govmon sources list`.")]) -> None:
    """Crawl the named sources now (same as `run SOURCE...`)."""
    run(sources)


def demo(notify: Annotated[Optional[str], typer.Option(help="Also deliver the demo's alerts to this Apprise URL (mailto://…, json://…).")] = None,
         serve: Annotated[bool, typer.Option("--serve", help="Then serve the demo's store at http://127.0.0.1:8080 until Ctrl-C")] = False) -> None:
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
    if serve:
        serve_store(url)
