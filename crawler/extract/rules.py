"""Declarative extraction rules of a source (the `[list]` and `[article]` tables of its definition)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["ListRule", "ArticleRule"]


@dataclass(frozen=True)
class ListRule:
    """How to find article links on a list page; `min_links` is what the layout promises."""

    links: str = ""
    min_links: int = 1
    allow: str = ""
    next_page: str = ""
    max_pages: int = 1
    max_links: int = 0  # take at most this many article links per list page (0: all); homepages list dozens
    feeds: tuple[str, ...] = ()  # RSS/Atom URLs: their item links are articles
    sitemaps: tuple[str, ...] = ()  # sitemap or sitemap-index URLs; may hold {year} and {month}
    sitemap_follow: str = ""  # regex: which sitemaps of an index to follow (default: all)
    # Script-built pagination (baochinhphu's "Xem thêm"): a URL template filled with the page number and with
    # values read from the first page, e.g. "/timelinelist/{zone}/{page}.htm" and {zone = "#hdZoneId@value"}.
    page_template: str = ""
    page_params: dict[str, str] = field(default_factory=dict)
    # Archive entry points used only by backfills: URL templates filled for every month ({year} {month}
    # {month2}) or day ({day} {day2}) of the requested window — monthly sitemaps, per-day listings.
    archive: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ListRule:
        tuples = {k: tuple(v) for k, v in data.items() if isinstance(v, list)}
        return cls(**{**data, **tuples})

    def __hash__(self) -> int:
        return hash((self.links, self.allow, self.next_page, self.page_template, self.max_links))


@dataclass(frozen=True)
class ArticleRule:
    """CSS selectors for an article page; `title` and `body` must match exactly one node."""

    title: str
    body: str
    lead: str = ""
    published: str = ""
    published_attr: str = ""
    published_meta: str = ""
    modified_meta: str = ""
    date_formats: tuple[str, ...] = ()
    author: str = ""
    breadcrumb: str = ""
    attachments: str = ""
    subject: str = ""  # the node stating the page's own document number (a legal database's "Số ký hiệu")
    drop: tuple[str, ...] = ()
    stop_markers: tuple[str, ...] = ()
    strip_prefixes: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArticleRule:
        tuples = {k: tuple(v) for k, v in data.items() if isinstance(v, list)}
        return cls(**{**data, **tuples})
