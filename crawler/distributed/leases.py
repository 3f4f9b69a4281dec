"""The shared request queue, with leases: a request taken from the queue is not gone, it is *held* by the
worker that took it until that worker's monitor has stored everything the request produced and acknowledges
it. A worker that dies (SIGKILL, power) stops refreshing its heartbeat; whoever next takes a request from the
queue, or waits on it, puts the dead worker's requests back first. A worker that stops (SIGTERM, Ctrl-C) or
whose crawl process ends puts back what it still holds at once. So a page is never lost, and is fetched
twice only when a worker died while holding it (a request whose workers die `MAX_ATTEMPTS` times is given
up and listed, never retried for ever).

scrapy-redis's own queues pop destructively; `LeasedQueue` keeps their layout (a sorted set scored by
-priority, so the scheduler, the dupefilter and `len()` work as in scrapy-redis) and makes every step a Lua
script, atomic in Redis. Heartbeat keys are read by name inside the scripts: a single Redis (or a primary
with replicas), not a Redis Cluster.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from redis import Redis
from scrapy import Request, Spider
from scrapy_redis.queue import Base

from govmon.crawler.distributed import codec
from govmon.crawler.distributed.keys import Keys, SourceKeys

__all__ = ["LeasedQueue", "Leases", "LEASE", "MAX_ATTEMPTS"]

LEASE = "govmon_lease"  # request.meta: the token of the lease a worker holds on the request
MAX_ATTEMPTS = 3

# KEYS: requests, leases, owners, attempts, failed, stats.  ARGV[1]: heartbeat key prefix, ARGV[2]: attempts.
_COMMON = """
local function requeue(token, counted)
  local data = redis.call('HGET', KEYS[2], token)
  local owner = redis.call('HGET', KEYS[3], token)
  redis.call('HDEL', KEYS[2], token)
  redis.call('HDEL', KEYS[3], token)
  if not data or not owner then return end
  if counted then
    local n = redis.call('HINCRBY', KEYS[4], data, 1)
    if n >= tonumber(ARGV[2]) then
      redis.call('HDEL', KEYS[4], data)
      redis.call('RPUSH', KEYS[5], data)
      redis.call('HINCRBY', KEYS[6], 'given_up', 1)
      return
    end
  end
  redis.call('ZADD', KEYS[1], tonumber(string.match(owner, '^(%S+)')), data)
  redis.call('HINCRBY', KEYS[6], 'requeued', 1)
end
local function reap()
  local owners = redis.call('HGETALL', KEYS[3])
  local n = 0
  for i = 1, #owners, 2 do
    local worker = string.match(owners[i + 1], '^%S+ (.+)$')
    if redis.call('EXISTS', ARGV[1] .. worker) == 0 then
      requeue(owners[i], true)
      n = n + 1
    end
  end
  return n
end
"""
_POP = _COMMON + """
reap()
local top = redis.call('ZPOPMIN', KEYS[1])
if #top == 0 then return false end
redis.call('HSET', KEYS[2], ARGV[4], top[1])
redis.call('HSET', KEYS[3], ARGV[4], top[2] .. ' ' .. ARGV[3])
return top[1]
"""
_REAP = _COMMON + "return reap()"
# ARGV[3]: fingerprint ('' = not filtered), ARGV[4]: lease token ('' = none), ARGV[5]: score, ARGV[6]: request.
# The dupefilter's "seen" and the push are one step: a worker killed between them would leave a request seen
# and never queued, and every later link to it refused — a page lost.
_ENQUEUE = """
if ARGV[3] ~= '' and redis.call('SADD', KEYS[7], ARGV[3]) == 0 then return 0 end
if ARGV[4] ~= '' then
  redis.call('HDEL', KEYS[2], ARGV[4])
  redis.call('HDEL', KEYS[3], ARGV[4])
end
redis.call('ZADD', KEYS[1], ARGV[5], ARGV[6])
return 1
"""
_ACK = """
local data = redis.call('HGET', KEYS[2], ARGV[3])
if not data then return 0 end
redis.call('HDEL', KEYS[2], ARGV[3])
redis.call('HDEL', KEYS[3], ARGV[3])
redis.call('HDEL', KEYS[4], data)
redis.call('HINCRBY', KEYS[6], ARGV[4], 1)
return 1
"""
_RELEASE = _COMMON + """
local owners = redis.call('HGETALL', KEYS[3])
local n = 0
for i = 1, #owners, 2 do
  if string.match(owners[i + 1], '^%S+ (.+)$') == ARGV[3] then
    requeue(owners[i], ARGV[4] == '1')
    n = n + 1
  end
