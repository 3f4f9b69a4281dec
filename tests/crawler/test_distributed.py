"""The crawl side of distributed backfills, on a real Redis (a fresh key prefix per test): requests travel as
JSON; the leased queue hands each request to one worker and forgets it only when acknowledged, puts back
what a stopped or dead worker held (and gives up on a request whose workers keep dying); the scheduler
acknowledges a held request the dupefilter refuses; the spider names its items, ends each request with its
lease's "done", shares its past-since chains; seeding queues the start requests once; one connection and the
source's delay per host across workers; the settings that make a crawl a worker.

Needs Redis (127.0.0.1:6379, or GOVMON_TEST_REDIS): skipped without it, failed when GOVMON_REQUIRE_SERVICES=1.
"""
from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Iterator

import pytest
from redis import Redis
from scrapy import Request
from scrapy.crawler import CrawlerRunner
from scrapy.exceptions import DontCloseSpider
from scrapy.http import HtmlResponse
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy.utils.request import request_from_dict
from twisted.internet import defer, task
from twisted.python.failure import Failure

from govmon.crawler.distributed import codec, queue_settings, seed
from govmon.crawler.distributed.hostslots import HostSlotMiddleware
from govmon.crawler.distributed.keys import Keys
from govmon.crawler.distributed.leases import LEASE, MAX_ATTEMPTS, LeasedQueue, Leases
from govmon.crawler.distributed.scheduler import LeasedScheduler
from govmon.crawler.distributed.spider import QueueSpider
from govmon.crawler.extract.rules import ArticleRule, ListRule
from govmon.crawler.run import build_settings, queue_crawlers
from govmon.crawler.sources import Source
from conftest import unavailable

REDIS_URL = os.environ.get("GOVMON_TEST_REDIS", "redis://127.0.0.1:6379/0")
HOST = "https://two.gov.vn"
TWO = Source(name="two", title="Two lists", kind="news", hosts=("two.gov.vn",), start_urls=(f"{HOST}/a", f"{HOST}/b"),
             list=ListRule(links="a.item", next_page="a.next", max_pages=3, feeds=(f"{HOST}/rss",)),
             article=ArticleRule(title="h1", body="div.body", published="span.date", date_formats=("%d/%m/%Y",)))
WALK = {"max_pages": 3, "since": "2025-03-01T00:00:00+07:00", "until": ""}


@pytest.fixture
def redis() -> Iterator[tuple[Redis, str]]:
    """Redis and a fresh key prefix (every key under it removed afterwards)."""
    server = Redis.from_url(REDIS_URL)
    try:
        server.ping()
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "no Redis here"
        unavailable("Redis", exc)
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    yield server, prefix
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)


def _spider(server: Redis, prefix: str, worker: str = "w1") -> QueueSpider:
    spider = QueueSpider(TWO, walk=WALK)
    spider.bind(server, prefix, worker)
    return spider


def _alive(server: Redis, prefix: str, worker: str) -> None:
    server.set(Keys(prefix).alive(worker), "1", px=60_000)


def _queue(server: Redis, prefix: str, worker: str = "w1") -> LeasedQueue:
    spider = _spider(server, prefix, worker)
    return LeasedQueue(server, spider, spider.leases.keys.requests)


# --- requests as JSON ------------------------------------------------------------------------------------

def test_a_request_travels_as_json_and_comes_back_whole():
    spider = QueueSpider(TWO, walk=WALK)
    request = Request(f"{HOST}/a?x=1", callback=spider.parse_list, errback=spider.failed, priority=1,
                      headers={"If-None-Match": '"abc"'}, body=b"\x00\xff",
                      meta={"chain": f"{HOST}/a", "page": 2, "page_params": {"zone": "7"}, "walked": 2})
    data = codec.dumps(request.to_dict(spider=spider))
    assert b"cos\nsystem" not in data and data.startswith(b"{")  # JSON, never a pickle
    again = request_from_dict(codec.loads(data), spider=spider)
    assert (again.url, again.callback, again.errback, again.priority, again.body, again.meta) == (
        request.url, spider.parse_list, spider.failed, 1, b"\x00\xff", request.meta)
    assert again.headers.get("If-None-Match") == b'"abc"'


