"""Source definitions: one TOML file per source (crawler/sources/*.toml, or a user's directory), read
into typed, frozen objects. A user adds a site by adding a file, not by writing Python.

A definition names its hosts, start (list) pages, politeness, and the `[list]` and `[article]` rules
(see crawler/extract/rules.py). Unknown keys are an error, so a typo cannot silently disable a rule.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from crawler.extract.rules import ArticleRule, ListRule

__all__ = ["Source", "SourceError", "load_source", "load_sources", "BUILTIN_DIR"]

BUILTIN_DIR = Path(__file__).with_name("sources")


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
    interval_minutes: int = 60
    download_delay: float = 2.0
    concurrency: int = 1
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "kind": self.kind, "hosts": list(self.hosts),
                "official": self.official, "legacy": self.legacy, "start_urls": list(self.start_urls)}


_TOP = {f.name for f in fields(Source)} - {"list", "article", "extra"}


def _build(data: dict[str, Any], origin: str) -> Source:
    unknown = set(data) - _TOP - {"list", "article"}
    if unknown:
        raise SourceError(f"{origin}: unknown keys {sorted(unknown)}")
    try:
        top = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in _TOP}
        article = ArticleRule.from_dict(data["article"]) if "article" in data else None
        return Source(list=ListRule(**data["list"]), article=article, **top)
    except (KeyError, TypeError) as exc:
        raise SourceError(f"{origin}: {exc}") from exc


def load_source(path: Path) -> Source:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SourceError(f"{path}: {exc}") from exc
    return _build(data, str(path))


def load_sources(*directories: Path) -> dict[str, Source]:
    """Every definition in the built-in directory and then in `directories` (later files override)."""
    found: dict[str, Source] = {}
    for directory in (BUILTIN_DIR, *directories):
        for path in sorted(Path(directory).glob("*.toml")):
            source = load_source(path)
            found[source.name] = source
    return found
