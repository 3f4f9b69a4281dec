"""The alert timeline: the home page (newest first, filtered by kind, source, province, document and date)
and `/api/events`, both over `repository.events_page`, both rendering events as `govmon events --json` does.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from govmon.monitor.alerts.events import render_many
from govmon.monitor.pipeline.registry import lookup
from govmon.monitor.web.context import (
    KIND_LABELS,
    Web,
    day_start,
    decode_cursor,
    encode_cursor,
    read_session,
    templates,
    web_of,
)
from govmon.storage.models import Event
from govmon.storage.repository.browse import EventFilter, events_page
from govmon.storage.repository.sources import sources as stored_sources

__all__ = ["pages", "api", "Filters", "event_filter", "alert_rows"]

pages = APIRouter()
api = APIRouter(tags=["events"])
PAGE = 50


@dataclass(frozen=True)
class Filters:
    """The filters of an alert list as given in the query string (all optional)."""

    kind: str = ""
    source: str = ""
    province: str = ""
    document: str = ""
    since: str = ""
    until: str = ""

    def query(self) -> dict[str, str]:
        return {k: v for k, v in vars(self).items() if v}


def filters(kind: str = "", source: str = "", province: str = "", document: str = "", since: str = "",
            until: str = "") -> Filters:
    return Filters(kind.strip(), source.strip(), province.strip(), document.strip(), since.strip(), until.strip())


def event_filter(session: Session, web: Web, given: Filters, channel: str | None = None) -> EventFilter:
    """The repository filter for `given`: a province stands for its sources, a document for its registry rows
    (an unknown document or province matches nothing rather than everything)."""
    sources = (given.source,) if given.source else None
    if given.province:
        province = web.sources_in(given.province)
        sources = tuple(s for s in province if s in sources) if sources else province
    documents = tuple(d.id for d in lookup(session, given.document) if d.id) if given.document else None
    return EventFilter(kinds=(given.kind,) if given.kind else (), sources=sources, documents=documents,
                       channel=channel, since=day_start(given.since), until=day_start(given.until, end=True))


def alert_rows(session: Session, events: list[Event]) -> list[dict[str, Any]]:
    """Each event as `govmon events --json` prints it, with the store ids a page links by."""
    return [{**row, "article_id": e.article_id} for e, row in zip(events, render_many(session, events))]


def _page(session: Session, web: Web, given: Filters, cursor: str | None, limit: int) -> tuple[list[Event], str | None]:
    found = list(events_page(session, event_filter(session, web, given), decode_cursor(cursor), limit + 1))
    more = len(found) > limit
    return found[:limit], encode_cursor(found[limit - 1].id) if more else None


@pages.get("/", response_class=HTMLResponse)
def home(request: Request, given: Annotated[Filters, Depends(filters)],
         session: Annotated[Session, Depends(read_session)], cursor: str | None = None) -> HTMLResponse:
    web = web_of(request)
    events, next_cursor = _page(session, web, given, cursor, PAGE)
    values = {"alerts": alert_rows(session, events), "given": given, "next_cursor": next_cursor,
              "kinds": KIND_LABELS, "sources": [s.name for s in stored_sources(session)],
              "provinces": web.provinces(), "feed": _feed_of(given)}
    return templates.TemplateResponse(request, "alerts.html", values)


def _feed_of(given: Filters) -> str:
    if given.document and not (given.kind or given.source or given.province):
        return f"/feeds/documents/{given.document}.atom"
    return "/feeds/alerts.atom"


@api.get("/events", summary="Alerts, newest first")
def events_api(request: Request, given: Annotated[Filters, Depends(filters)],
               session: Annotated[Session, Depends(read_session)], cursor: str | None = None,
               limit: Annotated[int, Query(ge=1, le=500)] = PAGE) -> dict[str, Any]:
    """Events as `govmon events --json` prints them (plus `article_id`), filtered like the home page; pass
    `next_cursor` back as `cursor` for the next page."""
    events, next_cursor = _page(session, web_of(request), given, cursor, limit)
    return {"items": alert_rows(session, events), "next_cursor": next_cursor}
