"""A writer process for the reliability tests: ingests the items of a JSON file into a store as one crawl of
one source would, starting when a shared start file appears (so several writers hit the store at once).

    python writer.py DATABASE_URL SOURCE ITEMS.json START_FILE
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from govmon.crawler.sources import load_sources
from govmon.monitor.config import Channel
from govmon.monitor.pipeline.ingest import Ingestor
from govmon.storage.db import make_engine


def main(database: str, source: str, items: str, start: str) -> None:
    engine = make_engine(database)
    ingestor = Ingestor(engine, load_sources()[source], (Channel("console", "console://stderr"),))
    batch = json.loads(Path(items).read_text(encoding="utf-8"))
    while not Path(start).exists():
        time.sleep(0.005)
    ingestor.handle({"type": "list", "url": batch[0]["url"], "links": [item["url"] for item in batch]})
    for item in batch:
        ingestor.handle(item)
    ingestor.finish()


if __name__ == "__main__":
    main(*sys.argv[1:5])
