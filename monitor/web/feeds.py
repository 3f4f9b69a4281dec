"""Atom feeds (RFC 4287) of govmon's alerts, and the validators of conditional GET (RFC 9110) that go with them.

Pure: events in, as `govmon events --json` prints them (`govmon.monitor.alerts.events.render`), bytes out; no
store access. The web app picks the events of a feed (all alerts, a kind, a source, a document, a
subscription), takes their validators (`etag_for`), answers 304 when `not_modified`, else renders them
(`atom_feed`).

Identifiers are tag URIs (RFC 4151) under `TAG_AUTHORITY`, built from the event's id alone, so an entry keeps
its id whatever host or port the server is reached at and however often it is rendered. Every string is set
as text (feedgen escapes it) after dropping the characters XML 1.0 cannot carry, so a scraped title
``<script>…`` reaches a feed reader as those characters, never as markup.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from importlib import metadata
from typing import Any
from urllib.parse import quote, urlsplit

from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseEntryExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from govmon.monitor.alerts.events import body as alert_text
from govmon.monitor.web.context import KIND_LABELS

__all__ = ["ATOM_TYPE", "TAG_AUTHORITY", "EPOCH", "atom_feed", "entry_id", "feed_tag", "feed_key", "feed_title",
           "feed_updated", "etag_for", "http_date", "parse_http_date", "not_modified"]

ATOM_TYPE = "application/atom+xml"
# RFC 4151 tagging entity: a name and the date it was ours (govmon's first commit, 2026-11-22). Fixed: ids
# must never change, and never depend on the host a request came through.
TAG_AUTHORITY = "govmon,2026-11-22"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # the date of an empty feed nobody dated: stable, so cacheable

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")  # what XML 1.0 cannot carry
_TAG_SAFE = "/?:@!$&'()*+,;=-._~"  # RFC 4151 `specific` keeps pchar, "/" and "?"; the rest is percent-encoded
_PageUrl = Callable[[Mapping[str, Any]], str | None]

_VERSION = metadata.version("govmon")
_RENDERER = f"govmon {_VERSION}, feedgen {metadata.version('feedgen')}"  # what else the bytes depend on


def _xml(text: object) -> str:
    """`text` as a string XML can hold (control characters and lone surrogates dropped)."""
    return _NOT_XML.sub("", str(text))


def entry_id(event_id: int | str, authority: str = TAG_AUTHORITY) -> str:
    """The entry's id: global, and the same in every feed and every render.

    >>> entry_id(42)
    'tag:govmon,2026-11-22:event/42'
    """
    return f"tag:{authority}:event/{quote(str(event_id), safe=_TAG_SAFE)}"


def feed_tag(feed_id: str, authority: str = TAG_AUTHORITY) -> str:
    """The feed's id from its key (`feed_key`), characters a tag URI cannot hold percent-encoded.

    >>> feed_tag("document/13/2023/NĐ-CP")
    'tag:govmon,2026-11-22:feed/document/13/2023/N%C4%90-CP'
    """
    return f"tag:{authority}:feed/{quote(feed_id, safe=_TAG_SAFE)}"


def feed_key(kind: str | None = None, source: str | None = None, document: str | None = None,
             subscription: str | None = None) -> str:
    """The key naming a feed (what `feed_tag` makes its id of), one path segment per filter.

    >>> feed_key(), feed_key(kind="new_document"), feed_key(source="baochinhphu", document="03/NQ-CP")
    ('alerts', 'kind/new_document', 'source/baochinhphu/document/03/NQ-CP')
    """
    scope = _scope(kind, source, document, subscription)
    return "/".join(f"{name}/{value}" for name, value in scope) or "alerts"


def _scope(kind: str | None, source: str | None, document: str | None,
           subscription: str | None) -> list[tuple[str, str]]:
    pairs = (("subscription", subscription), ("kind", kind), ("source", source), ("document", document))
    return [(name, value) for name, value in pairs if value]


def feed_title(kind: str | None = None, source: str | None = None, document: str | None = None,
               subscription: str | None = None) -> str:
    """A feed's title, Vietnamese, naming what it selects.

    >>> feed_title()
    'govmon — Tất cả thông báo'
    >>> feed_title(kind="new_document", source="baochinhphu")
    'govmon — Văn bản mới · Nguồn baochinhphu'
    >>> feed_title(document="03/NQ-CP")
    'govmon — Văn bản 03/NQ-CP'
    """
    words = {"subscription": "Theo dõi {}", "kind": "{}", "source": "Nguồn {}",
             "document": "Văn bản {}"}
    parts = [words[name].format(KIND_LABELS.get(value, value) if name == "kind" else value)
             for name, value in _scope(kind, source, document, subscription)]
    return "govmon — " + (" · ".join(parts) or "Tất cả thông báo")


def _created(entry: Mapping[str, Any]) -> datetime:
    moment = datetime.fromisoformat(entry["created_at"])
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def feed_updated(entries: Iterable[Mapping[str, Any]], updated: datetime | None = None) -> datetime:
    """When the feed last changed: its newest entry, or `updated` if later; an empty undated feed is dated
    `EPOCH`. It is also the feed's Last-Modified."""
    moments = [_created(e) for e in entries] + ([updated] if updated else [])
    return max(moments, default=EPOCH)


