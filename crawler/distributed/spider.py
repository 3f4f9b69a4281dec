"""The source spider of a distributed backfill: `SourceSpider`'s navigation and extraction, unchanged, fed by
the shared queue instead of its start URLs (`seed` puts those in the queue once, for every worker).

What it adds: every item names its source (one crawl process serves several), and every request it handles
ends with a ``done`` item carrying the request's lease, written after everything the request produced (its
items through the pipeline, its follow-up requests into the queue: `CONCURRENT_ITEMS` is 1), so the monitor
acknowledges the lease only once it has stored all of it. An article's files are fetched by the worker that
read the article, under the article's lease, and their items follow the article's: the monitor stores a
file with its article, which another worker's monitor might not have stored yet (a file is fetched once per
job, for the first article that links it, as one process's dupefilter would have it). The chains of list pages past ``since`` are kept in
Redis (one worker reads the page whose last article another worker found too old). It stays open while any
worker still holds a request of its source (that request may add more) and closes when the source's queue is
drained.
"""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from redis import Redis
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.dupefilter import RFPDupeFilter
from twisted.python.failure import Failure

from govmon.crawler.distributed.keys import Keys
from govmon.crawler.distributed.leases import LEASE, LeasedQueue, Leases
from govmon.crawler.sources import Source
from govmon.crawler.spiders.portal import SourceSpider, problem

__all__ = ["QueueSpider", "SharedSet", "seed"]

IDLE_POLL = 0.2  # seconds between two looks at an empty queue while other workers still hold requests


class SharedSet:
    """A Redis set with the two operations the spider uses on its `past` chains."""

    def __init__(self, server: Redis, key: str) -> None:
        self.server, self.key = server, key

    def __contains__(self, member: object) -> bool:
        return bool(self.server.sismember(self.key, str(member)))

    def add(self, member: str) -> None:
        self.server.sadd(self.key, member)


