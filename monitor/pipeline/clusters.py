"""The live repost index of a store: is a newly seen article a copy of an announcement we already have?

Aggregators and provincial portals repost the Government's announcements near-verbatim, inside their own
chrome and with a sentence trimmed here and there. The index is `monitor.analysis.dedupe.RepostIndex`
(MinHash LSH candidates, containment check, hard guards on figures, document numbers and provinces) over
the clusters of the last WINDOW_DAYS, built from the signatures stored with each cluster, so the texts are
never reloaded.

Several processes may write one store. Before matching, a writer takes the store's "clusters" lock and loads
the clusters others committed since it last looked (an id watermark: clusters are created under that lock,
so ids grow in commit order). A cluster it creates is staged with its transaction and enters the index only
when that transaction commits; a rollback leaves nothing behind. Clusters older than the window are never
matched, and the index is rebuilt once they make up much of it.
"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

from sqlalchemy import event
from sqlmodel import Session

from govmon.monitor.analysis.dedupe import (
    Features,
    RepostIndex,
    copy_rank,
    features_from_json,
    features_to_json,
)
from govmon.storage import repository as repo
from govmon.storage.models import Article, RepostCluster, Source

__all__ = ["LiveClusters", "WINDOW_DAYS", "join_or_start"]

WINDOW_DAYS = 30  # clusters younger than this are candidates for new copies
_REBUILD = timedelta(days=1)  # rebuild once the oldest indexed cluster left the window this long ago
_STAGED = "govmon_staged_clusters"  # session.info keys: staged (id, features, created), their index, a flag
_LISTENING = "govmon_staged_listening"


def _now() -> datetime:
    return datetime.now(timezone.utc)


class LiveClusters:
    """The repost index of one store, kept for the life of the process and shared by its threads."""

    _by_store: dict[str, LiveClusters] = {}
    _stores_lock = threading.Lock()

    def __init__(self) -> None:
        self.index, self.born, self.watermark = RepostIndex(), {}, 0
        self.lock = threading.Lock()  # the index is one structure per process; the store's lock is serialize()

    @classmethod
    def of(cls, store: str) -> LiveClusters:
        with cls._stores_lock:
            return cls._by_store.setdefault(store, cls())

    def find(self, session: Session, found: Features) -> int | None:
        """The cluster a text with these features is a copy of, or None, seen from `session`'s transaction:
        clusters committed by anyone, and those this transaction created. Takes the store's clusters lock
        for the rest of the transaction, so a cluster created next is created once."""
        repo.serialize(session, "clusters")
        with self.lock:
            self._refresh(session)
            match = self.index.find(found, self._alive)
        if match is None:
            match = _staged_index(session).find(found)
        return int(match) if match is not None else None

    def stage(self, session: Session, cluster_id: int, found: Features, created: datetime) -> None:
        """A cluster created in `session`'s transaction: indexed when it commits, forgotten if it does not."""
        _staged_index(session).insert(str(cluster_id), found)
        session.info.setdefault(_STAGED, []).append((cluster_id, found, created))
        if not session.info.get(_LISTENING):
            session.info[_LISTENING] = True
            event.listen(session, "after_commit", self._committed)
            event.listen(session, "after_rollback", _forget)

    def _committed(self, session: Session) -> None:
        staged = session.info.pop(_STAGED, [])
        session.info.pop(_STAGED + "_index", None)
        with self.lock:
            for cluster_id, found, created in staged:
                self._insert(cluster_id, found, created)

    def _alive(self, cluster: str) -> bool:
        return self.born.get(int(cluster), _now()) >= _now() - timedelta(days=WINDOW_DAYS)

    def _refresh(self, session: Session) -> None:
        """Load what others committed since the last look; rebuild when expired clusters pile up."""
        since = _now() - timedelta(days=WINDOW_DAYS)
        if self.born and min(self.born.values()) < since - _REBUILD:
            self.index, self.born, self.watermark = RepostIndex(), {}, 0
        for cluster_id, stored, created in repo.clusters_since(session, since, self.watermark):
            found = features_from_json(stored) if stored else None
            if found is not None:
                self._insert(cluster_id, found, created)
            self.watermark = max(self.watermark, cluster_id)

    def _insert(self, cluster_id: int, found: Features, created: datetime) -> None:
        if cluster_id not in self.born:
            self.index.insert(str(cluster_id), found)
            self.born[cluster_id] = created
        self.watermark = max(self.watermark, cluster_id)


def _staged_index(session: Session) -> RepostIndex:
    return session.info.setdefault(_STAGED + "_index", RepostIndex())


def _forget(session: Session) -> None:
    session.info.pop(_STAGED, None)
    session.info.pop(_STAGED + "_index", None)


def join_or_start(session: Session, live: LiveClusters, article: Article, found: Features,
                  official: bool) -> tuple[RepostCluster, bool]:
    """The cluster a new `article` joins (an earlier copy's: MinHash LSH candidates, verified, hard guards;
    it becomes the canonical copy when published earlier, an official source first on ties), or the one it
    starts; True when it started it."""
    match = live.find(session, found)
    cluster = session.get(RepostCluster, match) if match is not None else None
    if cluster is not None:
        _join(session, cluster, article, official)
        return cluster, False
    cluster = repo.new_cluster(session, article, features_to_json(found))
    live.stage(session, cluster.id, found, cluster.created_at)
    return cluster, True


def _join(session: Session, cluster: RepostCluster, article: Article, official: bool) -> None:
    article.cluster_id = cluster.id
    session.add(article)
    first = session.get(Article, cluster.canonical_article_id) if cluster.canonical_article_id else None
    theirs = session.get(Source, first.source_id) if first is not None else None
    if first is None or (copy_rank(article.published_at, official, article.first_seen_at)
                         < copy_rank(first.published_at, bool(theirs and theirs.official), first.first_seen_at)):
        cluster.canonical_article_id = article.id
        session.add(cluster)
