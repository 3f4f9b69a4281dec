"""The crawl's only output: one JSON object per line on stdout, flushed as it is produced, read by the
monitor process (the single writer of the store). Logs go to stderr."""
from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from scrapy import Spider

__all__ = ["JsonLinesOutput"]


class JsonLinesOutput:
    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def process_item(self, item: dict[str, Any], spider: Spider | None = None) -> dict[str, Any]:
        self.stream.write(json.dumps(item, ensure_ascii=False) + "\n")
        self.stream.flush()
        return item
