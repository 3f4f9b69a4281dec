"""The monitoring daemon: every source on its own interval, for months; on PostgreSQL, any number of daemons
on any number of machines share the work.

The schedule lives in the store, not in a process: each source row says when it is next due
(`next_due_at`) and, while someone crawls it, who holds its lease (`crawl_owner` until `crawl_until`, the
claim every crawl takes, `service.claims`). A daemon — a *worker* — looks for due sources every `poll`
seconds and as soon as a crawl ends, and leases as many as it has free slots (`parallel`) in one statement
(FOR UPDATE SKIP LOCKED on PostgreSQL: each due source goes to exactly one worker, and no worker waits for
rows another is claiming). It crawls each in a child process killed at `crawl_timeout` (one hung portal
never stalls the others), then schedules the source's next run `interval_minutes` after the crawl ended (plus
a jitter of up to a tenth of it, at most 5 minutes, so sources are not polled in bursts) and lets go.

A source never crawled is due at once; one whose last run is older than its interval is due at once, once:
a store left alone for 12 hours gets one catch-up run per source, not 48. A lease outlives any crawl
(`claims.lease_for`), so a worker that dies (SIGKILL, power) leaves its sources to the others when its leases
run out; a worker that is stopped (SIGTERM, Ctrl-C) starts no new crawl, gives running ones `grace` seconds,
then stops them and hands every lease back at once (the sources due now, for the others).

APScheduler ticks each worker: the poll, the heartbeat (a check-in in the `worker` table, which
`govmon status` shows) and the outbox dispatcher (after every crawl and every DISPATCH_SECONDS; deliveries are
claimed in the store, so whichever worker claims an alert sends it, once). It no longer schedules the
sources themselves: an APScheduler per process cannot know what the other processes do.

On SQLite the store admits one daemon (`storage.lock`); a second is refused and told why.
"""
from __future__ import annotations

import logging
import random
import signal
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from types import FrameType
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor as TickExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine
from sqlmodel import Session

from govmon.crawler.sources import Source as SourceDef
from govmon.monitor.alerts.dispatch import dispatch
from govmon.monitor.config import Config
from govmon.monitor.service.claims import (
    check_in,
    claim_due,
    forget_workers,
    hand_back,
    owner_name,
    reap_leases,
    reap_runs,
    reschedule,
)
from govmon.monitor.service.runner import Control, CrawlReport, crawl_source
from govmon.storage import repository as repo
from govmon.storage.db import write
from govmon.storage.lock import StoreLock
from govmon.storage.models import utcnow
from govmon.storage.repository.sources import first_schedule

__all__ = ["Daemon", "first_run", "next_due", "DISPATCH_SECONDS", "GRACE_SECONDS", "POLL_SECONDS",
           "HEARTBEAT_SECONDS", "FORGET_AFTER"]

log = logging.getLogger(__name__)
DISPATCH_SECONDS = 30
GRACE_SECONDS = 30.0
POLL_SECONDS = 5.0
HEARTBEAT_SECONDS = 15.0
FORGET_AFTER = timedelta(days=7)  # workers silent this long leave `govmon status`
# A tick never overlaps itself, a backlog of ticks is one, and a late tick still runs.
_ONCE = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}


def first_run(last_run: datetime | None, interval: timedelta, now: datetime, stagger: timedelta) -> datetime:
    """When a source first runs when it has no schedule yet: at once (staggered) when it is due — however
    long no daemon ran, that is one catch-up run — else when its interval since the last run ends.

    >>> now = datetime(2026, 11, 30, 12, tzinfo=timezone.utc)
    >>> first_run(now - timedelta(hours=12), timedelta(minutes=15), now, timedelta(seconds=20)) - now
    datetime.timedelta(seconds=20)
    >>> first_run(now - timedelta(minutes=5), timedelta(minutes=15), now, timedelta(0)) - now
    datetime.timedelta(seconds=600)
    """
    if last_run is None or last_run + interval <= now:
        return now + stagger
    return last_run + interval


