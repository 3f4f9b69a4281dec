"""`govmon sources list|check|add`: the source definitions, what their selectors find on a live or saved
page today, and a new definition written for the user (a provincial portal is a few lines of TOML).

`check` fetches like a crawl (`crawler.safefetch`): robots.txt obeyed, never a private address, certificates
verified unless the source says tls_verify = false, bounded in bytes and seconds."""
from __future__ import annotations

import re
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any, Optional
from urllib.parse import urlsplit

import tomli_w
import typer
from rich.table import Table

from govmon.crawler.extract.checks import SelectorCheck, check_article, check_list
from govmon.crawler.extract.html import decode
from govmon.crawler.extract.listing import extract_links
from govmon.crawler.extract.types import NotContent, SelectorMismatch
from govmon.crawler.netguard import (
    Policy,
    web_url_problem,
)
from govmon.crawler.safefetch import FetchError, SafeFetcher
from govmon.crawler.sources import (
    BUILTIN_DIR,
    PLATFORMS,
    Source,
    SourceError,
    load_source,
    load_sources,
)
from govmon.monitor.cli.common import JSON_HELP, fail, load, out, print_json
from govmon.monitor.cli.views import sources_table
from govmon.monitor.config import Config, user_sources_dir
from govmon.monitor.present.records import source_record
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
def sources_list(legacy: Annotated[bool, typer.Option(help="Include archive-only legacy sources.")] = True,
                 as_json: Annotated[bool, typer.Option("--json", help=f"{JSON_HELP} A list of sources.")] = False) -> None:
    """The source definitions govmon knows (built-in, ~/.config/govmon/sources and your source_dirs)."""
    found = sorted((s for s in _all(load()).values() if legacy or not s.legacy), key=lambda s: (s.kind, s.name))
    if as_json:
        print_json([source_record(s) for s in found])
        return
    out.print(sources_table(found))


def _fetcher(config: Config, source: Source) -> SafeFetcher:
    """A fetcher with the crawl's host map, allowances, static DNS answers, User-Agent and TLS choice."""
    settings = crawl_settings(config, source)
    host_map = dict(settings.get("GOVMON_HOST_MAP") or {})
    policy = Policy.from_settings(host_map, settings.get("GOVMON_ALLOW_PRIVATE") or [])
    return SafeFetcher(host_map, policy, dict(settings.get("GOVMON_RESOLVE") or {}),
                       str(settings.get("USER_AGENT", "govmon/0.1")), source.tls_verify)


def _fetch(url: str, fetcher: SafeFetcher) -> tuple[str, str]:
    """(final URL, decoded page); a refused or failed fetch is one line on stderr and exit status 2."""
    try:
        return fetcher.page(url)
    except FetchError as exc:
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
                  file: Annotated[Optional[Path], typer.Option(help="A saved article page instead of fetching one.")] = None,
                  as_json: Annotated[bool, typer.Option("--json", help=f"{JSON_HELP} An object: source, ok, pages "
                                                        "(page, url, checks).")] = False) -> None:
    """Show which selectors of a source match what on a live (or saved) page; exit 1 if any fails."""
    config = load()
    source = _all(config).get(name)
    if source is None:
        raise fail(f"unknown source {name!r}; see `govmon sources list`")
    pages: list[dict[str, Any]] = []
    fetcher = _fetcher(config, source)
    if file is None and source.start_urls:
        list_url, page = _fetch(url or source.start_urls[0], fetcher)
        _checked(pages, "list", list_url, check_list(page, source.list), as_json)
        article = article or _article_url(page, list_url, source)
    if file is not None or article:
        text = decode(file.read_bytes()) if file else _fetch(article or "", fetcher)[1]
        _checked(pages, "article", str(file or article), _article_checks(text, source), as_json)
    failed = sum(not c["ok"] for p in pages for c in p["checks"])
    if as_json:
        print_json({"source": name, "ok": not failed, "pages": pages})
    if failed:
        raise fail(f"{name}: {failed} selector(s) do not match what they promise", code=1)


def _checked(pages: list[dict[str, Any]], kind: str, where: str, rows: list[SelectorCheck], as_json: bool) -> None:
    """One page's checks kept for the JSON, or printed as a table at once."""
    pages.append({"page": kind, "url": where, "checks": [asdict(r) for r in rows]})
    if not as_json:
        out.print(_table(f"{'list page' if kind == 'list' else 'article'} {where}", rows))


def _article_checks(text: str, source: Source) -> list[SelectorCheck]:
    if source.article is None:
        return [SelectorCheck("article", "(none: generic extractor)", 0, "any", True)]
    try:
        return check_article(text, source.article)
    except NotContent as exc:
        raise fail(f"the article page is not content: {exc}", code=1) from exc


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
