"""The user's configuration: one TOML file (``--config`` or ``GOVMON_CONFIG``), every key optional.

    contact = "newsroom@example.org"        # put in the User-Agent so site operators can reach you
    sources = ["baochinhphu", "vietnamplus"] # default: every non-legacy built-in source
    source_dirs = ["~/govmon/sources"]      # more definitions (*.toml); ~/.config/govmon/sources is always read
    crawl_timeout = 900                      # seconds per crawl before it is stopped (at most a week)
    parallel = 4                             # crawls of different sources at once (1 to 100)
    allow_private = ["intranet.example.vn", "10.0.0.0/8"]   # hosts or networks a crawl may reach although private

    [crawl]                                  # Scrapy settings for every crawl (UPPER_CASE names)
    DOWNLOAD_DELAY = 3

    [channels.newsroom]                      # a named channel: a notifier URL or "console"
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

Every key is checked when the file is loaded, against a typed schema (pydantic, strict: a string is never
taken for a list, nor a number for a string), and the first mistake is one line naming the file, the key as
a dotted path and the expected form, e.g. ``govmon.toml: subscriptions.legal.digest: expected instant,
hourly or daily@HH:MM (00:00–23:59), got 'daily@24:00'``. That covers unknown keys at every level (with the
nearest known key as a hint), kinds among the event kinds, channel names, subscriptions naming a channel,
``${VAR}`` references and the notifier scheme of channel URLs, ``allow_private`` entries (a host name or a
CIDR network), Scrapy setting names in ``[crawl]``, a file that is not UTF-8 or not TOML (with its line).

Secrets are never written into the file: ``${NAME}`` is replaced by the environment variable NAME when the
channel is built, and channel URLs are masked wherever they are shown, error messages included. Without
any channel, alerts go to the console.
"""
from __future__ import annotations

import difflib
import ipaddress
import json
import os
import re
import reprlib
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from platformdirs import user_config_dir
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

from govmon.notifiers import mask, schemes
from govmon.notifiers.base import Kind

__all__ = ["Channel", "Config", "ConfigError", "Rules", "channel_urls", "load_config", "parse_config",
           "user_sources_dir", "CONFIG_ENV", "EVENT_KINDS"]

CONFIG_ENV = "GOVMON_CONFIG"
USER_SOURCES_ENV = "GOVMON_USER_SOURCES"
MAX_BYTES = 1_000_000  # a configuration file larger than this is not one
EVENT_KINDS = tuple(kind for kind in get_args(Kind) if kind != "digest")  # what a channel may select


def user_sources_dir() -> Path:
    """Where `govmon sources add` writes definitions; always loaded after the built-ins."""
    return Path(os.environ.get(USER_SOURCES_ENV) or Path(user_config_dir("govmon", appauthor=False)) / "sources")


_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


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


# --- the schema: each value's expected form ------------------------------------------------------------

DIGEST_FORM = "instant, hourly or daily@HH:MM (00:00–23:59)"
_DIGEST = re.compile(r"instant|hourly|daily@([01]?\d|2[0-3]):([0-5]\d)", re.ASCII)
_NAME = re.compile(r"\w[\w.-]{0,63}")
_SETTING = re.compile(r"[A-Z][A-Z0-9_]*")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
_HOST_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


def _text(value: str) -> str:
    if not value.strip() or any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValueError("expected a non-empty string on one line (no control characters)")
    return value


def _contact(value: str) -> str:
    return _text(value) if value else value


def _keyword(value: str) -> str:
    if not any(ch.isalnum() for ch in _text(value)):
        raise ValueError("expected a keyword with a letter or digit in it (a blank one would match everything)")
    return value


def _digest(value: str) -> str:
    match = _DIGEST.fullmatch(value)
    if match is None:
        raise ValueError(f"expected {DIGEST_FORM}")
    return f"daily@{int(match.group(1)):02d}:{match.group(2)}" if match.group(1) else value