# --- leases ------------------------------------------------------------------------------------------------

def test_each_request_goes_to_one_worker_and_stays_held_until_acknowledged(redis):
    server, prefix = redis
    _alive(server, prefix, "w1"), _alive(server, prefix, "w2")
    first, second = _queue(server, prefix, "w1"), _queue(server, prefix, "w2")
    first.push(Request(f"{HOST}/page", priority=0))
    first.push(Request(f"{HOST}/article", priority=1))
    taken = first.pop()
    assert taken.url == f"{HOST}/article" and taken.meta[LEASE]  # the higher priority first
    assert second.pop().url == f"{HOST}/page" and second.pop() is None and len(first) == 0
    keys = first.leases.keys
    assert server.hget(keys.owners, taken.meta[LEASE]).decode().endswith(" w1")
    assert not first.leases.drained()
    assert first.leases.ack(taken.meta[LEASE]) and not first.leases.ack(taken.meta[LEASE])  # once
    assert int(server.hget(keys.stats, "done")) == 1 and server.hlen(keys.leases) == 1  # w2's still held


def test_a_held_request_pushed_again_moves_its_lease_back_to_the_queue(redis):
    server, prefix = redis
    _alive(server, prefix, "w1")
    queue = _queue(server, prefix)
    queue.push(Request(f"{HOST}/page"))
    held = queue.pop()
    retry = held.replace(dont_filter=True, meta={**held.meta, "retry_times": 1})  # as RetryMiddleware makes it
    queue.push(retry)
    assert server.hlen(queue.leases.keys.owners) == 0 and len(queue) == 1
    again = queue.pop()
    assert again.meta["retry_times"] == 1 and again.meta[LEASE] != held.meta[LEASE]


def test_a_stopped_worker_puts_back_what_it_holds_at_once(redis):
    server, prefix = redis
    _alive(server, prefix, "w1"), _alive(server, prefix, "w2")
    one, two = _queue(server, prefix, "w1"), _queue(server, prefix, "w2")
    for n in range(3):
        one.push(Request(f"{HOST}/{n}"))
    one.pop(), one.pop(), two.pop()
    assert one.leases.release("w1") == 2 and len(one) == 2 and server.hlen(one.leases.keys.owners) == 1
    assert server.hget(one.leases.keys.attempts, next(iter(server.zrange(one.key, 0, 0)))) is None  # not counted


def test_a_dead_workers_requests_go_back_and_one_that_kills_every_worker_is_given_up(redis):
    server, prefix = redis
    queue = _queue(server, prefix, "mortal")
    queue.push(Request(f"{HOST}/poison"))
    for attempt in range(1, MAX_ATTEMPTS + 1):
        _alive(server, prefix, "mortal")
        assert queue.pop().url == f"{HOST}/poison"
        server.delete(Keys(prefix).alive("mortal"))  # the worker dies holding it: its heartbeat expires
        assert queue.leases.reap() == 1
        assert len(queue) == (1 if attempt < MAX_ATTEMPTS else 0)
    keys = queue.leases.keys
    assert server.llen(keys.failed) == 1 and int(server.hget(keys.stats, "given_up")) == 1
    assert int(server.hget(keys.stats, "requeued")) == MAX_ATTEMPTS - 1 and queue.leases.drained()


def test_taking_a_request_first_puts_back_those_of_dead_workers(redis):
    server, prefix = redis
    _alive(server, prefix, "alive")
    dead, living = _queue(server, prefix, "dead"), _queue(server, prefix, "alive")
    dead.push(Request(f"{HOST}/only"))
    server.set(Keys(prefix).alive("dead"), "1", px=50)
    assert dead.pop().url == f"{HOST}/only"
    assert living.pop() is None  # still held by a worker that is alive
    time.sleep(0.1)
    assert living.pop().url == f"{HOST}/only"  # its heartbeat expired: the request came back, to us


