"""The user's configuration: one TOML file (``--config`` or ``GOVMON_CONFIG``), every key optional.

    contact = "newsroom@example.org"        # put in the User-Agent so site operators can reach you
    sources = ["baochinhphu", "vietnamplus"] # default: every non-legacy built-in source
    source_dirs = ["~/govmon/sources"]      # more definitions (*.toml); ~/.config/govmon/sources is always read
    crawl_timeout = 900                      # seconds per crawl before it is stopped
    parallel = 4                             # crawls of different sources at once

    [crawl]                                  # Scrapy settings for every crawl (politeness, host mapping)
    DOWNLOAD_DELAY = 3

    [channels.newsroom]                      # a named channel: an Apprise URL or "console"
    url = "mailto://bot:${SMTP_PASSWORD}@smtp.example.org?to=desk@example.org"
    kinds = ["new_document", "document_amended"]   # optional filter by event kind
    documents = ["03/NQ-CP", "57-NQ/TW"]           # optional: only events about these documents

Secrets are never written into the file: ``${NAME}`` is replaced by the environment variable NAME when the
channel is built, and channel URLs are masked wherever they are shown. Without any channel, alerts go to
the console.
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platformdirs import user_config_dir

from notifiers import mask

__all__ = ["Channel", "Config", "ConfigError", "load_config", "user_sources_dir", "CONFIG_ENV"]

CONFIG_ENV = "GOVMON_CONFIG"
USER_SOURCES_ENV = "GOVMON_USER_SOURCES"


def user_sources_dir() -> Path:
    """Where `govmon sources add` writes definitions; always loaded after the built-ins."""
    return Path(os.environ.get(USER_SOURCES_ENV) or Path(user_config_dir("govmon", appauthor=False)) / "sources")
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_KEYS = {"contact", "sources", "source_dirs", "crawl_timeout", "parallel", "crawl", "channels"}


class ConfigError(ValueError):
    """The configuration file is missing, unreadable or wrong; the message says where and why."""


@dataclass(frozen=True)
class Channel:
    """Where alerts go: `url` may hold ``${VAR}`` references, resolved only by `resolved_url()`."""

    name: str
    url: str
    kinds: frozenset[str] = frozenset()
    documents: frozenset[str] = frozenset()

    def resolved_url(self) -> str:
        def value(match: re.Match[str]) -> str:
            if match.group(1) not in os.environ:
                raise ConfigError(f"channel {self.name!r} needs the environment variable {match.group(1)}")
            return os.environ[match.group(1)]

        return _VAR.sub(value, self.url)

    def wants(self, kind: str, documents: set[str]) -> bool:
        """Whether an event of `kind` about `documents` is for this channel."""
        if self.kinds and kind not in self.kinds:
            return False
        return not self.documents or bool(self.documents & documents)

    def display(self) -> str:
        return mask(self.url)


@dataclass(frozen=True)
class Config:
    contact: str = ""
    sources: tuple[str, ...] = ()
    source_dirs: tuple[Path, ...] = field(default_factory=lambda: (user_sources_dir(),))
    crawl_timeout: float = 900.0
    parallel: int = 4  # crawls at once (different sources; each keeps its own per-host politeness)
    crawl: dict[str, Any] = field(default_factory=dict)
    channels: tuple[Channel, ...] = (Channel("console", "console"),)
    path: Path | None = None


def _channels(data: dict[str, Any], origin: str) -> tuple[Channel, ...]:
    channels = []
    for name, spec in data.items():
        if not isinstance(spec, dict) or "url" not in spec:
            raise ConfigError(f"{origin}: [channels.{name}] needs a url")
        channels.append(Channel(name, str(spec["url"]), frozenset(spec.get("kinds", ())),
                                frozenset(spec.get("documents", ()))))
    return tuple(channels) or (Channel("console", "console"),)


def parse_config(data: dict[str, Any], origin: str = "<config>", path: Path | None = None) -> Config:
    unknown = set(data) - _KEYS
    if unknown:
        raise ConfigError(f"{origin}: unknown keys {sorted(unknown)}; known: {sorted(_KEYS)}")
    return Config(
        contact=str(data.get("contact", "")), sources=tuple(data.get("sources", ())),
        source_dirs=(user_sources_dir(), *(Path(d).expanduser() for d in data.get("source_dirs", ()))),
        crawl_timeout=float(data.get("crawl_timeout", 900)), parallel=int(data.get("parallel", 4)),
        crawl=dict(data.get("crawl", {})),
        channels=_channels(data.get("channels", {}), origin), path=path,
    )


def load_config(path: str | Path | None = None) -> Config:
    """The configuration at `path`, else at $GOVMON_CONFIG, else the defaults."""
    chosen = path or os.environ.get(CONFIG_ENV)
    if not chosen:
        return Config()
    file = Path(chosen).expanduser()
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read configuration {file}: {exc}") from exc
    return parse_config(data, str(file), file)
