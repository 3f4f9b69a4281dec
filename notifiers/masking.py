"""Secrets of notifier URLs: hidden when a URL is shown, and redacted from every log record.

``mask(url)`` is the URL safe to show. Apprise knows where each service keeps its secrets, so its
``url(privacy=True)`` is used whenever it can parse the URL; its query string is then dropped too, because
custom headers (``?+Authorization=Bearer …``) are not masked by it. URLs Apprise cannot parse keep only the
scheme, the host and a user name that comes with a password (``user:pw@host``); a lone ``x@host`` is
hidden, since many services put a token there (``matrix://token@host``, ``zalo://TOKEN@CHAT``).

``secrets_of(url)`` is what ``mask`` hides, as strings to look for: the password, a token standing in the
user name, the values Apprise marks private (Telegram's bot token, Slack's three token parts, Discord's
webhook token …), query values (header values above all) except a few plainly public ones (``to``,
``from``, ``tls`` …), and, for a URL of an Apprise service that Apprise cannot parse (a mistyped token),
its host part and path segments; a value with colons also in parts (Apprise logs a Telegram token's two
halves apart). Each is registered raw, percent-decoded and percent-encoded, since libraries log URLs in
either form. Strings shorter than `MIN_SECRET` are ignored: redacting ``no`` or
``pw`` from every log line would garble the log without protecting anything worth the name.

``protect_logs(urls)`` is the one call a program makes: it wraps the logging record factory once, so
every record created afterwards, by any logger (ours, httpx, httpcore, Apprise, Scrapy) and for any
handler (those created later too), has the registered secrets replaced by ``****`` in its message (after
``%`` formatting), its exception text and its stack text before any handler sees it. The redaction is
process-wide by nature: logging itself is.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, unquote

import apprise
from apprise.manager_plugins import NotificationManager

__all__ = ["HIDDEN", "MIN_SECRET", "SecretFilter", "mask", "protect_logs", "redact", "secrets_of", "spellings"]

HIDDEN = "****"
MIN_SECRET = 4
_PUBLIC_QUERY_KEYS = frozenset({"to", "from", "cc", "bcc", "tls", "mode", "format", "base", "name", "smtp",
                                "port", "lang", "overflow", "verify"})
_APPRISE_SCHEMES = NotificationManager()
_QUIET = threading.local()  # set while mask()/secrets_of() let Apprise parse: its parse errors stay unlogged


class _QuietApprise(logging.Filter):
    """Drop Apprise's own records while this thread only parses a URL to mask it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(_QUIET, "on", False)


logging.getLogger("apprise").addFilter(_QuietApprise())


@contextlib.contextmanager
def _quietly() -> Iterator[None]:
    _QUIET.on = True
    try:
        yield
    finally:
        _QUIET.on = False


def _plugin(url: str) -> Any:
    """Apprise's plugin for `url`, or None; never logs (its messages would quote the secret)."""
    with _quietly():
        try:
            return apprise.Apprise.instantiate(url)
        except Exception:  # noqa: BLE001 - an unparsable URL is simply not Apprise's
            return None


def mask(url: str) -> str:
    """Return `url` safe to log: passwords, tokens and query values hidden.

    >>> mask("mailto://user:secret@host")
    'mailto://user:****@host'
    >>> mask("console")
    'console'
    """
    text = url.strip()
    if "://" not in text:
        return text if text.isidentifier() else HIDDEN
    plugin = _plugin(text)
    try:
        private = plugin.url(privacy=True) if plugin is not None else None
    except Exception:  # noqa: BLE001 - masking must never fail a log line
        private = None
    return private.split("?", 1)[0] if private else _fallback(text)


def _fallback(url: str) -> str:
    """Keep scheme, host and a user name followed by a password; hide everything else.

    >>> _fallback("matrix://token@host/x?k=v")
    'matrix://****@host/****'
    """
    scheme, _, rest = url.partition("://")
    netloc = re.split(r"[/?#]", rest, maxsplit=1)[0]
    userinfo, at, host = netloc.rpartition("@")
    if at:
        user, colon, _ = userinfo.partition(":")
        shown = f"{user}:{HIDDEN}@{host}" if colon else f"{HIDDEN}@{host}"
    else:
        shown = HIDDEN
    tail = "/" + HIDDEN if len(netloc) < len(rest) else ""
    return f"{scheme}://{shown}{tail}"


# --- what a URL keeps secret ------------------------------------------------------------------


def secrets_of(url: str) -> frozenset[str]:
    """The strings of `url` that must never be logged, in every spelling a library may log.

    >>> sorted(secrets_of("zalo://SECRET-token@12345?base=http://127.0.0.1:8080"))
    ['SECRET-token']
    >>> sorted(secrets_of("tgram://123456789:SECRET.tok/-1001"))  # mistyped: a bot token has no dot
    ['-1001', '123456789', '123456789%3ASECRET.tok', '123456789:SECRET.tok', 'SECRET.tok']
    >>> secrets_of("console")
    frozenset()
    """
    text = url.strip()
    if "://" not in text:
        return frozenset()
    scheme, _, rest = text.partition("://")
    found = {*_userinfo_secrets(rest), *_query_secrets(rest)}
    plugin = _plugin(text)
    if plugin is not None:
        found.update(_private_values(plugin))
    elif scheme.lower() in _APPRISE_SCHEMES:  # Apprise's service, but a mistyped URL: anything may be the token
        found.update(_path_secrets(rest))
    found.update(part for value in list(found) for part in value.split(":"))  # token halves are logged apart
    return frozenset(variant for value in found for variant in spellings(value))


