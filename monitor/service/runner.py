"""Running crawls: one subprocess per crawl (``python -m crawler.run``), this process the single writer.

Scrapy's Twisted reactor cannot be restarted inside one process, and a daemon that crawls every few
minutes must not accumulate one. So each crawl is a child process that writes JSON lines; the parent
ingests each line in its own transaction. A child that hangs is killed at the configured timeout; Ctrl-C
stops the child and leaves every item already ingested committed and nothing half-written.
"""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO, Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from govmon.crawler.extract.fingerprint import url_key
from govmon.crawler.lifeline import PARENT_ENV
from govmon.crawler.sources import Source as SourceDef
from govmon.crawler.sources import load_sources, unknown_names
from govmon.monitor.config import Config
from govmon.monitor.pipeline.ingest import Ingestor, Tally
from govmon.monitor.service.claims import Claim, reap_runs
from govmon.monitor.service.walks import Checkpoint
from govmon.storage import repository as repo
from govmon.storage.db import StoreUnavailable, session_scope, write
from govmon.storage.models import utcnow

__all__ = ["CrawlReport", "Control", "Walk", "crawl_source", "run_pass", "enabled_sources", "crawl_settings",
           "walk_checkpoint"]


log = logging.getLogger(__name__)
OnItem = Callable[[dict[str, Any], Tally], None]
KNOWN_DAYS = 30  # articles seen this recently are re-requested conditionally; older ones are not in the spec
CLAIM_WAIT = 60.0  # a command waits this long for a source another process is crawling



@dataclass
class CrawlReport:
    source: str
    status: str
    tally: Tally
    message: str = ""


@dataclass
class Walk:
    """A backfill crawl: list pages followed up to `max_pages`, articles kept only within [since, until],
    quiet (a baseline) unless `notify`; `on_item` sees every item (progress display)."""

    since: datetime | None = None
    until: datetime | None = None
    max_pages: int = 50
    notify: bool = False
    on_item: OnItem | None = None


@dataclass
class Control:
    """Shared by the crawls of one pass: the live children (to stop them all on Ctrl-C) and the stop flag."""

    stop: threading.Event = field(default_factory=threading.Event)
    live: set[subprocess.Popen[str]] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, child: subprocess.Popen[str]) -> None:
        with self.lock:
            self.live.add(child)

    def discard(self, child: subprocess.Popen[str]) -> None:
        with self.lock:
            self.live.discard(child)

    def halt(self) -> None:
        self.stop.set()
        with self.lock:
            for child in self.live:
                child.kill()


def enabled_sources(config: Config, names: Sequence[str] = ()) -> list[SourceDef]:
    """The definitions to crawl: `names` if given, else the config's list, else every non-legacy source."""
    available = load_sources(*config.source_dirs)
    wanted = list(names) or list(config.sources)
    unknown = unknown_names(wanted, available)
    if unknown:
        raise KeyError(f"unknown source(s) {unknown}; see `govmon sources list`")
    chosen = [available[n] for n in wanted] if wanted else [s for s in available.values() if not s.legacy]
    return sorted(chosen, key=lambda s: s.name)


