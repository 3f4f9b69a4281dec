"""Source definitions: TOML files (crawler/sources/*.toml, or a user's directory), read into typed, frozen
objects. A user adds a site by adding a file, not by writing Python.

A definition names its hosts, start (list) pages, feeds and sitemaps, politeness, and the `[list]` and
`[article]` rules (see crawler/extract/rules.py). Unknown keys are an error, so a typo cannot silently
disable a rule. Two ways to share rules:

* ``extends = "liferay"`` takes the `[list]` and `[article]` tables of crawler/sources/platforms/liferay.toml
  (or a user's ``platforms/`` directory) and overlays the definition's own keys on them;
* a file may hold many sources as ``[[source]]`` tables (the provincial portals), with file-level
  ``[defaults]`` applied to each.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from rapidfuzz import fuzz, process

from govmon.crawler.extract.rules import ArticleRule, ListRule

__all__ = ["Source", "SourceError", "load_source", "load_sources", "source_files", "source_for_url", "unknown_names",
           "BUILTIN_DIR"]

BUILTIN_DIR = Path(__file__).with_name("sources")
PLATFORMS = "platforms"
_PLATFORM_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,40}")


class SourceError(ValueError):
    """A source definition that cannot be used, with the file and the reason."""


@dataclass(frozen=True)
class Source:
    name: str
    title: str
    kind: str
    hosts: tuple[str, ...]
    start_urls: tuple[str, ...]
    list: ListRule
    article: ArticleRule | None
    lang: str = "vi"
    official: bool = False
    legacy: bool = False
    province: str = ""
    successor: str = ""  # for a legacy source: the source that took its place (mpi → mof, a merged province)
    extends: str = ""
    interval_minutes: int = 60
    download_delay: float = 2.0
    concurrency: int = 1
    notes: str = ""
    tls_verify: bool = True  # false only for a portal known to serve a broken certificate chain
    origin: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "kind": self.kind, "hosts": list(self.hosts),
                "official": self.official, "legacy": self.legacy, "province": self.province,
                "successor": self.successor, "extends": self.extends, "start_urls": list(self.start_urls),
                "feeds": list(self.list.feeds), "sitemaps": list(self.list.sitemaps), "tls_verify": self.tls_verify,
                "origin": self.origin}


_TOP = {f.name for f in fields(Source)} - {"list", "article", "extra", "origin"}


def _platform(name: str, directories: tuple[Path, ...], origin: str) -> dict[str, Any]:
    if not isinstance(name, str) or not _PLATFORM_NAME.fullmatch(name):  # never a path out of platforms/
        raise SourceError(f"{origin}: extends must name a platform (a-z, 0-9, - and _), not {str(name)[:60]!r}")
    for directory in reversed(directories):
        path = directory / PLATFORMS / f"{name}.toml"
        if path.is_file():
            return _read(path)
    raise SourceError(f"{origin}: unknown platform {name!r} (no {PLATFORMS}/{name}.toml)")


def _overlay(base: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    merged = {**base, **own}
    for table in ("list", "article"):
        if table in base or table in own:
            merged[table] = {**base.get(table, {}), **own.get(table, {})}
    return merged


def _build(data: dict[str, Any], origin: str, directories: tuple[Path, ...] = (BUILTIN_DIR,)) -> Source:
    for table in ("list", "article"):
        if table in data and not isinstance(data[table], dict):
            raise SourceError(f"{origin}: [{table}] must be a table, not {type(data[table]).__name__}")
    if data.get("extends"):
        data = _overlay(_platform(data["extends"], directories, origin), data)
    unknown = set(data) - _TOP - {"list", "article"}
    if unknown:
        raise SourceError(f"{origin}: unknown keys {sorted(unknown)}")
    try:
        top = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in _TOP}
        article = ArticleRule.from_dict(data["article"]) if data.get("article") else None
        source = Source(list=ListRule.from_dict(data.get("list", {})), article=article, origin=origin, **top)
    except (KeyError, TypeError) as exc:
        raise SourceError(f"{origin}: {exc}") from exc
    _check_urls(source, origin)
    return source


def _check_urls(source: Source, origin: str) -> None:
    """Only the web: every URL a definition names is http(s), with a host, no user info, no backslash."""
    if not isinstance(source.tls_verify, bool):
        raise SourceError(f"{origin}: tls_verify must be true or false")
    named = {"start_urls": source.start_urls, "feeds": source.list.feeds, "sitemaps": source.list.sitemaps,
             "archive": source.list.archive}
    for key, urls in named.items():
        for url in urls:
            problem = _url_problem(str(url))
            if problem:
                raise SourceError(f"{origin}: {key}: {problem}")


def _url_problem(url: str) -> str | None:
    """Why `url` is not a plain web URL, or None (crawler.netguard checks every fetch, too).

    >>> _url_problem("file:///etc/passwd")
    'file:///etc/passwd is not an http(s) URL'
    >>> _url_problem("http://portal.gov.vn@127.0.0.1/")
    'http://portal.gov.vn@127.0.0.1/ has user info (@) before its host'
    >>> _url_problem("https://baochinhphu.vn/") is None
    True
    """
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        return f"{url[:200]} is not a URL"
    checks = (("\\" in url, "has a backslash"), (parts.scheme.lower() not in ("http", "https"), "is not an http(s) URL"),
              ("@" in parts.netloc, "has user info (@) before its host"), (not parts.hostname, "has no host"))
    return next((f"{url[:200]} {why}" for bad, why in checks if bad), None)


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SourceError(f"{path}: {exc}") from exc


def _definitions(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(origin, definition) of each source in `path`: the file itself, or each of its [[source]] tables."""
    data = _read(path)
    if "source" not in data:
        yield str(path), data
        return
    defaults = data.get("defaults", {})
    for entry in data["source"]:
        yield f"{path} [[source]] {entry.get('name', '?')}", _overlay(defaults, entry)


