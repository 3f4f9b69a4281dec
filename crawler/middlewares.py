"""Downloader middlewares of our own: host mapping (serve a site from a mirror or a local replay), the
network guard (no private addresses, http(s) only; refusals and certificate failures named, not retried),
Retry-After (Scrapy's RetryMiddleware retries 429/503 but ignores Retry-After), answering a script cookie
challenge once (chinhphu.vn's "set D0N and reload"), and recording responses into a WARC."""
from __future__ import annotations

import io
import math
import time
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import CannotResolveHostError, NotConfigured
from scrapy.http import Response
from twisted.internet import task, threads
from twisted.internet.error import DNSLookupError
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from govmon.crawler.extract.health import challenge_cookie
from govmon.crawler.hostmap import mapped_url
from govmon.crawler.netguard import (
    Blocked,
    CertificateRejected,
    Policy,
    refusal,
    tls_failure,
    tls_reason,
    web_url_problem,
)

__all__ = ["HostMapMiddleware", "NetGuardMiddleware", "FetchFailureMiddleware", "RetryAfterMiddleware",
           "CookieChallengeMiddleware", "WarcRecorderMiddleware", "policy_from", "retry_after"]

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


class NetGuardMiddleware:
    """Refuse, before anything connects, a request govmon must not make (see `crawler.netguard`): a scheme
    other than http(s), user info or a backslash, an address that is private however the URL spells it.
    Runs after the host map, on the URL actually fetched (every redirect hop, robots.txt, attachments)
    and on the site's own URL; names are checked on every DNS answer by `netguard.GuardedResolver`."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NetGuardMiddleware:
        return cls(policy_from(crawler.settings))

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        original = request.meta.get(_ORIGINAL)
        problem = (self.policy.url_problem(original) if original else None) or self.policy.url_problem(request.url)
        if problem:
            raise Blocked(problem)

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        """A redirect to anything but the web is refused here, by name (Scrapy would drop it silently)."""
        location = response.headers.get(b"Location") if 300 <= response.status < 400 else None
        target = urljoin(request.url, location.decode("latin-1")) if location else ""
        problem = web_url_problem(target) if target else None
        if problem and not problem.startswith("no host"):
            raise Blocked(f"blocked: redirect: {problem}")
        return response


def policy_from(settings: Any) -> Policy:
    """The crawl's policy: the host map's targets and `GOVMON_ALLOW_PRIVATE` are allowed although private."""
    return Policy.from_settings(settings.getdict("GOVMON_HOST_MAP"), settings.getlist("GOVMON_ALLOW_PRIVATE"))


class FetchFailureMiddleware:
    """Name a refused fetch or a rejected certificate precisely, and keep Scrapy from retrying either: it
    sits just above RetryMiddleware, so it sees a download's exception first. The resolver's refusal (which
    Twisted reports as "no results for hostname lookup") becomes `Blocked`, a certificate failure
    `CertificateRejected` with its reason (worked out in a thread, never in the reactor)."""

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None) -> Any:
        if isinstance(exception, (Blocked, CertificateRejected)):
            raise exception
        why = refusal(request.url)
        if why and isinstance(exception, (CannotResolveHostError, DNSLookupError)):
            raise Blocked(why) from exception
        cause = tls_failure(exception)
        if cause is None:
            return None
        parts = urlsplit(request.url)
        reason = threads.deferToThread(tls_reason, parts.hostname or "", cause, parts.port or 443)
        return reason.addCallback(_rejected)


def _rejected(reason: str) -> None:
    raise CertificateRejected(reason)


class RetryAfterMiddleware:
    """On 429/503 with Retry-After (delta-seconds or an HTTP date), hold every further request to that site
    until then, the retry Scrapy's RetryMiddleware schedules included. It sits above RetryMiddleware, so it
    sees the answer first, and it waits on a timer, never in the reactor: other sites go on meanwhile.
    Hints are capped at GOVMON_RETRY_AFTER_CAP seconds; nonsense (negative, huge, not a number) is ignored."""

    def __init__(self, cap: float, clock: Any = None) -> None:
        self.cap = cap if math.isfinite(cap) and cap >= 0 else 120.0
        self.until: dict[str, float] = {}
        self.clock = clock  # a Twisted IReactorTime; the crawl's reactor unless given

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler.settings.getfloat("GOVMON_RETRY_AFTER_CAP", 120.0))

    def process_request(self, request: Request, spider: Spider | None = None) -> Any:
        wait = self.until.get(_site(request), 0.0) - self._now()
        if wait <= 0:
            return None
        return task.deferLater(self._clock(), wait, self.process_request, request)

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Any:
        if response.status in (429, 503):
            delay = retry_after(response.headers.get(b"Retry-After"), self.cap)
            if delay > 0:
                site = _site(request)
                self.until[site] = max(self.until.get(site, 0.0), self._now() + delay)
        return response

    def _clock(self) -> Any:
        if self.clock is None:
            from twisted.internet import (
                reactor,  # the crawl's installed reactor, never installed here
            )
            return reactor
        return self.clock

    def _now(self) -> float:
        return self.clock.seconds() if self.clock is not None else time.monotonic()


def _site(request: Request) -> str:
    return urlsplit(request.meta.get(_ORIGINAL, request.url)).netloc.lower()


def retry_after(value: bytes | None, cap: float, now: datetime | None = None) -> float:
    """Seconds a Retry-After value asks for, at most `cap`; 0 for a missing or meaningless one.

    >>> [retry_after(v, 60) for v in (b"7", b"120", b"1e12", b"inf", b"nan", b"-5", b"soon", b"9" * 400, None)]
    [7.0, 60.0, 0.0, 0.0, 0.0, 0.0, 0.0, 60.0, 0.0]
    >>> retry_after(b"Wed, 21 Oct 2026 07:28:00 GMT", 60, datetime(2026, 10, 21, 7, 27, 30, tzinfo=timezone.utc))
    30.0
    """
    text, cap = (value.decode("latin-1").strip()[:64] if value else ""), float(cap)
    if text.isascii() and text.isdigit():
        return min(float(text) if len(text) <= 12 else cap, cap)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return 0.0
    when = when if when.tzinfo else when.replace(tzinfo=timezone.utc)
    return min(max((when - (now or datetime.now(timezone.utc))).total_seconds(), 0.0), cap)


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
