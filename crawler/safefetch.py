"""Fetching a page outside a crawl, as carefully as a crawl does: robots.txt obeyed, never a private address
(every hop checked by `netguard`, then connected to by that address), certificates verified unless a source
opts out, bounded in bytes and seconds. `govmon sources check` reads live pages through it."""
from __future__ import annotations

import ssl
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

import certifi
import httpx
from protego import Protego

from govmon.crawler.extract.html import decode
from govmon.crawler.hostmap import mapped_url
from govmon.crawler.netguard import (
    Blocked,
    Policy,
    literal_ip,
    lookup,
    tls_failure,
    tls_reason,
)

__all__ = ["SafeFetcher", "FetchError", "MAX_PAGE", "MAX_REDIRECTS", "FETCH_SECONDS"]

MAX_PAGE = 5 * 1024 * 1024  # bytes of one page
MAX_ROBOTS = 512 * 1024
MAX_REDIRECTS = 5
FETCH_SECONDS = 60.0  # one fetch, redirects included, however slowly the server trickles
TIMEOUT = httpx.Timeout(20.0, connect=10.0)


class FetchError(Exception):
    """A fetch that failed or was refused; the message is the one line the user reads."""


@dataclass
class SafeFetcher:
    """Fetches outside a crawl (`govmon sources check`), as careful as a crawl's: the host map and
    User-Agent of the crawl, robots.txt obeyed, every hop's address checked (`netguard`) and then connected
    to — by address, with the site's Host header and TLS name — so DNS cannot answer differently in
    between; bounded in bytes and seconds."""

    host_map: dict[str, str]
    policy: Policy
    static: dict[str, Any]
    user_agent: str
    verify: bool
    robots: dict[str, Protego | None] = field(default_factory=dict)

    def page(self, url: str) -> tuple[str, str]:
        """(final URL, decoded page) of a page robots.txt lets us fetch."""
        self._obey_robots(url)
        final, response, body = self.get(url, MAX_PAGE)
        if response.status_code >= 400:
            raise FetchError(f"cannot fetch {url}: HTTP {response.status_code}")
        return final, decode(body, response.headers.get("content-type", ""))

    def get(self, url: str, limit: int) -> tuple[str, httpx.Response, bytes]:
        """GET `url` (through the host map), following at most MAX_REDIRECTS redirects, each checked."""
        deadline, target = time.monotonic() + FETCH_SECONDS, mapped_url(url, self.host_map) or url
        problem = self.policy.url_problem(url)  # the site's own URL too, even when a mirror serves it
        if problem:
            raise FetchError(f"cannot fetch {url}: {problem}")
        with httpx.Client(verify=self._tls(), timeout=TIMEOUT, trust_env=False) as client:
            for _ in range(MAX_REDIRECTS + 1):
                response = self._send(client, target, url, deadline)
                try:
                    if not response.is_redirect:
                        return self._reported(url, target), response, _read(response, url, limit, deadline)
                    target = urljoin(target, response.headers["location"])
                finally:
                    response.close()
        raise FetchError(f"cannot fetch {url}: more than {MAX_REDIRECTS} redirects")

    def _reported(self, url: str, final: str) -> str:
        """The URL to show: the site's own when a mirror (the host map) served it, else where we ended."""
        return url if final.startswith(tuple(self.host_map.values())) else final

    def _send(self, client: httpx.Client, target: str, url: str, deadline: float) -> httpx.Response:
        parts = urlsplit(target)
        if time.monotonic() > deadline:
            raise FetchError(f"cannot fetch {url}: took longer than {FETCH_SECONDS:.0f} s")
        try:
            self.policy.check_url(target)
            address = self._address(parts.hostname or "")
            request = client.build_request("GET", _pinned(parts, address), headers=self._headers(parts),
                                           extensions=_sni(parts))
            return client.send(request, stream=True)
        except Blocked as exc:
            raise FetchError(f"cannot fetch {target}: {exc}") from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"cannot fetch {url}: {_why(exc, parts.hostname or '')}") from exc

    def _address(self, host: str) -> str:
        """The one address this hop connects to: checked, every DNS answer of a name included."""
        literal = literal_ip(host)
        if literal is not None:
            return str(literal)
        try:
            answers = lookup(host, self.static)
        except (OSError, ValueError) as exc:
            raise httpx.ConnectError(f"cannot resolve {host}: {exc}") from exc
        problem = self.policy.answer_problem(host, answers)
        if problem:
            raise Blocked(problem)
        return str(answers[0])

    def _headers(self, parts: SplitResult) -> dict[str, str]:
        return {"Host": parts.netloc, "User-Agent": self.user_agent, "Accept-Encoding": "identity"}

    def _tls(self) -> ssl.SSLContext | bool:
        """The system's trust store as the crawl's (SSL_CERT_FILE honoured), certifi's where it has none."""
        if not self.verify:
            return False
        context = ssl.create_default_context()
        if not context.cert_store_stats()["x509_ca"]:
            context.load_verify_locations(certifi.where())
        return context

    def _obey_robots(self, url: str) -> None:
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        if root not in self.robots:
            try:
                self.robots[root] = self._robots(root)
            except FetchError as exc:  # robots.txt refused: so is the page, say it of the page
                raise FetchError(f"cannot fetch {url}: {exc.__cause__}") from exc.__cause__
        rules = self.robots[root]
        if rules is not None and not rules.can_fetch(url, self.user_agent):
            raise FetchError(f"robots.txt of {parts.netloc} disallows {url}: govmon does not fetch it")

    def _robots(self, root: str) -> Protego | None:
        """The site's robots.txt; None (everything allowed) when it has none or it cannot be read."""
        try:
            _, response, body = self.get(root + "/robots.txt", MAX_ROBOTS)
        except FetchError as exc:
            if isinstance(exc.__cause__, Blocked):
                raise
            return None
        return Protego.parse(body.decode("utf-8", "replace")) if response.status_code == 200 else None


def _pinned(parts: SplitResult, address: str) -> str:
    host = f"[{address}]" if ":" in address else address
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return urlunsplit((parts.scheme, f"{host}:{port}", parts.path or "/", parts.query, ""))


def _sni(parts: SplitResult) -> dict[str, str]:
    host = parts.hostname or ""
    return {"sni_hostname": host} if parts.scheme == "https" and literal_ip(host) is None else {}


def _why(exc: httpx.HTTPError, host: str) -> str:
    cause = tls_failure(exc)
    return tls_reason(host, cause) if cause is not None else str(exc) or type(exc).__name__


def _read(response: httpx.Response, url: str, limit: int, deadline: float) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared[:20]) > limit:
        raise FetchError(f"cannot fetch {url}: larger than {limit // 1024} KB")
    body = bytearray()
    try:
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > limit:
                raise FetchError(f"cannot fetch {url}: larger than {limit // 1024} KB")
            if time.monotonic() > deadline:
                raise FetchError(f"cannot fetch {url}: took longer than {FETCH_SECONDS:.0f} s")
    except httpx.HTTPError as exc:
        raise FetchError(f"cannot fetch {url}: {exc}") from exc
    return bytes(body)
