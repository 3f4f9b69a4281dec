"""What govmon's fetches may connect to: the web, never its own host or network (server-side request
forgery), over http(s) only. Shared by the crawl (Scrapy's resolver and a downloader middleware) and by the
direct fetches of `govmon sources check`.

A fetch that is refused raises `Blocked`; `describe` turns any fetch failure into the (kind, detail) of a
per-source problem ("blocked", "tls", "unreachable", ...), so a user reads why, never a traceback.
"""
from __future__ import annotations

__all__ = ["Blocked", "describe"]


class Blocked(ConnectionRefusedError):
    """A fetch govmon refuses to make: a private, loopback, link-local, multicast, unspecified or reserved
    address (however the URL spells it), or a scheme other than http and https."""


def describe(error: BaseException) -> tuple[str, str]:
    """The problem kind and a one-line detail of a failed fetch."""
    if isinstance(error, Blocked):
        return "blocked", str(error)
    return "unreachable", str(error) or repr(error)
