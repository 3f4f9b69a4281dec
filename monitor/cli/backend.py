"""What the commands that work on the store or crawl share: the store, opened with its schema checked, and
the sources of a pass. Apart from `common` because it imports SQLAlchemy and the crawl machinery, which
`govmon extract`, `refs`, `sources` and `--help` never need."""
from __future__ import annotations

import os
from collections.abc import Sequence

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from govmon.crawler.sources import Source as SourceDef
from govmon.crawler.sources import SourceError
from govmon.monitor.cli.common import fail, state
from govmon.monitor.config import Config
from govmon.monitor.service.runner import enabled_sources
from govmon.storage.db import ENV_VAR, describe_url, make_engine
from govmon.storage.migrate import SchemaOutOfDate, ensure_schema

__all__ = ["open_store", "env_database", "chosen_sources"]


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
