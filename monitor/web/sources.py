"""Sources at a glance: last run, outcome, broken since, next run, recent errors — the records `govmon status
--json` prints, as a page and at `/api/sources`."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from govmon.monitor.present.health import source_health
from govmon.monitor.web.context import read_session, templates, web_of

__all__ = ["pages", "api"]

pages = APIRouter()
api = APIRouter(tags=["sources"])


@pages.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request, session: Annotated[Session, Depends(read_session)]) -> HTMLResponse:
    health = source_health(session, list(web_of(request).definitions.values()))
    return templates.TemplateResponse(request, "sources.html", {"sources": health})


@api.get("/sources", summary="Every source's health, as `govmon status --json`")
def sources_api(request: Request, session: Annotated[Session, Depends(read_session)]) -> list[dict[str, Any]]:
    return source_health(session, list(web_of(request).definitions.values()))
