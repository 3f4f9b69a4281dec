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
    documents = ["03/NQ-CP", "57-NQ/TW"]           # optional: only events about these (or what implements them)

    [subscriptions.legal-desk]               # a subscription: a channel plus rules (all optional)
    channel = "newsroom"                     # a channel with subscriptions gets only what they select
    types = ["nghị định", "thông tư"]        # document types
    issuers = ["CP", "TTg", "BTC"]           # sign codes or issuer names
    sources = ["vanban"]                     # source names
    provinces = ["Gia Lai"]
    keywords = ["du lieu ca nhan"]           # diacritics do not matter
    digest = "daily@07:30"                   # instant (default), hourly, daily@HH:MM Asia/Ho_Chi_Minh
    lang = "en"                              # vi (default) or en

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

from govmon.notifiers import mask

__all__ = ["Channel", "Config", "ConfigError", "Rules", "load_config", "user_sources_dir", "CONFIG_ENV"]

CONFIG_ENV = "GOVMON_CONFIG"
USER_SOURCES_ENV = "GOVMON_USER_SOURCES"


def user_sources_dir() -> Path:
    """Where `govmon sources add` writes definitions; always loaded after the built-ins."""
    return Path(os.environ.get(USER_SOURCES_ENV) or Path(user_config_dir("govmon", appauthor=False)) / "sources")
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_KEYS = {"contact", "sources", "source_dirs", "crawl_timeout", "parallel", "crawl", "channels", "subscriptions",
         "allow_private"}


class ConfigError(ValueError):
    """The configuration file is missing, unreadable or wrong; the message says where and why."""


@dataclass(frozen=True)
class Rules:
    """What a channel or subscription selects (every rule optional, all must hold) and when it gets it.
    Parsed here; matched against an event by `monitor.alerts.subscriptions.selects`."""

    kinds: frozenset[str] = frozenset()
    documents: frozenset[str] = frozenset()  # watched, with what implements or guides them
    types: frozenset[str] = frozenset()
    issuers: frozenset[str] = frozenset()
    sources: frozenset[str] = frozenset()
    provinces: frozenset[str] = frozenset()
    keywords: tuple[str, ...] = ()  # matched without diacritics
    digest: str = "instant"  # instant | hourly | daily@HH:MM (Asia/Ho_Chi_Minh)
    lang: str = "vi"


@dataclass(frozen=True)
class Channel:
    """Where alerts go: `url` may hold ``${VAR}`` references, resolved only by `resolved_url()`."""

    name: str
    url: str
    rules: Rules = Rules()

    def resolved_url(self) -> str:
        def value(match: re.Match[str]) -> str:
            if match.group(1) not in os.environ:
                raise ConfigError(f"channel {self.name!r} needs the environment variable {match.group(1)}")
            return os.environ[match.group(1)]

        return _VAR.sub(value, self.url)

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
    allow_private: tuple[str, ...] = ()  # hosts or networks (CIDR) a crawl may reach although private (intranet)
    channels: tuple[Channel, ...] = (Channel("console", "console"),)
    path: Path | None = None


_RULE_LISTS = ("kinds", "documents", "types", "issuers", "sources", "provinces")


def _rules(spec: dict[str, Any], where: str) -> Rules:
    digest = str(spec.get("digest", "instant"))
    if not (digest in ("instant", "hourly") or re.fullmatch(r"daily@\d{1,2}:\d{2}", digest)):
        raise ConfigError(f"{where}: digest must be instant, hourly or daily@HH:MM, not {digest!r}")
    lang = str(spec.get("lang", "vi"))
    if lang not in ("vi", "en"):
        raise ConfigError(f"{where}: lang must be vi or en")
    lists = {key: frozenset(str(v) for v in spec.get(key, ())) for key in _RULE_LISTS}
    return Rules(**lists, keywords=tuple(str(k) for k in spec.get("keywords", ())), digest=digest, lang=lang)


def _channels(data: dict[str, Any], subscriptions: dict[str, Any], origin: str) -> tuple[Channel, ...]:
    channels: dict[str, Channel] = {}
    for name, spec in data.items():
        if not isinstance(spec, dict) or "url" not in spec:
            raise ConfigError(f"{origin}: [channels.{name}] needs a url")
        channels[name] = Channel(name, str(spec["url"]), rules=_rules(spec, f"{origin}: [channels.{name}]"))
    chosen = [c for c in channels.values() if not any(s.get("channel") == c.name for s in subscriptions.values())]
    for name, spec in subscriptions.items():
        where = f"{origin}: [subscriptions.{name}]"
        if not isinstance(spec, dict) or spec.get("channel") not in channels:
            raise ConfigError(f"{where} needs channel = one of {sorted(channels)}")
        chosen.append(Channel(name, channels[spec["channel"]].url, rules=_rules(spec, where)))
    return tuple(chosen) or (Channel("console", "console"),)


def parse_config(data: dict[str, Any], origin: str = "<config>", path: Path | None = None) -> Config:
    unknown = set(data) - _KEYS
    if unknown:
        raise ConfigError(f"{origin}: unknown keys {sorted(unknown)}; known: {sorted(_KEYS)}")
    return Config(
        contact=str(data.get("contact", "")), sources=tuple(data.get("sources", ())),
        source_dirs=(user_sources_dir(), *(Path(d).expanduser() for d in data.get("source_dirs", ()))),
        crawl_timeout=float(data.get("crawl_timeout", 900)), parallel=int(data.get("parallel", 4)),
        crawl=dict(data.get("crawl", {})), allow_private=tuple(str(a) for a in data.get("allow_private", ())),
        channels=_channels(data.get("channels", {}), data.get("subscriptions", {}), origin), path=path,
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
