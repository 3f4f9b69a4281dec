"""The monitoring daemon: every source on its own interval, for months, on a small server.

APScheduler runs one job per source (the definition's `interval_minutes`, with jitter so sources are not
polled in bursts), `coalesce` and `max_instances=1` (a slow source never overlaps itself and a backlog
becomes one run), and no misfire limit: a daemon that was down for 12 hours does one catch-up run per
source on restart, not 48. Each crawl is a child process killed at `crawl_timeout`, so one hung portal
never stalls the others; `parallel` crawls run at once. The outbox is dispatched after every crawl and on
its own short interval (retries with back-off are due then). One daemon per store (`storage.lock`).
SIGTERM or Ctrl-C: no new crawls, running ones get a grace period, then are stopped; the store stays
consistent because every item is its own transaction.
"""
from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from types import FrameType

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.engine import Engine

from govmon.crawler.sources import Source as SourceDef
from govmon.monitor.alerts.dispatch import dispatch
from govmon.monitor.config import Config
from govmon.monitor.service.claims import reap_runs
from govmon.monitor.service.runner import Control, crawl_source
from govmon.storage import repository as repo
from govmon.storage.db import session_scope
from govmon.storage.lock import StoreLock

__all__ = ["Daemon", "first_run", "DISPATCH_SECONDS", "GRACE_SECONDS"]

log = logging.getLogger(__name__)
DISPATCH_SECONDS = 30
GRACE_SECONDS = 30.0
# A backlog is one run (coalesce), a source never overlaps itself, and a late run still runs (no misfire limit).
_ONCE = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}


def first_run(last_run: datetime | None, interval: timedelta, now: datetime, stagger: timedelta) -> datetime:
    """When a source first runs after the daemon (re)starts: at once (staggered) when it is due — however
    long the daemon was down, that is one catch-up run — else when its interval since the last run ends.

    >>> now = datetime(2026, 11, 30, 12, tzinfo=timezone.utc)
    >>> first_run(now - timedelta(hours=12), timedelta(minutes=15), now, timedelta(seconds=20)) - now
    datetime.timedelta(seconds=20)
    >>> first_run(now - timedelta(minutes=5), timedelta(minutes=15), now, timedelta(0)) - now
    datetime.timedelta(seconds=600)
    """
    if last_run is None or last_run + interval <= now:
        return now + stagger
    return last_run + interval


class Daemon:
    """Schedules and runs the crawls of `sources` into the store until stopped."""

    def __init__(self, engine: Engine, config: Config, sources: Sequence[SourceDef]) -> None:
        self.engine, self.config, self.sources = engine, config, list(sources)
        self.control = Control()
        self.stopping = threading.Event()
        self.running: set[str] = set()
        self._lock = threading.Lock()
        self.scheduler = BackgroundScheduler(
            timezone=timezone.utc, executors={"default": ThreadPoolExecutor(max(1, config.parallel) + 1)})

    def schedule(self, now: datetime | None = None) -> None:
        """One job per source (first run from the store's record of its last run) and the outbox job."""
        now = now or datetime.now(timezone.utc)
        with session_scope(self.engine) as session:
            last = {s.name: s.last_run_at for s in repo.sources(session)}
        for number, source in enumerate(self.sources):
            interval = timedelta(minutes=source.interval_minutes)
            start = first_run(last.get(source.name), interval, now, timedelta(seconds=5 * number))
            jitter = int(min(300, interval.total_seconds() / 10))
            self.scheduler.add_job(self.crawl, IntervalTrigger(minutes=source.interval_minutes, jitter=jitter),
                                   args=[source], id=f"crawl:{source.name}", name=source.name, next_run_time=start,
                                   **_ONCE)
        self.scheduler.add_job(self.deliver, IntervalTrigger(seconds=DISPATCH_SECONDS), id="dispatch",
                               next_run_time=now + timedelta(seconds=DISPATCH_SECONDS), **_ONCE)

    def crawl(self, source: SourceDef) -> None:
        if self.stopping.is_set():
            return
        with self._lock:
            self.running.add(source.name)
        try:
            report = crawl_source(self.engine, self.config, source, control=self.control)
            log.info("%s: %s (%d new, %d versions)", source.name, report.status, report.tally.articles_new,
                     report.tally.versions_new)
        except Exception:  # noqa: BLE001 - a daemon logs one source's failure and goes on with the others
            log.exception("crawl of %s failed", source.name)
        finally:
            with self._lock:
                self.running.discard(source.name)
        self._dispatch_soon()

    def _dispatch_soon(self) -> None:
        """Bring the dispatcher's next run forward to now (it never runs twice at once: max_instances=1)."""
        if self.stopping.is_set():
            return
        try:
            self.scheduler.modify_job("dispatch", next_run_time=datetime.now(timezone.utc))
        except JobLookupError:  # not scheduled (a crawl run outside `run`): dispatch here, still claimed per row
            self.deliver()

    def deliver(self) -> None:
        try:
            sent = dispatch(self.engine, self.config.channels)
        except Exception:  # noqa: BLE001 - the outbox keeps what was not sent; the next round retries
            log.exception("dispatch failed")
            return
        if sent.sent or sent.retrying or sent.dead:
            log.info("alerts: %d delivered, %d to retry, %d given up", sent.sent, sent.retrying, sent.dead)

    def run(self, grace: float = GRACE_SECONDS) -> None:
        """Hold the store lock, schedule, and run until SIGTERM/SIGINT; then stop within `grace` seconds."""
        with StoreLock(self.engine):
            reaped = reap_runs(self.engine, self.config.crawl_timeout)
            if reaped:
                log.warning("%d run(s) left running by a process that is gone were marked killed", reaped)
            self.schedule()
            self.scheduler.start()
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
        """No new crawls; running ones may finish within `grace` seconds, then their children are killed."""
        self.stopping.set()
        if self.scheduler.running:
            self.scheduler.pause()
        deadline = time.monotonic() + grace
        while self.running and time.monotonic() < deadline:
            time.sleep(0.2)
        self.control.halt()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
