"""Search across announcements and documents, without diacritics and by document number in any spelling
users type: a page at `/search` and `/api/search`, both over `monitor.present.search`."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from govmon.monitor.present.search import BadCursor, SearchPage, search
from govmon.monitor.web.context import read_session, templates

__all__ = ["pages", "api"]

pages = APIRouter()
api = APIRouter(tags=["search"])
Kind = Literal["document", "announcement"]


def _search(session: Session, text: str, kind: str | None, limit: int, cursor: str | None) -> SearchPage:
    try:
        return search(session, text, kind, limit, cursor)
    except BadCursor:
        raise HTTPException(400, "cursor: pass back the next_cursor of a previous page of the same search") from None


@pages.get("/search", response_class=HTMLResponse)
def search_page(request: Request, session: Annotated[Session, Depends(read_session)],
                q: Annotated[str, Query(max_length=300)] = "", kind: Kind | None = None,
                cursor: str | None = None) -> HTMLResponse:
    found = _search(session, q, kind, 30, cursor) if q.strip() else None
    values = {"q": q, "kind": kind or "", "results": found.results if found else [],
              "next_cursor": found.next_cursor if found else None, "asked": found is not None}
    return templates.TemplateResponse(request, "search.html", values)


@api.get("/search", summary="Announcements and documents matching a query")
def search_api(session: Annotated[Session, Depends(read_session)], q: Annotated[str, Query(min_length=1, max_length=300)],
               kind: Kind | None = None, cursor: str | None = None,
               limit: Annotated[int, Query(ge=1, le=100)] = 20) -> dict[str, Any]:
    """Documents whose number the query names come first, then full-text matches (diacritics optional)."""
    found = _search(session, q, kind, limit, cursor)
    return {"items": found.results, "next_cursor": found.next_cursor}
