"""Recording what is said of a document's validity, and the `document_status` alerts it raises.

Two sources, kept apart (`DocumentStatus.source`): announcements — the effective and expiry dates an
article states (`crawler.extract.validity`), recorded as the article is registered — and vbpl.vn, the
Ministry of Justice's national database and the authority, whose "Thuộc tính" and "Lược đồ" pages
`govmon docs verify` reads (`monitor.service.verify`). A document's `effective_on` is vbpl.vn's when it states
one, else the first one announced.

`document_status` says that a document has ended — replaced, repealed, expired — or been suspended: when an
announcement states the replacing or repealing relation (the day the replacing document takes effect, when
it is ahead, is waited for), when a stated expiry day comes, when vbpl.vn's stated status turns to one of
those. Once per document and kind of ending (`status:<key>:ended`), whoever says it first; never for an
ending that is history (`_news`: a first check of a law repealed years ago is not news).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session

from govmon.crawler.extract.dates import VN_TZ
from govmon.crawler.extract.docrefs import find_refs
from govmon.crawler.extract.types import Relation
from govmon.crawler.extract.validity import SIGNING, THIS, Validity, find_validity
from govmon.crawler.extract.vbpl import VbplLink, VbplProperties
from govmon.monitor.analysis.documents import Identified, whole_text
from govmon.monitor.analysis.keys import fold
from govmon.storage import repository as repo
from govmon.storage.models import Article, Document, DocumentStatus, Source
from govmon.storage.repository import status as statuses

__all__ = ["record_dates", "announce_ending", "alert_dates", "record_vbpl", "sweep", "today", "VbplFound",
           "STATUS_VI", "STATUS_EN", "ENDED", "VBPL", "ANNOUNCEMENT", "SWEEP_DAYS"]

Emit = Callable[..., Any]  # (session, kind, dedup_key, **fields), as the Registrar's
VBPL, ANNOUNCEMENT = "vbpl.vn", "announcement"
STATUS_VI = {"in_force": "còn hiệu lực", "amended": "được sửa đổi một phần", "partly_expired": "hết hiệu lực một phần",
             "replaced": "đã bị thay thế", "repealed": "đã bị bãi bỏ", "expired": "hết hiệu lực",
             "suspended": "bị đình chỉ / ngưng hiệu lực", "partly_suspended": "ngưng hiệu lực một phần",
             "not_yet": "chưa có hiệu lực", "unknown": "chưa rõ"}
STATUS_EN = {"in_force": "in force", "amended": "partly amended", "partly_expired": "partly no longer in force",
             "replaced": "replaced", "repealed": "repealed", "expired": "no longer in force", "suspended": "suspended",
             "partly_suspended": "partly suspended", "not_yet": "not yet in force", "unknown": "unknown"}
ENDED = frozenset({"replaced", "repealed", "expired"})
_ALERTED = {"replaced": "ended", "repealed": "ended", "expired": "ended", "suspended": "suspended"}
_ENDS = {"replaces": "replaced", "repeals": "repealed", "suspends": "suspended"}
SWEEP_DAYS = 30  # a sweep looks back this far for endings whose day has come
_RELATED = ("amends", "replaces", "repeals", "suspends", "guides", "cites", "consolidates")


def today() -> str:
    """Today in Vietnam, the day statuses are stated for."""
    return datetime.now(VN_TZ).date().isoformat()


# --- announcements --------------------------------------------------------------------------------------------

def _article_text(session: Session, article: Article) -> str:
    version = repo.latest_version(session, article.id or 0)
    return whole_text(version.title, version.lead, version.text) if version else ""


def record_dates(session: Session, source: Source, article: Article, found: Identified, docs: dict[str, Document],
                 emit: Emit | None, stated: Sequence[Validity] | None = None) -> list[DocumentStatus]:
    """The effective and expiry dates `article` states of the documents it names (`docs`: canonical id →
    registry row), each an announcement statement; a document without an effective date takes the first
    one announced. `emit` (None in a baseline) raises `document_status` for a stated expiry that has come.
    `stated`: what `find_validity` finds in the article's latest text, when the caller has it (an import's
    extraction processes do); else its latest version is read."""
    recorded = []
    said = find_validity(_article_text(session, article)) if stated is None else stated
    for validity in sorted(said, key=lambda v: v.kind != "effective"):
        document = _whom(validity, found, docs)
        day = _day(validity, document, found, docs) if document is not None else None
        if document is None or day is None:
            continue
        recorded.append(_dated(session, document, validity, day, article))
        if validity.kind == "expires" and emit is not None and day <= today():
            _alert(session, emit, document, "expired", day, [], ANNOUNCEMENT, validity.evidence, article.url,
                   source.id, article.id)
    return recorded


def _dated(session: Session, document: Document, validity: Validity, day: str, article: Article) -> DocumentStatus:
    effective = validity.kind == "effective"
    if effective and document.effective_on is None:
        document.effective_on = day
        session.add(document)
    upon = [validity.upon] if validity.upon not in ("", SIGNING, THIS) else []
    row, _ = statuses.state_status(session, document, ANNOUNCEMENT, effective_on=day if effective else None,
                                   expires_on=None if effective else day, by=upon, evidence=validity.evidence,
                                   url=article.url, article_id=article.id)
    return row


def _whom(validity: Validity, found: Identified, docs: dict[str, Document]) -> Document | None:
    """The registry document a statement is about: the one it names, else — for "this one" — the article's
    one subject (of the type the text named, when it named one), else the one document of that type."""
    if validity.doc_id is not None:
        return docs.get(validity.doc_id)
    wanted = fold(validity.type_word) if validity.type_word else None
    subjects = [docs[s] for s in sorted(found.subjects) if s in docs and (wanted is None or docs[s].type_key == wanted)]
    if len(subjects) == 1:
        return subjects[0]
    typed = {d.id: d for d in docs.values() if wanted is not None and d.type_key == wanted}
    return next(iter(typed.values())) if len(typed) == 1 else None


def _day(validity: Validity, document: Document, found: Identified, docs: dict[str, Document]) -> str | None:
    """The ISO day a statement gives: its date, or the day of the event it names, when that is known."""
    if validity.on or validity.upon == "":
        return validity.on
    if validity.upon == SIGNING:
        return document.issued_on
    if validity.upon == THIS:
        subjects = [docs[s] for s in found.subjects if s in docs and docs[s] is not document]
        return subjects[0].effective_on if len(subjects) == 1 else None
    other = docs.get(validity.upon)
    return other.effective_on if other is not None else None


def alert_dates(actor: Document, relation: Relation) -> dict[str, str]:
    """What a `document_amended` alert says of when: the acting document's effective date, else its issue
    date — the registry's, or the one the sentence stating the relation gives it."""
    if actor.effective_on:
        return {"effective_on": actor.effective_on}
    dated = next((ref.date for ref in find_refs(relation.evidence) if ref.id == relation.from_id and ref.date), None)
    issued = actor.issued_on or dated
    return {"issued_on": issued} if issued else {}


