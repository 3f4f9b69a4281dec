"""Repost clusters: the copies of one announcement across sources."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from govmon.storage.models import Article, RepostCluster, Source, utcnow
from govmon.storage.repository._queue import queue_row

__all__ = ["new_cluster", "set_cluster", "clusters_since", "cluster_members"]


def new_cluster(session: Session, article: Article, signature: str = "") -> RepostCluster:
    """Start a cluster with `article` as its first (canonical) copy. Callers hold the "clusters" lock
    (`serialize`), so cluster ids grow in commit order and a reader's id watermark misses none."""
    values = {"canonical_article_id": article.id, "signature": signature, "created_at": utcnow()}
    cluster_id = session.connection().execute(_NEW_CLUSTER, values).scalar_one()
    set_cluster(session, article, cluster_id)
    return RepostCluster(id=cluster_id, **values)  # not attached to the session: `session.get` reads the stored row


def set_cluster(session: Session, article: Article, cluster_id: int) -> None:
    """Make `article` a copy in cluster `cluster_id`: the row's UPDATE is queued with the transaction and
    written in bulk (`storage.repository._queue`); the object says so at once."""
    queue_row(session, _SET_CLUSTER, ("article",), {"row": article.id, "cluster": cluster_id})
    set_committed_value(article, "cluster_id", cluster_id)


_NEW_CLUSTER = RepostCluster.__table__.insert().returning(RepostCluster.__table__.c.id)
_ARTICLES = Article.__table__
_SET_CLUSTER = update(_ARTICLES).where(_ARTICLES.c.id == bindparam("row")).values(cluster_id=bindparam("cluster"))


def clusters_since(session: Session, since: datetime, after_id: int = 0) -> Sequence[tuple[int, str, datetime]]:
    """(id, signature, created_at) of the clusters created since `since` with an id above `after_id`, in id
    order (what a live index has not loaded yet)."""
    query = select(RepostCluster.id, RepostCluster.signature, RepostCluster.created_at).where(
        col(RepostCluster.created_at) >= since, col(RepostCluster.id) > after_id)
    return session.exec(query.order_by(col(RepostCluster.id))).all()


def cluster_members(session: Session, cluster_id: int) -> Sequence[tuple[Article, Source]]:
    query = select(Article, Source).join(Source).where(Article.cluster_id == cluster_id)
    return session.exec(query).all()
