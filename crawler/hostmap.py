"""Host mapping: fetch ``https://host/path`` from a mirror or a local replay at ``<base>/host/path``.
Configuration only (`GOVMON_HOST_MAP`): spiders, rules and stored URLs never change.

>>> mapped_url("https://baochinhphu.vn/a.htm?x=1", {"*": "http://127.0.0.1:8123/"})
'http://127.0.0.1:8123/baochinhphu.vn/a.htm?x=1'
>>> mapped_url("https://baochinhphu.vn/a.htm", {"vietnamplus.vn": "http://mirror"}) is None
True
>>> mapped_url("file:///etc/passwd", {"*": "http://127.0.0.1:8123/"}) is None  # only the web is mapped
True
"""
from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["mapped_url"]


def mapped_url(url: str, mapping: dict[str, str]) -> str | None:
    """Where to fetch `url` from under `mapping` ({host: base}, "*" for every host), or None if unmapped."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    lowered = {h.lower(): b.rstrip("/") for h, b in mapping.items()}
    base = lowered.get(host) or lowered.get("*")
    if not base:
        return None
    return f"{base}/{parts.hostname}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")
