"""The generic source spider: one class serves every source definition (ministries, the Government,
news sites, the 34 provincial portals). Navigation only: what a page *means* is decided by the pure
functions in `crawler.extract`.

Discovery: the start (list) pages and their next pages, the RSS/Atom feeds and the sitemaps of the
definition. List pages, feeds and sitemaps are fetched every time; an article is fetched when it is new, and
re-requested when a crawl stored it: conditionally (If-None-Match / If-Modified-Since) when the server gave
HTTP validators — a 304 is a ``not_modified`` item, nothing extracted again — and in full when it gave none,
so that a silent edit is still seen there (the extractor in the store's validators makes them non-empty).
Every outcome is an item on stdout (see `crawler.pipelines`): ``article``, ``not_modified``, ``list``,
``known`` or ``problem``.

Bounded work (`crawler.extract.limits`): each request asks Scrapy for at most its kind's size, and each
response is extracted under a wall-clock alarm (`time_limit`, in the crawl process's main thread, where
Scrapy runs callbacks): an input over its size or time is a ``too_large`` / ``too_slow`` problem item, as
is one that runs out of memory in a process whose data memory `budget.cap_memory` limited. (The WARC
import uses the same budget for each page.)

Backfill ("walk"): each start URL, feed and archive entry is a *chain*; a chain of list pages is followed
up to ``max_pages`` and stops once it is past ``since`` — decided per chain, from the last (oldest) article
of one of its own list pages, so a pinned old item at the top of one list never stops any chain.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from govmon.crawler.budget import TooSlow, time_limit
from govmon.crawler.extract.article import extract_article, extract_generic
from govmon.crawler.extract.attachments import attachment_item, is_document_file
from govmon.crawler.extract.fingerprint import url_key
from govmon.crawler.extract.html import decode
from govmon.crawler.extract.limits import (
    ATTACHMENT_MAX_BYTES,
    ATTACHMENT_SECONDS,
    FEED_MAX_BYTES,
    FEED_SECONDS,
    PAGE_MAX_BYTES,
    PAGE_SECONDS,
    SITEMAP_MAX_BYTES,
    refuse_over,
)
from govmon.crawler.extract.listing import (
    archive_urls,
    expand,
    extract_links,
    feed_links,
    next_page_url,
    page_params,
    sitemap_entries,
    sitemap_links,
)
from govmon.crawler.extract.types import NotContent, SelectorMismatch
from govmon.crawler.netguard import describe
from govmon.crawler.sources import Source

__all__ = ["SourceSpider", "problem"]

Item = dict[str, Any]
SITEMAP_LIMIT = 200  # newest article URLs taken from one sitemap on a monitoring pass
SITEMAP_CHILDREN = 2  # of a sitemap index, the last (newest) children followed
ARTICLE_PRIORITY = 1  # walks: a list page's articles before its next page, so "past since" is known in time


def problem(url: str, kind: str, detail: str, **extra: Any) -> Item:
    """A page that produced no content: `kind` is layout | unreachable | http_error | challenge | too_large
    | too_slow | ..."""
    return {"type": "problem", "url": url, "kind": kind, "detail": detail, **extra}


def _header(response: Response, name: str) -> str:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else ""


def _conditional(validators: dict[str, str]) -> dict[str, str]:
    headers = {}
    if validators.get("etag"):
        headers["If-None-Match"] = validators["etag"]
    if validators.get("last_modified"):
        headers["If-Modified-Since"] = validators["last_modified"]
    return headers


def _over_size(error: BaseException) -> bool:
    """A download Scrapy cancelled at the request's `download_maxsize` (announced or received body, or its
    decompression)."""
    text = str(error)
    return "download max size" in text or "exceeded DOWNLOAD_MAXSIZE" in text


class SourceSpider(scrapy.Spider):
    """Crawl one `Source`: its start URLs are list pages (followed `max_pages` deep), links are articles."""

    name = "source"
    custom_settings = {"HTTPERROR_ALLOW_ALL": False}

    def __init__(self, source: Source, known: dict[str, dict[str, str]] | None = None,
                 refetch: bool = False, walk: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(name=source.name, **kwargs)
        self.source, self.known, self.refetch = source, known or {}, refetch
        self.allowed_domains = list(source.hosts)
        # Backfill ("walk"): follow list pages up to max_pages, stop paging a chain once it is past `since`,
        # and skip articles the store already has (`seen`: their url_key; the store is what makes a re-run
        # resume).
        self.walk = walk or {}
        self.max_pages = int(self.walk.get("max_pages", source.list.max_pages))
        self.since = str(self.walk.get("since", ""))
        self.seen = frozenset(self.walk.get("seen", ()))
        self.past: set[str] = set()  # chains whose list pages are past `since`

    async def start(self) -> Any:
        resume = self.walk.get("resume") or {}
        for url in self.source.start_urls:
            point = resume.get(url)  # an interrupted walk continues where its chain of list pages stopped
            if point:
                yield self._request(point["url"], self.parse_list, page=point["page"], walked=1, chain=url,
                                    page_params=point.get("page_params"))
            else:
                yield self._request(url, self.parse_list, page=1, walked=1, chain=url)
        for url in self.source.list.feeds:
            yield self._request(url, self.parse_feed, chain=url)
        for template in self.source.list.sitemaps:
            url = expand(template, date.today())
            yield self._request(url, self.parse_sitemap, chain=url)
        for url in self._archive():
            sitemap = url.endswith(".xml")
            yield self._request(url, self.parse_sitemap if sitemap else self.parse_list, walked=self.max_pages, chain=url)

    def _archive(self) -> list[str]:
        """A backfill's archive entry points (monthly sitemaps, per-day listings) for its window."""
        if not self.walk or not self.source.list.archive or not self.since:
            return []
        until = datetime.fromisoformat(self.walk["until"]).date() if self.walk.get("until") else date.today()
        return archive_urls(self.source.list.archive, datetime.fromisoformat(self.since).date(), until)

    def _request(self, url: str, callback: Any, headers: dict[str, str] | None = None, priority: int = 0,
                 **meta: Any) -> scrapy.Request:
        limit = {self.parse_attachment: ATTACHMENT_MAX_BYTES, self.parse_feed: FEED_MAX_BYTES,
                 self.parse_sitemap: SITEMAP_MAX_BYTES}.get(callback, PAGE_MAX_BYTES)
        return scrapy.Request(url, callback=callback, errback=self.failed, headers=headers or {}, priority=priority,
                              meta={**meta, "handle_httpstatus_list": [304], "download_maxsize": limit},
                              dont_filter=False)

    # --- bounded work ------------------------------------------------------------------------------------

    def _bounded(self, response: Response, max_bytes: int, seconds: float,
                 work: Callable[[Response], Iterable[Any]]) -> list[Any]:
        """The output of `work` on `response`, within the input's size and time: over them, one problem."""
        try:
            refuse_over(len(response.body), max_bytes, "response body")
            with time_limit(seconds):
                return list(work(response))
        except NotContent as exc:
            return [self._problem_from(response.url, exc)]
        except TooSlow as exc:
            return [problem(response.url, "too_slow", str(exc))]
        except MemoryError:
            return [problem(response.url, "too_large", "out of memory while extracting")]

    def parse_list(self, response: Response) -> Iterator[Any]:
        yield from self._bounded(response, PAGE_MAX_BYTES, PAGE_SECONDS, self._list_page)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        yield from self._bounded(response, FEED_MAX_BYTES, FEED_SECONDS, self._feed)

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        yield from self._bounded(response, SITEMAP_MAX_BYTES, FEED_SECONDS, self._sitemap)

    def parse_article(self, response: Response) -> Iterator[Any]:
        yield from self._bounded(response, PAGE_MAX_BYTES, PAGE_SECONDS, self._article_page)

    def parse_attachment(self, response: Response) -> Iterator[Any]:
        yield from self._bounded(response, ATTACHMENT_MAX_BYTES, ATTACHMENT_SECONDS, self._attachment)

    # --- discovery -----------------------------------------------------------------------------------

    def _list_page(self, response: Response) -> Iterator[Any]:
        chain = response.meta.get("chain")
        if self.walk and chain in self.past:  # an earlier page of this chain ended past `since`
            yield {**self._list_item(response, []), **self._position(response, None), "past_since": True}
            return
        try:
            text = decode(response.body, _header(response, "Content-Type"))
            links = extract_links(text, response.url, self.source.list)
        except (SelectorMismatch, NotContent) as exc:
            yield self._problem_from(response.url, exc)
            return
        following = self._next_page(text, response)
        yield {**self._list_item(response, links), **self._position(response, following)}
        yield from self._article_requests(links, chain)
        if following is not None and following.meta["walked"] <= self.max_pages:
            yield following

    def _feed(self, response: Response) -> Iterator[Any]:
        try:
            links = feed_links(response.body, response.url, self.source.list)
        except (SelectorMismatch, NotContent) as exc:
            yield self._problem_from(response.url, exc)
            return
        yield self._list_item(response, links)
        yield from self._article_requests(links, response.meta.get("chain"))

    def _sitemap(self, response: Response) -> Iterator[Any]:
        try:
            kind, entries = sitemap_entries(response.body)
        except (SelectorMismatch, NotContent) as exc:
            yield self._problem_from(response.url, exc)
            return
        if kind == "index":
            yield from self._child_sitemaps(entries, response.meta.get("chain"))
            return
        links = sitemap_links(entries, self.source.list, 1_000_000 if self.walk else SITEMAP_LIMIT)
        yield self._list_item(response, links)
        yield from self._article_requests(links, response.meta.get("chain"))

    def _child_sitemaps(self, entries: list[tuple[str, str]], chain: str | None) -> Iterator[scrapy.Request]:
        follow = re.compile(self.source.list.sitemap_follow) if self.source.list.sitemap_follow else None
        wanted = [loc for loc, _ in entries if not follow or follow.search(loc)]
        for loc in wanted[-SITEMAP_CHILDREN:]:
            yield self._request(loc, self.parse_sitemap, chain=chain)

    def _list_item(self, response: Response, links: list[str]) -> Item:
        return {"type": "list", "url": response.url, "links": links,
                "redirected_from": response.request.meta.get("redirect_urls", [])}

    def _is_known(self, url: str, validators: dict[str, str] | None) -> bool:
        """A walk passes over what the store has: validators of a recent article, or the key of any."""
        return bool(self.walk) and (validators is not None or url_key(url) in self.seen)

    def _article_requests(self, links: list[str], chain: str | None) -> Iterator[Any]:
        priority = ARTICLE_PRIORITY if self.walk else 0
        for position, url in enumerate(links):
            validators = self.known.get(url)
            if self._is_known(url, validators):
                yield {"type": "known", "url": url}
                continue
            meta = {"chain": chain, "last": position == len(links) - 1, "priority": priority}
            if validators is None or self._fell_back(validators):
                yield self._request(url, self.parse_article, **meta)
            elif self.refetch or any(validators.values()):
                yield self._request(url, self.parse_article, _conditional(validators), **meta)

    def _fell_back(self, validators: dict[str, str]) -> bool:
        return self.source.article is not None and validators.get("extractor") == "generic"

    def _next_page(self, text: str, response: Response) -> scrapy.Request | None:
        """The request for the next list page, if the page has one (followed only within `max_pages`)."""
        page = response.meta.get("page", 1)
        params = response.meta.get("page_params") or page_params(text, self.source.list)
        url = next_page_url(text, response.url, self.source.list, page, params)
        if not url:
            return None
        return self._request(url, self.parse_list, page=page + 1, page_params=params,
                             walked=response.meta.get("walked", 1) + 1, chain=response.meta.get("chain"))

    def _position(self, response: Response, following: scrapy.Request | None) -> Item:
        """Where a walk stands in a chain of list pages from a start URL (the monitor keeps it, so a re-run
        can resume): this page, and the next one — None when the chain ends here (no next page, or past
        `since`). Feeds and archive entries are chains of one page: nothing to resume."""
        if not self.walk or response.meta.get("chain") not in self.source.start_urls:
            return {}
        nxt = None if following is None else {"url": following.url, "page": following.meta["page"],
                                               "page_params": following.meta["page_params"]}
        return {"chain": response.meta["chain"], "page": response.meta.get("page", 1),
                "page_params": response.meta.get("page_params"), "next": nxt}

    # --- articles and their files ----------------------------------------------------------------------

    def _article_page(self, response: Response) -> Iterator[Any]:
        if response.status == 304:
            yield {"type": "not_modified", "url": response.url}
            return
        try:
            text = decode(response.body, _header(response, "Content-Type"))
            items = [self._article_item(response, text, "site")]
        except SelectorMismatch as exc:
            items = [self._problem_from(response.url, exc), *self._generic(response, text)]
        except NotContent as exc:
            items = [self._problem_from(response.url, exc)]
        yield from items
        for item in items:
            if item["type"] == "article":
                self._note_age(item["article"].get("published_at"), response.meta)
                yield from self._attachment_requests(item)

    def _note_age(self, published: str | None, meta: dict[str, Any]) -> None:
        """A chain is past `since` once the last article of one of its list pages is older: lists run newest
        first, and pinned items sit at the top, so only a page's bottom article says where the page ends.
        (ISO times with offsets compare as text only within one offset: compare parsed instants.)"""
        if not (self.since and published and meta.get("last") and meta.get("chain")):
            return
        if datetime.fromisoformat(published) < datetime.fromisoformat(self.since):
            self.past.add(meta["chain"])

    def _attachment_requests(self, item: Item) -> Iterator[scrapy.Request]:
        for attachment in item["article"].get("attachments", []):
            if is_document_file(attachment["url"]):
                yield self._request(attachment["url"], self.parse_attachment, article_url=item["url"],
                                    name=attachment.get("name", ""))

    def _attachment(self, response: Response) -> Iterator[Item]:
        """The file itself (base64, the monitor stores it content-addressed) and whatever text it has."""
        yield attachment_item(response.url, response.body, response.meta["article_url"], response.meta.get("name", ""),
                              _header(response, "Content-Type"))

    def _generic(self, response: Response, text: str) -> Iterator[Item]:
        """After a layout mismatch, keep the text for the archive, flagged as generic extraction (such pages
        are fetched in full on the next poll, so the source stays broken until its definition matches). A page
        that holds no article says why (a list, an error page …), beside the layout problem."""
        try:
            yield self._article_item(response, text, "generic")
        except NotContent as exc:
            yield self._problem_from(response.url, exc)

    def _article_item(self, response: Response, text: str, how: str) -> Item:
        rule = self.source.article if how == "site" else None
        if rule is None:
            article = extract_generic(text, response.url, self.source.name, self.source.lang)
        else:
            article = extract_article(text, response.url, rule, self.source.name, self.source.lang)
        return {"type": "article", "url": response.url, "status": response.status, "html": text,
                "etag": _header(response, "ETag"), "last_modified": _header(response, "Last-Modified"),
                "redirected_from": response.request.meta.get("redirect_urls", []),
                "article": article.to_json()}

    def _problem_from(self, url: str, exc: Exception) -> Item:
        if isinstance(exc, SelectorMismatch):
            return problem(url, "layout", str(exc), selector=exc.name)
        kind = exc.kind if isinstance(exc, NotContent) else "error"
        return problem(url, kind, str(exc))

    def failed(self, failure: Failure) -> Iterator[Item]:
        """Errback: HTTP errors and network failures become problem items, never versions."""
        request = failure.request  # type: ignore[attr-defined]
        url = request.meta.get("govmon_original_url", request.url)
        response = getattr(failure.value, "response", None)
        if response is not None:
            yield problem(url, "http_error", f"HTTP {response.status}", status=response.status)
        elif _over_size(failure.value):
            yield problem(url, "too_large", str(failure.value))
        else:
            yield problem(url, *describe(failure.value))
