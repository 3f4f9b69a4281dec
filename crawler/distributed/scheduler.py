"""scrapy-redis's scheduler over the leased queue: the dupefilter's test and the push are one atomic step in
Redis (`LeasedQueue.push_unseen`), so a worker killed between them cannot leave a page seen and never queued;
a held request that comes back (a retry, a redirect, a mapped URL) and is refused (a redirect to a page
already queued) is acknowledged as "dropped", not left held for ever."""
from __future__ import annotations

from scrapy import Request
from scrapy_redis.scheduler import Scheduler


__all__ = ["LeasedScheduler"]


class LeasedScheduler(Scheduler):
    def enqueue_request(self, request: Request) -> bool:
        fingerprint = "" if request.dont_filter else self.df.request_fingerprint(request)
        if not self.queue.push_unseen(request, fingerprint):
            self.df.log(request, self.spider)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis", spider=self.spider)
        return True
