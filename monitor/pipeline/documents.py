"""Writing what an article names into the document registry: registry rows (created once, dated, placed in
their province or resolved as `analysis.documents.registry_key` says), mentions, relations between documents,
and the alerts a stated relation (`document_amended`) or a document's first announcement (`new_document`)
raises. A local sign's province is the one the text states for it, else the publishing source's."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from govmon.crawler.extract.types import DocRef, PartialRef, Relation
from govmon.crawler.extract.validity import Validity
from govmon.monitor.analysis.documents import (
    ALERTING,
    RELATION_VI,
    Identified,
    is_local,
    issuer_of,
    loose_keys,
    registry_key,
)
from govmon.monitor.analysis.keys import fold, words_key
from govmon.monitor.pipeline.status import alert_dates, announce_ending, record_dates
from govmon.storage import repository as repo
from govmon.storage.models import Article, Document, Source, utcnow

__all__ = ["Registrar", "hold_documents"]

Emit = Callable[..., Any]  # Ingestor._emit(session, kind, dedup_key, **fields)


@dataclass
class Registrar:
    """Registers the documents of one source's articles; `baseline` (a first pass, a quiet import) stores
    everything and announces nothing; `province` is the source's (its definition's), for local signs."""

    emit: Emit
    baseline: bool
    province: str = ""

    def register(self, session: Session, source: Source, article: Article, found: Identified,
                 fresh: bool = False, stated: Sequence[Validity] | None = None) -> None:
        """Registry rows, mentions, relations and first-subject alerts of what `article` names (`fresh`: the
        article was just created, so it has no mentions yet; `stated`: the validity statements of its latest
        text, when the caller has them). Each canonical id is held for the rest of the transaction
        (`hold_documents`)."""
        rows = hold_documents(session, [ref.id for ref in found.refs])
        docs = {ref.id: self._document(session, ref, article, rows[ref.id], self._province(ref, found))
                for ref in found.refs}
        mentions = [(docs[ref.id], "subject" if ref.id in found.subjects else "cites", ref.raw) for ref in found.refs]
        mentions += [mention for partial in found.partial for mention in _short_reference(session, partial)]
        if fresh:
            repo.add_mentions(session, article.id or 0, mentions)
        else:
            repo.set_mentions(session, article, mentions)
        record_dates(session, source, article, found, docs, None if self.baseline else self.emit, stated)
        for relation in found.relations:
            self._relation(session, source, article, relation, docs)
        for doc_id in sorted(found.subjects & docs.keys()):
            self._first_subject(session, source, article, docs[doc_id])

    def _province(self, ref: DocRef, found: Identified) -> str:
        """The province of a local sign: the one the text states for it, else the publishing source's."""
        return found.provinces.get(ref.id) or self.province

    def _document(self, session: Session, ref: DocRef, article: Article, same_id: list[Document],
                  province: str) -> Document:
        """The registry row `ref` names among `same_id` (the rows of its canonical id; a new row is added
        to it), created, placed or resolved as `registry_key` says."""
        rows = {d.key: d for d in same_id}
        known = [(d.key, d.resolved) for d in same_id]
        key, resolved = registry_key(ref, known, province)
        province = province if is_local(ref.code) else ""
        existing = rows.get(key) or _take_over(rows, ref, key, resolved, province)
        if existing is not None:
            session.add(existing)
            return existing
        issuer = issuer_of(ref.code, province)
        document = repo.add_document(session, key, ref.id, type=ref.type or "", type_key=fold(ref.type or ""),
                                     number=ref.number, year=_year(ref), code=ref.code, issuer=issuer,
                                     issuer_key=words_key(f"{issuer} {ref.code}"), issued_on=ref.date,
                                     resolved=resolved, first_seen_article_id=article.id)
        same_id.append(document)
        return document

    def _relation(self, session: Session, source: Source, article: Article, relation: Relation,
                  docs: dict[str, Document]) -> None:
        if relation.from_id not in docs or relation.to_id not in docs:
            return
        ends = (docs[relation.from_id], relation.rel, docs[relation.to_id], relation.evidence, article.id)
        if self.baseline:  # nothing is announced: whether the relation is new does not matter
            repo.queue_relation(session, *ends)
            return
        added = repo.add_relation(session, *ends)
        if added is None or relation.rel not in ALERTING:
            return
        self.emit(session, "document_amended", f"relation:{relation.from_id}:{relation.rel}:{relation.to_id}",
                  documents=[relation.from_id, relation.to_id],
                  title=f"{relation.from_id} {RELATION_VI[relation.rel]} {relation.to_id}",
                  source_id=source.id, article_id=article.id, document_id=docs[relation.to_id].id,
                  payload={"relation": relation.to_json(), "url": article.url,
                           **alert_dates(docs[relation.from_id], relation)})
        announce_ending(session, self.emit, relation, docs, source, article)

    def _first_subject(self, session: Session, source: Source, article: Article, document: Document) -> None:
        if document.first_subject_at is not None:
            return
        document.first_subject_at = utcnow()
        document.title = document.title or article.title
        session.add(document)
        if not self.baseline:
            self.emit(session, "new_document", f"document:{document.key}", documents=[document.canonical_id],
                      title=f"Văn bản mới {document.canonical_id}: {article.title}", source_id=source.id,
                      article_id=article.id, document_id=document.id, payload={"url": article.url})


def hold_documents(session: Session, canonical_ids: Sequence[str]) -> dict[str, list[Document]]:
    """The registry rows of each canonical id. Each id is held for the rest of the transaction (those not held
    yet taken in sorted order, so writers never wait on each other in a circle): whether a dated mention
    resolves an undated row depends on what the others stored, so they take turns. While it holds an id, no one
    else adds to its rows, so they are read once per transaction and what it adds is kept with them."""
    held: dict[str, list[Document]] = repo.memo(session).setdefault(_HELD, {})
    wanted = sorted(set(canonical_ids) - held.keys())
    for doc_id in wanted:
        repo.serialize(session, f"document:{doc_id}")
    if wanted:
        held.update(repo.documents_by_ids(session, wanted))
    return {doc_id: held[doc_id] for doc_id in canonical_ids}


_HELD = "documents"  # (repo.memo) canonical id → its registry rows, for the ids this transaction holds


def _short_reference(session: Session, partial: PartialRef) -> list[tuple[Document, str, str]]:
    """"Nghị quyết 57" names a registry document when exactly one of that type and number is known."""
    candidates = repo.documents_by_number(session, partial.number, fold(partial.type))
    return [(candidates[0], "cites", partial.raw)] if len(candidates) == 1 else []


def _year(ref: DocRef) -> int | None:
    return ref.year or (int(ref.date[:4]) if ref.date else None)


def _take_over(rows: dict[str, Document], ref: DocRef, key: str, resolved: bool, province: str) -> Document | None:
    """A mention that knows more (a date, a province) takes over the row of the same document seen before
    with less (`loose_keys`), when no resolved row of the id is known: the same row gets its key, so an earlier
    undated repost never makes the document "new" twice."""
    if any(d.resolved for d in rows.values()):
        return None
    loose = next((rows[k] for k in loose_keys(ref, province) if k in rows and k != key), None)
    if loose is None:
        return None
    loose.key, loose.resolved = key, resolved
    loose.year, loose.issued_on = _year(ref) or loose.year, ref.date or loose.issued_on
    if province:
        loose.issuer = issuer_of(ref.code, province)
        loose.issuer_key = words_key(f"{loose.issuer} {ref.code}")
    return loose
