"""The ASGI application behind `govmon serve`: HTML pages, Atom feeds and the JSON API (`/api/`, with its
OpenAPI document at `/api/openapi.json`), read-only over one store.

Every response carries a strict Content-Security-Policy (no script runs on any page: there is none), and the
API answers only with the configured token when one is set. Nothing here writes to the store.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib.resources import files

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from govmon.monitor.config import Config
from govmon.monitor.service.runner import enabled_sources
from govmon.monitor.web import (
    alerts,
    announcements,
    documents,
    search,
    sources,
    syndication,
)
from govmon.monitor.web.context import Web, templates, web_of

__all__ = ["create_app"]

_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_SUBJECTS = (alerts, announcements, documents, sources, search)


def create_app(engine: Engine, config: Config, token: str = "") -> FastAPI:
    """The app over `engine`; `token`, when given, is required by every /api/ request (Bearer)."""
    app = FastAPI(title="govmon", version="1", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json",
                  description="Alerts, announcements, versions, documents and sources of a govmon store (read-only).")
    app.state.web = Web(engine, config, {s.name: s for s in enabled_sources(config)}, token)
    app.mount("/static", StaticFiles(directory=str(files("govmon.monitor.web") / "static")), name="static")
    for subject in _SUBJECTS:
        app.include_router(subject.pages)
    app.include_router(syndication.feeds)
    app.include_router(_api_router(), prefix="/api")
    app.middleware("http")(_secure_headers)
    app.exception_handler(StarletteHTTPException)(_error_page)
    return app


def _api_router() -> APIRouter:
    router = APIRouter(dependencies=[Depends(_check_token)])
    for subject in _SUBJECTS:
        router.include_router(subject.api)
    return router


def _check_token(request: Request) -> None:
    expected = web_of(request).token
    if expected and request.headers.get("authorization", "") != f"Bearer {expected}":
        raise HTTPException(401, "this API needs the token: Authorization: Bearer <token>",
                            headers={"WWW-Authenticate": "Bearer"})


async def _secure_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    response = await call_next(request)
    for name, value in _HEADERS.items():
        response.headers.setdefault(name, value)
    return response


async def _error_page(request: Request, exc: StarletteHTTPException) -> Response:
    """JSON for the API and feeds, a page for people."""
    if request.url.path.startswith(("/api/", "/feeds/")) or not _wants_html(request):
        return JSONResponse({"detail": exc.detail}, exc.status_code, headers=getattr(exc, "headers", None))
    values = {"status": exc.status_code, "detail": exc.detail}
    return templates.TemplateResponse(request, "error.html", values, status_code=exc.status_code,
                                      headers=getattr(exc, "headers", None))


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "text/html") or "*/*" in request.headers.get("accept", "")

