"""document statuses: what vbpl.vn (the authority) or an announcement states of a document's validity — its
state, effective and expiry dates, the documents that made it so, with evidence and where it was said

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

_TEXT = sqlmodel.sql.sqltypes.AutoString()


def upgrade() -> None:
    op.create_table('documentstatus',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('document_id', sa.Integer(), nullable=False),
                    sa.Column('source', _TEXT, nullable=False),
                    sa.Column('state', _TEXT, nullable=False),
                    sa.Column('stated', _TEXT, nullable=False),
                    sa.Column('effective_on', _TEXT, nullable=True),
                    sa.Column('expires_on', _TEXT, nullable=True),
                    sa.Column('by', sa.JSON(), nullable=False),
                    sa.Column('evidence', _TEXT, nullable=False),
                    sa.Column('url', _TEXT, nullable=False),
                    sa.Column('article_id', sa.Integer(), nullable=True),
                    sa.Column('digest', _TEXT, nullable=False),
                    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
                    sa.ForeignKeyConstraint(['article_id'], ['article.id']),
                    sa.ForeignKeyConstraint(['document_id'], ['document.id']),
                    sa.PrimaryKeyConstraint('id'),
                    sa.UniqueConstraint('document_id', 'source', 'digest', name='uq_documentstatus'))
    with op.batch_alter_table('documentstatus', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documentstatus_document_id'), ['document_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('documentstatus', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documentstatus_document_id'))
    op.drop_table('documentstatus')
