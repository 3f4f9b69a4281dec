"""Distributed backfills, the monitor's side of the shared Redis queue: jobs (a backfill of one source, its
window) queued by `govmon backfill --queue`, and the progress any machine can read (`status`).

A job is a record under the queue's prefix plus the walk's start requests, queued once by `seed` (the
crawl side, `govmon.crawler.distributed`); `govmon worker` processes (`monitor.service.worker`) take the
requests on any machine and store what they produce. A job is over when its source's queue is empty and
no worker holds one of its requests; its fingerprints are then cleared, so the next backfill of that source
walks again, and its counters stay readable until then. A second backfill of a source whose job is still
running joins it when its window is the same (the dupefilter keeps every page once) and is refused
otherwise. Nothing here touches the store: PostgreSQL (or SQLite) stays the source of truth for what was
fetched, Redis holds only the work in progress.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.engine import make_url

from govmon.crawler.sources import Source as SourceDef
from govmon.storage.models import utcnow

try:  # the `redis` extra: scrapy-redis and redis
    from redis import Redis
    from redis.exceptions import RedisError

    from govmon.crawler.distributed import DEFAULT_PREFIX, Keys, Leases, seed, valid_prefix
except ImportError as missing:  # pragma: no cover - exercised only without the extra
    REDIS_MISSING: ImportError | None = missing
    DEFAULT_PREFIX = "govmon"
else:
    REDIS_MISSING = None

__all__ = ["Job", "Queue", "QueueError", "Enqueued", "DEFAULT_PREFIX"]

_FINISH = """
if redis.call('ZCARD', KEYS[1]) > 0 or redis.call('HLEN', KEYS[2]) > 0 then return 0 end
local raw = redis.call('HGET', KEYS[3], ARGV[1])
if raw then
  local job = cjson.decode(raw)
  if job.finished_at == nil or job.finished_at == '' then
    job.finished_at = ARGV[2]
    redis.call('HSET', KEYS[3], ARGV[1], cjson.encode(job))
  end