def announce_ending(session: Session, emit: Emit, relation: Relation, docs: dict[str, Document], source: Source,
                    article: Article) -> None:
    """A newly stated replacing, repealing or suspending relation: `document_status` for the document it ends,
    now — or, when the acting document takes effect later, on that day (`sweep`)."""
    state = _ENDS.get(relation.rel)
    actor, target = docs.get(relation.from_id), docs.get(relation.to_id)
    if state is None or actor is None or target is None or (actor.effective_on or "") > today():
        return
    _alert(session, emit, target, state, actor.effective_on or actor.issued_on, [actor.canonical_id], ANNOUNCEMENT,
           relation.evidence, article.url, source.id, article.id)


def _news(document: Document, since: str | None, day: str) -> bool:
    """An ending is news unless its day is both before govmon first saw the document and more than
    SWEEP_DAYS before `day` (a history, such as a first check of an old repealed law)."""
    if not since:
        return True
    seen = document.first_seen_at.astimezone(VN_TZ).date().isoformat() if document.first_seen_at else ""
    recent = (date.fromisoformat(day) - timedelta(days=SWEEP_DAYS)).isoformat()
    return since >= min(seen or recent, recent)


def _alert(session: Session, emit: Emit, document: Document, state: str, since: str | None, by: list[str],
           said_by: str, evidence: str, url: str, source_id: int | None = None, article_id: int | None = None,
           day: str | None = None) -> None:
    """`document_status`, once per document and kind of ending, when it is news (`_news`)."""
    if not _news(document, since, day or today()):
        return
    who = f" bởi {', '.join(by)}" if by else ""
    when = f" từ {since}" if since else ""
    emit(session, "document_status", f"status:{document.key}:{_ALERTED.get(state, state)}",
         documents=[document.canonical_id], title=f"{document.canonical_id} {STATUS_VI[state]}{who}{when}",
         source_id=source_id, article_id=article_id, document_id=document.id,
         payload={"status": {"document": document.canonical_id, "state": state, "label": STATUS_VI[state],
                             "label_en": STATUS_EN[state], "since": since, "by": by, "source": said_by,
                             "evidence": evidence}, "url": url})


# --- vbpl.vn ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class VbplFound:
    """What vbpl.vn says of one document: its properties and the documents its diagram and related tabs list."""

    properties: VbplProperties
    links: Sequence[VbplLink] = field(default_factory=tuple)


def _acting(found: VbplFound, *rels: str, partly: bool = False) -> list[str]:
    """The documents listed as acting on this one (in part, when `partly`) with one of `rels` (canonical ids,
    else their titles)."""
    return list(dict.fromkeys(link.doc_id or link.title for link in found.links
                              if link.direction == "in" and link.rel in rels and link.partly == partly))