def test_the_scheduler_acknowledges_a_held_request_its_dupefilter_refuses(redis):
    server, prefix = redis
    _alive(server, prefix, "w1")
    spider = _spider(server, prefix)
    seen = RFPDupeFilter(server, spider.leases.keys.dupefilter)
    scheduler = LeasedScheduler(server, persist=True, queue_cls="govmon.crawler.distributed.leases.LeasedQueue",
                                dupefilter=seen)
    scheduler.open(spider)
    assert scheduler.enqueue_request(Request(f"{HOST}/target"))
    first = scheduler.next_request()
    assert scheduler.enqueue_request(Request(f"{HOST}/page"))
    held = scheduler.next_request()
    redirect = held.replace(url=f"{HOST}/target")  # a redirect to a page already queued: filtered
    assert not scheduler.enqueue_request(redirect)
    keys = spider.leases.keys
    assert int(server.hget(keys.stats, "dropped")) == 1 and server.hexists(keys.owners, first.meta[LEASE])
    assert not server.hexists(keys.owners, held.meta[LEASE])


def test_seen_and_queued_are_one_step_a_seen_request_is_refused_and_changes_nothing(redis):
    server, prefix = redis
    queue = _queue(server, prefix)
    seen = RFPDupeFilter(server, queue.leases.keys.dupefilter)
    request = Request(f"{HOST}/x1")
    fingerprint = seen.request_fingerprint(request)
    assert queue.push_unseen(request, fingerprint)
    assert server.sismember(queue.leases.keys.dupefilter, fingerprint) and len(queue) == 1
    assert not queue.push_unseen(Request(f"{HOST}/x1", priority=5), fingerprint)
    assert [score for _, score in server.zrange(queue.key, 0, -1, withscores=True)] == [0]  # the refused one: not there
    assert queue.push_unseen(Request(f"{HOST}/x1", priority=1, dont_filter=True), "")  # unfiltered: queued anyway
    assert len(queue) == 2


def test_the_scheduler_checks_and_queues_through_the_atomic_step(redis, monkeypatch):
    server, prefix = redis
    spider = _spider(server, prefix)
    seen = RFPDupeFilter(server, spider.leases.keys.dupefilter)
    scheduler = LeasedScheduler(server, persist=True, queue_cls="govmon.crawler.distributed.leases.LeasedQueue",
                                dupefilter=seen)
    scheduler.open(spider)
    monkeypatch.setattr(seen, "request_seen", lambda request: pytest.fail("a separate 'seen' step"))
    assert scheduler.enqueue_request(Request(f"{HOST}/y1"))
    assert not scheduler.enqueue_request(Request(f"{HOST}/y1"))
    assert len(scheduler.queue) == 1


# --- the spider --------------------------------------------------------------------------------------------

def _response(request: Request, body: bytes) -> HtmlResponse:
    return HtmlResponse(url=request.url, body=body, encoding="utf-8", request=request)


LIST_PAGE = (f'<a class="item" href="{HOST}/x1">1</a><a class="item" href="{HOST}/x2">2</a>'
             f'<a class="next" href="{HOST}/a?page=2">sau</a>').encode()


def test_every_item_names_its_source_and_the_leases_done_comes_last(redis):
    server, prefix = redis
    spider = _spider(server, prefix)
    request = Request(f"{HOST}/a", meta={"chain": f"{HOST}/a", "page": 1, "walked": 1, LEASE: "t1"})
    out = list(spider.parse_list(_response(request, LIST_PAGE)))
    items = [x for x in out if isinstance(x, dict)]
    assert [i["type"] for i in items] == ["list", "done"] and {i["source"] for i in items} == {"two"}
    assert items[-1] == {"type": "done", "source": "two", "lease": "t1", "failed": False, "url": f"{HOST}/a"}
    assert out[-1] is items[-1]  # after the follow-up requests too
    assert sorted(r.url for r in out if isinstance(r, Request)) == [f"{HOST}/a?page=2", f"{HOST}/x1", f"{HOST}/x2"]


