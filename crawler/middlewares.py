"""Downloader middlewares of our own: host mapping (serve a site from a mirror or a local replay) and
Retry-After-aware retries (Scrapy's RetryMiddleware retries 429/503 but ignores Retry-After)."""
from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response

__all__ = ["HostMapMiddleware", "RetryAfterMiddleware"]

_ORIGINAL = "govmon_original_url"


class HostMapMiddleware:
    """GOVMON_HOST_MAP = {host: base}: fetch https://host/path from base/host/path, report it as the
    original URL. Configuration only: spiders, rules and stored URLs are unchanged."""

    def __init__(self, mapping: dict[str, str]) -> None:
        self.mapping = {host.lower(): base.rstrip("/") for host, base in mapping.items()}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostMapMiddleware:
        return cls(crawler.settings.getdict("GOVMON_HOST_MAP"))

    def _base(self, host: str) -> str | None:
        return self.mapping.get(host) or self.mapping.get("*")

    def process_request(self, request: Request, spider: Spider | None = None) -> Request | None:
        if _ORIGINAL in request.meta:
            return None
        parts = urlsplit(request.url)
        base = self._base(parts.hostname or "")
        if not base:
            return None
        target = f"{base}/{parts.hostname}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")
        return request.replace(url=target, dont_filter=True, meta={**request.meta, _ORIGINAL: request.url})

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        original = request.meta.get(_ORIGINAL)
        return response.replace(url=original) if original else response


class RetryAfterMiddleware:
    """On 429/503 with a Retry-After header, wait that long (capped) before the retry happens."""

    def __init__(self, cap: float) -> None:
        self.cap = cap

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler.settings.getfloat("GOVMON_RETRY_AFTER_CAP", 120.0))

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Any:
        if response.status in (429, 503):
            delay = _seconds(response.headers.get(b"Retry-After"))
            if delay:
                time.sleep(min(delay, self.cap))  # blocks this crawl process only: politeness wins
        return response


def _seconds(value: bytes | None) -> float:
    try:
        return max(0.0, float(value.decode())) if value else 0.0
    except ValueError:
        return 0.0
