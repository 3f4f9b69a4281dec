"""Choosing a notifier by name or URL.

Named channels live in an explicit dict filled by the `register` decorator
(``console``). Any other ``scheme://`` URL is handed to Apprise, which owns the
long tail of services (``mailto://``, ``tgram://``, ``json://``, ...).
"""

from __future__ import annotations

from typing import Callable, Protocol, TypeVar

from apprise.manager_plugins import NotificationManager

from govmon.notifiers.apprise_channel import AppriseNotifier
from govmon.notifiers.base import Notifier
from govmon.notifiers.masking import mask

__all__ = ["NotifierFactory", "build", "describe", "mask", "register", "schemes"]


class NotifierFactory(Protocol):
    """A notifier class buildable from its configuration string."""

    def from_url(self, url: str) -> Notifier: ...


F = TypeVar("F", bound=NotifierFactory)

_REGISTRY: dict[str, NotifierFactory] = {}


def register(scheme: str) -> Callable[[F], F]:
    """Class decorator: make `build(scheme)` and `build("scheme://...")` use this class."""

    def decorator(cls: F) -> F:
        key = scheme.lower()
        if key in _REGISTRY:
            raise ValueError(f"notifier scheme {key!r} is already registered")
        _REGISTRY[key] = cls
        return cls

    return decorator


def build(url_or_name: str) -> Notifier:
    """Return the notifier for a name (``console``) or a URL (``mailto://...``).

    Raises `ValueError` for an empty, unknown or unparsable target.
    """
    target = url_or_name.strip()
    if not target:
        raise ValueError("empty notifier target: use a name such as 'console' or an Apprise URL")
    scheme, sep, _ = target.partition("://")
    factory = _REGISTRY.get(scheme.lower())
    if factory is not None:
        return factory.from_url(target)
    if sep and scheme:
        return AppriseNotifier(target)
    known = ", ".join(sorted(_REGISTRY))
    raise ValueError(
        f"unknown notifier {mask(target)!r}: use one of [{known}] or an Apprise URL "
        "such as mailto://..., tgram://... or json://..."
    )


def schemes() -> frozenset[str]:
    """Every scheme `build` accepts in a URL: ours (``smtp``, ``zalo``, ``console`` …) and Apprise's.

    >>> {"zalo", "smtps", "mailto", "tgram"} <= schemes()
    True
    """
    return frozenset(_REGISTRY) | frozenset(s.lower() for s in NotificationManager().schemas())


def describe() -> dict[str, str]:
    """Registered names mapped to the first line of their class docstring (user docs)."""
    return {
        name: ((getattr(factory, "__doc__", None) or "").strip().splitlines() or [""])[0]
        for name, factory in sorted(_REGISTRY.items())
    }