def next_due(finished: datetime, interval_minutes: float) -> datetime:
    """The next run of a source whose crawl ended at `finished`: its interval later, plus a random jitter
    of up to a tenth of the interval (at most 5 minutes).

    >>> end = datetime(2026, 11, 30, 12, tzinfo=timezone.utc)
    >>> timedelta(minutes=15) <= next_due(end, 15) - end <= timedelta(minutes=16, seconds=30)
    True
    """
    interval = timedelta(minutes=interval_minutes)
    jitter = min(300.0, interval.total_seconds() / 10)
    return finished + interval + timedelta(seconds=random.uniform(0, jitter))


class Daemon:
    """A worker: crawls the due ones of `sources`, leased from the store, until stopped."""

    def __init__(self, engine: Engine, config: Config, sources: Sequence[SourceDef], poll: float = POLL_SECONDS,
                 heartbeat: float = HEARTBEAT_SECONDS) -> None:
        self.engine, self.config = engine, config
        self.sources = {s.name: s for s in sources}
        self.owner, self.slots = owner_name(), max(1, config.parallel)
        self.ticks = {"poll": poll, "heartbeat": heartbeat, "dispatch": float(DISPATCH_SECONDS)}
        self.control = Control()
        self.stopping = threading.Event()
        self.running: set[str] = set()
        self._lock = threading.Lock()
        self.crawls = ThreadPoolExecutor(self.slots, thread_name_prefix="crawl")
        self.scheduler = BackgroundScheduler(timezone=timezone.utc, executors={"default": TickExecutor(3)})

    def schedule(self, now: datetime | None = None) -> None:
        """Give the sources without a schedule their first due time (`first_run`), and start ticking."""
        now = now or utcnow()
        write(self.engine, lambda session: self._first_schedule(session, now))
        jobs = {"poll": self.poll, "heartbeat": self.heartbeat, "dispatch": self.deliver}
        for job, seconds in self.ticks.items():
            first = now + timedelta(seconds=seconds) if job == "dispatch" else now
            self.scheduler.add_job(jobs[job], IntervalTrigger(seconds=seconds), id=job, next_run_time=first, **_ONCE)

    def _first_schedule(self, session: Session, now: datetime) -> None:
        for source in self.sources.values():
            row = repo.ensure_source(session, source.name, title=source.title, kind=source.kind,
                                     official=source.official)
            session.flush()
            if row.next_due_at is None:
                due = first_run(row.last_run_at, timedelta(minutes=source.interval_minutes), now, timedelta(0))
                first_schedule(session, source.name, due)

    def poll(self) -> None:
        """Lease as many due sources as there are free slots, and crawl each."""
        if self.stopping.is_set():
            return
        with self._lock:
            free = self.slots - len(self.running)
        try:
            names = claim_due(self.engine, self.sources, self.config.crawl_timeout, free, self.owner)
        except Exception:  # noqa: BLE001 - a store that is away now is asked again at the next poll
            log.exception("looking for due sources failed")
            return
        for name in names:
            with self._lock:
                self.running.add(name)
            try:
                self.crawls.submit(self.crawl, self.sources[name])
            except RuntimeError:  # stopping: the lease is handed back with the others
                return

    def crawl(self, source: SourceDef) -> None:
        report = None
        try:
            report = crawl_source(self.engine, self.config, source, control=self.control)
            log.info("%s: %s (%d new, %d versions)", source.name, report.status, report.tally.articles_new,
                     report.tally.versions_new)
        except Exception:  # noqa: BLE001 - a daemon logs one source's failure and goes on with the others
            log.exception("crawl of %s failed", source.name)
        finally:
            self._settle(source, report)
            with self._lock:
                self.running.discard(source.name)
        self._soon("dispatch")
        self._soon("poll")

    def _settle(self, source: SourceDef, report: CrawlReport | None) -> None:
        """Schedule the next run; a crawl that stopping cut short (or that failed as the worker was being
        stopped: a SIGTERM sent to the whole process group reaches the crawl child too) is due now, for
        another worker."""
        cut_short = self.stopping.is_set() and (report is None or report.status in ("interrupted", "failed"))
        now = utcnow()
        try:
            reschedule(self.engine, source.name, now if cut_short else next_due(now, source.interval_minutes))
        except Exception:  # noqa: BLE001 - the source stays due when its lease runs out
            log.exception("could not schedule the next run of %s", source.name)

    def _soon(self, job: str) -> None:
        """Bring a tick forward to now (it never runs twice at once: max_instances=1)."""
        if self.stopping.is_set():
            return
        try:
            self.scheduler.modify_job(job, next_run_time=datetime.now(timezone.utc))
        except Exception:  # noqa: BLE001 - not ticking (a crawl outside `run`, or stopping): its next tick will do
            if job == "dispatch" and not self.scheduler.running:
                self.deliver()

    def deliver(self) -> None:
        try:
            sent = dispatch(self.engine, self.config.channels)
        except Exception:  # noqa: BLE001 - the outbox keeps what was not sent; the next round retries
            log.exception("dispatch failed")
            return
        if sent.sent or sent.retrying or sent.dead:
            log.info("alerts: %d delivered, %d to retry, %d given up", sent.sent, sent.retrying, sent.dead)

    def heartbeat(self, state: str = "running", **fields: Any) -> None:
        """Check in: this worker is alive, in `state`, serving its sources `parallel` at a time."""
        try:
            check_in(self.engine, state, self.owner, sources=len(self.sources), parallel=self.slots, **fields)
        except Exception:  # noqa: BLE001 - a missed check-in is not a reason to stop crawling
            log.exception("check-in failed")

    def start(self) -> None:
        """Tidy after processes that are gone (their runs marked killed; the leases of dead processes on this
        host, or of a dead one with our name — a container's pid 1 — handed back; workers silent for a week
        forgotten), check in, schedule, and tick."""
        reaped = reap_runs(self.engine, self.config.crawl_timeout)
        if reaped:
            log.warning("%d run(s) left running by a process that is gone were marked killed", reaped)
        freed = reap_leases(self.engine) + hand_back(self.engine, self.owner)
        if freed:
            log.warning("leases of processes that are gone handed back: %s", ", ".join(freed))
        forget_workers(self.engine, FORGET_AFTER)
        self.heartbeat("running", started_at=utcnow(), stopped_at=None)
        self.schedule()
        self.scheduler.start()

    def run(self, grace: float = GRACE_SECONDS) -> None:
        """Start (on SQLite holding the store's one-daemon lock) and run until SIGTERM/SIGINT; then stop
        within `grace` seconds and hand the leases back."""
        with StoreLock(self.engine):
            self.start()
            previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
            try:
                while not self.stopping.wait(1.0):
                    pass
            finally:
                self.shutdown(grace)
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        log.info("signal %d: stopping", signum)
        self.stopping.set()

    def shutdown(self, grace: float = GRACE_SECONDS) -> None:
        """No new crawls; running ones may finish within `grace` seconds, then their children are killed and
        every lease still held is handed back (due now)."""
        self.stopping.set()
        self.heartbeat("stopping")
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        deadline = time.monotonic() + grace
        while self.running and time.monotonic() < deadline:
            time.sleep(0.2)
        self.control.halt()
        self.crawls.shutdown(wait=True, cancel_futures=True)
        try:
            handed = hand_back(self.engine, self.owner)
        except Exception:  # noqa: BLE001 - unreturned leases run out by themselves
            log.exception("could not hand the leases back")
            handed = []
        if handed:
            log.info("handed back: %s", ", ".join(handed))
        self.heartbeat("stopped", stopped_at=utcnow())
