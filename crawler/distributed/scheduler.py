"""scrapy-redis's scheduler, with one addition for leases: a held request that comes back to the scheduler
(a retry, a redirect, a mapped URL) and that the dupefilter refuses (a redirect to a page already queued) is
acknowledged as "dropped", not left held for ever."""
from __future__ import annotations

from scrapy import Request
from scrapy_redis.scheduler import Scheduler

from govmon.crawler.distributed.leases import LEASE

__all__ = ["LeasedScheduler"]


class LeasedScheduler(Scheduler):
    def enqueue_request(self, request: Request) -> bool:
        token = request.meta.get(LEASE)
        if super().enqueue_request(request):
            return True
        if token:
            self.queue.leases.ack(token, "dropped")
        return False
