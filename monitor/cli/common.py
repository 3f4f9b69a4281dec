"""What every `govmon` command shares: the consoles, the global options, one-line errors, the config and
the store. Errors a user can fix are one clear line on stderr and exit status 2."""
from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Optional

import typer
from rich.console import Console
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from govmon.crawler.extract.dates import local_day
from govmon.crawler.sources import Source as SourceDef
from govmon.crawler.sources import SourceError
from govmon.monitor.config import Config, ConfigError, channel_urls, load_config
from govmon.monitor.service.runner import enabled_sources
from govmon.notifiers import protect_logs
from govmon.storage.db import ENV_VAR, describe_url, make_engine
from govmon.storage.migrate import SchemaOutOfDate, ensure_schema

__all__ = ["out", "err", "state", "fail", "load", "open_store", "env_database", "chosen_sources", "parse_day",
           "print_json", "JSON_HELP"]

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
    """The configuration; from here on the secrets of its channels never reach a log line."""
    try:
        config = load_config(state.config_path)
    except ConfigError as exc:
        raise fail(str(exc)) from exc
    protect_logs(channel_urls(config))
    return config


def open_store(url: str | None = None) -> Engine:
    engine = make_engine(url or state.database)
    try:
        ensure_schema(engine)
    except SchemaOutOfDate as exc:
        raise fail(str(exc)) from exc
    except OperationalError as exc:
        raise fail(f"cannot open the database {describe_url(str(engine.url))}: {exc.orig}") from exc
    return engine


def env_database() -> bool:
    return bool(os.environ.get(ENV_VAR))


def chosen_sources(config: Config, names: Sequence[str] = ()) -> list[SourceDef]:
    """The named sources (default: the configured ones); an unknown name is a one-line error."""
    try:
        return enabled_sources(config, names)
    except (KeyError, SourceError) as exc:
        raise fail(str(exc).strip("'\"")) from exc


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
