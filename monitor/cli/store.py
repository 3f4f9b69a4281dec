"""`govmon db upgrade|status`: the store's schema, brought up to date or reported."""
from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.exc import OperationalError

from govmon.monitor.cli.common import JSON_HELP, fail, out, print_json, state
from govmon.storage.db import describe_url, make_engine
from govmon.storage.migrate import current_revision, head_revision, upgrade

__all__ = ["db_app"]

db_app = typer.Typer(help="The store (GOVMON_DATABASE_URL, default SQLite in your data directory).", no_args_is_help=True)


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
def db_status(as_json: Annotated[bool, typer.Option("--json", help=f"{JSON_HELP} An object: database, revision, latest, "
                                                    "up_to_date.")] = False) -> None:
    """Where the store is and which schema revision it has."""
    engine = make_engine(state.database)
    where, revision, latest = describe_url(str(engine.url)), current_revision(engine), head_revision()
    if as_json:
        print_json({"database": where, "revision": revision, "latest": latest, "up_to_date": revision == latest})
        return
    out.print(f"{where}: schema {revision} (latest {latest})", highlight=False)
