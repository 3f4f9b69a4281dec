"""A document as users write its id (`/documents/71/NQ-CP`, `/documents/13/2023/NĐ-CP`): type, issuer, dates,
status, the announcements about it and citing it, and its relation graph drawn as SVG; the registry newest
first at `/documents`; both under `/api/documents` too."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from govmon.monitor.pipeline.registry import DocumentReport, Edge, lookup, report
from govmon.monitor.present.records import (
    canonical_id,
    document_record,
    document_report_record,
)
from govmon.monitor.present.status import statement_record, status_for, status_record
from govmon.monitor.web.context import (
    decode_cursor,
    document_path,
    encode_cursor,
    read_session,
    templates,
)
from govmon.monitor.web.graph import relation_svg
from govmon.storage import repository as repo
from govmon.storage.models import Document
from govmon.storage.repository.browse import documents_page

__all__ = ["pages", "api"]

pages = APIRouter()
api = APIRouter(tags=["documents"])
MENTIONS = 50  # the latest articles about a document, and citing it, shown with it (the totals are counted)


def _reports(session: Session, document_id: str) -> list[DocumentReport]:
    found = lookup(session, document_id)
    if not found:
        raise HTTPException(404, f"no document {document_id!r} in the registry")
    return [report(session, d, MENTIONS) for d in found]


def _with_status(session: Session, result: DocumentReport) -> dict[str, Any]:
    """The report with the document's status today (vbpl.vn's when it stated one, else inferred from the
    announcements; both readings, the causes with their dates, a disagreement) and every stored statement."""
    status, rows = status_for(session, result)
    record = document_report_record(result)
    record["document"]["status"] = status_record(status, canonical_id)
    record["statements"] = [statement_record(row) for row in rows]
    return record


@pages.get("/documents", response_class=HTMLResponse)
def registry_page(request: Request, session: Annotated[Session, Depends(read_session)],
                  cursor: str | None = None) -> HTMLResponse:
    items, next_cursor = _documents(session, cursor, 100)
    return templates.TemplateResponse(request, "documents.html", {"documents": items, "next_cursor": next_cursor})


@pages.get("/documents/{document_id:path}", response_class=HTMLResponse)
def document_page(request: Request, document_id: str, session: Annotated[Session, Depends(read_session)]) -> HTMLResponse:
    shown = [(_with_status(session, r), _picture(r)) for r in _reports(session, document_id)]
    return templates.TemplateResponse(request, "document.html", {"document_id": document_id, "shown": shown})


def _picture(result: DocumentReport) -> str:
    """The relation graph, each document named (and linked) by its id as users write it."""
    edges = [Edge(canonical_id(e.source), e.rel, canonical_id(e.target), e.evidence) for e in result.edges]
    focus = result.document.canonical_id
    return relation_svg(focus, edges, document_path, {focus: result.document.type}) if edges else ""


def _documents(session: Session, cursor: str | None, limit: int) -> tuple[list[dict[str, Any]], str | None]:
    rows: list[Document] = list(documents_page(session, decode_cursor(cursor), limit + 1))
    counts = repo.mention_counts(session, [d.id for d in rows[:limit] if d.id is not None])
    more = len(rows) > limit
    return [document_record(d, counts) for d in rows[:limit]], encode_cursor(rows[limit - 1].id) if more else None


@api.get("/documents", summary="The document registry, most recently registered first")
def documents_api(session: Annotated[Session, Depends(read_session)], cursor: str | None = None,
                  limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    items, next_cursor = _documents(session, cursor, limit)
    return {"items": items, "next_cursor": next_cursor}


@api.get("/documents/{document_id:path}", summary="A document with its announcements, relations and status")
def document_api(document_id: str, session: Annotated[Session, Depends(read_session)]) -> list[dict[str, Any]]:
    """One entry per registry row the id names (a sign without a year may name one per year)."""
    return [_with_status(session, r) for r in _reports(session, document_id)]