end
return n
"""
_SCRIPTS = {"pop": _POP, "reap": _REAP, "enqueue": _ENQUEUE, "ack": _ACK, "release": _RELEASE}


@dataclass
class Leases:
    """The lease operations on one source's queue (`keys`), for workers under `prefix`."""

    server: Redis
    prefix: str
    keys: SourceKeys
    _scripts: dict[str, Any] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._scripts = {name: self.server.register_script(text) for name, text in _SCRIPTS.items()}

    @classmethod
    def of(cls, server: Redis, prefix: str, source: str) -> Leases:
        return cls(server, prefix, Keys(prefix).source(source))

    def _run(self, name: str, *args: Any) -> Any:
        k = self.keys
        keys = [k.requests, k.leases, k.owners, k.attempts, k.failed, k.stats, k.dupefilter]
        return self._scripts[name](keys=keys, args=[Keys(self.prefix).alive(""), MAX_ATTEMPTS, *args])

    def pop(self, worker: str) -> tuple[str, bytes] | None:
        """Take the first request (highest priority) for `worker`: (lease token, encoded request)."""
        token = uuid.uuid4().hex
        data = self._run("pop", worker, token)
        return (token, data) if data is not None else None

    def enqueue(self, data: bytes, priority: int, fingerprint: str = "", token: str = "") -> bool:
        """Queue `data` unless the dupefilter has seen `fingerprint` (given: the request is filtered), marking
        it seen in the same step; a held request (`token`) goes back to the queue as `data` (a retry, a
        redirect, a mapped URL). False: refused as seen, nothing changed."""
        return bool(self._run("enqueue", fingerprint, token, -priority, data))

    def ack(self, token: str, outcome: str = "done") -> bool:
        """The request is handled: forget it, count it under `outcome`. False: the lease was no longer ours
        (we were taken for dead and the request went back to the queue)."""
        return bool(self._run("ack", token, outcome))

    def release(self, worker: str, counted: bool = False) -> int:
        """Put back every request `worker` holds; `counted`: as an attempt (its crawl process failed)."""
        return int(self._run("release", worker, "1" if counted else "0"))

    def reap(self) -> int:
        """Put back the requests held by workers whose heartbeat expired; how many."""
        return int(self._run("reap"))

    def drained(self) -> bool:
        """Nothing queued and nothing held: the job of this source is over."""
        with self.server.pipeline() as pipe:
            queued, held = pipe.zcard(self.keys.requests).hlen(self.keys.owners).execute()
        return queued == 0 and held == 0


class LeasedQueue(Base):
    """scrapy-redis queue class (SCHEDULER_QUEUE_CLASS) over `Leases`, for a `QueueSpider` (which names the
    prefix and the worker). Requests are JSON (`codec`), never pickles."""

    def __init__(self, server: Redis, spider: Spider, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer=codec)
        self.worker = str(getattr(spider, "queue_worker", ""))
        self.leases = Leases.of(server, str(getattr(spider, "queue_prefix")), spider.name)
        self.key = self.leases.keys.requests

    def __len__(self) -> int:
        return int(self.server.zcard(self.key))

    def push(self, request: Request) -> None:
        self.push_unseen(request, "")

    def push_unseen(self, request: Request, fingerprint: str) -> bool:
        """Queue `request` unless its `fingerprint` was seen (marked seen in the same step; "" = unfiltered).
        A held request that is refused is acknowledged as "dropped", never left held for ever."""
        token = request.meta.pop(LEASE, None) or ""
        added = self.leases.enqueue(self._encode_request(request), request.priority, fingerprint, token)
        if token and not added:
            self.leases.ack(token, "dropped")
        return added

    def pop(self, timeout: int = 0) -> Request | None:
        taken = self.leases.pop(self.worker)
        if taken is None:
            return None
        request = self._decode_request(taken[1])
        request.meta[LEASE] = taken[0]
        return request

    def clear(self) -> None:
        self.server.delete(*self.leases.keys.work())
