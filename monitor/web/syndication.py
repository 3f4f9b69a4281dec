"""Atom feeds (RFC 4287) of alerts: all of them, per kind, per source, per document (its amendments, what
implements or guides it, what mentions it) and per configured channel or subscription — with conditional GET
(ETag, Last-Modified), so feed readers polling every few minutes cost almost nothing."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from govmon.monitor.web.alerts import (
    KIND_LABELS,
    Filters,
    alert_rows,
    event_filter,
    filters,
)
from govmon.monitor.web.context import read_session, templates, web_of
from govmon.monitor.web.feeds import (
    atom_feed,
    etag_for,
    feed_title,
    http_date,
    not_modified,
)
from govmon.storage.repository.browse import events_page
from govmon.storage.repository.sources import sources as stored_sources

__all__ = ["feeds"]

feeds = APIRouter(tags=["feeds"])
ENTRIES = 50
ATOM = "application/atom+xml; charset=utf-8"
Endpoint = TypeVar("Endpoint", bound=Callable[..., Response])


def _feed(request: Request, session: Session, feed_id: str, title: str, given: Filters, channel: str | None = None,
          alternate: str = "/") -> Response:
    events = list(events_page(session, event_filter(session, web_of(request), given, channel), None, ENTRIES))
    entries = alert_rows(session, events)
    etag, modified = etag_for(entries)
    if not_modified(request.headers.get("if-none-match"), request.headers.get("if-modified-since"), etag, modified):
        return Response(status_code=304, headers=_validators(etag, modified))
    base = str(request.base_url).rstrip("/")
    body = atom_feed(feed_id, title, str(request.url), base + alternate, entries,
                     page_url=lambda e: f"{base}/announcements/{e['article_id']}" if e.get("article_id") else None)
    return Response(body, media_type=ATOM, headers=_validators(etag, modified))


def atom(path: str) -> Callable[[Endpoint], Endpoint]:
    """Serve a feed at `path` for GET and HEAD (one OpenAPI operation: HEAD answers as GET does, bodiless)."""
    def register(endpoint: Endpoint) -> Endpoint:
        feeds.head(path, response_class=Response, include_in_schema=False)(endpoint)
        return feeds.get(path, response_class=Response)(endpoint)
    return register


def _validators(etag: str, modified: datetime) -> dict[str, str]:
    return {"ETag": etag, "Last-Modified": http_date(modified), "Cache-Control": "no-cache"}


@feeds.get("/feeds", response_class=HTMLResponse)
def feed_list(request: Request, session: Annotated[Session, Depends(read_session)]) -> HTMLResponse:
    values = {"kinds": KIND_LABELS, "sources": [s.name for s in stored_sources(session)],
              "channels": [c.name for c in web_of(request).config.channels]}
    return templates.TemplateResponse(request, "feeds.html", values)


@atom("/feeds/alerts.atom")
def all_alerts(request: Request, given: Annotated[Filters, Depends(filters)],
               session: Annotated[Session, Depends(read_session)]) -> Response:
    """Every alert (or those the home page's filters select, given the same query string)."""
    suffix = "?" + request.url.query if request.url.query else ""
    return _feed(request, session, "alerts" + suffix, feed_title(), given, alternate="/" + suffix)


@atom("/feeds/kinds/{kind}.atom")
def kind_feed(request: Request, kind: str, session: Annotated[Session, Depends(read_session)]) -> Response:
    if kind not in KIND_LABELS:
        raise HTTPException(404, f"no alert kind {kind!r}; kinds: {', '.join(KIND_LABELS)}")
    return _feed(request, session, f"kind/{kind}", feed_title(kind=kind), Filters(kind=kind), alternate=f"/?kind={kind}")


@atom("/feeds/sources/{name}.atom")
def source_feed(request: Request, name: str, session: Annotated[Session, Depends(read_session)]) -> Response:
    if name not in {s.name for s in stored_sources(session)} and name not in web_of(request).definitions:
        raise HTTPException(404, f"no source {name!r}")
    return _feed(request, session, f"source/{name}", feed_title(source=name), Filters(source=name),
                 alternate=f"/?source={name}")


@atom("/feeds/documents/{document_id:path}.atom")
def document_feed(request: Request, document_id: str, session: Annotated[Session, Depends(read_session)]) -> Response:
    """Alerts about a document: its amendments and replacements, what implements or guides it, what mentions it."""
    return _feed(request, session, f"document/{document_id}", feed_title(document=document_id),
                 Filters(document=document_id), alternate=f"/documents/{document_id}")


@atom("/feeds/subscriptions/{name}.atom")
def subscription_feed(request: Request, name: str, session: Annotated[Session, Depends(read_session)]) -> Response:
    """What a configured channel or subscription selected (never its URL)."""
    if name not in {c.name for c in web_of(request).config.channels}:
        raise HTTPException(404, f"no channel or subscription {name!r} in the configuration")
    return _feed(request, session, f"subscription/{name}", feed_title(subscription=name), Filters(), channel=name)
