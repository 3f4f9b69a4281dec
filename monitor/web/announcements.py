"""An announcement: every copy across sites (canonical first), the documents it is about or cites, its
versions in time order, and the word diff between any two (inline or side by side) — as a page and under
`/api/announcements`. Versions are numbered as `govmon versions` numbers them."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from govmon.monitor.analysis.dedupe import copy_rank
from govmon.monitor.present.diffs import diff_ops, diff_record, version_text
from govmon.monitor.present.records import article_record, version_record
from govmon.monitor.web.context import (
    decode_cursor,
    encode_cursor,
    read_session,
    templates,
)
from govmon.storage import repository as repo
from govmon.storage.models import Article, Source, Version
from govmon.storage.repository.browse import article_and_source, articles_page

__all__ = ["pages", "api"]

pages = APIRouter()
api = APIRouter(tags=["announcements"])


def _found(session: Session, article_id: int) -> tuple[Article, Source]:
    found = article_and_source(session, article_id)
    if found is None:
        raise HTTPException(404, f"no announcement {article_id} in this store")
    return found


def _copies(session: Session, article: Article, source: Source) -> list[tuple[Article, Source]]:
    """Every copy of the announcement, canonical (earliest, official first on ties) first."""
    members = repo.cluster_members(session, article.cluster_id) if article.cluster_id else [(article, source)]
    return sorted(members, key=lambda m: (*copy_rank(m[0].published_at, m[1].official, m[0].first_seen_at), m[0].id))


def _record(session: Session, article: Article, source: Source) -> dict[str, Any]:
    return _records(session, [(article, source)])[0]


def _records(session: Session, rows: Sequence[tuple[Article, Source]]) -> list[dict[str, Any]]:
    """Article records with the documents each mentions, read for all of them at once."""
    documents = repo.articles_documents(session, [a.id or 0 for a, _ in rows])
    return [article_record(a, s.name, [doc for doc, _ in documents[a.id or 0]]) for a, s in rows]


def _numbered(session: Session, article: Article) -> dict[int, Version]:
    return dict(enumerate(repo.versions_of(session, article.id or 0), 1))


def _pair(stored: dict[int, Version], old: int | None, new: int | None) -> tuple[int, int]:
    if len(stored) < 2:
        raise HTTPException(404, f"{len(stored)} stored version(s): nothing to compare")
    last = new or max(stored)
    first = old or last - 1
    if first not in stored or last not in stored:
        raise HTTPException(404, f"versions are numbered 1–{max(stored)}")
    return first, last


@pages.get("/announcements/{article_id}", response_class=HTMLResponse)
def announcement(request: Request, article_id: int, session: Annotated[Session, Depends(read_session)]) -> HTMLResponse:
    article, source = _found(session, article_id)
    stored = _numbered(session, article)
    values = {"a": _record(session, article, source), "article": article,
              "subjects": {doc for doc, role in repo.article_documents(session, article_id) if role == "subject"},
              "copies": _copy_records(session, article, source),
              "versions": [version_record(n, v) for n, v in stored.items()],
              "latest": stored[max(stored)] if stored else None}
    return templates.TemplateResponse(request, "announcement.html", values)


def _copy_records(session: Session, article: Article, source: Source) -> list[dict[str, Any]]:
    copies = _copies(session, article, source)
    return [record | {"official": s.official} for record, (_, s) in zip(_records(session, copies), copies)]


@pages.get("/announcements/{article_id}/diff", response_class=HTMLResponse)
def diff_page(request: Request, article_id: int, session: Annotated[Session, Depends(read_session)],
              old: Annotated[int | None, Query(alias="from")] = None, new: Annotated[int | None, Query(alias="to")] = None,
              view: Literal["inline", "side"] = "inline") -> HTMLResponse:
    article, source = _found(session, article_id)
    stored = _numbered(session, article)
    first, last = _pair(stored, old, new)
    values = {"a": _record(session, article, source), "first": first, "last": last, "view": view,
              "count": len(stored), "ops": diff_ops(version_text(stored[first]), version_text(stored[last])),
              "versions": {n: version_record(n, v) for n, v in stored.items()}}
    return templates.TemplateResponse(request, "diff.html", values)


@api.get("/announcements", summary="Announcements, newest stored first")
def announcements_api(session: Annotated[Session, Depends(read_session)], source: str | None = None,
                      cursor: str | None = None, limit: Annotated[int, Query(ge=1, le=500)] = 50) -> dict[str, Any]:
    rows = list(articles_page(session, source, decode_cursor(cursor), limit + 1))
    more = len(rows) > limit
    return {"items": _records(session, rows[:limit]), "next_cursor": encode_cursor(rows[limit - 1][0].id) if more else None}


@api.get("/announcements/{article_id}", summary="One announcement with its copies and versions")
def announcement_api(article_id: int, session: Annotated[Session, Depends(read_session)]) -> dict[str, Any]:
    article, source = _found(session, article_id)
    return {**_record(session, article, source),
            "copies": _copy_records(session, article, source),
            "versions": [version_record(n, v) for n, v in _numbered(session, article).items()]}


@api.get("/announcements/{article_id}/versions", summary="An announcement's versions in time order")
def versions_api(article_id: int, session: Annotated[Session, Depends(read_session)]) -> list[dict[str, Any]]:
    article, _ = _found(session, article_id)
    return [version_record(n, v, text=True) for n, v in _numbered(session, article).items()]


@api.get("/announcements/{article_id}/diff", summary="Word diff between two versions (as `govmon diff --json`)")
def diff_api(article_id: int, session: Annotated[Session, Depends(read_session)],
             old: Annotated[int | None, Query(alias="from")] = None,
             new: Annotated[int | None, Query(alias="to")] = None) -> dict[str, Any]:
    article, _ = _found(session, article_id)
    stored = _numbered(session, article)
    first, last = _pair(stored, old, new)
    return diff_record(article.url, first, stored[first], last, stored[last])
