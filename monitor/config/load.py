"""Reading the configuration: the TOML file (bounded, UTF-8), validated by the schema, into the public types.

Without a file there is nothing to validate: the schema (pydantic, and the notifiers for the channel URLs'
schemes) is imported when the first file is parsed, so a command run without a configuration does not pay
for it.
"""
from __future__ import annotations

import difflib
import os
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govmon.monitor.config.deferred import Deferred
from govmon.monitor.config.types import (
    CONFIG_ENV,
    MAX_BYTES,
    VAR,
    Channel,
    Config,
    ConfigError,
    Rules,
    user_sources_dir,
)

if TYPE_CHECKING:
    from govmon.monitor.config.schema import FileSpec, RulesSpec

__all__ = ["load_config", "parse_config"]

_schema = Deferred("govmon.monitor.config.schema")  # pydantic: imported when the first file is parsed

def _rules(spec: RulesSpec) -> Rules:
    return Rules(kinds=frozenset(spec.kinds), documents=frozenset(spec.documents), types=frozenset(spec.types),
                 issuers=frozenset(spec.issuers), sources=frozenset(spec.sources),
                 provinces=frozenset(spec.provinces), keywords=tuple(spec.keywords), digest=spec.digest,
                 lang=spec.lang)


def _check_subscriptions(spec: FileSpec, origin: str) -> None:
    """Each subscription names a defined channel, and no subscription takes another channel's name."""
    names = sorted(spec.channels)
    for name, sub in spec.subscriptions.items():
        where = f"{origin}: subscriptions.{_schema.dotted((name,))}"
        if sub.channel not in spec.channels:
            close = difflib.get_close_matches(sub.channel, names, n=1)
            wanted = f"one of the channels {', '.join(names)}" if names else "a [channels.NAME] table (none is defined)"
            raise ConfigError(f"{where}.channel: expected {wanted}{_schema.did_you_mean(close)}, got {sub.channel!r}")
        if name in spec.channels and name != sub.channel:
            raise ConfigError(f"{where}: expected a name that is not another channel's, got {name!r}")


def _channels(spec: FileSpec) -> tuple[Channel, ...]:
    subscribed = {sub.channel for sub in spec.subscriptions.values()}
    chosen = [Channel(name, c.url.strip(), _rules(c)) for name, c in spec.channels.items() if name not in subscribed]
    chosen += [Channel(name, spec.channels[s.channel].url.strip(), _rules(s)) for name, s in spec.subscriptions.items()]
    return tuple(chosen) or (Channel("console", "console"),)


def parse_config(data: dict[str, Any], origin: str = "<config>", path: Path | None = None) -> Config:
    """The configuration in `data` (a parsed TOML document); `ConfigError` names the first mistake."""
    spec = _schema.validated(data, origin)
    _check_subscriptions(spec, origin)
    return Config(
        contact=spec.contact, sources=tuple(spec.sources),
        source_dirs=(user_sources_dir(), *(Path(d).expanduser() for d in spec.source_dirs)),
        crawl_timeout=float(spec.crawl_timeout), parallel=spec.parallel, crawl=dict(spec.crawl),
        allow_private=tuple(spec.allow_private), channels=_channels(spec), path=path,
        api_token=_token(spec.web.token, origin),
    )


def _token(value: str, origin: str) -> str:
    """The [web] token with its ``${VAR}``s filled in from the environment (a missing one is an error)."""
    missing = [m.group(1) for m in VAR.finditer(value) if m.group(1) not in os.environ]
    if missing:
        raise ConfigError(f"{origin}: web.token needs the environment variable {missing[0]}")
    return VAR.sub(lambda m: os.environ[m.group(1)], value).strip()


def _read(file: Path) -> dict[str, Any]:
    """The TOML document in `file`: at most `MAX_BYTES`, UTF-8 (a BOM allowed), valid TOML."""
    try:
        with file.open("rb") as stream:
            raw = stream.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read: {exc.strerror or type(exc).__name__}") from None
    if len(raw) > MAX_BYTES:
        raise ConfigError(f"{file}: cannot read: larger than {MAX_BYTES:,} bytes; is it the configuration?")
    try:
        return tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{file}: cannot read: not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset "
                          f"{exc.start}); save the file as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: cannot read TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{file}: cannot read TOML: nested too deeply") from None


def load_config(path: str | Path | None = None) -> Config:
    """The configuration at `path`, else at $GOVMON_CONFIG, else the defaults."""
    chosen = path or os.environ.get(CONFIG_ENV)
    if not chosen:
        return Config()
    file = Path(chosen).expanduser()
    return parse_config(_read(file), str(file), file)


