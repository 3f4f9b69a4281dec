"""`govmon worker`: on any machine, take the requests of the queued backfills (`monitor.service.distributed`)
from the shared Redis queue, fetch and extract them in a crawl process (``python -m govmon.crawler.run`` with
a queue spec: one spider per source, `govmon.crawler.distributed`) and store what they produce, this
process the single writer of its items, as for every crawl (`monitor.service.runner`).

Nothing is lost: a request stays *held* (leased) by this worker until everything it produced is stored, then
it is acknowledged. A worker refreshes a heartbeat in Redis; when it dies (SIGKILL, power) the heartbeat
expires after `lease` seconds and the next worker to look puts its requests back in the queue. When it is
stopped (SIGTERM, Ctrl-C) its crawl process is asked to stop, what it already produced is stored, and what
it still holds goes back to the queue at once. A request is fetched twice only when a worker died holding
it; the store takes it again without a duplicate (articles by URL, versions by content).

A round runs the jobs active when it starts; when their queues are drained the crawl process ends, the jobs
are marked finished, and the worker looks again for jobs (`--until-empty`: it exits instead).
"""
from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import IO, Any

from sqlalchemy.engine import Engine

from govmon.crawler.extract.fingerprint import url_key
from govmon.crawler.lifeline import PARENT_ENV
from govmon.crawler.sources import Source as SourceDef
from govmon.crawler.sources import load_sources
from govmon.monitor.alerts.dispatch import dispatch
from govmon.monitor.config import Config
from govmon.monitor.pipeline.ingest import HOST, Ingestor, Tally
from govmon.monitor.service.distributed import Job, Queue
from govmon.monitor.service.runner import KNOWN_DAYS, crawl_settings, enabled_sources
from govmon.storage import repository as repo
from govmon.storage.db import StoreUnavailable, describe_url, session_scope
from govmon.storage.models import utcnow

__all__ = ["Worker", "WorkerReport", "LEASE_SECONDS"]
log = logging.getLogger(__name__)

LEASE_SECONDS = 30.0  # a dead worker's requests go back to the queue this long after its last heartbeat
IDLE_POLL = 2.0  # seconds between two looks for jobs when there are none
GRACE = 30.0  # seconds a stopping crawl process gets to finish before it is killed
RETRY_PAUSE = 5.0  # after a crawl process that failed, before the next round


@dataclass
class WorkerReport:
    """What a worker did: requests handled (failed: they gave a problem), rounds, each source's last run."""

    worker: str
    done: int = 0
    failed: int = 0
    rounds: int = 0
    runs: dict[str, str] = field(default_factory=dict)


class Heartbeat:
    """The worker's `alive` key, refreshed every quarter of `lease` by a thread, and its public record."""

    def __init__(self, queue: Queue, worker: str, info: dict[str, Any], lease: float) -> None:
        self.queue, self.worker, self.info, self.lease = queue, worker, info, lease
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="govmon-heartbeat", daemon=True)

    def start(self) -> None:
        self.beat()
        self.thread.start()

    def beat(self, **extra: Any) -> None:
        keys = self.queue.keys
        record = json.dumps({**self.info, "last_seen": utcnow().isoformat(timespec="seconds"), **extra})
        with self.queue.server.pipeline() as pipe:
            if not extra.get("stopped_at"):
                pipe.set(keys.alive(self.worker), "1", px=int(self.lease * 1000))
            pipe.hset(keys.workers, self.worker, record).execute()

    def _run(self) -> None:
        while not self.stopped.wait(max(self.lease / 4, 0.2)):
            try:
                self.beat()
            except Exception as exc:  # noqa: BLE001 - Redis away for a moment: try again at the next beat
                log.warning("heartbeat of %s not written: %s", self.worker, exc)

    def stop(self) -> None:
        """No more beats; the `alive` key goes at once (call after the worker's requests went back)."""
        self.stopped.set()
        self.thread.join(timeout=5)
        self.queue.server.delete(self.queue.keys.alive(self.worker))
        self.beat(stopped_at=utcnow().isoformat(timespec="seconds"))


