"""The generic source spider: one class serves every source definition (ministries, the Government,
news sites, the 34 provincial portals). Navigation only: what a page *means* is decided by the pure
functions in `crawler.extract`.

Discovery: the start (list) pages and their next pages, the RSS/Atom feeds and the sitemaps of the
definition. List pages, feeds and sitemaps are fetched every time; an article is fetched when it is new, or re-requested conditionally
(If-None-Match / If-Modified-Since) when the store already holds it with HTTP validators. Every outcome is
an item on stdout (see `crawler.pipelines`): ``article``, ``not_modified``, ``list`` or ``problem``.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from govmon.crawler.extract.article import extract_article, extract_generic
from govmon.crawler.extract.attachments import attachment_item, is_document_file
from govmon.crawler.extract.html import decode
from govmon.crawler.extract.listing import (
    archive_urls, expand, extract_links, feed_links, next_page_url, page_params, sitemap_entries, sitemap_links,
)
from govmon.crawler.extract.types import NotContent, SelectorMismatch
from govmon.crawler.netguard import describe
from govmon.crawler.sources import Source

__all__ = ["SourceSpider", "problem"]

Item = dict[str, Any]
SITEMAP_LIMIT = 200  # newest article URLs taken from one sitemap on a monitoring pass
SITEMAP_CHILDREN = 2  # of a sitemap index, the last (newest) children followed


def problem(url: str, kind: str, detail: str, **extra: Any) -> Item:
    """A page that produced no content: `kind` is layout | unreachable | http_error | challenge | ..."""
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


class SourceSpider(scrapy.Spider):
    """Crawl one `Source`: its start URLs are list pages (followed `max_pages` deep), links are articles."""

    name = "source"
    custom_settings = {"HTTPERROR_ALLOW_ALL": False}

    def __init__(self, source: Source, known: dict[str, dict[str, str]] | None = None,
                 refetch: bool = False, walk: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(name=source.name, **kwargs)
        self.source, self.known, self.refetch = source, known or {}, refetch
        self.allowed_domains = list(source.hosts)
        # Backfill ("walk"): follow list pages up to max_pages, stop paging once articles older than `since`
        # appear, and skip articles the store already has (the store is what makes a re-run resume).
        self.walk = walk or {}
        self.max_pages = int(self.walk.get("max_pages", source.list.max_pages))
        self.since = str(self.walk.get("since", ""))
        self.past_since = False

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
            yield self._request(url, self.parse_feed)
        for template in self.source.list.sitemaps:
            yield self._request(expand(template, date.today()), self.parse_sitemap)
        for url in self._archive():
            yield self._request(url, self.parse_sitemap if url.endswith(".xml") else self.parse_list, walked=self.max_pages)

    def _archive(self) -> list[str]:
        """A backfill's archive entry points (monthly sitemaps, per-day listings) for its window."""
        if not self.walk or not self.source.list.archive or not self.since:
            return []
        until = datetime.fromisoformat(self.walk["until"]).date() if self.walk.get("until") else date.today()
        return archive_urls(self.source.list.archive, datetime.fromisoformat(self.since).date(), until)

    def _request(self, url: str, callback: Any, headers: dict[str, str] | None = None, **meta: Any) -> scrapy.Request:
        return scrapy.Request(url, callback=callback, errback=self.failed, headers=headers or {},
                              meta={**meta, "handle_httpstatus_list": [304]}, dont_filter=False)

    def parse_list(self, response: Response) -> Iterator[Any]:
        text = decode(response.body, _header(response, "Content-Type"))
        try:
            links = extract_links(text, response.url, self.source.list)
        except (SelectorMismatch, NotContent) as exc:
            yield self._problem_from(response.url, exc)
            return
        following = None if self.past_since else self._next_page(text, response)
        yield {**self._list_item(response, links), **self._position(response, following)}
        yield from self._article_requests(links)
        if following is not None and following.meta["walked"] <= self.max_pages:
            yield following

    def parse_feed(self, response: Response) -> Iterator[Any]:
        try:
            links = feed_links(response.body, response.url, self.source.list)
        except SelectorMismatch as exc:
            yield self._problem_from(response.url, exc)
            return
        yield self._list_item(response, links)
        yield from self._article_requests(links)

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        try:
            kind, entries = sitemap_entries(response.body)
        except (SelectorMismatch, NotContent) as exc:
            yield self._problem_from(response.url, exc)
            return
        if kind == "index":
            yield from self._child_sitemaps(entries)
            return
        links = sitemap_links(entries, self.source.list, 1_000_000 if self.walk else SITEMAP_LIMIT)
        yield self._list_item(response, links)
        yield from self._article_requests(links)

    def _child_sitemaps(self, entries: list[tuple[str, str]]) -> Iterator[scrapy.Request]:
        follow = re.compile(self.source.list.sitemap_follow) if self.source.list.sitemap_follow else None
        wanted = [loc for loc, _ in entries if not follow or follow.search(loc)]
        for loc in wanted[-SITEMAP_CHILDREN:]:
            yield self._request(loc, self.parse_sitemap)

    def _list_item(self, response: Response, links: list[str]) -> Item:
        return {"type": "list", "url": response.url, "links": links,
                "redirected_from": response.request.meta.get("redirect_urls", [])}

    def _article_requests(self, links: list[str]) -> Iterator[scrapy.Request]:
        for url in links:
            validators = self.known.get(url)
            if validators is not None and self.walk:
                yield {"type": "known", "url": url}
                continue
            if validators is None or self._fell_back(validators):
                yield self._request(url, self.parse_article)
            elif self.refetch or any(validators.values()):
                yield self._request(url, self.parse_article, _conditional(validators))

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
        """Where a walk stands in its chain of list pages (the monitor keeps it, so a re-run can resume):
        this page, and the next one — None when the chain ends here (no next page, or past `since`)."""
        if not self.walk or not response.meta.get("chain"):
            return {}
        nxt = None if following is None else {"url": following.url, "page": following.meta["page"],
                                               "page_params": following.meta["page_params"]}
        return {"chain": response.meta["chain"], "page": response.meta.get("page", 1),
                "page_params": response.meta.get("page_params"), "next": nxt}

    def parse_article(self, response: Response) -> Iterator[Item]:
        if response.status == 304:
            yield {"type": "not_modified", "url": response.url}
            return
        text = decode(response.body, _header(response, "Content-Type"))
        try:
            items = [self._article_item(response, text, "site")]
        except SelectorMismatch as exc:
            items = [self._problem_from(response.url, exc), *self._generic(response, text)]
        except NotContent as exc:
            items = [self._problem_from(response.url, exc)]
        yield from items
        for item in items:
            if item["type"] == "article":
                self._note_age(item["article"].get("published_at"))
                yield from self._attachment_requests(item)

    def _note_age(self, published: str | None) -> None:
        """ISO times with offsets compare as text only within one offset: compare parsed instants."""
        if self.since and published and datetime.fromisoformat(published) < datetime.fromisoformat(self.since):
            self.past_since = True

    def _attachment_requests(self, item: Item) -> Iterator[scrapy.Request]:
        for attachment in item["article"].get("attachments", []):
            if is_document_file(attachment["url"]):
                yield self._request(attachment["url"], self.parse_attachment, article_url=item["url"],
                                    name=attachment.get("name", ""))

    def parse_attachment(self, response: Response) -> Iterator[Item]:
        """The file itself (base64, the monitor stores it content-addressed) and whatever text it has."""
        yield attachment_item(response.url, response.body, response.meta["article_url"], response.meta.get("name", ""),
                              _header(response, "Content-Type"))

    def _generic(self, response: Response, text: str) -> Iterator[Item]:
        """After a layout mismatch, keep the text for the archive, flagged as generic extraction (such pages
        are fetched in full on the next poll, so the source stays broken until its definition matches)."""
        try:
            yield self._article_item(response, text, "generic")
        except NotContent:
            return

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
        else:
            yield problem(url, *describe(failure.value))
