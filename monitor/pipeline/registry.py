"""The document registry as users read it: for one document, its timeline (issued, first seen, every source
that carried it) and its relation graph in both directions; for many, a filtered list.

Read-only views over the store, built here so the CLI only renders them.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from govmon.storage import repository as repo
from govmon.storage.models import Article, DocRelation, Document, Source

__all__ = ["Carried", "Edge", "DocumentReport", "report", "lookup", "graph"]


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


def lookup(session: Session, text: str) -> list[Document]:
    """Documents whose canonical id is `text` (a sign-only id may name several, across years), or the one
    whose registry key it is (``71/NQ-CP@2025``)."""
    found = list(repo.documents_by_id(session, text))
    exact = repo.get_document(session, text)
    return found or ([exact] if exact is not None else [])


def _carried(session: Session, article: Article, role: str) -> Carried:
    source = session.get(Source, article.source_id)
    return Carried(role, article.first_seen_at, article.published_at, source.name if source else "?",
                   article.title, article.url, article.id or 0)


def graph(session: Session, document: Document, depth: int = 2) -> list[Edge]:
    """Relations reachable from `document` in either direction within `depth` steps, each once."""
    seen_docs, seen_edges, edges = {document.id}, set(), []
    queue = deque([(document, 0)])
    while queue:
        current, level = queue.popleft()
        for relation in repo.relations_of(session, current):
            if relation.id in seen_edges:
                continue
            seen_edges.add(relation.id)
            edges.append(_edge(session, relation))
            other = relation.to_document_id if relation.from_document_id == current.id else relation.from_document_id
            if other not in seen_docs and level + 1 < depth:
                seen_docs.add(other)
                queue.append((session.get(Document, other), level + 1))
    return edges


def _edge(session: Session, relation: DocRelation) -> Edge:
    source, target = session.get(Document, relation.from_document_id), session.get(Document, relation.to_document_id)
    return Edge(source.key if source else "?", relation.rel, target.key if target else "?", relation.evidence)


def report(session: Session, document: Document) -> DocumentReport:
    result = DocumentReport(document)
    for mention, article in repo.mentions_of(session, document):
        carried = _carried(session, article, mention.role)
        (result.about if mention.role == "subject" else result.cited_by).append(carried)
    result.edges = graph(session, document)
    return result
