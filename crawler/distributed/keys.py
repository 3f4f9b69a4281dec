"""The Redis keys of a distributed backfill, in one place: the crawl side (queue, leases, host slots) and the
monitor side (jobs, workers, progress) name them through `Keys`, so the two never disagree.

Every key starts with the queue's prefix (``govmon`` unless chosen), so several deployments, or tests, share
one Redis without meeting. Per source: its request queue (a sorted set, scrapy-redis's), its dupefilter
(scrapy-redis's), the leases of the requests being processed, the chains of list pages past ``since``, and
its counters.

>>> keys = Keys("govmon")
>>> keys.source("vanban").requests, keys.alive("host:42:ab"), keys.host("vanban.chinhphu.vn")
('govmon:src:vanban:requests', 'govmon:alive:host:42:ab', 'govmon:host:vanban.chinhphu.vn')
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Keys", "SourceKeys", "DEFAULT_PREFIX"]

DEFAULT_PREFIX = "govmon"


@dataclass(frozen=True)
class SourceKeys:
    """The keys of one source's queue."""

    base: str

    @property
    def requests(self) -> str:
        """Sorted set: encoded request -> -priority (scrapy-redis's PriorityQueue layout)."""
        return f"{self.base}:requests"

    @property
    def dupefilter(self) -> str:
        """Set of request fingerprints (scrapy-redis's RFPDupeFilter)."""
        return f"{self.base}:dupefilter"

    @property
    def leases(self) -> str:
        """Hash: lease token -> the encoded request being processed."""
        return f"{self.base}:leases"

    @property
    def owners(self) -> str:
        """Hash: lease token -> "<score> <worker>" (its priority, and who holds it)."""
        return f"{self.base}:owners"

    @property
    def attempts(self) -> str:
        """Hash: encoded request -> times it went back to the queue because its worker died."""
        return f"{self.base}:attempts"

    @property
    def failed(self) -> str:
        """List of the requests given up on (their workers died too often while holding them)."""
        return f"{self.base}:failed"

    @property
    def past(self) -> str:
        """Set of the chains of list pages whose walk is past ``since`` (shared by every worker)."""
        return f"{self.base}:past"

    @property
    def files(self) -> str:
        """Hash: fingerprint of a file's request -> the article that claimed it (fetches it, with itself)."""
        return f"{self.base}:files"

    @property
    def stats(self) -> str:
        """Hash of counters: seeded, done, failed, requeued, given_up, dropped."""
        return f"{self.base}:stats"

    def work(self) -> tuple[str, ...]:
        """The keys a finished job leaves nothing in (cleared when the next job of the source starts)."""
        return (self.requests, self.dupefilter, self.leases, self.owners, self.attempts, self.past, self.files)


@dataclass(frozen=True)
class Keys:
    """The keys under one prefix."""

    prefix: str = DEFAULT_PREFIX

    def source(self, name: str) -> SourceKeys:
        return SourceKeys(f"{self.prefix}:src:{name}")

    def alive(self, worker: str) -> str:
        """A worker's heartbeat (expires when the worker stops refreshing it: its leases are then free)."""
        return f"{self.prefix}:alive:{worker}"

    def host(self, host: str) -> str:
        """The connection slot of a host (one at a time across every worker, then the source's delay)."""
        return f"{self.prefix}:host:{host}"

    @property
    def jobs(self) -> str:
        """Hash: source -> its job (JSON: window, pages, notify, queued and finished times)."""
        return f"{self.prefix}:jobs"

    @property
    def workers(self) -> str:
        """Hash: worker -> what it is (JSON: host, pid, sources, started, last seen)."""
        return f"{self.prefix}:workers"

    def worker_stats(self, worker: str) -> str:
        """Hash of a worker's counters: done, failed, per source too (``done:<source>``)."""
        return f"{self.prefix}:worker:{worker}:stats"
