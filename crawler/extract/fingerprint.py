"""Identity of pages and content: canonical URLs and content hashes of the comparison form.

>>> canonical_url("HTTPS://Baochinhphu.vn/a-102.htm?utm_source=fb&b=2&a=1#top")
'https://baochinhphu.vn/a-102.htm?a=1&b=2'
>>> content_hash("Nghị  quyết") == content_hash("NGHỊ QUYẾT")
True
>>> url_key("https://baochinhphu.vn/a-102.htm?utm_source=fb") == url_key("HTTPS://BAOCHINHPHU.VN/a-102.htm#top")
True
"""
from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from govmon.crawler.extract.normalize import comparison_form

__all__ = ["canonical_url", "url_key", "content_hash", "hashing_form", "VOLATILE"]

_TRACKING = ("utm_", "fbclid", "gclid", "zarsrc", "_ga", "mc_cid", "mc_eid")


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no fragment, no tracking parameters, sorted query."""
    parts = urlsplit(url.strip())
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.lower().startswith(_TRACKING)]
    cleaned = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", urlencode(query), ""))
    return canonicalize_url(cleaned, keep_fragments=False)


def url_key(url: str) -> str:
    """A short, stable key of an article URL: the first 16 hex digits (64 bits) of the SHA-256 of its
    canonical form. A walk's spec lists the keys of every article the store has (`walk["seen"]`), a
    fraction of the URLs' size; with a million keys, a new URL is taken for known by chance with a
    probability of 10^6 / 2^64 ≈ 5e-14."""
    return hashlib.sha256(canonical_url(url).encode("utf-8")).hexdigest()[:16]


# Parts of a page that change on every view without the article changing: counters and relative times.
VOLATILE = re.compile(
    r"(?:lượt xem|lượt đọc|lượt thích|views?|bình luận|comments?)\s*[:(]?\s*\d[\d.,]*\s*\)?"
    r"|\d[\d.,]*\s*(?:lượt xem|lượt đọc|lượt thích|views?|bình luận|comments?)\b"
    r"|\d+\s*(?:giây|phút|giờ|ngày|tuần)\s*trước|\d+\s*(?:seconds?|minutes?|hours?|days?)\s*ago",
    re.IGNORECASE,
)


def hashing_form(text: str) -> str:
    """The comparison form without volatile counters ("Lượt xem: 1.234", "2 giờ trước").

    >>> hashing_form("Bài viết. Lượt xem: 1.234 · 5 phút trước") == hashing_form("Bài viết. Lượt xem: 1.240 · 7 phút trước")
    True
    """
    return " ".join(VOLATILE.sub(" ", comparison_form(text)).split())


def content_hash(*parts: str) -> str:
    """SHA-256 of the hashing form of the parts (NFC, one tone style, case-folded, spaces folded, counters
    and relative times dropped): equal exactly when a reader would see the same article."""
    joined = "\n".join(hashing_form(part) for part in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()
