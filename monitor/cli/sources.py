"""`govmon sources list|check|add`: the source definitions, what their selectors find on a live or saved
page today, and a new definition written for the user (a provincial portal is a few lines of TOML).

`check` fetches like a crawl: robots.txt obeyed, never a private address (crawler/netguard.py), certificates
verified unless the source says tls_verify = false, bounded in bytes and seconds."""
from __future__ import annotations

import re
import ssl
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Optional
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

import certifi
import httpx
import tomli_w
import typer
from protego import Protego
from rich.table import Table

from govmon.crawler.extract.checks import SelectorCheck, check_article, check_list
from govmon.crawler.extract.html import decode
from govmon.crawler.extract.listing import extract_links
from govmon.crawler.extract.types import NotContent, SelectorMismatch
from govmon.crawler.hostmap import mapped_url
from govmon.crawler.netguard import (
    Blocked,
    Policy,
    literal_ip,
    lookup,
    tls_failure,
    tls_reason,
    web_url_problem,
)
from govmon.crawler.sources import (
    BUILTIN_DIR,
    PLATFORMS,
    Source,
    SourceError,
    load_source,
    load_sources,
)
from govmon.monitor.cli.common import fail, load, out
from govmon.monitor.cli.views import sources_table
from govmon.monitor.config import Config, user_sources_dir
from govmon.monitor.service.runner import crawl_settings

__all__ = ["sources_app"]

sources_app = typer.Typer(help="Source definitions: list them, check them against a page, add your own.",
                          no_args_is_help=True)


def _all(config: Config) -> dict[str, Source]:
    try:
        return load_sources(*config.source_dirs)
    except SourceError as exc:
        raise fail(str(exc)) from exc


@sources_app.command("list")
def sources_list(legacy: Annotated[bool, typer.Option(help="Include archive-only legacy sources.")] = True) -> None:
    """The source definitions govmon knows (built-in, ~/.config/govmon/sources and your source_dirs)."""
    found = [s for s in _all(load()).values() if legacy or not s.legacy]
    out.print(sources_table(sorted(found, key=lambda s: (s.kind, s.name))))


MAX_PAGE = 5 * 1024 * 1024  # bytes of one page
MAX_ROBOTS = 512 * 1024
MAX_REDIRECTS = 5
FETCH_SECONDS = 60.0  # one fetch, redirects included, however slowly the server trickles
TIMEOUT = httpx.Timeout(20.0, connect=10.0)


class _FetchError(Exception):
    """A fetch of `sources check` that failed; the message is the one line the user reads."""