def test_a_callback_that_raises_gives_a_problem_and_still_ends_its_lease(redis, monkeypatch):
    server, prefix = redis
    spider = _spider(server, prefix)

    def broken(response):
        yield {"type": "list", "url": response.url, "links": []}
        raise RuntimeError("a bug")

    monkeypatch.setattr("govmon.crawler.spiders.portal.SourceSpider.parse_list", lambda self, r: broken(r))
    request = Request(f"{HOST}/a", meta={LEASE: "t2"})
    items = list(spider.parse_list(_response(request, b"<html></html>")))
    assert [i["type"] for i in items] == ["list", "problem", "done"]
    assert items[1]["detail"] == "RuntimeError: a bug" and items[2]["failed"] is True


def test_a_download_failure_ends_its_lease_as_failed(redis):
    server, prefix = redis
    spider = _spider(server, prefix)
    failure = Failure(ConnectionRefusedError("refused"))
    failure.request = Request(f"{HOST}/x1", meta={LEASE: "t3"})
    items = list(spider.failed(failure))
    assert [i["type"] for i in items] == ["problem", "done"] and items[1]["failed"] is True
    assert items[0]["source"] == "two"


def test_a_chain_past_since_on_one_worker_ends_on_every_worker(redis):
    server, prefix = redis
    one, two = _spider(server, prefix, "w1"), _spider(server, prefix, "w2")
    article = Request(f"{HOST}/x2", meta={"chain": f"{HOST}/a", "last": True})
    old = b"<html><h1>Tin cu</h1><span class='date'>01/01/2025</span><div class='body'><p>Noi dung cu.</p></div></html>"
    asyncio.run(_all(one.parse_article(_response(article, old))))  # one worker reads the page's last article: too old
    page2 = Request(f"{HOST}/a?page=2", meta={"chain": f"{HOST}/a", "page": 2, "walked": 2, LEASE: "t4"})
    out = list(two.parse_list(_response(page2, LIST_PAGE)))
    assert out[0]["past_since"] is True and [x["type"] for x in out] == ["list", "done"]  # no requests


async def _all(outputs) -> list:
    return [out async for out in outputs]


def test_a_file_is_fetched_for_the_first_article_that_links_it_and_again_for_that_one(redis):
    server, prefix = redis
    one, two = _spider(server, prefix, "w1"), _spider(server, prefix, "w2")
    first = Request(f"{HOST}/files/1.pdf", meta={"article_url": f"{HOST}/x1"})
    other = Request(f"{HOST}/files/1.pdf", meta={"article_url": f"{HOST}/x2"})
    assert one._claimed(first) and not two._claimed(other)
    assert two._claimed(first.replace())  # x1 handled again (its worker died): it fetches its file again
    assert one._claimed(Request(f"{HOST}/files/2.pdf", meta={"article_url": f"{HOST}/x2"}))


def test_an_article_without_files_is_read_then_done(redis):
    server, prefix = redis
    spider = _spider(server, prefix)
    page = b"<html><h1>Tin moi</h1><span class='date'>02/04/2025</span><div class='body'><p>Noi dung moi.</p></div></html>"
    request = Request(f"{HOST}/x1", meta={LEASE: "t5"})
    items = asyncio.run(_all(spider.parse_article(_response(request, page))))
    assert [i["type"] for i in items] == ["article", "done"] and items[0]["source"] == "two"


