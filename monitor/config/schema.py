"""The configuration file's schema (pydantic, strict: a string is never taken for a list, nor a number for a
string) and the one line each mistake becomes: the file, the key as a dotted path, the expected form, the
value given (a channel URL masked)."""
from __future__ import annotations

import difflib
import ipaddress
import json
import re
import reprlib
import unicodedata
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

from govmon.monitor.config.types import EVENT_KINDS, VAR, ConfigError
from govmon.notifiers import mask, schemes

__all__ = ["FileSpec", "RulesSpec", "validated", "dotted", "did_you_mean", "DIGEST_FORM"]

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
    if re.search(r"\$[A-Za-z_{]", VAR.sub("", value)):
        raise ValueError("expected ${NAME} references to environment variables (NAME: letters, digits, _)")
    scheme, known = match.group(1).lower(), schemes()
    if scheme not in known:
        close = difflib.get_close_matches(scheme, sorted(known), n=1)
        raise ValueError(f"expected a notifier scheme govmon or Apprise knows{did_you_mean(close)}")
    return value


Text = Annotated[str, AfterValidator(_text), Field(max_length=500)]
Name = Annotated[str, AfterValidator(_name)]
Keyword = Annotated[str, AfterValidator(_keyword), Field(max_length=500)]
_ListOfText = Annotated[list[Text], Field(max_length=1000)]


class _Spec(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class RulesSpec(_Spec):
    kinds: list[Literal[EVENT_KINDS]] = []  # type: ignore[valid-type]
    documents: _ListOfText = []
    types: _ListOfText = []
    issuers: _ListOfText = []
    sources: _ListOfText = []
    provinces: _ListOfText = []
    keywords: Annotated[list[Keyword], Field(max_length=1000)] = []
    digest: Annotated[str, AfterValidator(_digest)] = "instant"
    lang: Literal["vi", "en"] = "vi"


class _ChannelSpec(RulesSpec):
    url: Annotated[str, AfterValidator(_url), Field(max_length=4000)]


class _SubscriptionSpec(RulesSpec):
    channel: Text


class _WebSpec(_Spec):
    token: Annotated[str, Field(max_length=500)] = ""


class FileSpec(_Spec):
    contact: Annotated[str, AfterValidator(_contact), Field(max_length=200)] = ""
    sources: _ListOfText = []
    source_dirs: _ListOfText = []
    crawl_timeout: Annotated[float, Field(gt=0, le=7 * 24 * 3600, allow_inf_nan=False)] = 900.0
    parallel: Annotated[int, Field(ge=1, le=100)] = 4
    crawl: dict[Annotated[str, AfterValidator(_setting)], Any] = {}
    allow_private: list[Annotated[str, AfterValidator(_private_entry)]] = []
    channels: dict[Name, _ChannelSpec] = {}
    subscriptions: dict[Name, _SubscriptionSpec] = {}
    web: _WebSpec = _WebSpec()


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
    "web": "a table, e.g. [web] token = \"${GOVMON_API_TOKEN}\"",
    "token": "a string: the API token, best written as \"${VARIABLE}\" so the secret stays in the environment",
}
_ITEM_FORMS = {"kinds": f"an event kind: {', '.join(EVENT_KINDS)}"}
_TABLE_FORMS = {"channels": "a channel table, e.g. [channels.desk] with url = \"…\"",
                "subscriptions": "a subscription table, e.g. [subscriptions.legal] with channel = \"desk\""}
_MISSING = {"url": "needs a url, e.g. url = \"mailto://…\" or \"console\"",
            "channel": "needs a channel = \"NAME\" naming one of the [channels.NAME] tables"}
_LEVELS: dict[str, type[_Spec]] = {"channels": _ChannelSpec, "subscriptions": _SubscriptionSpec}
SHOWN = reprlib.Repr()  # values shown in messages: short, one line, however deep or long
SHOWN.maxstring, SHOWN.maxother, SHOWN.maxlevel, SHOWN.maxlist, SHOWN.maxdict = 80, 80, 2, 4, 4


def did_you_mean(close: list[str]) -> str:
    return f" (did you mean {close[0]}?)" if close else ""


def dotted(loc: tuple[int | str, ...]) -> str:
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
    return SHOWN.repr(value)


def _unknown(loc: tuple[int | str, ...]) -> str:
    """The key's path with the nearest known key of its table as a hint, or the known keys."""
    level = FileSpec if len(loc) == 1 else _LEVELS.get(str(loc[0]), FileSpec)
    known = sorted(level.model_fields)
    close = difflib.get_close_matches(str(loc[-1]), known, n=1)
    return dotted(loc) + (did_you_mean(close) if close else f" (known keys: {', '.join(known)})")


def _problem(error: ErrorDetails) -> str:
    loc, kind = tuple(error["loc"]), error["type"]
    if kind == "missing":
        return f"{dotted(loc[:-1])}: {_MISSING.get(str(loc[-1]), 'missing a required key')}"
    expected = str(error.get("ctx", {}).get("error")) if kind == "value_error" else f"expected {_form(loc)}"
    return f"{dotted(loc)}: {expected}, got {_shown(loc, error['input'])}"


def _summary(errors: list[ErrorDetails]) -> str:
    """Every unknown key (typos first: a misspelt key also leaves a required one missing), else the first
    mistake; how many more there are."""
    unknown = [tuple(e["loc"]) for e in errors if e["type"] == "extra_forbidden"]
    if unknown:
        first, rest = "unknown keys: " + ", ".join(_unknown(loc) for loc in unknown[:5]), len(errors) - len(unknown[:5])
    else:
        first, rest = _problem(errors[0]), len(errors) - 1
    return first + (f" (and {rest} more)" if rest else "")


def validated(data: Any, origin: str) -> FileSpec:
    if not isinstance(data, dict):
        raise ConfigError(f"{origin}: expected a TOML table of settings, got {SHOWN.repr(data)}")
    try:
        return FileSpec.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{origin}: {_summary(exc.errors(include_url=False))}") from None