def crawl_settings(config: Config, source: SourceDef, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    settings: dict[str, Any] = {"DOWNLOAD_DELAY": source.download_delay,
                                "CONCURRENT_REQUESTS_PER_DOMAIN": source.concurrency}
    if config.contact:
        settings["USER_AGENT"] = f"govmon/0.1 (+mailto:{config.contact}; Vietnamese government announcements monitor)"
    if config.allow_private:
        settings["GOVMON_ALLOW_PRIVATE"] = list(config.allow_private)
    return {**settings, **config.crawl, **(extra or {})}


def _spec(engine: Engine, config: Config, source: SourceDef, extra: dict[str, Any] | None) -> dict[str, Any]:
    """What the crawl child needs: the source, the HTTP validators of the articles seen in the last
    KNOWN_DAYS (list pages show recent articles; an older one that reappears is fetched in full once), and
    the settings."""
    with session_scope(engine) as session:
        row = repo.source_by_name(session, source.name)
        known = repo.known_pages(session, row, utcnow() - timedelta(days=KNOWN_DAYS)) if row else {}
    return {"source": source.name, "source_dirs": [str(d) for d in config.source_dirs], "known": known,
            "settings": crawl_settings(config, source, extra)}


def _tail(log: IO[bytes], lines: int = 5) -> str:
    log.seek(0)
    text = log.read().decode("utf-8", errors="replace").strip().splitlines()
    return "\n".join(text[-lines:])


def crawl_source(engine: Engine, config: Config, source: SourceDef, extra: dict[str, Any] | None = None,
                 control: Control | None = None, walk: Walk | None = None, claim_wait: float = 0.0) -> CrawlReport:
    """Crawl one source in a child process and ingest what it reports (a backfill when `walk` is given).
    One process crawls a source at a time: while another holds it (waiting up to `claim_wait` seconds for
    it), the report says "busy" and nothing is crawled."""
    reap_runs(engine, config.crawl_timeout)
    claim = Claim(engine, write(engine, lambda session: _source_row(session, source)), config.crawl_timeout)
    if not _wait_for(claim, claim_wait, control or Control()):
        return CrawlReport(source.name, "busy", Tally(), f"being crawled by {claim.holder}")
    try:
        return _crawl(engine, config, source, extra, control or Control(), walk)
    finally:
        claim.release()


def _source_row(session: Session, source: SourceDef) -> int:
    row = repo.ensure_source(session, source.name, title=source.title, kind=source.kind, official=source.official)
    session.flush()
    return row.id


def _wait_for(claim: Claim, seconds: float, control: Control) -> bool:
    deadline = time.monotonic() + seconds
    while not claim.take():
        if time.monotonic() >= deadline or control.stop.wait(min(2.0, max(0.1, deadline - time.monotonic()))):
            return False
    return True


def _crawl(engine: Engine, config: Config, source: SourceDef, extra: dict[str, Any] | None, control: Control,
           walk: Walk | None) -> CrawlReport:
    ingestor = Ingestor(engine, source, config.channels, quiet=bool(walk and not walk.notify),
                        window=(walk.since, walk.until) if walk else (None, None))
    spec_data = _spec(engine, config, source, extra)
    checkpoint = _walk_spec(spec_data, engine, source, walk) if walk else None
    on_item = _observed(checkpoint, walk.on_item if walk else None)
    with tempfile.TemporaryFile() as log:
        child = subprocess.Popen([sys.executable, "-m", "govmon.crawler.run"], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=log, text=True, encoding="utf-8",
                                 env={**os.environ, PARENT_ENV: str(os.getpid())})
        control.add(child)
        timer = threading.Timer(config.crawl_timeout, child.kill)
        timer.start()
        try:
            _feed(child, json.dumps(spec_data), ingestor, on_item)
        except BaseException:
            child.kill()
            child.wait()
            _finish_quietly(ingestor)
            raise
        finally:
            timer.cancel()
            control.discard(child)
            if checkpoint is not None:
                checkpoint.save()
        code = child.wait()
        if code != 0:
            return _failed(ingestor, source, code, log, control)
    return CrawlReport(source.name, ingestor.finish(), ingestor.tally)


def _finish_quietly(ingestor: Ingestor) -> None:
    """Record an interrupted run if the store lets us (it may be what failed); the cause is raised anyway."""
    try:
        ingestor.finish("interrupted")
    except Exception:  # noqa: BLE001 - the original error matters more; a dead run is reaped later
        log.warning("could not record the interrupted run of %s", ingestor.definition.name)


def walk_checkpoint(engine: Engine, source: str, walk: Walk) -> Checkpoint:
    """Where the last walk of this store, source and window stopped (`monitor.service.walks`)."""
    return Checkpoint.for_walk(engine.url.render_as_string(hide_password=False), source, _window(walk))


def _window(walk: Walk) -> tuple[str, str]:
    return walk.since.isoformat() if walk.since else "", walk.until.isoformat() if walk.until else ""


def _walk_spec(spec: dict[str, Any], engine: Engine, source: SourceDef, walk: Walk) -> Checkpoint:
    """Add the walk to the spec, resuming where the last walk of this store, source and window stopped,
    with the keys of every article the store has (the walk skips them without fetching): 16 hex digits a
    URL, never the URLs themselves."""
    checkpoint = walk_checkpoint(engine, source.name, walk)
    since, until = _window(walk)
    spec["walk"] = {"max_pages": walk.max_pages, "since": since, "until": until, "resume": checkpoint.points,
                    "seen": _seen_keys(engine, source)}
    return checkpoint


def _seen_keys(engine: Engine, source: SourceDef) -> list[str]:
    with session_scope(engine) as session:
        row = repo.source_by_name(session, source.name)
        return [url_key(url) for url in repo.known_urls(session, row)] if row else []


def _observed(checkpoint: Checkpoint | None, on_item: OnItem | None) -> OnItem | None:
    if checkpoint is None:
        return on_item

    def observe(item: dict[str, Any], tally: Tally) -> None:
        checkpoint.observe(item)
        if on_item is not None:
            on_item(item, tally)
    return observe


def _failed(ingestor: Ingestor, source: SourceDef, code: int, log: IO[bytes], control: Control) -> CrawlReport:
    if control.stop.is_set():
        return CrawlReport(source.name, ingestor.finish("interrupted", "stopped"), ingestor.tally, "stopped")
    message = "timed out" if code < 0 else _tail(log)
    return CrawlReport(source.name, ingestor.finish("failed", message), ingestor.tally, message)


def _feed(child: subprocess.Popen[str], spec: str, ingestor: Ingestor, on_item: OnItem | None = None) -> None:
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(spec)
    child.stdin.close()
    for line in child.stdout:
        if line.strip():
            item = _ingest(line, ingestor)
            if on_item is not None:
                on_item(item, ingestor.tally)


def _ingest(line: str, ingestor: Ingestor) -> dict[str, Any]:
    """Ingest one line of the crawl's output; an item that cannot be stored is set aside with its error
    (the run fails and says so), never a reason to drop the rest. A store that stays away stops the crawl."""
    item: dict[str, Any] = {"type": "unreadable", "url": ""}
    try:
        item = json.loads(line)
        ingestor.handle(item)
    except StoreUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 - one bad item must not stop change detection for the source
        ingestor.set_aside(item, exc)
    return item


def run_pass(engine: Engine, config: Config, sources: Sequence[SourceDef],
             extra: dict[str, Any] | None = None, claim_wait: float = CLAIM_WAIT) -> list[CrawlReport]:
    """One crawl of each source, `config.parallel` at a time (each source keeps its own politeness); a
    source that fails never stops the others, one that another process is crawling is waited for up to
    `claim_wait` seconds, then reported busy. Ctrl-C stops every running crawl and starts no new one."""
    control = Control()
    with ThreadPoolExecutor(max_workers=max(1, config.parallel), thread_name_prefix="crawl") as pool:
        futures = [pool.submit(crawl_source, engine, config, source, extra, control, None, claim_wait)
                   for source in sources]
        try:
            return [future.result() for future in futures]
        except KeyboardInterrupt:
            for future in futures:
                future.cancel()
            control.halt()
            raise