@dataclass
class _Fetcher:
    """The fetches of `sources check`, as careful as a crawl's: the host map and User-Agent of the crawl,
    robots.txt obeyed, every hop's address checked (crawler.netguard) and then connected to — by address,
    with the site's Host header and TLS name — so DNS cannot answer differently in between; bounded in
    bytes and seconds."""

    host_map: dict[str, str]
    policy: Policy
    static: dict[str, Any]
    user_agent: str
    verify: bool
    robots: dict[str, Protego | None] = field(default_factory=dict)

    @classmethod
    def of(cls, config: Config, source: Source) -> _Fetcher:
        settings = crawl_settings(config, source)
        host_map = dict(settings.get("GOVMON_HOST_MAP") or {})
        policy = Policy.from_settings(host_map, settings.get("GOVMON_ALLOW_PRIVATE") or [])
        return cls(host_map, policy, dict(settings.get("GOVMON_RESOLVE") or {}),
                   str(settings.get("USER_AGENT", "govmon/0.1")), source.tls_verify)

    def page(self, url: str) -> tuple[str, str]:
        """(final URL, decoded page) of a page robots.txt lets us fetch."""
        self._obey_robots(url)
        final, response, body = self.get(url, MAX_PAGE)
        if response.status_code >= 400:
            raise _FetchError(f"cannot fetch {url}: HTTP {response.status_code}")
        return final, decode(body, response.headers.get("content-type", ""))

    def get(self, url: str, limit: int) -> tuple[str, httpx.Response, bytes]:
        """GET `url` (through the host map), following at most MAX_REDIRECTS redirects, each checked."""
        deadline, target = time.monotonic() + FETCH_SECONDS, mapped_url(url, self.host_map) or url
        problem = self.policy.url_problem(url)  # the site's own URL too, even when a mirror serves it
        if problem:
            raise _FetchError(f"cannot fetch {url}: {problem}")
        with httpx.Client(verify=self._tls(), timeout=TIMEOUT, trust_env=False) as client:
            for _ in range(MAX_REDIRECTS + 1):
                response = self._send(client, target, url, deadline)
                try:
                    if not response.is_redirect:
                        return self._reported(url, target), response, _read(response, url, limit, deadline)
                    target = urljoin(target, response.headers["location"])
                finally:
                    response.close()
        raise _FetchError(f"cannot fetch {url}: more than {MAX_REDIRECTS} redirects")

    def _reported(self, url: str, final: str) -> str:
        """The URL to show: the site's own when a mirror (the host map) served it, else where we ended."""
        return url if final.startswith(tuple(self.host_map.values())) else final

    def _send(self, client: httpx.Client, target: str, url: str, deadline: float) -> httpx.Response:
        parts = urlsplit(target)
        if time.monotonic() > deadline:
            raise _FetchError(f"cannot fetch {url}: took longer than {FETCH_SECONDS:.0f} s")
        try:
            self.policy.check_url(target)
            address = self._address(parts.hostname or "")
            request = client.build_request("GET", _pinned(parts, address), headers=self._headers(parts),
                                           extensions=_sni(parts))
            return client.send(request, stream=True)
        except Blocked as exc:
            raise _FetchError(f"cannot fetch {target}: {exc}") from exc
        except httpx.HTTPError as exc:
            raise _FetchError(f"cannot fetch {url}: {_why(exc, parts.hostname or '')}") from exc

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
            except _FetchError as exc:  # robots.txt refused: so is the page, say it of the page
                raise _FetchError(f"cannot fetch {url}: {exc.__cause__}") from exc.__cause__
        rules = self.robots[root]
        if rules is not None and not rules.can_fetch(url, self.user_agent):
            raise _FetchError(f"robots.txt of {parts.netloc} disallows {url}: govmon does not fetch it")

    def _robots(self, root: str) -> Protego | None:
        """The site's robots.txt; None (everything allowed) when it has none or it cannot be read."""
        try:
            _, response, body = self.get(root + "/robots.txt", MAX_ROBOTS)
        except _FetchError as exc:
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
        raise _FetchError(f"cannot fetch {url}: larger than {limit // 1024} KB")
    body = bytearray()
    try:
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > limit:
                raise _FetchError(f"cannot fetch {url}: larger than {limit // 1024} KB")
            if time.monotonic() > deadline:
                raise _FetchError(f"cannot fetch {url}: took longer than {FETCH_SECONDS:.0f} s")
    except httpx.HTTPError as exc:
        raise _FetchError(f"cannot fetch {url}: {exc}") from exc
    return bytes(body)


def _fetch(url: str, fetcher: _Fetcher) -> tuple[str, str]:
    """(final URL, decoded page); a refused or failed fetch is one line on stderr and exit status 2."""
    try:
        return fetcher.page(url)
    except _FetchError as exc:
        raise fail(str(exc)) from exc


