"""Search across announcements and documents, as the web view, its JSON API and the CLI show it.

What people type is understood by `analysis.query`: the registry documents it names by number, in any
spelling (13/2023/ND-CP, "nghị định 13/2023", "nghi dinh 13", 3/NQ-CP for 03/NQ-CP), come first; then the
full-text hits of its folded words (no diacritics needed), best first. Pages follow each other by an opaque
cursor. Every read is a batch through the repository: a page costs the same few queries whatever it holds.
Result text is raw (titles, snippets): whoever renders it escapes it.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from govmon.crawler.extract.dates import local_iso
from govmon.monitor.analysis.query import DocQuery, Query, snippet, understand
from govmon.storage.models import Document
from govmon.storage.repository.documents import documents_by_ids, documents_by_number
from govmon.storage.repository.search import (
    Found,
    Position,
    SearchHit,
    documents_by_rows,
    found_articles,
    search_entries,
)

__all__ = ["SearchPage", "BadCursor", "search", "KINDS", "MAX_LIMIT"]

KINDS = {"announcement": "article", "document": "document"}  # what users ask for → the index's kinds
MAX_LIMIT = 100
Result = dict[str, Any]


@dataclass(frozen=True)
class SearchPage:
    """One page of results, and the cursor of the next page (None on the last)."""

    results: list[Result]
    next_cursor: str | None


class BadCursor(ValueError):
    """A cursor that this search did not hand out (damaged, or from another query)."""


@dataclass(frozen=True)
class _Cursor:
    numbered: int = 0  # number-matched documents shown on earlier pages
    text: bool = False  # the full-text hits have started
    after: Position | None = None  # where they stopped


def search(session: Session, text: str, kind: str | None = None, limit: int = 20,
           cursor: str | None = None) -> SearchPage:
    """Documents named by number, then full-text hits, for what the user typed; `kind`: "announcement" or
    "document" only. Each result: kind, id (article id; a document's canonical id, plus its registry
    `key`), title, url ("" for documents), source ("" for documents), published_at (Asia/Ho_Chi_Minh; a
    document's issue date), snippet."""
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}: one of {', '.join(KINDS)}")
    limit = max(1, min(limit, MAX_LIMIT))
    query = understand(text)
    digest = _digest(query, kind)
    at = _decode(cursor, digest)
    if not query.words:
        return SearchPage([], None)
    numbered = _numbered(session, query) if kind != "announcement" else []
    shown = [] if at.text else numbered[at.numbered:at.numbered + limit + 1]
    if len(shown) > limit:
        nxt = _Cursor(numbered=at.numbered + limit)
        return SearchPage(_document_results(shown[:limit]), _encode(nxt, digest))
    hits, more = _hits(session, query, kind, limit - len(shown), at.after, {d.id for d in numbered})
    results = _document_results(shown) + _hit_results(session, hits, query.words)
    after = hits[-1].position if hits else at.after
    return SearchPage(results, _encode(_Cursor(text=True, after=after), digest) if more else None)


# --- documents named by number -------------------------------------------------------------------------
def _numbered(session: Session, query: Query) -> list[Document]:
    """The registry documents the query names, in the order it names them, newest year first for each."""
    ids = [doc_id for wanted in query.documents for doc_id in wanted.ids()]
    by_id = documents_by_ids(session, ids) if ids else {}
    found: dict[int | None, Document] = {}
    for wanted in query.documents:
        rows = _signed(session, wanted, by_id) if wanted.canonical_id else _short(session, wanted)
        for document in sorted(rows, key=lambda d: (-(d.year or 0), d.key)):
            found.setdefault(document.id, document)
    return list(found.values())


def _signed(session: Session, wanted: DocQuery, by_id: dict[str, list[Document]]) -> list[Document]:
    """A full sign: its registry rows, by canonical id; a sign typed without its year (13/NĐ-CP) also
    finds the documents of that type, number and code whatever their year."""
    rows = [document for doc_id in wanted.ids() for document in by_id.get(doc_id, [])]
    if rows or wanted.year is not None or not wanted.type_key:
        return rows
    return [d for d in documents_by_number(session, wanted.number, wanted.type_key) if d.code == wanted.code]


