"""Downloader middlewares of our own: host mapping (serve a site from a mirror or a local replay),
Retry-After-aware retries (Scrapy's RetryMiddleware retries 429/503 but ignores Retry-After), and answering a
script cookie challenge once (chinhphu.vn's "set D0N and reload"), and recording responses into a WARC."""
from __future__ import annotations

import io
import time
from http import HTTPStatus
from typing import Any

from scrapy import Request, Spider
from scrapy.exceptions import NotConfigured
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter
from scrapy.crawler import Crawler
from scrapy.http import Response

from govmon.crawler.extract.health import challenge_cookie
from govmon.crawler.hostmap import mapped_url

__all__ = ["HostMapMiddleware", "RetryAfterMiddleware", "CookieChallengeMiddleware", "WarcRecorderMiddleware"]

_ORIGINAL = "govmon_original_url"
_ANSWERED = "govmon_challenge_answered"


class HostMapMiddleware:
    """GOVMON_HOST_MAP = {host: base}: fetch https://host/path from base/host/path, report it as the
    original URL. Configuration only: spiders, rules and stored URLs are unchanged."""

    def __init__(self, mapping: dict[str, str]) -> None:
        self.mapping = mapping

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostMapMiddleware:
        return cls(crawler.settings.getdict("GOVMON_HOST_MAP"))

    def process_request(self, request: Request, spider: Spider | None = None) -> Request | None:
        if _ORIGINAL in request.meta:
            return None
        target = mapped_url(request.url, self.mapping)
        if target is None:
            return None
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


class CookieChallengeMiddleware:
    """A tiny page whose script sets a cookie and reloads is asked again, once, with that cookie (the
    cookie jar keeps it for the rest of the crawl). A second challenge is passed on: the spider reports it
    as a "challenge" problem, never as content."""

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Any:
        if request.meta.get(_ANSWERED) or response.status != 200 or len(response.body) > 4096:
            return response
        cookie = challenge_cookie(response.body.decode("latin-1"))
        if cookie is None:
            return response
        return request.replace(cookies={**_cookies(request), cookie[0]: cookie[1]}, dont_filter=True,
                               meta={**request.meta, _ANSWERED: True})


def _cookies(request: Request) -> dict[str, str]:
    return dict(request.cookies) if isinstance(request.cookies, dict) else {}


class WarcRecorderMiddleware:
    """GOVMON_WARC_PATH = file: every response is appended to that WARC (gzip members), under the URL the
    site has (not a mirror's), so users keep evidence of what a page said on a given day."""

    def __init__(self, path: str) -> None:
        self.path = path

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcRecorderMiddleware:
        path = crawler.settings.get("GOVMON_WARC_PATH")
        if not path:
            raise NotConfigured("GOVMON_WARC_PATH is not set")
        return cls(path)

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        headers = [(k.decode("latin-1"), b", ".join(v).decode("latin-1")) for k, v in response.headers.items()]
        status = f"{response.status} {_phrase(response.status)}".strip()
        with open(self.path, "ab") as out:
            writer = WARCWriter(out, gzip=True)
            record = writer.create_warc_record(
                response.url, "response", payload=io.BytesIO(response.body),
                http_headers=StatusAndHeaders(status, headers, protocol="HTTP/1.1"))
            writer.write_record(record)
        return response


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
