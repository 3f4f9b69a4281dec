"""The document registry as users read it: for one document, its timeline (issued, first seen, every source
that carried it) and its relation graph in both directions; for many, a filtered list.

Read-only views over the store, built here so the CLI only renders them.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from govmon.storage import repository as repo
from govmon.storage.models import Article, DocRelation, Document, Source
from govmon.storage.repository.browse import document_neighbours

__all__ = ["Carried", "Edge", "DocumentReport", "report", "lookup", "graph", "MAX_EDGES"]

MAX_EDGES = 300  # relations a report carries: a hub such as 57-NQ/TW has hundreds within two steps


@dataclass(frozen=True)
class Carried:
    """One article that mentions the document."""

    role: str
    seen: datetime | None
    published: datetime | None
    source: str
    title: str
    url: str
    article_id: int = 0


@dataclass(frozen=True)
class Edge:
    source: str
    rel: str
    target: str
    evidence: str


@dataclass
class DocumentReport:
    document: Document
    about: list[Carried] = field(default_factory=list)
    cited_by: list[Carried] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    about_total: int = 0
    cited_total: int = 0


def lookup(session: Session, text: str) -> list[Document]:
    """Documents whose canonical id is `text` (a sign-only id may name several, across years), or the one
    whose registry key it is (``71/NQ-CP@2025``)."""
    found = list(repo.documents_by_id(session, text))
    exact = repo.get_document(session, text)
    return found or ([exact] if exact is not None else [])


def _carried(article: Article, source: Source, role: str) -> Carried:
    return Carried(role, article.first_seen_at, article.published_at, source.name, article.title, article.url,
                   article.id or 0)


def graph(session: Session, document: Document, depth: int = 2, limit: int = MAX_EDGES) -> list[Edge]:
    """Relations reachable from `document` in either direction within `depth` steps, each once, nearest
    first, at most `limit` of them; one query per step and one for the documents at their ends."""
    seen, frontier, found = {document.id or 0}, {document.id or 0}, {}
    for _ in range(depth):
        step = [r for r in repo.relations_touching(session, frontier) if r.id not in found][: limit - len(found)]
        found.update((r.id, r) for r in step)
        frontier = {end for r in step for end in (r.from_document_id, r.to_document_id)} - seen
        seen |= frontier
        if not frontier or len(found) >= limit:
            break
    ends = document_neighbours(session, (end for r in found.values() for end in (r.from_document_id, r.to_document_id)))
    return [_edge(relation, ends) for relation in found.values()]


def _edge(relation: DocRelation, ends: Mapping[int, Document]) -> Edge:
    source, target = ends.get(relation.from_document_id), ends.get(relation.to_document_id)
    return Edge(source.key if source else "?", relation.rel, target.key if target else "?", relation.evidence)


def report(session: Session, document: Document, limit: int | None = None) -> DocumentReport:
    """The document with the articles about it and citing it (the latest `limit` of each, when given; the
    totals are counted either way) and its relations within two steps."""
    counts = repo.mention_counts(session, [document.id or 0])
    result = DocumentReport(document, about_total=counts.get((document.id or 0, "subject"), 0),
                            cited_total=counts.get((document.id or 0, "cites"), 0))
    for role, rows in (("subject", result.about), ("cites", result.cited_by)):
        rows.extend(_carried(a, s, role) for _, a, s in repo.mentions_of(session, document, role, limit))
    result.edges = graph(session, document)
    return result
