"""Alembic environment: runs on the connection `storage.migrate` hands over (no alembic.ini needed)."""
from __future__ import annotations

from alembic import context

from govmon.storage.models import SQLModel, reflected

target_metadata = SQLModel.metadata


def run() -> None:
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      include_name=reflected)
    with context.begin_transaction():
        context.run_migrations()


run()
