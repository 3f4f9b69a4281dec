"""Every channel Apprise supports (e-mail, Telegram, Slack, JSON webhooks, ...).

One `AppriseNotifier` wraps exactly one target URL, so the outbox records each
target's result on its own and a retry never re-sends to targets that already
got the alert (``Apprise.notify()`` only says whether *all* targets succeeded).
Scraped titles and bodies are made inert for chat services first (no mention
pings, no markup interpreted): `govmon.notifiers._markup`, one escaper per scheme.
"""

from __future__ import annotations

import copy
from typing import Any

import apprise

from govmon.notifiers._markup import escape_for
from govmon.notifiers._text import clean_lines, clean_title
from govmon.notifiers.base import Message, TransientError
from govmon.notifiers.masking import mask

KEY_HEADER = "X-Govmon-Key"


class AppriseNotifier:
    """Send the alert through Apprise to one target URL (mailto://, tgram://, json://, ...).

    Apprise reports only success or failure, never why, so every failure is a
    `TransientError`; the dispatcher's attempt limit turns persistent failures
    (wrong password, unknown chat) into dead letters. Where the service accepts
    custom headers (mailto, json, xml, form) the message key is sent as
    ``X-Govmon-Key`` so receivers can drop duplicates. An unparsable or
    unsupported URL raises `ValueError` here, at construction.
    """

    def __init__(self, url: str) -> None:
        self.name = mask(url)
        spec: dict[str, Any] | None = apprise.plugins.url_to_dict(url)
        self._spec: dict[str, Any] = spec or {}
        if spec is None or self._plugin(key="") is None:
            raise ValueError(f"not a valid or supported Apprise URL: {self.name}")

    def send(self, message: Message) -> None:
        """Deliver `message` as a plain-text title and body, or raise `TransientError`."""
        plugin = self._plugin(message.key)
        if plugin is None:  # parsed fine at construction; only a changed plugin gets here
            raise TransientError(f"{self.name}: Apprise could not load the target")
        target = apprise.Apprise(asset=_asset())
        target.add(plugin)
        title, body = escape_for(str(self._spec["schema"]), plugin, clean_title(message.title), render_body(message))
        ok = target.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT)
        if not ok:
            raise TransientError(f"{self.name}: Apprise reported a failed delivery")

    def _plugin(self, key: str) -> Any:
        """A fresh plugin for one send, carrying `key` as a header if supported."""
        spec = copy.deepcopy(self._spec)
        if key and isinstance(spec.get("headers"), dict):
            spec["headers"][KEY_HEADER] = clean_title(key)
        return apprise.Apprise.instantiate(spec, asset=_asset())


def render_body(message: Message) -> str:
    """The plain-text body: cleaned body lines, a blank line, then one link per line."""
    lines = clean_lines(message.body)
    links = [clean_title(u, limit=2000) for u in message.links()]
    text = "\n".join(lines).strip()
    parts = [p for p in (text, "\n".join(links)) if p]
    return "\n\n".join(parts) or clean_title(message.title)


def _asset() -> apprise.AppriseAsset:
    """Apprise settings: keep its persistent store in memory (no files written)."""
    return apprise.AppriseAsset(storage_mode="memory")
