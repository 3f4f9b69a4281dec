"""indexes for the read-only views (bench/web.py's findings): a document's latest mentions per role and their
counts straight from an index, a source's recent runs, a channel's (subscription's) events

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""
from __future__ import annotations

from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

_INDEXES = (("mention", "ix_mention_document_role", ["document_id", "role", "article_id"]),
            ("crawlrun", "ix_crawlrun_source_run", ["source_id", "id"]),
            ("delivery", "ix_delivery_channel_event", ["channel", "event_id"]))


def upgrade() -> None:
    for table, name, columns in _INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade() -> None:
    for table, name, _ in _INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