def test_seeding_queues_the_start_requests_once(redis):
    server, prefix = redis
    assert seed(server, prefix, TWO, WALK) == 3  # two start URLs and a feed
    assert seed(server, prefix, TWO, WALK) == 0  # the dupefilter has them
    queue = _queue(server, prefix)
    _alive(server, prefix, "w1")
    taken = [queue.pop() for _ in range(3)]
    assert sorted(r.url for r in taken) == [f"{HOST}/a", f"{HOST}/b", f"{HOST}/rss"]
    assert {r.callback.__name__ for r in taken} == {"parse_list", "parse_feed"}
    assert {r.meta["chain"] for r in taken} == {f"{HOST}/a", f"{HOST}/b", f"{HOST}/rss"}


def test_an_idle_spider_stays_open_while_requests_are_held_and_closes_when_drained(redis):
    server, prefix = redis
    _alive(server, prefix, "w2")
    spider, other = _spider(server, prefix, "w1"), _queue(server, prefix, "w2")
    other.push(Request(f"{HOST}/held"))
    held = other.pop()
    with pytest.raises(DontCloseSpider):
        spider.idle()
    other.leases.ack(held.meta[LEASE])
    assert spider.idle() is None  # drained: the engine may close it


# --- one connection and the source's delay per host, across workers ----------------------------------------

def _slots(server: Redis, prefix: str, delay: float) -> tuple[HostSlotMiddleware, HostSlotMiddleware, task.Clock]:
    clock = task.Clock()
    return (HostSlotMiddleware(server, Keys(prefix), delay, hold=30, clock=clock),
            HostSlotMiddleware(server, Keys(prefix), delay, hold=30, clock=clock), clock)


def _outcome(waiting: defer.Deferred) -> list:
    """What the middleware's Deferred gave so far: [None] once Scrapy may go on with the request."""
    seen: list = []
    waiting.addCallback(seen.append)
    return seen


def test_one_connection_per_host_across_workers_then_the_sources_delay(redis):
    server, prefix = redis
    first, second, clock = _slots(server, prefix, delay=0.3)
    a = Request("http://127.0.0.1:1/two.gov.vn/1", meta={"govmon_original_url": f"{HOST}/1"})
    b = Request(f"{HOST}/2")
    assert _outcome(first.process_request(a)) == [None]  # worker 1 connects to two.gov.vn at once
    waiting = _outcome(second.process_request(b))
    assert waiting == []  # worker 2 waits: same host
    assert _outcome(second.process_request(Request("https://other.gov.vn/"))) == [None]  # another host goes on
    first.process_response(a, HtmlResponse(a.url, body=b"ok", request=a))
    answered = time.monotonic()
    while not waiting and time.monotonic() - answered < 3:
        clock.advance(0.05)
        time.sleep(0.05)
    assert waiting == [None] and time.monotonic() - answered >= 0.3  # then, the source's delay after the answer


def test_a_workers_requests_for_one_host_take_turns_and_a_failed_download_frees_the_slot(redis):
    server, prefix = redis
    first, second, clock = _slots(server, prefix, delay=0)
    a, b, c = Request(f"{HOST}/1"), Request(f"{HOST}/2"), Request(f"{HOST}/3")
    assert _outcome(first.process_request(a)) == [None]
    queued, other = _outcome(first.process_request(b)), _outcome(second.process_request(c))
    assert queued == [] and other == [] and len(clock.getDelayedCalls()) == 1  # only worker 2 polls Redis
    first.process_exception(a, ConnectionRefusedError())
    assert queued == [None]  # worker 1's next request had its turn, and the slot was free (delay 0)
    first.process_response(b, HtmlResponse(b.url, body=b"ok", request=b))
    clock.advance(0.05)
    assert other == [None]


# --- settings ----------------------------------------------------------------------------------------------