def _name(value: str) -> str:
    if not _NAME.fullmatch(value):
        raise ValueError("expected a name of letters, digits, '-', '_' or '.' (at most 64)")
    return value


def _setting(value: str) -> str:
    if not _SETTING.fullmatch(value):
        raise ValueError("expected an UPPER_CASE Scrapy setting name such as DOWNLOAD_DELAY")
    return value


def _private_entry(value: str) -> str:
    """A host name, an address or a network in CIDR form (host bits zero): what a crawl may reach."""
    text = value.strip().lower().rstrip(".")
    try:
        ipaddress.ip_network(text)
        return value
    except ValueError as exc:
        if "/" in text or text.replace(".", "").isdigit():
            raise ValueError(f"expected a network in CIDR form such as 10.0.0.0/8 ({exc})") from None
    try:
        labels = text.encode("idna").decode("ascii").split(".")
    except UnicodeError:
        labels = [""]
    if not all(_HOST_LABEL.fullmatch(label) for label in labels):
        raise ValueError("expected a host name (intranet.example.vn) or a network in CIDR form (10.0.0.0/8)")
    return value


def _url(value: str) -> str:
    """The word console, or scheme://… with a scheme govmon or Apprise knows and well-formed ${VAR}s."""
    if value.strip() == "console":
        return value
    match = _SCHEME.match(value)
    if match is None or any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in value):
        raise ValueError("expected a notifier URL such as mailto://…, zalo://…, tgram://… or console")
    if re.search(r"\$[A-Za-z_{]", _VAR.sub("", value)):
        raise ValueError("expected ${NAME} references to environment variables (NAME: letters, digits, _)")
    scheme, known = match.group(1).lower(), schemes()
    if scheme not in known:
        close = difflib.get_close_matches(scheme, sorted(known), n=1)
        raise ValueError(f"expected a notifier scheme govmon or Apprise knows{_did_you_mean(close)}")
    return value


Text = Annotated[str, AfterValidator(_text), Field(max_length=500)]
Name = Annotated[str, AfterValidator(_name)]
Keyword = Annotated[str, AfterValidator(_keyword), Field(max_length=500)]
_ListOfText = Annotated[list[Text], Field(max_length=1000)]