def _table(title: str, rows: list[SelectorCheck]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("", "selector", "found", "expected", "first match"):
        table.add_column(column, overflow="fold")
    for r in rows:
        mark = "[green]ok[/]" if r.ok else "[red]FAIL[/]"
        table.add_row(f"{mark} {r.name}", r.selector, str(r.found), r.expected, r.sample)
    return table


def _article_url(page: str, url: str, source: Source) -> str | None:
    try:
        links = extract_links(page, url, source.list)
    except SelectorMismatch:
        return None
    return links[0] if links else None


@sources_app.command("check")
def sources_check(name: str,
                  url: Annotated[Optional[str], typer.Option(help="List page to check (default: the first start URL).")] = None,
                  article: Annotated[Optional[str], typer.Option(help="Article URL (default: the first link found).")] = None,
                  file: Annotated[Optional[Path], typer.Option(help="A saved article page instead of fetching one.")] = None) -> None:
    """Show which selectors of a source match what on a live (or saved) page; exit 1 if any fails."""
    config = load()
    source = _all(config).get(name)
    if source is None:
        raise fail(f"unknown source {name!r}; see `govmon sources list`")
    rows: list[SelectorCheck] = []
    fetcher = _Fetcher.of(config, source)
    if file is None and source.start_urls:
        list_url, page = _fetch(url or source.start_urls[0], fetcher)
        rows += _print(f"list page {list_url}", check_list(page, source.list))
        article = article or _article_url(page, list_url, source)
    if file is not None or article:
        text = decode(file.read_bytes()) if file else _fetch(article or "", fetcher)[1]
        rows += _print(f"article {file or article}", _article_checks(text, source))
    if not all(r.ok for r in rows):
        raise fail(f"{name}: {sum(not r.ok for r in rows)} selector(s) do not match what they promise", code=1)


def _article_checks(text: str, source: Source) -> list[SelectorCheck]:
    if source.article is None:
        return [SelectorCheck("article", "(none: generic extractor)", 0, "any", True)]
    try:
        return check_article(text, source.article)
    except NotContent as exc:
        raise fail(f"the article page is not content: {exc}", code=1) from exc


def _print(title: str, rows: list[SelectorCheck]) -> list[SelectorCheck]:
    out.print(_table(title, rows))
    return rows


_NAME = re.compile(r"^[a-z][a-z0-9_]{1,40}$")


def _definition(name: str, url: str, title: str, extends: str, province: str) -> dict[str, Any]:
    """The new source as data: written by a TOML library, so a title is a string, whatever it holds."""
    host = urlsplit(url).hostname or ""
    data: dict[str, Any] = {"name": name, "title": title or name, "kind": "provincial" if province else "news"}
    if province:
        data["province"] = province
    return {**data, "official": host.endswith(".gov.vn"), "hosts": [host], "start_urls": [url], "extends": extends,
            "interval_minutes": 60, "download_delay": 3.0, "concurrency": 1}


@sources_app.command("add")
def sources_add(name: str,
                url: Annotated[str, typer.Option(help="The list page to watch, e.g. a 'Tin tức' category.")],
                extends: Annotated[str, typer.Option(help="Platform whose selectors to use (see crawler/sources/platforms).")] = "portal",
                title: Annotated[str, typer.Option(help="Display name.")] = "",
                province: Annotated[str, typer.Option(help="Province, for provincial portals.")] = "",
                directory: Annotated[Optional[Path], typer.Option("--dir", help="Where to write (default ~/.config/govmon/sources).")] = None) -> None:
    """Write a new source definition (TOML) for a site, based on a platform; then run `sources check`."""
    config = load()
    if not _NAME.match(name):
        raise fail("the name must be lower-case letters, digits and _ (e.g. 'binhduong_legacy')")
    if name in _all(config):
        raise fail(f"a source named {name!r} exists already")
    if not (BUILTIN_DIR / PLATFORMS / f"{extends}.toml").is_file():
        raise fail(f"unknown platform {extends!r}")
    problem = web_url_problem(url) or Policy.from_settings({}, config.allow_private).url_problem(url)
    if problem:
        raise fail(f"--url: {problem}; an intranet portal needs its host or network in allow_private"
                   if problem.startswith("blocked: private") else f"--url: {problem}")
    target = (directory or user_sources_dir()) / f"{name}.toml"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(tomli_w.dumps(_definition(name, url, title, extends, province)), encoding="utf-8")
    try:
        load_source(target, (BUILTIN_DIR, target.parent))
    except SourceError as exc:
        target.unlink()
        raise fail(str(exc)) from exc
    out.print(f"wrote {target}\nnext: govmon sources check {name}", highlight=False)
