"""Repost clusters: the copies of one announcement across sources."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from govmon.storage.models import Article, RepostCluster, Source, utcnow

__all__ = ["new_cluster", "clusters_since", "cluster_members"]


def new_cluster(session: Session, article: Article, signature: str = "") -> RepostCluster:
    """Start a cluster with `article` as its first (canonical) copy. Callers hold the "clusters" lock
    (`serialize`), so cluster ids grow in commit order and a reader's id watermark misses none."""
    cluster = RepostCluster(canonical_article_id=article.id, signature=signature, created_at=utcnow())
    session.add(cluster)
    session.flush()
    article.cluster_id = cluster.id
    session.add(article)
    return cluster


def clusters_since(session: Session, since: datetime, after_id: int = 0) -> Sequence[tuple[int, str, datetime]]:
    """(id, signature, created_at) of the clusters created since `since` with an id above `after_id`, in id
    order (what a live index has not loaded yet)."""
    query = select(RepostCluster.id, RepostCluster.signature, RepostCluster.created_at).where(
        col(RepostCluster.created_at) >= since, col(RepostCluster.id) > after_id)
    return session.exec(query.order_by(col(RepostCluster.id))).all()


def cluster_members(session: Session, cluster_id: int) -> Sequence[tuple[Article, Source]]:
    query = select(Article, Source).join(Source).where(Article.cluster_id == cluster_id)
    return session.exec(query).all()
