"""Distributed backfills: the Scrapy side. A backfill's requests live in a shared Redis queue (scrapy-redis's
scheduler and dupefilter, configured by settings only), and crawl processes on any number of machines take
them from it: `QueueSpider` (the source spider, fed by the queue), `LeasedQueue` (requests held, not popped
for good, until the monitor has stored what they produced), `HostSlotMiddleware` (one connection and the
source's delay per host, across every worker) and `seed` (the walk's start requests, queued once).

`queue_settings` turns a crawl's settings into a worker's; `crawler.run` uses it for a spec with a
``queue``. The monitor side (jobs, workers, progress) is `govmon.monitor.service.distributed`.
"""
from __future__ import annotations

import re
from typing import Any

from scrapy.settings import Settings

from govmon.crawler.distributed.keys import DEFAULT_PREFIX, Keys
from govmon.crawler.distributed.leases import LEASE, LeasedQueue, Leases
from govmon.crawler.distributed.spider import QueueSpider, seed

__all__ = ["queue_settings", "valid_prefix", "Keys", "Leases", "LeasedQueue", "QueueSpider", "seed", "LEASE",
           "DEFAULT_PREFIX"]

_PREFIX = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_HERE = "govmon.crawler.distributed"
HOST_SLOT_ORDER = 990  # the last downloader middleware before the download itself


def valid_prefix(prefix: str) -> bool:
    """Key prefixes are plain names (they are spliced into scrapy-redis's key templates).

    >>> [valid_prefix(p) for p in ("govmon", "test-1.a", "a b", "%(spider)s", "")]
    [True, True, False, False, False]
    """
    return bool(_PREFIX.fullmatch(prefix))


def queue_settings(settings: Settings, queue: dict[str, Any], priority: int) -> None:
    """Make `settings` (a crawl's, from `crawler.run.build_settings`) a queue worker's, at `priority`:
    queue = {"url": "redis://…", "prefix": "govmon", "worker": "<id>"}. The source's delay moves from
    Scrapy's per-process slot to the shared host slot; items are processed one at a time, in order."""
    prefix = queue.get("prefix") or DEFAULT_PREFIX
    if not valid_prefix(prefix):
        raise ValueError(f"bad queue prefix {prefix!r}")
    template = Keys(prefix).source("%(spider)s")
    middlewares = {**settings.getdict("DOWNLOADER_MIDDLEWARES"), f"{_HERE}.hostslots.HostSlotMiddleware": HOST_SLOT_ORDER}
    values = {
        "SCHEDULER": f"{_HERE}.scheduler.LeasedScheduler", "SCHEDULER_QUEUE_CLASS": f"{_HERE}.leases.LeasedQueue",
        "SCHEDULER_QUEUE_KEY": template.requests, "SCHEDULER_DUPEFILTER_KEY": template.dupefilter,
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter", "SCHEDULER_PERSIST": True,
        "REDIS_URL": queue["url"], "GOVMON_QUEUE_PREFIX": prefix, "GOVMON_QUEUE_WORKER": queue.get("worker", ""),
        "GOVMON_HOST_DELAY": settings.getfloat("DOWNLOAD_DELAY"), "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
        "CONCURRENT_ITEMS": 1, "DOWNLOADER_MIDDLEWARES": middlewares,
    }
    for name, value in values.items():
        settings.set(name, value, priority=priority)
