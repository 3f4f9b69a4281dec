"""Schema management with Alembic: `upgrade()` brings any database to the latest revision.

The migration scripts live in storage/migrations/versions; `govmon db upgrade` calls `upgrade`.
"""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

__all__ = ["upgrade", "current_revision", "head_revision", "autogenerate", "ensure_schema", "SchemaOutOfDate"]

_SCRIPTS = Path(__file__).with_name("migrations")


def _config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_SCRIPTS))
    url = engine.url.render_as_string(hide_password=False)
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # configparser interpolation
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    cfg = _config(engine)
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory(str(_SCRIPTS)).get_current_head()


def autogenerate(engine: Engine, message: str) -> None:
    """Developer tool: write a new revision from the difference between models and `engine`'s schema."""
    cfg = _config(engine)
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.revision(cfg, message=message, autogenerate=True)


class SchemaOutOfDate(RuntimeError):
    """The database was made by an older govmon; `govmon db upgrade` brings it up to date."""


def ensure_schema(engine: Engine) -> None:
    """Create the schema in an empty database; refuse (clearly) to work on an out-of-date one."""
    current, head = current_revision(engine), head_revision()
    if current is None and not _has_tables(engine):
        upgrade(engine)
    elif current != head:
        raise SchemaOutOfDate(f"database schema is at {current or 'an unknown revision'}, this govmon needs {head}:"
                              " run `govmon db upgrade` (back up the database first)")


def _has_tables(engine: Engine) -> bool:
    from_inspector = inspect(engine).get_table_names()
    return bool(set(from_inspector) - {"alembic_version"})