end
for i = 4, #KEYS do redis.call('DEL', KEYS[i]) end
return 1
"""
_COUNTERS = ("seeded", "done", "failed", "dropped", "requeued", "given_up")


class QueueError(Exception):
    """The queue cannot be used as asked: the redis extra missing, a bad URL or prefix, Redis away, or a
    backfill of another window of the same source still running."""


@dataclass(frozen=True)
class Job:
    """A backfill of one source through the queue: its window (ISO times, "" for open), list pages at most
    per chain, and whether what it finds is announced."""

    source: str
    since: str
    until: str
    max_pages: int
    notify: bool = False
    queued_at: str = ""
    finished_at: str = ""

    def walk(self) -> dict[str, Any]:
        """The spider's walk (`crawler.spiders.portal`) without the store's part (`seen`)."""
        return {"max_pages": self.max_pages, "since": self.since, "until": self.until}

    def window(self) -> tuple[datetime | None, datetime | None]:
        return (datetime.fromisoformat(self.since) if self.since else None,
                datetime.fromisoformat(self.until) if self.until else None)

    def same_work(self, other: Job) -> bool:
        return (self.since, self.until, self.max_pages, self.notify) == (other.since, other.until, other.max_pages,
                                                                        other.notify)


@dataclass(frozen=True)
class Enqueued:
    """What `Queue.enqueue` did for a source: start requests queued, and whether it joined a running job."""

    source: str
    seeded: int
    joined: bool


class Queue:
    """A shared queue: a Redis URL and the prefix of its keys."""

    def __init__(self, url: str, prefix: str = DEFAULT_PREFIX) -> None:
        if REDIS_MISSING is not None:
            raise QueueError(f"distributed backfills need govmon's redis extra (pip install 'govmon[redis]'): "
                             f"{REDIS_MISSING}")
        if not valid_prefix(prefix):
            raise QueueError(f"a queue prefix is letters, digits, '.', '_' or '-', not {prefix!r}")
        self.url, self.prefix, self.keys = url, prefix, Keys(prefix)
        try:
            self.server = Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10)
            self.server.ping()
        except (RedisError, ValueError) as exc:
            raise QueueError(f"cannot reach the queue {self.where}: {exc}") from exc
        self._finish = self.server.register_script(_FINISH)

    @property
    def shown_url(self) -> str:
        """The URL with any password masked."""
        try:
            return make_url(self.url).render_as_string(hide_password=True)
        except Exception:  # noqa: BLE001 - an unparsable URL is shown without its credentials part
            return self.url.rsplit("@", 1)[-1]

    @property
    def where(self) -> str:
        return f"{self.shown_url} (prefix {self.prefix})"

    def leases(self, source: str) -> Leases:
        return Leases.of(self.server, self.prefix, source)

    # --- jobs ---------------------------------------------------------------------------------------------

    def jobs(self) -> dict[str, Job]:
        raw = self.server.hgetall(self.keys.jobs)
        return {k.decode(): Job(**json.loads(v)) for k, v in sorted(raw.items())}

    def job(self, source: str) -> Job | None:
        raw = self.server.hget(self.keys.jobs, source)
        return Job(**json.loads(raw)) if raw else None

    def active(self, sources: tuple[str, ...] = ()) -> list[Job]:
        """The jobs with work left (of `sources` only, when given)."""
        return [job for name, job in self.jobs().items()
                if (not sources or name in sources) and not self._over(job)]

    def _over(self, job: Job) -> bool:
        return bool(job.finished_at) and self.leases(job.source).drained()

    def enqueue(self, source: SourceDef, job: Job) -> Enqueued:
        """Queue a backfill of `source` (its start requests; a finished job's traces cleared first), or join
        the running job of the same window. QueueError when a job of another window is running."""
        running = self.job(source.name)
        joined = running is not None and not self._over(running)
        if running is not None and joined and not running.same_work(job):
            raise QueueError(f"{source.name}: a backfill of another window is queued ({running.since or '…'} to "
                             f"{running.until or 'now'}, {running.max_pages} list pages); let it finish first")
        if not joined:
            keys = self.keys.source(source.name)
            self.server.delete(*keys.work(), keys.stats, keys.failed)
            self.server.hset(self.keys.jobs, source.name, json.dumps(asdict(replace(job, queued_at=_now()))))
        count = seed(self.server, self.prefix, source, job.walk())
        self.server.hincrby(self.keys.source(source.name).stats, "seeded", count)
        return Enqueued(source.name, count, joined)

    def finish_if_drained(self, source: str) -> bool:
        """Mark the job finished and clear its fingerprints if nothing is queued or held; whether it was."""
        k = self.keys.source(source)
        keys = [k.requests, k.owners, self.keys.jobs, k.dupefilter, k.leases, k.attempts, k.past]
        return bool(self._finish(keys=keys, args=[source, _now()]))

    # --- progress -----------------------------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        """Jobs with their counts, and workers with theirs: what `govmon worker --status` shows."""
        return {"queue": self.where, "jobs": [self._job_status(job) for job in self.jobs().values()],
                "workers": self._workers()}

    def _job_status(self, job: Job) -> dict[str, Any]:
        k = self.keys.source(job.source)
        with self.server.pipeline() as pipe:
            queued, held, stats = pipe.zcard(k.requests).hlen(k.owners).hgetall(k.stats).execute()
        counts = {name: int(stats.get(name.encode(), 0)) for name in _COUNTERS}
        state = "finished" if job.finished_at and not queued and not held else "running"
        return {**asdict(job), "state": state, "queued": queued, "in_flight": held, **counts}

    def _workers(self) -> list[dict[str, Any]]:
        rows = []
        for key, raw in sorted(self.server.hgetall(self.keys.workers).items()):
            worker = key.decode()
            stats = {k.decode(): int(v) for k, v in self.server.hgetall(self.keys.worker_stats(worker)).items()}
            alive = bool(self.server.exists(self.keys.alive(worker)))
            rows.append({**json.loads(raw), "worker": worker, "alive": alive, "done": stats.get("done", 0),
                         "failed": stats.get("failed", 0), "per_source": _per_source(stats)})
        return rows


def _per_source(stats: dict[str, int]) -> dict[str, dict[str, int]]:
    """{"done:vanban": 3, "failed:vanban": 1} -> {"vanban": {"done": 3, "failed": 1}}"""
    per: dict[str, dict[str, int]] = {}
    for key, value in stats.items():
        if ":" in key:
            outcome, source = key.split(":", 1)
            per.setdefault(source, {})[outcome] = value
    return per


def _now() -> str:
    return utcnow().isoformat(timespec="seconds")
