"""Requests as they travel through Redis: JSON, never pickle. scrapy-redis pickles by default, which would let
anyone who can write to the shared Redis run code on every worker; a request is only data (URL, headers,
meta, the name of its callback), so JSON with bytes spelled out in base64 carries it whole.

>>> data = dumps({"url": "https://a.gov.vn/", "headers": {b"Accept": [b"text/html"]}, "body": b"", "meta": {"page": 2}})
>>> loads(data) == {"url": "https://a.gov.vn/", "headers": {b"Accept": [b"text/html"]}, "body": b"", "meta": {"page": 2}}
True
>>> loads(dumps({"t": (1, 2), 3: "x"}))
{'t': [1, 2], 3: 'x'}
"""
from __future__ import annotations

import base64
import json
from typing import Any

__all__ = ["dumps", "loads"]

_BYTES, _PAIRS = "$b", "$m"


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return {_BYTES: base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {k: _plain(v) for k, v in value.items()}
        return {_PAIRS: [[_plain(k), _plain(v)] for k, v in value.items()]}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _restored(value: Any) -> Any:
    if isinstance(value, list):
        return [_restored(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1 and _BYTES in value:
        return base64.b64decode(value[_BYTES])
    if len(value) == 1 and _PAIRS in value:
        return {_key(_restored(k)): _restored(v) for k, v in value[_PAIRS]}
    return {k: _restored(v) for k, v in value.items()}


def _key(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def dumps(obj: Any) -> bytes:
    """The request dict as compact, sorted JSON (the same request always encodes the same)."""
    return json.dumps(_plain(obj), ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def loads(data: bytes | str) -> Any:
    return _restored(json.loads(data))
