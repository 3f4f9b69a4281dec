"""Helpers shared by tests: crawl items shaped as the spider emits them, ingested as the runner does."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from govmon.crawler.sources import load_sources
from govmon.monitor.config import Channel
from govmon.monitor.pipeline.ingest import Ingestor
from govmon.storage import repository as repo
from govmon.storage.db import session_scope

CONSOLE = (Channel("console", "console"),)
FIXTURES = Path(__file__).parent / "crawler" / "fixtures"  # recorded and constructed pages per source


def article_item(url: str, text: str, title: str, published: str = "2025-04-02T08:30:00+07:00") -> dict[str, Any]:
    return {"type": "article", "url": url, "status": 200, "html": f"<p>{text}</p>", "etag": '"e1"',
            "last_modified": "", "article": {"url": url, "title": title, "lead": "", "text": text,
                                              "published_at": published, "lang": "vi"}}


def ingest(engine: Engine, *items: dict[str, Any], status: str | None = None, source: str = "baochinhphu",
           channels: tuple[Channel, ...] = CONSOLE) -> Ingestor:
    """One crawl of `source` that saw a list page and `items`."""
    ingestor = Ingestor(engine, load_sources()[source], channels)
    ingestor.handle({"type": "list", "url": "https://baochinhphu.vn/l.htm", "links": []})
    for item in items:
        ingestor.handle(item)
    ingestor.finish(status)
    return ingestor


def ingest_article(engine: Engine, url: str, title: str, text: str) -> Ingestor:
    return ingest(engine, article_item(url, text, title))


def pending_alerts(engine: Engine, count: int, channels: list[str], start: int = 1) -> None:
    """`count` recorded events ("Thông báo N"), each with a pending delivery to every channel."""
    with session_scope(engine) as session:
        for n in range(start, start + count):
            repo.add_event(session, "new_document", f"doc:{n}", channels, title=f"Thông báo {n}",
                           payload={"url": f"https://baochinhphu.vn/{n}.htm", "documents": []})
