"""article.extractor: which extractor produced the latest version ("site", "generic")

A page kept only through the generic fallback after a layout mismatch is fetched in full on the next
poll (not conditionally), so the source stays reported broken until its definition matches again.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.add_column(sa.Column("extractor", sa.String(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("article", schema=None) as batch_op:
        batch_op.drop_column("extractor")
