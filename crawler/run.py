"""Run one crawl of one source in this process: ``python -m crawler.run < spec.json``.

The monitor starts this as a subprocess per crawl (Scrapy's Twisted reactor cannot be restarted inside one
process), writes a JSON spec to its stdin and reads one JSON item per line from its stdout. The spec::

    {"source": "baochinhphu",            # a source name
     "source_dirs": ["/etc/govmon/sources"],  # extra definition directories (optional)
     "known": {"https://...": {"etag": "...", "last_modified": "...", "extractor": "site"}},
     "refetch": false,                   # re-request known articles even without validators
     "walk": {"max_pages": 50, "since": "2025-01-01T00:00:00+07:00",  # backfill (optional):
              "seen": ["3f9a0c2b7d1e4f60"]},  # url_key of every article the store has (not fetched again)
     "settings": {"DOWNLOAD_DELAY": 0, "GOVMON_HOST_MAP": {"*": "http://127.0.0.1:8123"}}}

A distributed backfill's worker gives a ``queue`` and one entry per source instead (the requests come from
the shared Redis queue, see `crawler.distributed`; each item names its source, each handled request ends
with a ``done`` item carrying its lease)::

    {"queue": {"url": "redis://127.0.0.1:6379/0", "prefix": "govmon", "worker": "host:pid:id"},
     "source_dirs": [],
     "crawls": [{"source": "vanban", "known": {}, "walk": {"max_pages": 50, "since": "…", "seen": []},
                 "settings": {"DOWNLOAD_DELAY": 3.0}}]}

Exit status 0 when the crawl ran (problems are items, not exit codes), 2 for a bad spec.
"""
from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

from govmon.crawler import lifeline
from govmon.crawler import settings as default_settings
from govmon.crawler.budget import cap_memory
from govmon.crawler.extract.limits import PAGE_MEMORY_BYTES
from govmon.crawler.sources import SourceError, load_sources
from govmon.crawler.spiders.portal import SourceSpider

DISTRIBUTED = "govmon.crawler.distributed"  # loaded for queue specs only: a plain crawl never pays redis's import

__all__ = ["crawl", "crawl_queue", "queue_crawlers", "build_settings", "main"]


_GUARDS = ("NetGuardMiddleware", "FetchFailureMiddleware", "HostMapMiddleware", "RetryAfterMiddleware")
_PINNED = ("TWISTED_DNS_RESOLVER", "DOWNLOAD_HANDLERS")
_ABOVE_CMDLINE = 50  # Scrapy's highest named priority is "cmdline" (40): the user's [crawl] table


def build_settings(overrides: dict[str, Any], tls_verify: bool = True) -> Settings:
    """Our settings, the spec's overlay (the user's [crawl] table, delays, host map), then the network
    guard pinned above both: its resolver, middlewares and scheme handlers, and certificate verification
    (off only for a source whose definition says tls_verify = false), so no configuration turns them off."""
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.update(overrides, priority="cmdline")
    for name in _PINNED:
        settings.set(name, getattr(default_settings, name), priority=_ABOVE_CMDLINE)
    settings.set("DOWNLOAD_VERIFY_CERTIFICATES", tls_verify, priority=_ABOVE_CMDLINE)
    settings.set("DOWNLOADER_CLIENTCONTEXTFACTORY", "SENTINEL", priority=_ABOVE_CMDLINE)
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    guards = {k: v for k, v in default_settings.DOWNLOADER_MIDDLEWARES.items() if k.rsplit(".", 1)[-1] in _GUARDS}
    settings.set("DOWNLOADER_MIDDLEWARES", {**middlewares, **guards}, priority=_ABOVE_CMDLINE)
    return settings


def crawl(spec: dict[str, Any]) -> None:
    """Run the crawl the spec describes; items go to stdout through the JSON-lines pipeline."""
    if "queue" in spec:
        crawl_queue(spec)
        return
    sources = load_sources(*(Path(d) for d in spec.get("source_dirs", [])))
    name = spec["source"]
    if name not in sources:
        raise SourceError(f"unknown source {name!r}")
    settings = build_settings(spec.get("settings", {}), tls_verify=sources[name].tls_verify)
    process = CrawlerProcess(settings, install_root_handler=True)
    process.crawl(SourceSpider, source=sources[name], known=spec.get("known", {}),
                  refetch=bool(spec.get("refetch", False)), walk=spec.get("walk"))
    cap_memory(PAGE_MEMORY_BYTES)  # an input that needs more is a too_large problem, not a swapping machine
    process.start()


def _process_settings(overrides: dict[str, Any]) -> Settings:
    """A queue worker's process settings (its reactor, DNS guard, logs): ours and the first entry's overlay
    (the network settings — host map, allow_private, static answers — come from the worker's one
    configuration, the same in every entry), all at Scrapy's lowest priority, because Scrapy merges them into
    every crawler's settings, where they must never replace a crawler's own (its delay, its certificate
    checks, the queue's middlewares)."""
    settings = Settings()
    settings.setmodule(default_settings, priority="default")
    settings.update(overrides, priority="default")
    return settings


def queue_crawlers(spec: dict[str, Any]) -> tuple[Settings, list[tuple[Crawler, dict[str, Any]]]]:
    """A queue spec's process settings and, per source, its crawler (the source's settings, the network guard
    pinned, made a queue worker's) and its spider's arguments."""
    distributed = _distributed()
    sources = load_sources(*(Path(d) for d in spec.get("source_dirs", [])))
    unknown = [c["source"] for c in spec["crawls"] if c["source"] not in sources]
    if unknown or not spec["crawls"]:
        raise SourceError(f"unknown source(s) {unknown}")
    crawlers = []
    for n, entry in enumerate(spec["crawls"]):
        source = sources[entry["source"]]
        settings = build_settings(entry.get("settings", {}), tls_verify=source.tls_verify)
        distributed.queue_settings(settings, spec["queue"], _ABOVE_CMDLINE)
        crawler = Crawler(distributed.QueueSpider, settings, init_reactor=n == 0)  # the first installs the reactor
        crawlers.append((crawler, {"source": source, "known": entry.get("known", {}), "walk": entry.get("walk") or {}}))
    return _process_settings(spec["crawls"][0].get("settings", {})), crawlers


def _distributed() -> ModuleType:
    """`crawler.distributed` (scrapy-redis, redis: the `redis` extra, which distributed backfills need)."""
    try:
        return importlib.import_module(DISTRIBUTED)
    except ImportError as missing:
        need = "a queue worker needs govmon's redis extra (pip install 'govmon[redis]')"
        raise SourceError(f"{need}: {missing}") from missing


def crawl_queue(spec: dict[str, Any]) -> None:
    """A worker of a distributed backfill: one crawler per source of the spec, all in one reactor, until
    their queues are drained."""
    settings, crawlers = queue_crawlers(spec)
    process = CrawlerProcess(settings, install_root_handler=True)
    for crawler, arguments in crawlers:
        process.crawl(crawler, **arguments)
    cap_memory(PAGE_MEMORY_BYTES)
    process.start()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    lifeline.hold()  # started by a monitor process: end with it, even if it is SIGKILLed
    try:
        raw = Path(args[0]).read_text(encoding="utf-8") if args else sys.stdin.read()
        crawl(json.loads(raw))
    except (OSError, ValueError, KeyError, SourceError) as exc:
        print(f"govmon crawl: bad crawl spec: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
