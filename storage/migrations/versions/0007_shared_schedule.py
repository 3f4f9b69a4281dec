"""daemons share the store: each source's next due time (the schedule every daemon reads) and the workers
table (who is running, when each last checked in)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_TEXT = sqlmodel.sql.sqltypes.AutoString()


def upgrade() -> None:
    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_source_next_due_at'), ['next_due_at'], unique=False)

    op.create_table('worker',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('name', _TEXT, nullable=False),
                    sa.Column('host', _TEXT, nullable=False),
                    sa.Column('pid', sa.Integer(), nullable=False),
                    sa.Column('state', _TEXT, nullable=False),
                    sa.Column('sources', sa.Integer(), nullable=False),
                    sa.Column('parallel', sa.Integer(), nullable=False),
                    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True),
                    sa.PrimaryKeyConstraint('id'))
    with op.batch_alter_table('worker', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_worker_name'), ['name'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('worker', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_worker_name'))
    op.drop_table('worker')

    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_source_next_due_at'))
        batch_op.drop_column('next_due_at')
