"""indexes for the read-only views: events by source, by document and by article (the alert timeline's
filters and the per-source and per-document feeds)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""
from __future__ import annotations

from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_COLUMNS = ("source_id", "document_id", "article_id")


def upgrade() -> None:
    with op.batch_alter_table('event', schema=None) as batch_op:
        for column in _COLUMNS:
            batch_op.create_index(batch_op.f(f'ix_event_{column}'), [column], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('event', schema=None) as batch_op:
        for column in _COLUMNS:
            batch_op.drop_index(batch_op.f(f'ix_event_{column}'))