def vbpl_state(found: VbplFound) -> tuple[str, list[str]]:
    """(state, by): vbpl.vn's Tình trạng hiệu lực, made precise by its diagram — in force and listed as amended
    is "amended"; no longer in force and listed as replaced (repealed) by something is "replaced" ("repealed")."""
    state = found.properties.state
    if state == "in_force" and _acting(found, "amends"):
        return "amended", _acting(found, "amends")
    if state == "expired":
        for rel, precise in (("replaces", "replaced"), ("repeals", "repealed")):
            if _acting(found, rel):
                return precise, _acting(found, rel)
        return state, _acting(found, "ends", "replaces", "repeals")
    if state in ("suspended", "partly_suspended"):
        return state, _acting(found, "suspends", partly=state == "partly_suspended")
    if state == "partly_expired":
        return state, _acting(found, "ends", "replaces", "repeals", "amends", partly=True)
    return state, []


def record_vbpl(session: Session, document: Document, found: VbplFound,
                emit: Emit | None) -> tuple[DocumentStatus, bool]:
    """Record vbpl.vn's statement of `document` (its effective date becomes the document's), the relations
    its diagram lists with documents the registry knows, and `document_status` when its stated status turned
    to an ending. Returns the statement and whether it is new."""
    previous = statuses.latest_status(session, document, VBPL)
    props = found.properties
    state, by = vbpl_state(found)
    row, new = statuses.state_status(session, document, VBPL, state=state, stated=props.status,
                                     effective_on=props.effective_on, expires_on=props.expires_on, by=by,
                                     evidence=_evidence(found), url=props.url)
    _adopt(session, document, props)
    _relate(session, document, found)
    changed = previous.state != state if previous is not None else props.expires_on is not None
    if new and emit is not None and state in _ALERTED and changed:  # a first check alerts only a dated ending
        _alert(session, emit, document, state, props.expires_on, by, VBPL, row.evidence, props.url)
    return row, new


def _evidence(found: VbplFound) -> str:
    props = found.properties
    parts = [f"Tình trạng hiệu lực: {props.status}" if props.status else ""]
    parts += [f"Ngày có hiệu lực: {props.effective_on}" if props.effective_on else "",
              f"Ngày hết hiệu lực: {props.expires_on}" if props.expires_on else ""]
    groups: dict[str, list[str]] = {}
    for link in found.links:
        if link.direction == "in" and link.rel in ("amends", "replaces", "repeals", "ends", "suspends"):
            groups.setdefault(link.group, []).append(link.doc_id or link.title)
    parts += [f"{group}: {', '.join(dict.fromkeys(names))}" for group, names in groups.items()]
    return "; ".join(p for p in parts if p)[:1000]


def _adopt(session: Session, document: Document, props: VbplProperties) -> None:
    """vbpl.vn's dates are the authority's: its effective date replaces an announced one; an unknown issue
    date, type or title is taken from it."""
    document.effective_on = props.effective_on or document.effective_on
    document.issued_on = document.issued_on or props.issued_on
    document.title = document.title or props.title
    session.add(document)


def _relate(session: Session, document: Document, found: VbplFound) -> None:
    """The diagram's relations between this document and the ones the registry knows (one row per id: an id
    that names several registry rows is left out), with the group that states them as evidence."""
    links = [link for link in found.links if link.rel in _RELATED and link.direction and link.doc_id]
    known = repo.documents_by_ids(session, (link.doc_id or "" for link in links))
    for link in links:
        rows = known.get(link.doc_id or "", [])
        if len(rows) != 1 or rows[0].id == document.id:
            continue
        source, target = (rows[0], document) if link.direction == "in" else (document, rows[0])
        repo.add_relation(session, source, link.rel, target, f"vbpl.vn, {link.group}: {link.title}", None)


# --- days that come ----------------------------------------------------------------------------------------------

def sweep(session: Session, emit: Emit, day: str | None = None, days: int = SWEEP_DAYS) -> int:
    """`document_status` for the endings whose day has come within the last `days` days: a stated expiry,
    the day a replacing or repealing document takes effect. Returns how many were looked at."""
    day = day or today()
    start = (date.fromisoformat(day) - timedelta(days=days)).isoformat()
    looked = 0
    for row, document in statuses.expiring(session, start, day):
        looked += 1
        _alert(session, emit, document, "expired", row.expires_on, list(row.by), row.source, row.evidence, row.url,
               None, row.article_id, day)
    for relation, actor, target in statuses.endings_taking_effect(session, start, day):
        looked += 1
        _alert(session, emit, target, _ENDS[relation.rel], actor.effective_on, [actor.canonical_id], ANNOUNCEMENT,
               relation.evidence, "", None, relation.article_id, day)
    return looked
