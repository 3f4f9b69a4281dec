"""The notifier interface: one `Message` in, `send()` out, two kinds of failure.

The monitor renders each event into a `Message` and hands it to every configured
`Notifier`. A notifier either returns (delivered) or raises one of these
(hierarchy drawn httpx style)::

    NotifierError              base class, never raised directly
     ├── TransientError        try again later; `retry_after` seconds if known
     └── PermanentError        retrying cannot help; dead-letter the delivery

Configuration mistakes (unknown scheme, unparsable URL) are `ValueError`s raised
when a notifier is built, never at send time. No error message names a password
or token: notifiers say which target failed by its safe `name` and how (a status
code, an exception type), and never chain the library exception that quoted the
secret (``raise … from None``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, Mapping, Protocol, get_args

from govmon.notifiers._retry import clamp_retry_after

Kind = Literal[
    "new_article", "new_document", "document_amended", "article_changed", "article_gone", "source_broken",
    "source_recovered", "document_status", "digest",
]
Lang = Literal["vi", "en"]

KINDS: frozenset[str] = frozenset(get_args(Kind))
LANGS: frozenset[str] = frozenset(get_args(Lang))


def _empty_mapping() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Message:
    """One alert, already rendered as plain text, ready for any channel.

    `key` is stable across retries of the same event (e.g. ``"event-42"``) so
    receivers can drop duplicates; `url` is the main link, `urls` any others.
    """

    kind: Kind
    title: str
    body: str
    url: str = ""
    urls: tuple[str, ...] = ()
    key: str = ""
    lang: Lang = "vi"
    extra: Mapping[str, Any] = field(default_factory=_empty_mapping)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown message kind {self.kind!r}; expected one of {sorted(KINDS)}")
        if self.lang not in LANGS:
            raise ValueError(f"unknown message lang {self.lang!r}; expected one of {sorted(LANGS)}")
        if not isinstance(self.urls, tuple):
            object.__setattr__(self, "urls", tuple(self.urls))

    def links(self) -> tuple[str, ...]:
        """`url` followed by `urls`, blanks and duplicates dropped, order kept.

        >>> m = Message("new_article", "t", "b", url="https://a", urls=("https://a", "", "https://b"))
        >>> m.links()
        ('https://a', 'https://b')
        """
        return tuple(dict.fromkeys(u for u in (self.url, *self.urls) if u))


class Notifier(Protocol):
    """Anything with a `name` (safe to log) and a `send()` that raises on failure."""

    name: str

    def send(self, message: Message) -> None:
        """Deliver `message` or raise `TransientError` / `PermanentError`."""
        ...


class NotifierError(Exception):
    """Base class of every delivery failure a notifier reports."""


class TransientError(NotifierError):
    """Delivery failed in a way that may succeed later (timeouts, 5xx, refused).

    `retry_after` is the service's hint in seconds, kept only when usable: finite, positive and at most
    an hour (`clamp_retry_after`), so a hostile ``Retry-After: 1e12`` cannot overflow a back-off.
    """

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = clamp_retry_after(retry_after)


class PermanentError(NotifierError):
    """Delivery can never succeed as configured (bad address, auth refused)."""
