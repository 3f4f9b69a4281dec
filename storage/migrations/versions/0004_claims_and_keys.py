"""claims and leases (deliveries, crawls), the process of a run, folded document keys, lookup indexes

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""
from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_TEXT = sqlmodel.sql.sqltypes.AutoString()


def _fold(text: str) -> str:
    """`govmon.monitor.analysis.keys.fold` as it was when this revision was written."""
    stripped = "".join(c for c in unicodedata.normalize("NFD", text or "") if not unicodedata.combining(c))
    return " ".join(stripped.replace("đ", "d").replace("Đ", "D").casefold().split())


def _words(text: str) -> str:
    """`govmon.monitor.analysis.keys.words_key` as it was when this revision was written."""
    return " " + re.sub(r"[^0-9a-z]+", " ", _fold(text)).strip() + " "


def _fill_document_keys() -> None:
    document = sa.table("document", sa.column("id", sa.Integer), sa.column("type", _TEXT), sa.column("issuer", _TEXT),
                        sa.column("code", _TEXT), sa.column("number", _TEXT), sa.column("type_key", _TEXT),
                        sa.column("issuer_key", _TEXT), sa.column("number_key", _TEXT))
    connection = op.get_bind()
    rows = connection.execute(sa.select(document.c.id, document.c.type, document.c.issuer, document.c.code,
                                        document.c.number)).all()
    for row in rows:
        connection.execute(document.update().where(document.c.id == row.id).values(
            type_key=_fold(row.type), issuer_key=_words(f"{row.issuer} {row.code}"),
            number_key=(row.number or "").lstrip("0") or "0"))


def upgrade() -> None:
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.create_index('ix_article_source_seen', ['source_id', 'last_seen_at'], unique=False)

    with op.batch_alter_table('crawlrun', schema=None) as batch_op:
        batch_op.add_column(sa.Column('host', _TEXT, nullable=False, server_default=''))
        batch_op.add_column(sa.Column('pid', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_index(batch_op.f('ix_crawlrun_status'), ['status'], unique=False)

    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', _TEXT, nullable=False, server_default=''))
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_delivery_due', ['channel', 'status', 'next_attempt_at'], unique=False)

    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('type_key', _TEXT, nullable=False, server_default=''))
        batch_op.add_column(sa.Column('issuer_key', _TEXT, nullable=False, server_default=''))
        batch_op.add_column(sa.Column('number_key', _TEXT, nullable=False, server_default=''))
        batch_op.create_index('ix_document_type_number', ['type_key', 'number_key'], unique=False)
    _fill_document_keys()

    with op.batch_alter_table('repostcluster', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_repostcluster_created_at'), ['created_at'], unique=False)

    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.add_column(sa.Column('crawl_owner', _TEXT, nullable=False, server_default=''))
        batch_op.add_column(sa.Column('crawl_until', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('version', schema=None) as batch_op:
        batch_op.create_index('ix_version_article_time', ['article_id', 'fetched_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('version', schema=None) as batch_op:
        batch_op.drop_index('ix_version_article_time')

    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.drop_column('crawl_until')
        batch_op.drop_column('crawl_owner')

    with op.batch_alter_table('repostcluster', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_repostcluster_created_at'))

    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_index('ix_document_type_number')
        batch_op.drop_column('number_key')
        batch_op.drop_column('issuer_key')
        batch_op.drop_column('type_key')

    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_due')
        batch_op.drop_column('lease_until')
        batch_op.drop_column('claimed_by')

    with op.batch_alter_table('crawlrun', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crawlrun_status'))
        batch_op.drop_column('pid')
        batch_op.drop_column('host')

    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.drop_index('ix_article_source_seen')