class QueueSpider(SourceSpider):
    """A `SourceSpider` whose requests come from the shared queue of its source."""

    queue_prefix = Keys().prefix
    queue_worker = ""

    def bind(self, server: Redis, prefix: str, worker: str = "") -> None:
        """Share the walk's state through `server` under `prefix`; `worker` names who holds the leases."""
        self.queue_prefix, self.queue_worker, self.server = prefix, worker, server
        self.past = SharedSet(server, Keys(prefix).source(self.name).past)  # type: ignore[assignment]
        self.leases = Leases.of(server, prefix, self.name)
        self.files = RFPDupeFilter(server, self.leases.keys.files)  # its fingerprints only

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> QueueSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.bind(get_redis_from_settings(settings), settings.get("GOVMON_QUEUE_PREFIX"),
                    settings.get("GOVMON_QUEUE_WORKER"))
        crawler.signals.connect(spider.idle, signal=signals.spider_idle)
        return spider

    async def start(self) -> Any:
        """Nothing of its own: the queue holds the start requests (`seed`)."""
        return
        yield  # an async generator

    # --- every callback and the errback: items named, the lease's "done" last ---------------------------

    def parse_list(self, response: Response) -> Iterator[Any]:
        yield from self._handled(response.request, super().parse_list, response)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        yield from self._handled(response.request, super().parse_feed, response)

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        yield from self._handled(response.request, super().parse_sitemap, response)

    async def parse_article(self, response: Response) -> AsyncIterator[Any]:
        """The article, then its files, fetched here (`_file`), then the lease's "done"."""
        try:
            outputs = await self._with_files(response)
        except Exception as exc:  # noqa: BLE001 - as in _handled: a bug must not hold the lease for ever
            outputs = [problem(response.url, "error", f"{type(exc).__name__}: {exc}")]
        for out in self._handled(response.request, iter, outputs):
            yield out

    async def _with_files(self, response: Response) -> list[Any]:
        outputs: list[Any] = []
        for out in SourceSpider.parse_article(self, response):
            if isinstance(out, Request) and "article_url" in out.meta:
                outputs += await self._file(out)
            else:
                outputs.append(out)
        return outputs

    async def _file(self, request: Request) -> list[Any]:
        """A file of the article, downloaded through every downloader middleware (the guard, the host
        slot), read as `parse_attachment` reads it; failures are problems, as `failed` makes them."""
        if not self._claimed(request):
            return []
        try:
            response = await self.crawler.engine.download_async(request)
        except Exception as exc:  # noqa: BLE001 - a refused or failed download is the file's problem item
            failure = Failure(exc)
            failure.request = request  # type: ignore[attr-defined]
            return list(SourceSpider.failed(self, failure))
        if response.status >= 400:
            return [problem(request.url, "http_error", f"HTTP {response.status}", status=response.status)]
        return list(SourceSpider.parse_attachment(self, response))

    def _claimed(self, request: Request) -> bool:
        """Whether this article fetches the file: the first article of the job to link it does (again when
        its request is handled again after a worker died)."""
        fingerprint, article = self.files.request_fingerprint(request), request.meta["article_url"]
        key = self.leases.keys.files
        return bool(self.server.hsetnx(key, fingerprint, article)) or self.server.hget(key, fingerprint) == article.encode()

    def parse_attachment(self, response: Response) -> Iterator[Any]:
        yield from self._handled(response.request, super().parse_attachment, response)

    def failed(self, failure: Failure) -> Iterator[Any]:
        yield from self._handled(failure.request, super().failed, failure)  # type: ignore[attr-defined]

    def _handled(self, request: Request | None, work: Callable[[Any], Any], arg: Any) -> Iterator[Any]:
        """`work`'s output, items named by source; a callback that raises gives a problem, never a lost
        lease; then the lease's "done" (failed: the request gave a problem)."""
        bad = False
        try:
            for out in work(arg):
                if isinstance(out, dict):
                    bad = bad or out.get("type") == "problem"
                    out = {**out, "source": self.name}
                yield out
        except Exception as exc:  # noqa: BLE001 - a bug in one page's handling must not hold its lease for ever
            bad = True
            yield {**problem(request.url if request else "", "error", f"{type(exc).__name__}: {exc}"), "source": self.name}
        token = request.meta.get(LEASE) if request is not None else None
        if token and not (bad and self._stopping()):  # a failure while stopping may be the stop's: retried
            yield {"type": "done", "source": self.name, "lease": token, "failed": bad,
                   "url": request.url if request else ""}

    def _stopping(self) -> bool:
        crawler = getattr(self, "crawler", None)
        return crawler is not None and not crawler.crawling

    # --- staying open while others work ------------------------------------------------------------------

    def idle(self) -> None:
        """spider_idle: requests of dead workers back to the queue; closed when nothing is queued or held."""
        self.leases.reap()
        if self.leases.drained():
            return
        self._wake_later()
        raise DontCloseSpider

    def _wake_later(self) -> None:
        """Ask the engine for the next request soon (it polls an idle scheduler every 5 s on its own). The
        engine's slot is Scrapy's own: without it (another Scrapy) the 5 s poll remains."""
        slot = getattr(getattr(getattr(self, "crawler", None), "engine", None), "_slot", None)
        if slot is None or not hasattr(slot, "nextcall"):
            return
        from twisted.internet import reactor  # the crawl's installed reactor, never installed here
        reactor.callLater(IDLE_POLL, slot.nextcall.schedule)


def seed(server: Redis, prefix: str, source: Source, walk: dict[str, Any]) -> int:
    """Queue the start requests of a walk of `source` (list pages, feeds, sitemaps, archive entries) that
    its dupefilter has not seen; how many."""
    spider = QueueSpider(source, walk=walk)
    spider.bind(server, prefix)
    queue = LeasedQueue(server, spider, spider.leases.keys.requests)
    seen = RFPDupeFilter(server, spider.leases.keys.dupefilter)
    count = 0
    for request in asyncio.run(_collect(SourceSpider.start(spider))):
        count += queue.push_unseen(request, seen.request_fingerprint(request))
    return count


async def _collect(requests: Any) -> list[Request]:
    return [request async for request in requests]
