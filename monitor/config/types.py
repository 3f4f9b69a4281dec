"""The configuration's public types: what the rest of govmon reads of it (`Config`, its `Channel`s and their
`Rules`), and the one error a wrong file raises."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from platformdirs import user_config_dir

from govmon.monitor.config.deferred import Deferred

__all__ = ["Channel", "Config", "ConfigError", "Rules", "channel_urls", "user_sources_dir", "CONFIG_ENV",
           "EVENT_KINDS", "MAX_BYTES", "VAR"]  # noqa: F822 (EVENT_KINDS: the module's __getattr__)

CONFIG_ENV = "GOVMON_CONFIG"
USER_SOURCES_ENV = "GOVMON_USER_SOURCES"
MAX_BYTES = 1_000_000  # a configuration file larger than this is not one

# The notifiers (their package brings Apprise and httpx): imported when a channel URL is first shown or the
# event kinds first asked for, never by a command that loads no configuration file.
_notifiers = Deferred("govmon.notifiers")
_notifier_base = Deferred("govmon.notifiers.base")


def __getattr__(name: str) -> Any:
    """`EVENT_KINDS`, what a channel may select (every event kind but the digest), read from the notifiers
    when first asked for, so that loading a configuration without a file imports no notifier."""
    if name == "EVENT_KINDS":
        return tuple(kind for kind in get_args(_notifier_base.Kind) if kind != "digest")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def user_sources_dir() -> Path:
    """Where `govmon sources add` writes definitions; always loaded after the built-ins."""
    return Path(os.environ.get(USER_SOURCES_ENV) or Path(user_config_dir("govmon", appauthor=False)) / "sources")


VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class ConfigError(ValueError):
    """The configuration file is missing, unreadable or wrong; the one-line message says where and why."""


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

        return VAR.sub(value, self.url)

    def display(self) -> str:
        return _notifiers.mask(self.url)


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
    api_token: str = ""  # [web] token: what `govmon serve`'s JSON API asks for (``${VAR}`` resolved at load)


def channel_urls(config: Config) -> list[str]:
    """Every channel URL with the ``${VAR}``s the environment has filled in (a missing one left as written):
    what `govmon.notifiers.protect_logs` must know to keep their passwords and tokens out of every log line."""
    return [VAR.sub(lambda m: os.environ.get(m.group(1), m.group(0)), channel.url) for channel in config.channels]