def load_source(path: Path, directories: tuple[Path, ...] = (BUILTIN_DIR,)) -> Source:
    """The one source defined in `path`."""
    return _build(_read(path), str(path), directories)


def source_files(*directories: Path) -> list[Path]:
    return [p for d in (BUILTIN_DIR, *directories) for p in sorted(Path(d).expanduser().glob("*.toml"))]


def load_sources(*directories: Path) -> dict[str, Source]:
    """Every definition in the built-in directory and then in `directories` (later files override)."""
    roots = (BUILTIN_DIR, *(Path(d).expanduser() for d in directories))
    found: dict[str, Source] = {}
    for path in source_files(*directories):
        for origin, data in _definitions(path):
            source = _build(data, origin, roots)
            found[source.name] = source
    return found


def source_for_url(sources: dict[str, Source], url: str) -> Source | None:
    """The source a URL belongs to: its host among the source's hosts; when several sources share a host
    (www.vietnam.vn and www.vietnam.vn/en), the one whose start pages share the URL's first path segment,
    then a current source before a legacy one."""
    parts = urlsplit(url)
    host, segment = (parts.hostname or "").lower(), _segment(parts.path)
    matching = [s for s in sources.values() if host in s.hosts]
    if not matching:
        return None
    return min(matching, key=lambda s: (segment not in {_segment(urlsplit(u).path) for u in s.start_urls},
                                        s.legacy, s.name))


def _segment(path: str) -> str:
    first = path.strip("/").split("/")[0]
    return first if len(first) <= 3 else ""  # language prefixes such as "en", "vi", "zh"


def unknown_names(names: Iterable[str], known: Iterable[str]) -> str:
    """The names that are not among `known`, each with the closest known name when one is close (a typo);
    "" when every name is known.

    >>> unknown_names(["baochinphu", "vietnamplus", "xyz"], ["baochinhphu", "vietnamplus", "vanban"])
    'baochinphu (did you mean baochinhphu?), xyz'
    """
    choices = sorted(set(known))
    return ", ".join(_with_hint(name, choices) for name in names if name not in choices)


def _with_hint(name: str, choices: list[str]) -> str:
    match = process.extractOne(name, choices, scorer=fuzz.ratio, score_cutoff=80)
    return f"{name} (did you mean {match[0]}?)" if match else name