class _Spec(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class _RulesSpec(_Spec):
    kinds: list[Literal[EVENT_KINDS]] = []  # type: ignore[valid-type]
    documents: _ListOfText = []
    types: _ListOfText = []
    issuers: _ListOfText = []
    sources: _ListOfText = []
    provinces: _ListOfText = []
    keywords: Annotated[list[Keyword], Field(max_length=1000)] = []
    digest: Annotated[str, AfterValidator(_digest)] = "instant"
    lang: Literal["vi", "en"] = "vi"


class _ChannelSpec(_RulesSpec):
    url: Annotated[str, AfterValidator(_url), Field(max_length=4000)]


class _SubscriptionSpec(_RulesSpec):
    channel: Text


class _FileSpec(_Spec):
    contact: Annotated[str, AfterValidator(_contact), Field(max_length=200)] = ""
    sources: _ListOfText = []
    source_dirs: _ListOfText = []
    crawl_timeout: Annotated[float, Field(gt=0, le=7 * 24 * 3600, allow_inf_nan=False)] = 900.0
    parallel: Annotated[int, Field(ge=1, le=100)] = 4
    crawl: dict[Annotated[str, AfterValidator(_setting)], Any] = {}
    allow_private: list[Annotated[str, AfterValidator(_private_entry)]] = []
    channels: dict[Name, _ChannelSpec] = {}
    subscriptions: dict[Name, _SubscriptionSpec] = {}


# --- one line per mistake ------------------------------------------------------------------------------

_FORMS = {
    "contact": "a string (an e-mail address or a URL for the User-Agent)",
    "sources": "a list of source names, e.g. [\"baochinhphu\"]",
    "source_dirs": "a list of folder paths, e.g. [\"~/govmon/sources\"]",
    "crawl_timeout": "a number of seconds, more than 0 and at most 604800 (a week)",
    "parallel": "a whole number from 1 to 100",
    "crawl": "a table of Scrapy settings, e.g. [crawl] DOWNLOAD_DELAY = 3",
    "allow_private": "a list of host names or CIDR networks, e.g. [\"10.0.0.0/8\"]",
    "channels": "a table of channels, e.g. [channels.desk] with url = \"…\"",
    "subscriptions": "a table of subscriptions, e.g. [subscriptions.legal] with channel = \"desk\"",
    "url": "a notifier URL such as mailto://…, zalo://…, tgram://… or console",
    "channel": "the name of a channel",
    "kinds": f"a list of event kinds ({', '.join(EVENT_KINDS)})",
    "documents": "a list of document numbers, e.g. [\"03/NQ-CP\"]",
    "types": "a list of document types, e.g. [\"nghị định\"]",
    "issuers": "a list of issuers, e.g. [\"CP\", \"BTC\"]",
    "provinces": "a list of provinces, e.g. [\"Gia Lai\"]",
    "keywords": "a list of keywords, e.g. [\"du lieu ca nhan\"]",
    "digest": DIGEST_FORM,
    "lang": "vi or en",
}
_ITEM_FORMS = {"kinds": f"an event kind: {', '.join(EVENT_KINDS)}"}
_TABLE_FORMS = {"channels": "a channel table, e.g. [channels.desk] with url = \"…\"",
                "subscriptions": "a subscription table, e.g. [subscriptions.legal] with channel = \"desk\""}
_MISSING = {"url": "needs a url, e.g. url = \"mailto://…\" or \"console\"",
            "channel": "needs a channel = \"NAME\" naming one of the [channels.NAME] tables"}
_LEVELS: dict[str, type[_Spec]] = {"channels": _ChannelSpec, "subscriptions": _SubscriptionSpec}
_SHOW = reprlib.Repr()  # values shown in messages: short, one line, however deep or long
_SHOW.maxstring, _SHOW.maxother, _SHOW.maxlevel, _SHOW.maxlist, _SHOW.maxdict = 80, 80, 2, 4, 4


def _did_you_mean(close: list[str]) -> str:
    return f" (did you mean {close[0]}?)" if close else ""


def _path(loc: tuple[int | str, ...]) -> str:
    """``subscriptions.legal.digest``, ``sources[2]``, ``channels."a b"``; pydantic's ``[key]`` marker dropped."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part != "[key]":
            shown = part if re.fullmatch(r"[\w-]+", part) else json.dumps(part, ensure_ascii=False)[:80]
            text += f".{shown}" if text else shown
    return text or "(the file)"


def _form(loc: tuple[int | str, ...]) -> str:
    names = [part for part in loc if isinstance(part, str) and part != "[key]"]
    if names[0] in _TABLE_FORMS and len(names) == 2 and not isinstance(loc[-1], int):
        return _TABLE_FORMS[names[0]]
    if isinstance(loc[-1], int):
        return _ITEM_FORMS.get(names[-1], "a string")
    return _FORMS.get(names[-1], "a valid value")


def _shown(loc: tuple[int | str, ...], value: Any) -> str:
    """The offending value, short and on one line; a channel URL masked (it may hold a password)."""
    if "url" in loc and isinstance(value, str):
        return repr(mask(value))
    return _SHOW.repr(value)


def _unknown(loc: tuple[int | str, ...]) -> str:
    """The key's path with the nearest known key of its table as a hint, or the known keys."""
    level = _FileSpec if len(loc) == 1 else _LEVELS.get(str(loc[0]), _FileSpec)
    known = sorted(level.model_fields)
    close = difflib.get_close_matches(str(loc[-1]), known, n=1)
    return _path(loc) + (_did_you_mean(close) if close else f" (known keys: {', '.join(known)})")


def _problem(error: ErrorDetails) -> str:
    loc, kind = tuple(error["loc"]), error["type"]
    if kind == "missing":
        return f"{_path(loc[:-1])}: {_MISSING.get(str(loc[-1]), 'missing a required key')}"
    expected = str(error.get("ctx", {}).get("error")) if kind == "value_error" else f"expected {_form(loc)}"
    return f"{_path(loc)}: {expected}, got {_shown(loc, error['input'])}"


def _summary(errors: list[ErrorDetails]) -> str:
    """Every unknown key (typos first: a misspelt key also leaves a required one missing), else the first
    mistake; how many more there are."""
    unknown = [tuple(e["loc"]) for e in errors if e["type"] == "extra_forbidden"]
    if unknown:
        first, rest = "unknown keys: " + ", ".join(_unknown(loc) for loc in unknown[:5]), len(errors) - len(unknown[:5])
    else:
        first, rest = _problem(errors[0]), len(errors) - 1
    return first + (f" (and {rest} more)" if rest else "")


def _validated(data: Any, origin: str) -> _FileSpec:
    if not isinstance(data, dict):
        raise ConfigError(f"{origin}: expected a TOML table of settings, got {_SHOW.repr(data)}")
    try:
        return _FileSpec.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{origin}: {_summary(exc.errors(include_url=False))}") from None


# --- the public types, from the validated file ---------------------------------------------------------


def _rules(spec: _RulesSpec) -> Rules:
    return Rules(kinds=frozenset(spec.kinds), documents=frozenset(spec.documents), types=frozenset(spec.types),
                 issuers=frozenset(spec.issuers), sources=frozenset(spec.sources),
                 provinces=frozenset(spec.provinces), keywords=tuple(spec.keywords), digest=spec.digest,
                 lang=spec.lang)


def _check_subscriptions(spec: _FileSpec, origin: str) -> None:
    """Each subscription names a defined channel, and no subscription takes another channel's name."""
    names = sorted(spec.channels)
    for name, sub in spec.subscriptions.items():
        where = f"{origin}: subscriptions.{_path((name,))}"
        if sub.channel not in spec.channels:
            close = difflib.get_close_matches(sub.channel, names, n=1)
            wanted = f"one of the channels {', '.join(names)}" if names else "a [channels.NAME] table (none is defined)"
            raise ConfigError(f"{where}.channel: expected {wanted}{_did_you_mean(close)}, got {sub.channel!r}")
        if name in spec.channels and name != sub.channel:
            raise ConfigError(f"{where}: expected a name that is not another channel's, got {name!r}")


def _channels(spec: _FileSpec) -> tuple[Channel, ...]:
    subscribed = {sub.channel for sub in spec.subscriptions.values()}
    chosen = [Channel(name, c.url.strip(), _rules(c)) for name, c in spec.channels.items() if name not in subscribed]
    chosen += [Channel(name, spec.channels[s.channel].url.strip(), _rules(s)) for name, s in spec.subscriptions.items()]
    return tuple(chosen) or (Channel("console", "console"),)


def parse_config(data: dict[str, Any], origin: str = "<config>", path: Path | None = None) -> Config:
    """The configuration in `data` (a parsed TOML document); `ConfigError` names the first mistake."""
    spec = _validated(data, origin)
    _check_subscriptions(spec, origin)
    return Config(
        contact=spec.contact, sources=tuple(spec.sources),
        source_dirs=(user_sources_dir(), *(Path(d).expanduser() for d in spec.source_dirs)),
        crawl_timeout=float(spec.crawl_timeout), parallel=spec.parallel, crawl=dict(spec.crawl),
        allow_private=tuple(spec.allow_private), channels=_channels(spec), path=path,
    )


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


def channel_urls(config: Config) -> list[str]:
    """Every channel URL with the ``${VAR}``s the environment has filled in (a missing one left as written):
    what `govmon.notifiers.protect_logs` must know to keep their passwords and tokens out of every log line."""
    return [_VAR.sub(lambda m: os.environ.get(m.group(1), m.group(0)), channel.url) for channel in config.channels]
