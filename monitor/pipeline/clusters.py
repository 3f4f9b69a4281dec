"""The live repost index of a store: is a newly seen article a copy of an announcement we already have?

Aggregators and provincial portals repost the Government's announcements near-verbatim, inside their own
chrome and with a sentence trimmed here and there. The index is `monitor.analysis.dedupe.RepostIndex`
(MinHash LSH candidates, containment check, hard guards on figures, document numbers and provinces) over
the clusters of the last WINDOW_DAYS, built from the signatures stored with each cluster, so the texts are
never reloaded.

Several processes may write one store. Before matching, a writer takes the store's "clusters" lock and loads
the clusters others committed since it last looked (an id watermark: clusters are created under that lock,
so ids grow in commit order). A cluster it creates is indexed at once but answers only its own transaction
until that commits; a rollback leaves nothing that answers. Clusters older than the window are never
matched, and the index is rebuilt once they make up much of it.
"""
from __future__ import annotations

import itertools
import sys
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import event
from sqlmodel import Session

from govmon.monitor.analysis.dedupe import (
    Facts,
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
_STAGED = "govmon_staged_clusters"  # session.info: index key → (cluster id, created) of this transaction's
_HOLDING = "clusters"  # (repo.memo) this transaction holds the clusters lock and loaded what others committed


def _now() -> datetime:
    return datetime.now(timezone.utc)


class LiveClusters:
    """The repost index of one store, kept for the life of the process and shared by its threads.

    A cluster a transaction creates is indexed at once under a key of its own ("id:serial"), answering only
    for that transaction until it commits (then for everyone, as `born`); when the transaction ends without
    committing, its key is `dead` for good, so an id the database hands out again never finds its text."""

    _by_store: dict[str, LiveClusters] = {}
    _stores_lock = threading.Lock()

    def __init__(self) -> None:
        self.index, self.born, self.watermark = RepostIndex(), {}, 0  # born: committed cluster id → created
        self.dead: set[str] = set()
        self.serial = itertools.count(1)
        self.lock = threading.Lock()  # the index is one structure per process; the store's lock is serialize()

    @classmethod
    def of(cls, store: str) -> LiveClusters:
        with cls._stores_lock:
            found = cls._by_store.get(store)
            if found is None:
                found = cls._by_store[store] = cls()
            return found

    def find(self, session: Session, found: Features) -> int | None:
        """The cluster a text with these features is a copy of, or None, seen from `session`'s transaction:
        clusters committed by anyone, and those this transaction created. Takes the store's clusters lock
        for the rest of the transaction, so a cluster created next is created once; what others committed
        is loaded once, when the transaction takes it (nobody creates clusters while it holds it)."""
        held = repo.memo(session)
        if not held.get(_HOLDING):
            repo.serialize(session, "clusters")
            held[_HOLDING] = True
            with self.lock:
                self._refresh(session)
        alive = self._alive(session.info.get(_STAGED, {}))
        with self.lock:
            match = self.index.find(found, alive)
        return int(match.partition(":")[0]) if match is not None else None

    def stage(self, session: Session, cluster_id: int, found: Features, created: datetime) -> None:
        """A cluster created in `session`'s transaction: found by it at once, by others once it commits."""
        key = f"{cluster_id}:{next(self.serial)}"
        with self.lock:
            self.index.insert(key, _compact(found))
        session.info.setdefault(_STAGED, {})[key] = (cluster_id, created)
        if not event.contains(session, "after_commit", self._committed):
            event.listen(session, "after_commit", self._committed)
            event.listen(session, "after_transaction_end", self._ended)

    def _committed(self, session: Session) -> None:
        staged = session.info.pop(_STAGED, {})
        with self.lock:
            for cluster_id, created in staged.values():
                self.born.setdefault(cluster_id, created)
                self.watermark = max(self.watermark, cluster_id)

    def _ended(self, session: Session, transaction: Any) -> None:
        """Clusters staged by a transaction that ended without committing: their keys never answer again."""
        if transaction.parent is not None:  # a savepoint's end: the transaction goes on
            return
        staged = session.info.pop(_STAGED, {})
        with self.lock:
            self.dead.update(staged)

    def _alive(self, staged: dict[str, tuple[int, datetime]]) -> Callable[[str], bool]:
        """Whether an index key may answer a transaction that staged `staged`: its own clusters, and those
        committed within the window."""
        since = _now() - timedelta(days=WINDOW_DAYS)

        def alive(key: str) -> bool:
            if key in staged:
                return True
            created = self.born.get(int(key.partition(":")[0]))
            return created is not None and created >= since and key not in self.dead
        return alive

    def _refresh(self, session: Session) -> None:
        """Load what others committed since the last look; rebuild when expired clusters pile up."""
        since = _now() - timedelta(days=WINDOW_DAYS)
        if self.born and min(self.born.values()) < since - _REBUILD:
            self.index, self.born, self.watermark = RepostIndex(), {}, 0
        for cluster_id, stored, created in repo.clusters_since(session, since, self.watermark):
            found = features_from_json(stored) if stored else None
            if found is not None and cluster_id not in self.born:
                self.index.insert(str(cluster_id), _compact(found))
                self.born[cluster_id] = created
            self.watermark = max(self.watermark, cluster_id)


def _compact(found: Features) -> Features:
    """The features as the index keeps them for the life of the process: the words and figures of their guard
    facts interned (texts that repeat an announcement's template share them), about half the memory."""
    facts = found.facts
    kept = Facts(tuple((sys.intern(a), sys.intern(b)) for a, b in facts.figures),
                 tuple(sys.intern(sign) for sign in facts.signs), tuple(sys.intern(p) for p in facts.provinces))
    return Features(found.signature, found.size, kept)


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
    repo.set_cluster(session, article, cluster.id or 0)
    first = session.get(Article, cluster.canonical_article_id) if cluster.canonical_article_id else None
    theirs = session.get(Source, first.source_id) if first is not None else None
    if first is None or (copy_rank(article.published_at, official, article.first_seen_at)
                         < copy_rank(first.published_at, bool(theirs and theirs.official), first.first_seen_at)):
        cluster.canonical_article_id = article.id
        session.add(cluster)
