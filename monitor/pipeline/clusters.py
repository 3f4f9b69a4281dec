"""Near-duplicate detection: is a newly seen article a repost of one we already have?

Aggregators and provincial portals repost the Government's announcements near-verbatim, inside their own
chrome and with a sentence trimmed here and there. Two articles are one announcement when their
comparison-form texts are close (rapidfuzz) *and* they are about the same documents: "Nghị quyết 71/NQ-CP"
and "Nghị quyết 72/NQ-CP" announcements share most of their wording but must never merge, nor may two
texts that state different figures in the same place (the hard guards of `monitor.analysis.dedupe`).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from rapidfuzz import fuzz
from sqlmodel import Session

from govmon.crawler.extract.normalize import comparison_form
from govmon.monitor.analysis.dedupe import Facts, Features, RepostIndex, compatible, facts_of, features_from_json, token_list
from govmon.storage import repository as repo

__all__ = ["Candidate", "similarity", "same_announcement", "best_match", "THRESHOLD", "LiveClusters"]

THRESHOLD = 80.0
_HEAD = 6000  # characters compared: enough to tell reposts apart, bounded cost on very long pages


@dataclass(frozen=True)
class Candidate:
    """What clustering needs of an article: its key, text and the documents it is about."""

    key: int
    text: str
    subjects: frozenset[str] = frozenset()

    def form(self) -> str:
        return comparison_form(self.text)[:_HEAD]

    def facts(self) -> Facts:
        form = comparison_form(self.text)
        return facts_of(form, token_list(form))


def similarity(a: str, b: str) -> float:
    """0–100: the better of whole-text similarity and, when one text is at least half the other,
    similarity of the shorter text to its best-matching stretch of the longer (a repost that trims)."""
    whole = fuzz.ratio(a, b)
    short, long_ = sorted((a, b), key=len)
    if not short or len(short) * 2 < len(long_):
        return whole
    return max(whole, fuzz.partial_ratio(short, long_))


def _documents_compatible(a: frozenset[str], b: frozenset[str]) -> bool:
    return not a or not b or a <= b or b <= a


def same_announcement(a: Candidate, b: Candidate, threshold: float = THRESHOLD) -> bool:
    if not _documents_compatible(a.subjects, b.subjects) or not compatible(a.facts(), b.facts()):
        return False
    return similarity(a.form(), b.form()) >= threshold


def best_match(new: Candidate, others: Iterable[Candidate], threshold: float = THRESHOLD) -> Candidate | None:
    """The most similar candidate above `threshold` whose documents are compatible, or None."""
    form, facts = new.form(), new.facts()
    scored = [(similarity(form, other.form()), other) for other in others
              if _documents_compatible(new.subjects, other.subjects) and compatible(facts, other.facts())]
    scored = [(score, other) for score, other in scored if score >= threshold]
    return max(scored, key=lambda pair: pair[0])[1] if scored else None


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
