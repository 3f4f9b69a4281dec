"""Identity of pages and content: canonical URLs and content hashes of the comparison form.

>>> canonical_url("HTTPS://Baochinhphu.vn/a-102.htm?utm_source=fb&b=2&a=1#top")
'https://baochinhphu.vn/a-102.htm?a=1&b=2'
>>> content_hash("Nghị  quyết") == content_hash("NGHỊ QUYẾT")
True
"""
from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from crawler.extract.normalize import comparison_form

__all__ = ["canonical_url", "content_hash"]

_TRACKING = ("utm_", "fbclid", "gclid", "zarsrc", "_ga", "mc_cid", "mc_eid")


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no fragment, no tracking parameters, sorted query."""
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.lower().startswith(_TRACKING)]
    cleaned = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", urlencode(query), ""))
    return canonicalize_url(cleaned, keep_fragments=False)


def content_hash(*parts: str) -> str:
    """SHA-256 of the comparison form of the parts (NFC, one tone style, case-folded, spaces folded)."""
    joined = "\n".join(comparison_form(part) for part in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()
