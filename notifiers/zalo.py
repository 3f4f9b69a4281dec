"""The Zalo channel: the chat app most Vietnamese officials use, which no other monitor supports.

``zalo://BOT_TOKEN@CHAT_ID`` sends through the Zalo Bot API (``POST {base}/bot{token}/sendMessage`` with
``{"chat_id", "text"}``, the Telegram-style API of bot-api.zaloplatforms.com). ``?base=https://…`` points
it elsewhere (a proxy; ``http://`` only for a stand-in on this machine, since the token travels in the
path). Put the token in the environment: ``url = "zalo://${ZALO_BOT_TOKEN}@1234567890"``.

Zalo text messages are plain text of at most 2,000 characters: the alert is cleaned of control characters
and cut to fit, the link kept. Failures: timeouts, 5xx and 429 (with Retry-After) are transient; an
invalid token (401/403) or a rejected request (400, "ok": false) is permanent. A Retry-After hint (header,
or the body's ``parameters.retry_after``) is kept only if sane (`parse_retry_after`: at most an hour). The
token is in the request URL, so it never appears in an error: httpx's exceptions are summarised with the
token redacted and not chained, and `masking.protect_logs` keeps it out of httpx's own log lines.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

import httpx

from govmon.notifiers._retry import clamp_retry_after, parse_retry_after
from govmon.notifiers._text import clean_lines, clean_title
from govmon.notifiers.base import Message, PermanentError, TransientError
from govmon.notifiers.masking import redact, spellings
from govmon.notifiers.registry import register

__all__ = ["ZaloNotifier", "zalo_text", "LIMIT"]

DEFAULT_BASE = "https://bot-api.zaloplatforms.com"
LIMIT = 2000
_LOCAL_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


def zalo_text(message: Message, limit: int = LIMIT) -> str:
    """Plain text within Zalo's limit: title, body lines, links; the body is cut first, links kept.

    >>> len(zalo_text(Message("new_document", "T", "x" * 5000, url="https://a.vn/1")))
    2000
    """
    links = list(message.links())
    head = clean_title(message.title, limit=300)
    tail = "\n".join(links[:5])
    room = limit - len(head) - len(tail) - 4
    body = "\n".join(line for line in clean_lines(message.body) if line)
    if len(body) > room:
        body = body[: max(0, room - 1)].rstrip() + "…"
    return "\n\n".join(part for part in (head, body, tail) if part)[:limit]


def _retry_after(response: httpx.Response) -> float | None:
    """The server's hint, from the Retry-After header or the body's ``parameters.retry_after``, made safe."""
    hint = parse_retry_after(response.headers.get("Retry-After"))
    if hint is not None:
        return hint
    parameters = _json(response).get("parameters")
    value = parameters.get("retry_after") if isinstance(parameters, dict) else None
    return clamp_retry_after(value) if isinstance(value, (int, float)) else None


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _checked_base(base: str) -> str:
    """`base` if it is https, or http to this machine; the token travels in its path."""
    parts = urlsplit(base)
    local = parts.scheme == "http" and (parts.hostname or "") in _LOCAL_HOSTS
    if not parts.hostname or not (parts.scheme == "https" or local):
        raise ValueError("zalo ?base= must be an https:// URL (http:// only to 127.0.0.1 or localhost)")
    return base.rstrip("/")


@register("zalo")
class ZaloNotifier:
    """Zalo Bot API: ``zalo://BOT_TOKEN@CHAT_ID`` (optional ``?base=https://…``)."""

    def __init__(self, token: str, chat_id: str, base: str = DEFAULT_BASE, timeout: float = 15.0) -> None:
        self._token, self.chat_id, self.base, self.timeout = token, chat_id, _checked_base(base), timeout
        self._secrets = spellings(token)
        self.name = f"zalo:{chat_id}"  # never the token

    @classmethod
    def from_url(cls, url: str) -> ZaloNotifier:
        parts = urlsplit(url)
        token, _, chat = parts.netloc.rpartition("@")
        if not token or not chat:
            raise ValueError("zalo URL must be zalo://BOT_TOKEN@CHAT_ID")
        base = parse_qs(parts.query).get("base", [DEFAULT_BASE])[0]
        return cls(unquote(token), chat, base)

    def send(self, message: Message) -> None:
        try:
            response = httpx.post(f"{self.base}/bot{quote(self._token, safe=':')}/sendMessage",
                                  timeout=self.timeout, json={"chat_id": self.chat_id, "text": zalo_text(message)},
                                  headers={"X-Idempotency-Key": clean_title(message.key)} if message.key else {})
        except httpx.TimeoutException:
            raise TransientError(f"{self.name}: timed out") from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:  # not chained: the exception holds the request URL
            detail = redact(str(exc), self._secrets)[:200]
            raise TransientError(f"{self.name}: {type(exc).__name__}: {detail}") from None
        self._check(response)

    def _check(self, response: httpx.Response) -> None:
        if response.status_code == 429 or response.status_code >= 500:
            raise TransientError(f"{self.name}: HTTP {response.status_code}", _retry_after(response))
        if response.status_code >= 400:
            raise PermanentError(f"{self.name}: HTTP {response.status_code} (token or chat id refused)")
        if not bool(_json(response).get("ok", True)):  # a 2xx without JSON: accepted
            raise PermanentError(f"{self.name}: the Zalo API refused the message")
