"""What every `govmon` command shares: the consoles, the global options, one-line errors, the config and
JSON output. Errors a user can fix are one clear line on stderr and exit status 2.

Light on purpose: every command imports this module, `govmon extract` among them, so it holds nothing that
imports the store (SQLAlchemy) or the crawl machinery; opening the store and choosing the sources of a pass
are in `backend`. The notifiers are imported only once a configuration file names channels.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Optional

import typer
from rich.console import Console

from govmon.crawler.extract.dates import local_day
from govmon.monitor.config import Config, ConfigError, channel_urls, load_config
from govmon.monitor.config.deferred import Deferred

__all__ = ["out", "err", "state", "fail", "load", "parse_day", "print_json", "JSON_HELP"]

_notifiers = Deferred("govmon.notifiers")  # Apprise and httpx, imported when there is a secret to protect

out = Console()
err = Console(stderr=True, soft_wrap=True)  # an error is one line, however long

JSON_HELP = "Print one JSON document on stdout (the web API's field names) instead of tables and text."


@dataclass
class State:
    config_path: Optional[str] = None
    database: Optional[str] = None


state = State()


def fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def load() -> Config:
    """The configuration; from here on the secrets of its channels never reach a log line (the defaults,
    without a file, have no channel but the console)."""
    try:
        config = load_config(state.config_path)
    except ConfigError as exc:
        raise fail(str(exc)) from exc
    if config.path is not None:
        _notifiers.protect_logs(channel_urls(config))
    return config


def parse_day(value: str | None, end: bool = False) -> datetime | None:
    """A --since/--until option: a date is a day in Asia/Ho_Chi_Minh (its start, or with `end` its last
    moment); a time with an offset is taken as given. A wrong value is a one-line error."""
    if not value:
        return None
    try:
        return local_day(value, end)
    except ValueError as exc:
        raise fail(f"dates look like 2025-01-31, not {value!r}") from exc


def print_json(data: Any) -> None:
    """What a `--json` option prints: one JSON document on stdout, indented, UTF-8 text unescaped."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