class Intake:
    """The items of one crawl process into the store, one transaction each; a request's lease acknowledged
    at its "done" item, when all it produced is stored."""

    def __init__(self, engine: Engine, config: Config, jobs: dict[str, Job], definitions: dict[str, SourceDef],
                 queue: Queue, worker: str) -> None:
        self.engine, self.config, self.jobs, self.definitions = engine, config, jobs, definitions
        self.queue, self.worker = queue, worker
        self.ingestors: dict[str, Ingestor] = {}
        self.done = self.failed = 0

    def take(self, line: str) -> None:
        try:
            item = json.loads(line)
        except ValueError:
            log.warning("unreadable line from the crawl: %.200s", line)
            return
        source = item.pop("source", "")
        if source not in self.jobs:
            log.warning("item of an unknown source %r from the crawl", source)
        elif item.get("type") == "done":
            self._ack(source, item)
        else:
            self._ingest(self._ingestor(source), item)

    def _ingestor(self, source: str) -> Ingestor:
        if source not in self.ingestors:
            job = self.jobs[source]
            self.ingestors[source] = Ingestor(self.engine, self.definitions[source], self.config.channels,
                                              quiet=not job.notify, window=job.window())
        return self.ingestors[source]

    @staticmethod
    def _ingest(ingestor: Ingestor, item: dict[str, Any]) -> None:
        """As a single crawl does: an item that cannot be stored is set aside with its error; a store that
        stays away stops the worker (its requests go back to the queue)."""
        try:
            ingestor.handle(item)
        except StoreUnavailable:
            raise
        except Exception as exc:  # noqa: BLE001 - one bad item must not stop the backfill
            ingestor.set_aside(item, exc)

    def _ack(self, source: str, item: dict[str, Any]) -> None:
        outcome = "failed" if item.get("failed") else "done"
        if not self.queue.leases(source).ack(str(item.get("lease", "")), outcome):
            log.warning("%s: lease of %s was no longer ours (taken for dead?)", source, item.get("url"))
            return
        stats = self.queue.keys.worker_stats(self.worker)
        with self.queue.server.pipeline() as pipe:
            pipe.hincrby(stats, outcome).hincrby(stats, f"{outcome}:{source}").execute()
        self.done += outcome == "done"
        self.failed += outcome == "failed"

    def finish(self) -> dict[str, str]:
        """Record each source's run (ok, broken after a layout problem, failed when an item was not stored)."""
        return {name: ingestor.finish(_run_status(ingestor.tally)) for name, ingestor in self.ingestors.items()}


def _run_status(tally: Tally) -> str:
    """A worker's share of a backfill lists no pages of its own when others took them: not a failure."""
    if tally.count("layout"):
        return "broken"
    return "failed" if tally.count("ingest_error") else "ok"


