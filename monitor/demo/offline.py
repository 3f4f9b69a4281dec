"""The offline demonstration: two recorded "days" of four sites, replayed on 127.0.0.1, monitored for real.

The spiders, the store, clustering, the document registry and the notifiers all run unchanged; only
configuration differs: the host map sends every request to the replay server, and the crawl delay is 0
because the server is ours. Day 1 is the baseline (nothing announced); day 2 holds the story told in
monitor/demo/STORY.md, and the alerts it must produce.
"""
from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy.engine import Engine

from govmon.monitor.alerts.dispatch import Dispatched, dispatch
from govmon.monitor.config import Channel, Config
from govmon.monitor.demo.replay import ReplayServer
from govmon.monitor.service.runner import CrawlReport, enabled_sources, run_pass

__all__ = ["DEMO_DIR", "DEMO_SOURCES", "DemoDay", "run_demo", "demo_config", "temporary_database_url"]

DEMO_DIR = Path(__file__).parent  # the recorded sites, shipped as package data beside this module
DEMO_SOURCES = ("baochinhphu", "gialai", "vietnam_vn", "vietnamplus")
_FAST = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS_PER_DOMAIN": 4,
         "RETRY_TIMES": 0, "LOG_LEVEL": "WARNING"}


@dataclass
class DemoDay:
    name: str
    reports: list[CrawlReport] = field(default_factory=list)
    delivered: Dispatched = field(default_factory=Dispatched)


def temporary_database_url() -> str:
    folder = Path(tempfile.mkdtemp(prefix="govmon-demo-"))
    return f"sqlite:///{folder / 'govmon.sqlite3'}"


def demo_config(base: Config, notify: str | None = None) -> Config:
    """The user's config with console alerts (plus `notify`, if given) and no politeness delay."""
    channels = (Channel("console", "console"),) + ((Channel("notify", notify),) if notify else ())
    return replace(base, channels=channels, sources=DEMO_SOURCES, crawl={**base.crawl, **_FAST})


def run_demo(engine: Engine, config: Config, on_day: Callable[[str], None] = lambda _: None) -> list[DemoDay]:
    """Replay day 1 (baseline) then day 2 over it, crawling and dispatching after each day."""
    sites = DEMO_DIR / "sites"
    days = [("day1", [sites / "day1"]), ("day2", [sites / "day1", sites / "day2"])]
    sources = enabled_sources(config)
    results = []
    with ReplayServer(days[0][1]) as server:
        extra = {"GOVMON_HOST_MAP": {"*": server.base_url}}
        for name, layers in days:
            server.set_layers(layers)
            on_day(name)
            day = DemoDay(name, run_pass(engine, config, sources, extra))
            day.delivered = dispatch(engine, config.channels)
            results.append(day)
    return results