def _short(session: Session, wanted: DocQuery) -> Sequence[Document]:
    rows = documents_by_number(session, wanted.number, wanted.type_key)
    return [d for d in rows if wanted.year is None or d.year == wanted.year]


def _document_results(documents: Sequence[Document]) -> list[Result]:
    return [_document_result(document) for document in documents]


def _document_result(document: Document) -> Result:
    name = f"{document.type[:1].upper()}{document.type[1:]} {document.canonical_id}".strip()
    issued = f"ban hành ngày {_vn_date(document.issued_on)}" if document.issued_on else ""
    return {"kind": "document", "id": document.canonical_id, "key": document.key, "title": document.title or name,
            "url": "", "source": "", "published_at": document.issued_on,
            "snippet": " · ".join(part for part in (name, document.issuer, issued) if part)}


def _vn_date(iso: str) -> str:
    """'2023-04-17' → '17/04/2023' (anything else as it is)."""
    parts = iso.split("-")
    return "/".join(reversed(parts)) if len(parts) == 3 else iso


# --- full-text hits --------------------------------------------------------------------------------------
def _hits(session: Session, query: Query, kind: str | None, wanted: int, after: Position | None,
          numbered: set[int | None]) -> tuple[list[SearchHit], bool]:
    """Up to `wanted` hits after `after`, leaving out the documents already shown by number, and whether
    more follow."""
    index_kind = KINDS[kind] if kind else None
    rows = search_entries(session, query.folded, index_kind, wanted + 1 + len(numbered), after)
    kept = [hit for hit in rows if not (hit.kind == "document" and hit.ref_id in numbered)]
    return kept[:wanted], len(kept) > wanted


def _hit_results(session: Session, hits: Sequence[SearchHit], words: Sequence[str]) -> list[Result]:
    articles = found_articles(session, [hit.ref_id for hit in hits if hit.kind == "article"])
    documents = documents_by_rows(session, [hit.ref_id for hit in hits if hit.kind == "document"])
    results = []
    for hit in hits:
        if hit.kind == "article" and hit.ref_id in articles:
            results.append(_article_result(articles[hit.ref_id], words))
        elif hit.kind == "document" and hit.ref_id in documents:
            results.append(_document_result(documents[hit.ref_id]))
    return results


def _article_result(found: Found, words: Sequence[str]) -> Result:
    article, version = found.article, found.version
    body = f"{version.lead} {version.text}" if version else ""
    return {"kind": "announcement", "id": article.id, "title": article.title or (version.title if version else ""),
            "url": article.url, "source": found.source, "published_at": local_iso(article.published_at),
            "snippet": snippet(body, words)}


# --- cursors ---------------------------------------------------------------------------------------------
def _digest(query: Query, kind: str | None) -> str:
    """Ties a cursor to its query: a page of another query is refused rather than shown half-right."""
    return hashlib.blake2s(f"{kind}\n{query.folded}".encode(), digest_size=6).hexdigest()


def _encode(cursor: _Cursor, digest: str) -> str:
    data: dict[str, Any] = {"q": digest}
    if not cursor.text:
        data["n"] = cursor.numbered
    elif cursor.after is None:
        data["t"] = 1
    else:
        data["s"], data["e"] = cursor.after.score, cursor.after.entry
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(cursor: str | None, digest: str) -> _Cursor:
    if not cursor:
        return _Cursor()
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise BadCursor(f"not a search cursor: {exc}") from exc
    if not isinstance(data, dict) or data.get("q") != digest:
        raise BadCursor("not a cursor of this search")
    try:
        return _parsed(data)
    except (ValueError, TypeError, KeyError) as exc:
        raise BadCursor(f"not a search cursor: {exc}") from exc


def _parsed(data: dict[str, Any]) -> _Cursor:
    if "n" in data:
        return _Cursor(numbered=max(0, int(data["n"])))
    if "s" in data:
        return _Cursor(text=True, after=Position(float(data["s"]), int(data["e"])))
    if data.get("t") == 1:
        return _Cursor(text=True)
    raise BadCursor("not a search cursor")
