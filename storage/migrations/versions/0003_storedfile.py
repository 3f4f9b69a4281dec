"""storedfile: attachments of articles (bytes in the blob store, extracted text)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('storedfile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('problem', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['article.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('article_id', 'url', 'sha256', name='uq_storedfile')
    )
    with op.batch_alter_table('storedfile', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_storedfile_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_storedfile_sha256'), ['sha256'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('storedfile', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_storedfile_sha256'))
        batch_op.drop_index(batch_op.f('ix_storedfile_article_id'))

    op.drop_table('storedfile')