class Worker:
    """One worker process: rounds of crawls of the active jobs until stopped (or, `until_empty`, drained)."""

    def __init__(self, engine: Engine, config: Config, queue: Queue, sources: Sequence[str] = (),
                 lease: float = LEASE_SECONDS, until_empty: bool = False) -> None:
        self.engine, self.config, self.queue, self.sources = engine, config, queue, tuple(sources)
        self.lease, self.until_empty = lease, until_empty
        self.id = f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.stop = threading.Event()
        self.child: subprocess.Popen[str] | None = None
        self.report = WorkerReport(self.id)
        info = {"host": HOST, "pid": os.getpid(), "sources": list(self.sources),
                "store": describe_url(str(engine.url)), "started": utcnow().isoformat(timespec="seconds")}
        self.heartbeat = Heartbeat(queue, self.id, info, lease)

    def run(self) -> WorkerReport:
        self.heartbeat.start()
        try:
            while not self.stop.is_set():
                jobs = self._jobs()
                if jobs:
                    self._round(jobs)
                elif self.until_empty:
                    break
                else:
                    self.stop.wait(IDLE_POLL)
        finally:
            self.heartbeat.stop()
        return self.report

    def halt(self) -> None:
        """Stop (a signal handler may call this): the crawl process is asked to stop, then killed after GRACE
        seconds or at a second call."""
        child, again = self.child, self.stop.is_set()
        self.stop.set()
        if child is None or child.poll() is not None:
            return
        if again:
            child.kill()
            return
        child.send_signal(signal.SIGINT)
        deadline = threading.Timer(GRACE, lambda: child.poll() is None and child.kill())
        deadline.daemon = True  # never keeps the process alive after the worker stopped
        deadline.start()

    def _jobs(self) -> dict[str, Job]:
        """The active jobs of sources this worker's configuration knows."""
        jobs = {job.source: job for job in self.queue.active(self.sources)}
        known = load_sources(*self.config.source_dirs)
        for name in sorted(set(jobs) - set(known)):
            log.warning("job for %s skipped: no such source in this worker's configuration", name)
        return {name: job for name, job in jobs.items() if name in known}

    def _round(self, jobs: dict[str, Job]) -> None:
        definitions = {s.name: s for s in enabled_sources(self.config, list(jobs))}
        intake = Intake(self.engine, self.config, jobs, definitions, self.queue, self.id)
        self.report.rounds += 1
        log.info("worker %s: round %d over %s", self.id, self.report.rounds, ", ".join(jobs))
        with tempfile.TemporaryFile() as errors:
            code = self._crawl(self._spec(jobs, definitions), intake, errors)
            if code != 0 and not self.stop.is_set():
                log.error("crawl process of %s ended with %s: %s", self.id, code, _tail(errors))
        self._settle(jobs, intake, code)

    def _settle(self, jobs: dict[str, Job], intake: Intake, code: int) -> None:
        """Record the runs, finish the drained jobs, send the alerts of jobs that notify; after a crawl
        process that failed, pause before the next round."""
        self.report.runs.update(intake.finish())
        self.report.done, self.report.failed = self.report.done + intake.done, self.report.failed + intake.failed
        log.info("worker %s: round %d ended (exit %s); %d requests done, %d failed", self.id, self.report.rounds,
                 code, intake.done, intake.failed)
        for name in jobs:
            self.queue.finish_if_drained(name)
        if any(job.notify for job in jobs.values()):
            dispatch(self.engine, self.config.channels)
        if code != 0 and not self.stop.is_set():
            self.stop.wait(RETRY_PAUSE)

    def _crawl(self, spec: dict[str, Any], intake: Intake, errors: IO[bytes]) -> int:
        """Run the crawl process, store its items; what it still holds at the end goes back to the queue
        (as an attempt when the process failed on its own: a page that kills every worker is given up on;
        never when this worker stopped or its store went away)."""
        child = subprocess.Popen([sys.executable, "-m", "govmon.crawler.run"], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=errors, text=True, encoding="utf-8",
                                 env={**os.environ, PARENT_ENV: str(os.getpid())}, start_new_session=True)
        self.child, code = child, None
        if self.stop.is_set():  # stopped while it was starting: halt() did not see it
            child.send_signal(signal.SIGINT)
        try:
            _feed(child, spec, intake)
            code = child.wait()
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
            self.child = None
            failed = code is not None and code != 0 and not self.stop.is_set()
            for name in spec_sources(spec):
                self.queue.leases(name).release(self.id, counted=failed)
        return code if code is not None else -1

    def _spec(self, jobs: dict[str, Job], definitions: dict[str, SourceDef]) -> dict[str, Any]:
        queue = {"url": self.queue.url, "prefix": self.queue.prefix, "worker": self.id}
        return {"queue": queue, "source_dirs": [str(d) for d in self.config.source_dirs],
                "crawls": [self._entry(definitions[name], job) for name, job in jobs.items()]}

    def _entry(self, source: SourceDef, job: Job) -> dict[str, Any]:
        """A source's part of the spec: the walk with the keys of every article the store has (not fetched
        again), the validators of recent ones, and the source's settings."""
        with session_scope(self.engine) as session:
            row = repo.source_by_name(session, source.name)
            known = repo.known_pages(session, row, utcnow() - timedelta(days=KNOWN_DAYS)) if row else {}
            seen = [url_key(url) for url in repo.known_urls(session, row)] if row else []
        return {"source": source.name, "known": known, "walk": {**job.walk(), "seen": seen},
                "settings": crawl_settings(self.config, source)}


def _feed(child: subprocess.Popen[str], spec: dict[str, Any], intake: Intake) -> None:
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(json.dumps(spec))
    child.stdin.close()
    for line in child.stdout:
        if line.strip():
            intake.take(line)


def spec_sources(spec: dict[str, Any]) -> list[str]:
    return [entry["source"] for entry in spec["crawls"]]


def _tail(errors: IO[bytes], lines: int = 5) -> str:
    errors.seek(0)
    return "\n".join(errors.read().decode("utf-8", errors="replace").strip().splitlines()[-lines:])
