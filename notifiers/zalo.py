"""The Zalo channel: the chat app most Vietnamese officials use, which no other monitor supports.

``zalo://BOT_TOKEN@CHAT_ID`` sends through the Zalo Bot API (``POST {base}/bot{token}/sendMessage`` with
``{"chat_id", "text"}``, the Telegram-style API of bot-api.zaloplatforms.com). ``?base=https://…`` points
it elsewhere (a proxy, or a local stand-in in tests) — configuration only. Put the token in the
environment: ``url = "zalo://${ZALO_BOT_TOKEN}@1234567890"``.

Zalo text messages are plain text of at most 2,000 characters: the alert is cleaned of control characters
and cut to fit, the link kept. Failures: timeouts, 5xx and 429 (with Retry-After) are transient; an
invalid token (401/403) or a rejected request (400, "ok": false) is permanent.
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from govmon.notifiers._text import clean_lines, clean_title
from govmon.notifiers.base import Message, PermanentError, TransientError
from govmon.notifiers.registry import register

__all__ = ["ZaloNotifier", "zalo_text", "LIMIT"]

DEFAULT_BASE = "https://bot-api.zaloplatforms.com"
LIMIT = 2000


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
    try:
        return float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None


@register("zalo")
class ZaloNotifier:
    """Zalo Bot API: ``zalo://BOT_TOKEN@CHAT_ID`` (optional ``?base=https://…``)."""

    def __init__(self, token: str, chat_id: str, base: str = DEFAULT_BASE, timeout: float = 15.0) -> None:
        self._token, self.chat_id, self.base, self.timeout = token, chat_id, base.rstrip("/"), timeout
        self.name = f"zalo:{chat_id}"  # never the token

    @classmethod
    def from_url(cls, url: str) -> ZaloNotifier:
        parts = urlsplit(url)
        token, _, chat = parts.netloc.rpartition("@")
        if not token or not chat:
            raise ValueError("zalo URL must be zalo://BOT_TOKEN@CHAT_ID")
        base = parse_qs(parts.query).get("base", [DEFAULT_BASE])[0]
        return cls(token, chat, base)

    def send(self, message: Message) -> None:
        try:
            response = httpx.post(f"{self.base}/bot{self._token}/sendMessage", timeout=self.timeout,
                                  json={"chat_id": self.chat_id, "text": zalo_text(message)},
                                  headers={"X-Idempotency-Key": message.key} if message.key else {})
        except httpx.TimeoutException as exc:
            raise TransientError(f"{self.name}: timed out") from exc
        except httpx.HTTPError as exc:
            raise TransientError(f"{self.name}: {type(exc).__name__}") from exc
        self._check(response)

    def _check(self, response: httpx.Response) -> None:
        if response.status_code == 429 or response.status_code >= 500:
            raise TransientError(f"{self.name}: HTTP {response.status_code}", _retry_after(response))
        if response.status_code >= 400:
            raise PermanentError(f"{self.name}: HTTP {response.status_code} (token or chat id refused)")
        try:
            ok = bool(response.json().get("ok", True))
        except ValueError:
            ok = True  # a 2xx without JSON: accepted
        if not ok:
            raise PermanentError(f"{self.name}: the Zalo API refused the message")