def _userinfo_secrets(rest: str) -> list[str]:
    """The password of ``user:pw@``, or the whole ``token@`` when no password follows the user."""
    netloc = re.split(r"[/?#]", rest, maxsplit=1)[0]
    userinfo, at, _ = netloc.rpartition("@")
    if not at:
        return []
    user, colon, password = userinfo.partition(":")
    return [password] if colon else [user]


def _query_secrets(rest: str) -> list[str]:
    """Query and fragment values, except public keys; a header value's last word (``Bearer TOKEN``) too."""
    head, _, fragment = rest.partition("#")  # by hand: urlsplit raises on a malformed host, this never may
    found = [fragment]
    for key, value in parse_qsl(head.partition("?")[2], keep_blank_values=False):
        if key.lower() in _PUBLIC_QUERY_KEYS:
            continue
        found += [value, *value.split()[-1:]]
    return found


def _path_secrets(rest: str) -> list[str]:
    """Path segments, and the host part unless credentials precede it (``tgram://TOKEN/CHAT``), of a URL
    whose service Apprise knows but whose form it does not."""
    head = re.split(r"[?#]", rest, maxsplit=1)[0]
    netloc, _, path = head.partition("/")
    return [*([] if "@" in netloc else [netloc]), *path.split("/")]


def _private_values(plugin: Any) -> list[str]:
    """The values Apprise's plugin declares private (``"private": True`` in its templates)."""
    fields = {**getattr(plugin, "template_tokens", {}), **getattr(plugin, "template_args", {})}
    found: list[str] = []
    for key, spec in fields.items():
        if isinstance(spec, dict) and spec.get("private"):
            value = getattr(plugin, spec.get("map_to", key), None)
            values = value if isinstance(value, (list, tuple, set)) else [value]
            found += [v for v in values if isinstance(v, str)]
    return found


def spellings(value: str) -> set[str]:
    """`value` raw, percent-decoded and percent-encoded (path and form style); short ones dropped."""
    plain = unquote(value)
    forms = {value, plain, quote(plain, safe=""), quote(plain), quote_plus(plain)}
    return {form for form in forms if len(form) >= MIN_SECRET}


# --- redaction --------------------------------------------------------------------------------


def _pattern(secrets: Iterable[str]) -> re.Pattern[str] | None:
    """One alternation of the secrets, longest first, so a secret inside another is not half-redacted."""
    chosen = sorted({s for s in secrets if len(s) >= MIN_SECRET}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, chosen))) if chosen else None


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every one of `secrets` replaced by ``****``.

    >>> redact("POST https://api/botTOKEN123/send", {"TOKEN123"})
    'POST https://api/bot****/send'
    """
    pattern = _pattern(secrets)
    return pattern.sub(HIDDEN, text) if pattern else text


class SecretFilter(logging.Filter):
    """A logging filter that redacts registered secrets from a record; it never drops a record.

    The message is formatted (``msg % args``) and redacted, and the record keeps only that text
    (``args`` emptied), so no handler or formatter can format the secret back in. Exception and stack
    text are rendered now and redacted; ``exc_info`` is cleared, since a formatter would otherwise render
    the raw traceback again.
    """

    def __init__(self) -> None:
        super().__init__()
        self._secrets: frozenset[str] = frozenset()
        self._regex: re.Pattern[str] | None = None
        self._lock = threading.Lock()

    def add(self, secrets: Iterable[str]) -> None:
        """Register more secrets (thread-safe; the compiled pattern is swapped in one assignment)."""
        with self._lock:
            self._secrets = self._secrets | {s for s in secrets if len(s) >= MIN_SECRET}
            self._regex = _pattern(self._secrets)

    def redact(self, text: str) -> str:
        regex = self._regex
        return regex.sub(HIDDEN, text) if regex is not None else text

    def filter(self, record: logging.LogRecord) -> bool:
        if self._regex is None:
            return True
        record.msg, record.args = self.redact(_message(record)), None
        if record.exc_info:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def _message(record: logging.LogRecord) -> str:
    """The record's message; a call whose arguments do not fit its format keeps only the format."""
    try:
        return record.getMessage()
    except Exception:  # noqa: BLE001 - logging would print msg and args in its error report
        return f"{record.msg} (arguments withheld: they do not fit the format)"


_FILTER = SecretFilter()  # process-wide, as logging is; filled by protect_logs()


def protect_logs(urls: Iterable[str] = ()) -> SecretFilter:
    """Redact the secrets of `urls` from every log record from now on; safe to call again with more.

    Installs (once) a record factory that runs `SecretFilter` on each new record, whatever its logger
    and wherever it is handled, and returns that filter (to add to a handler of records made elsewhere).
    """
    for url in urls:
        _FILTER.add(secrets_of(url))
    current = logging.getLogRecordFactory()
    if not getattr(current, "govmon_redacts", False):
        logging.setLogRecordFactory(_redacting(current))
    return _FILTER


def _redacting(make: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        _FILTER.filter(record)
        return record

    factory.govmon_redacts = True  # type: ignore[attr-defined]
    return factory
