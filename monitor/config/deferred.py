"""Modules imported when first used, for start-up time only: `govmon --help` and `govmon extract` must not
pay for what they never use (the notifiers bring Apprise and httpx, the configuration's schema pydantic).

A module that defers one says so where its imports are, with the reason:

    notifiers = Deferred("govmon.notifiers")  # Apprise and httpx, imported when a channel URL is first used

and reads it as it would the module (`notifiers.mask(url)`). Nothing here dodges an import cycle: the
deferred module could be imported at the top, it only costs more.
"""
from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["Deferred"]


class Deferred:
    """The module `name`, imported on the first read of one of its attributes (then Python's cache answers).

    >>> json = Deferred("json")
    >>> json.dumps([1])
    '[1]'
    """

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(import_module(self._name), attribute)

    def __repr__(self) -> str:
        return f"<deferred module {self._name!r}>"