def atom_feed(feed_id: str, title: str, self_url: str, alternate_url: str, entries: Sequence[Mapping[str, Any]],
              updated: datetime | None = None, *, page_url: _PageUrl | None = None,
              authority: str = TAG_AUTHORITY) -> bytes:
    """The Atom feed of `entries` (events as `render` gives them, in the order given: newest first), as UTF-8.

    `feed_id` is the feed's key (`feed_key`); `self_url` the feed's own URL and `alternate_url` the page
    showing the same alerts; `page_url(entry)`, when given, the URL of an alert's page."""
    generator = FeedGenerator()
    generator.id(feed_tag(feed_id, authority))
    generator.title(_xml(title))
    generator.updated(feed_updated(entries, updated))
    generator.author(name="govmon")
    generator.language("vi")
    generator.link(href=_xml(self_url), rel="self", type=ATOM_TYPE)
    generator.link(href=_xml(alternate_url), rel="alternate", type="text/html")
    generator.generator("govmon", version=_VERSION)
    for entry in entries:
        generator.add_entry(_entry(entry, page_url, authority), order="append")
    return generator.atom_str(pretty=True)


def _entry(entry: Mapping[str, Any], page_url: _PageUrl | None, authority: str) -> FeedEntry:
    item = FeedEntry()
    item.id(entry_id(entry["id"], authority))
    item.title(_xml(entry.get("title") or KIND_LABELS.get(entry["kind"], entry["kind"])))
    item.updated(_created(entry))
    item.content(_xml(_content(entry)), type="text")
    for term, scheme, label in _categories(entry, authority):
        item.category(term=_xml(term), scheme=scheme, label=_xml(label))
    links = _links(entry, page_url(entry) if page_url else "")
    item.register_extension("govmon_links", lambda: _Links(links), atom=True, rss=False)
    return item


def _content(entry: Mapping[str, Any]) -> str:
    """What the alert says, as its notifications say it (relation, documents, time, diff, copies)."""
    data = {"documents": [], "urls": [], "sources": [], **entry}
    return alert_text(data) or str(data.get("title", ""))


def _categories(entry: Mapping[str, Any], authority: str) -> list[tuple[str, str, str]]:
    """(term, scheme, label): the kind, every source that carries the announcement, every document."""
    kind = entry["kind"]
    found = [(kind, f"tag:{authority}:kind", KIND_LABELS.get(kind, kind))]
    sources = dict.fromkeys(s for s in (entry.get("source"), *entry.get("sources", ())) if s)
    found += [(source, f"tag:{authority}:source", source) for source in sources]
    return found + [(doc, f"tag:{authority}:document", doc) for doc in entry.get("documents", ())]


def _links(entry: Mapping[str, Any], page: str | None) -> list[dict[str, str]]:
    """The announcement as the alternate (the alert's page when there is none), the alert's page and the other
    copies of the announcement as related links."""
    url = entry.get("url") or ""
    links = [{"rel": "alternate", "href": url}] if url else []
    if page:
        links.append({"rel": "related" if url else "alternate", "href": page, "type": "text/html", "title": "govmon"})
    copies = [u for u in dict.fromkeys(entry.get("urls", ())) if u and u != url]
    return links + [{"rel": "related", "href": u, "title": urlsplit(u).hostname or ""} for u in copies]


