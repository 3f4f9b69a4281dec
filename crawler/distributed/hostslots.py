"""Politeness across workers: one connection at a time per government host, and the source's delay between
one answer and the next request, whoever makes it. Each host has a slot in Redis, a lock (redis-py's
`Lock`: a token under `SET NX PX`, released or extended only by its holder, by Lua) taken just before the
download and, when the answer or the error comes, left to expire `GOVMON_HOST_DELAY` seconds later. A worker
that dies holding a slot frees it after the download timeout.

Waiting never blocks: a worker's requests for one host take turns locally (only one of them asks Redis), and
the one whose turn it is tries the slot again on a timer (Twisted) while the host is busy; other hosts go on.
The slot is the host of the site's own URL (a mirror or a replay is fetched for that site), and Scrapy's own
per-host delay is set to 0 in a distributed crawl: the shared slot replaces it.
"""
from __future__ import annotations

import random
from typing import Any
from urllib.parse import urlsplit

from redis import Redis
from redis.exceptions import LockError, RedisError
from redis.lock import Lock
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy_redis.connection import get_redis_from_settings
from twisted.internet import defer, task

from govmon.crawler.distributed.keys import Keys

__all__ = ["HostSlotMiddleware", "ORIGINAL"]

ORIGINAL = "govmon_original_url"  # set by the host map: the site's URL of a mirrored request
_BUSY_POLL = 0.02  # seconds between two tries at a slot in use (a download takes as long as it takes)


class HostSlotMiddleware:
    """Downloader middleware (the last before the download): take the host's slot, give it back after."""

    def __init__(self, server: Redis, keys: Keys, delay: float, hold: float, clock: Any = None) -> None:
        self.server, self.keys, self.delay, self.hold = server, keys, max(delay, 0.0), hold
        self.held: dict[int, tuple[Lock, defer.DeferredLock]] = {}  # by id(request): its slot and its turn
        self.turns: dict[str, defer.DeferredLock] = {}  # per host: this worker's requests one at a time
        self.clock = clock  # a Twisted IReactorTime; the crawl's reactor unless given

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostSlotMiddleware:
        settings = crawler.settings
        return cls(get_redis_from_settings(settings), Keys(settings.get("GOVMON_QUEUE_PREFIX")),
                   settings.getfloat("GOVMON_HOST_DELAY"), settings.getfloat("DOWNLOAD_TIMEOUT") + 10.0)

    def process_request(self, request: Request, spider: Spider | None = None) -> Any:
        """Wait for this worker's turn at the host (one request of a worker asks Redis at a time), then
        for the host's slot; Scrapy goes on with the request when the returned Deferred fires."""
        if id(request) in self.held:
            return None
        host = host_of(request)
        turn = self.turns.setdefault(host, defer.DeferredLock())
        return turn.acquire().addCallback(lambda _: self._take(request, host, turn))

    def _take(self, request: Request, host: str, turn: defer.DeferredLock) -> Any:
        lock = self.server.lock(self.keys.host(host), timeout=self.hold, blocking=False, thread_local=False)
        if lock.acquire(blocking=False):
            self.held[id(request)] = (lock, turn)
            return None
        return task.deferLater(self._clock(), self._wait(lock.name), self._take, request, host, turn)

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        self._free(request)
        return response

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None) -> None:
        self._free(request)

    def _wait(self, name: str) -> float:
        """Until the slot is likely free: the rest of its delay when it is cooling down after an answer,
        else (a download in progress) a short while."""
        left = self.server.pttl(name) / 1000
        cooling = 0 < left <= self.delay
        return (left if cooling else _BUSY_POLL) * random.uniform(1.0, 1.25)

    def _free(self, request: Request) -> None:
        lock, turn = self.held.pop(id(request), (None, None))
        if lock is None or turn is None:
            return
        try:
            if self.delay > 0:
                lock.extend(self.delay, replace_ttl=True)
            else:
                lock.release()
        except (LockError, RedisError):
            pass  # held past its expiry (a download longer than the timeout): the slot is free already
        finally:
            turn.release()  # after the slot: the next request of this worker finds it free (or cooling)

    def _clock(self) -> Any:
        if self.clock is None:
            from twisted.internet import (
                reactor,  # the crawl's installed reactor, never installed here
            )
            return reactor
        return self.clock


def host_of(request: Request) -> str:
    """The site's host of a request (the original URL when a host map serves it from elsewhere)."""
    return (urlsplit(request.meta.get(ORIGINAL, request.url)).hostname or "").lower()
