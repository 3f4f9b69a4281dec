"""The live repost index of a store: is a newly seen article a copy of an announcement we already have?

Aggregators and provincial portals repost the Government's announcements near-verbatim, inside their own
chrome and with a sentence trimmed here and there. The index is `monitor.analysis.dedupe.RepostIndex`
(MinHash LSH candidates, containment check, hard guards on figures, document numbers and provinces) over
the clusters of the last WINDOW_DAYS, rebuilt from the signatures stored with each cluster, so the texts
themselves are never reloaded.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlmodel import Session

from govmon.monitor.analysis.dedupe import Features, RepostIndex, features_from_json
from govmon.storage import repository as repo

__all__ = ["LiveClusters", "WINDOW_DAYS"]

WINDOW_DAYS = 30  # clusters younger than this are candidates for new copies


class LiveClusters:
    """The repost index of one store, kept in memory for the life of the process: loaded once from the
    signatures stored with recent clusters, then updated as clusters are created (the ingestor is the only
    writer, one item at a time). Candidate search costs the same with a thousand or a million articles."""

    _by_store: dict[str, LiveClusters] = {}

    def __init__(self) -> None:
        self.index = RepostIndex()

    @classmethod
    def of(cls, session: Session, store: str) -> LiveClusters:
        live = cls._by_store.get(store)
        if live is None:
            live = cls._by_store[store] = cls()
            live._load(session)
        return live

    def _load(self, session: Session) -> None:
        since = datetime.now(timezone.utc) - timedelta(days=WINDOW_DAYS)
        for cluster_id, stored in repo.recent_clusters(session, since):
            found = features_from_json(stored) if stored else None
            if found is not None:
                self.index.insert(str(cluster_id), found)

    def find(self, found: Features) -> int | None:
        """The cluster a text with these features (`dedupe.features`) is a copy of, or None."""
        match = self.index.find(found)
        return int(match) if match is not None else None

    def add(self, cluster_id: int, found: Features) -> None:
        self.index.insert(str(cluster_id), found)