class _Links(BaseEntryExtension):  # type: ignore[misc]
    """Writes an entry's links: feedgen 1.0 drops the rel, type and title of entry links (its issue #135)."""

    def __init__(self, links: list[dict[str, str]]) -> None:
        self.links = links

    def extend_atom(self, entry: etree._Element) -> etree._Element:
        for link in self.links:
            etree.SubElement(entry, "link", {key: _xml(value) for key, value in link.items() if value})
        return entry


def etag_for(entries: Sequence[Mapping[str, Any]], updated: datetime | None = None) -> tuple[str, datetime]:
    """A strong ETag and the Last-Modified time (UTC) of the feed of `entries`, known before it is rendered.

    The tag hashes every field of every entry, not only ids and dates (the copies of an announcement grow
    after its alert is recorded), with `updated` and the renderer's versions: whatever changes the feed's
    bytes for one URL changes the tag. (A feed's title and links are fixed by its URL.)"""
    digest = hashlib.sha256(_RENDERER.encode())
    digest.update(json.dumps([updated.isoformat() if updated else None, *entries], sort_keys=True, default=str).encode())
    return f'"{digest.hexdigest()[:32]}"', feed_updated(entries, updated).astimezone(UTC)


def http_date(moment: datetime) -> str:
    """`moment` as an HTTP-date (IMF-fixdate, GMT), e.g. for Last-Modified.

    >>> http_date(datetime.fromisoformat("2026-12-02T00:30:00.5+07:00"))
    'Tue, 01 Dec 2026 17:30:00 GMT'
    """
    return format_datetime(moment.astimezone(UTC), usegmt=True)


_DAY, _WEEKDAY = "(Mon|Tue|Wed|Thu|Fri|Sat|Sun)", "(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_MONTH, _TIME = "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)", r"\d{2}:\d{2}:\d{2}"
_HTTP_DATE = re.compile(rf"{_DAY}, \d{{2}} {_MONTH} \d{{4}} {_TIME} GMT"  # IMF-fixdate
                        rf"|{_WEEKDAY}, \d{{2}}-{_MONTH}-\d{{2}} {_TIME} GMT"  # obsolete RFC 850
                        rf"|{_DAY} {_MONTH} (\d{{2}}| \d) {_TIME} \d{{4}}")  # obsolete asctime


def parse_http_date(value: str) -> datetime | None:
    """An HTTP-date in any of its three forms (RFC 9110 5.6.7), or None for anything else.

    >>> parse_http_date("Sun Nov  6 08:49:37 1994").isoformat()
    '1994-11-06T08:49:37+00:00'
    >>> parse_http_date("Sun, 06 Nov 1994 08:49:37 +0700") is None
    True
    """
    text = value.strip(" \t")
    if not _HTTP_DATE.fullmatch(text):
        return None
    try:
        moment = parsedate_to_datetime(text)
    except (ValueError, TypeError):  # 31 Feb and the like
        return None
    return moment.replace(tzinfo=UTC)  # GMT by definition (asctime carries no zone)


_ENTITY_TAG = r'(?:W/)?"[\x21\x23-\x7e\x80-\xff]*"'
_TAG_LIST = re.compile(rf"[ \t]*(?:{_ENTITY_TAG}[ \t]*)?(?:,[ \t]*(?:{_ENTITY_TAG}[ \t]*)?)*")


def _opaque(tag: str) -> str:
    return tag[2:] if tag.startswith("W/") else tag


def _none_match_hits(field: str, etag: str) -> bool:
    """Whether If-None-Match names the current representation: `*`, or any of its entity tags under weak
    comparison (RFC 9110 8.8.3.2); an unparsable field names nothing."""
    if field.strip(" \t") == "*":
        return True
    if not _TAG_LIST.fullmatch(field):
        return False
    return _opaque(etag) in {_opaque(tag) for tag in re.findall(_ENTITY_TAG, field)}


def not_modified(if_none_match: str | None, if_modified_since: str | None, etag: str,
                 last_modified: datetime) -> bool:
    """Whether a GET or HEAD with these request headers is answered 304 (RFC 9110 13.2.2): If-None-Match
    decides when present; otherwise a valid If-Modified-Since not older than `last_modified` (to the second)."""
    if if_none_match is not None:
        return _none_match_hits(if_none_match, etag)
    since = parse_http_date(if_modified_since) if if_modified_since is not None else None
    return since is not None and last_modified.replace(microsecond=0) <= since