def test_a_workers_settings_use_the_leased_queue_and_move_the_delay_to_the_shared_slot():
    settings = build_settings({"DOWNLOAD_DELAY": 3.0})
    queue_settings(settings, {"url": REDIS_URL, "prefix": "p1", "worker": "w"}, 50)
    assert settings.get("SCHEDULER").endswith("LeasedScheduler") and settings.getbool("SCHEDULER_PERSIST")
    assert settings.get("SCHEDULER_QUEUE_KEY") % {"spider": "vanban"} == "p1:src:vanban:requests"
    assert (settings.getfloat("GOVMON_HOST_DELAY"), settings.getfloat("DOWNLOAD_DELAY")) == (3.0, 0.0)
    assert settings.getint("CONCURRENT_ITEMS") == 1
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert "govmon.crawler.middlewares.NetGuardMiddleware" in middlewares  # the guard stays
    assert max(middlewares, key=lambda k: middlewares[k] or 0).endswith("HostSlotMiddleware")
    with pytest.raises(ValueError, match="bad queue prefix"):
        queue_settings(build_settings({}), {"url": REDIS_URL, "prefix": "%(spider)s"}, 50)


def test_each_source_of_a_worker_keeps_its_own_settings_and_the_network_guard(tmp_path):
    (tmp_path / "lax.toml").write_text('name = "lax"\ntitle = "Lax"\nkind = "province"\nhosts = ["lax.gov.vn"]\n'
                                       'start_urls = ["https://lax.gov.vn/"]\ntls_verify = false\ndownload_delay = 5.0\n'
                                       '[list]\nlinks = "a"\n', encoding="utf-8")
    network = {"GOVMON_HOST_MAP": {"*": "http://127.0.0.1:8123"}}
    spec = {"queue": {"url": REDIS_URL, "prefix": "p1", "worker": "w"}, "source_dirs": [str(tmp_path)],
            "crawls": [{"source": "vanban", "settings": {**network, "DOWNLOAD_DELAY": 3.0}},
                       {"source": "lax", "settings": {**network, "DOWNLOAD_DELAY": 5.0}}]}
    process_settings, crawlers = queue_crawlers(spec)
    assert process_settings.get("TWISTED_DNS_RESOLVER") == "govmon.crawler.netguard.GuardedResolver"
    assert process_settings.getdict("GOVMON_HOST_MAP") == network["GOVMON_HOST_MAP"]  # the guard's policy
    runner = CrawlerRunner(process_settings)
    merged = [runner.create_crawler(crawler).settings for crawler, _ in crawlers]  # as the process merges them
    assert [s.getbool("DOWNLOAD_VERIFY_CERTIFICATES") for s in merged] == [True, False]  # per source
    assert [s.getfloat("GOVMON_HOST_DELAY") for s in merged] == [3.0, 5.0]
    for settings in merged:
        middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
        assert {"govmon.crawler.middlewares.NetGuardMiddleware", "govmon.crawler.middlewares.FetchFailureMiddleware",
                "govmon.crawler.distributed.hostslots.HostSlotMiddleware"} <= set(middlewares)
        assert settings.get("SCHEDULER").endswith("LeasedScheduler")
    assert [arguments["source"].name for _, arguments in crawlers] == ["vanban", "lax"]


def test_a_failure_while_the_worker_stops_is_not_acknowledged(redis):
    server, prefix = redis
    spider = _spider(server, prefix)
    spider.crawler = type("Stopping", (), {"crawling": False})()  # Scrapy's crawler once stop() was called
    failure = Failure(ConnectionRefusedError("refused"))
    failure.request = Request(f"{HOST}/x1", meta={LEASE: "t6"})
    assert [i["type"] for i in spider.failed(failure)] == ["problem"]  # no "done": the lease goes back
    page = Request(f"{HOST}/a", meta={"chain": f"{HOST}/a", "page": 1, "walked": 1, LEASE: "t7"})
    items = [x for x in spider.parse_list(_response(page, LIST_PAGE)) if isinstance(x, dict)]
    assert items[-1]["type"] == "done"  # what succeeded is acknowledged
