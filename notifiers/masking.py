"""Notifier URLs with their secrets hidden, for log lines, errors and the UI.

Apprise knows where each service keeps its secrets, so its ``url(privacy=True)``
is used whenever it can parse the URL. Its query string is then dropped too,
because custom headers (``?+Authorization=Bearer …``) are not masked by it.
URLs Apprise cannot parse keep only the scheme, the host and a user name that
comes with a password (``user:pw@host``); a lone ``x@host`` is hidden, since
many services put a token there (``matrix://token@host``).
"""

from __future__ import annotations

import re

import apprise

_HIDDEN = "****"


def mask(url: str) -> str:
    """Return `url` safe to log: passwords, tokens and query values hidden.

    >>> mask("mailto://user:secret@host")
    'mailto://user:****@host'
    >>> mask("console")
    'console'
    """
    text = url.strip()
    if "://" not in text:
        return text if text.isidentifier() else _HIDDEN
    try:
        plugin = apprise.Apprise.instantiate(text)
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
        shown = f"{user}:{_HIDDEN}@{host}" if colon else f"{_HIDDEN}@{host}"
    else:
        shown = _HIDDEN
    tail = "/" + _HIDDEN if len(netloc) < len(rest) else ""
    return f"{scheme}://{shown}{tail}"
