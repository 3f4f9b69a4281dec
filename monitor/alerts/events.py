"""Events: recorded once (by a dedup key) with their outbox rows, and rendered for people and programs.

An event stores what is fixed when it happens (kind, title, source, documents, relation, diff); what may
grow afterwards — the URLs of every copy of an announcement — is read from the repost cluster when the
event is rendered, so an alert delivered after the aggregators' reposts lists them all, official first.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session

from govmon.crawler.extract.dates import local_iso
from govmon.monitor.alerts.subscriptions import EventFacts, next_digest, selects
from govmon.monitor.analysis.dedupe import copy_rank
from govmon.monitor.analysis.documents import RELATION_VI
from govmon.monitor.config import Channel
from govmon.notifiers import Message
from govmon.storage import repository as repo
from govmon.storage.models import Article, Document, Event, Source, utcnow
from govmon.storage.repository.browse import articles_by_ids, clusters_members

__all__ = ["emit", "render", "render_many", "body", "message_for", "digest_for"]

_ANNOUNCED = ("new_document", "document_amended", "document_status")  # their copies are the announcement's

log = logging.getLogger(__name__)


def emit(session: Session, channels: Sequence[Channel], kind: str, dedup_key: str, *,
         documents: Sequence[str] = (), province: str = "", **fields: Any) -> Event | None:
    """Record the event once, with a pending delivery for every channel whose rules select it (due now,
    or at the channel's next digest time)."""
    facts = facts_for(session, kind, documents, fields, province)
    now = utcnow()
    due = {c.name: _due_at(c, now) for c in channels if selects(c.rules, facts)}
    payload = {**fields.pop("payload", {}), "documents": list(documents)}
    return repo.add_event(session, kind, dedup_key, due, payload=payload, **fields)


def _due_at(channel: Channel, now: datetime) -> datetime:
    """When the channel's delivery is due; a digest time that cannot be read (the configuration is
    validated at load, but a hand-made rule may slip through) makes it due now, never a lost event."""
    try:
        return next_digest(channel.rules.digest, now)
    except ValueError:
        log.warning("channel %s: unreadable digest %r; delivering at once", channel.name, channel.rules.digest)
        return now


def facts_for(session: Session, kind: str, documents: Sequence[str], fields: dict[str, Any], province: str) -> EventFacts:
    """What subscription rules look at: the documents, what they implement, their types and issuers, the
    source and province, and the title and lead."""
    rows = [d for doc_id in documents for d in repo.documents_by_id(session, doc_id)]
    lineage = {r.to_document_id for d in rows for r in repo.relations_of(session, d)
               if r.from_document_id == d.id and r.rel in ("implements", "guides")}
    source = session.get(Source, fields["source_id"]) if fields.get("source_id") else None
    article = session.get(Article, fields["article_id"]) if fields.get("article_id") else None
    version = repo.latest_version(session, article.id) if article and article.id else None
    return EventFacts(
        kind, frozenset(documents), frozenset(d.canonical_id for d in (session.get(Document, i) for i in lineage) if d),
        frozenset(d.type for d in rows if d.type), frozenset(x for d in rows for x in (d.code, d.issuer) if x),
        source.name if source else "", province,
        " ".join(x for x in (fields.get("title", ""), version.lead if version else "") if x))


def _order(member: tuple[Article, Source]) -> tuple[datetime, bool, int]:
    article, source = member
    return (*copy_rank(article.published_at, source.official, article.first_seen_at), article.id or 0)


Members = Mapping[int, Sequence[tuple[Article, Source]]]  # cluster id → its copies, when read beforehand


def _cluster(session: Session, cluster_id: int, known: Members | None) -> list[tuple[Article, Source]]:
    members = known.get(cluster_id) if known is not None else None
    return sorted(members if members is not None else repo.cluster_members(session, cluster_id), key=_order)


def copies(session: Session, event: Event, known: Members | None = None) -> list[tuple[Article, Source]]:
    """Every copy of the event's announcement, earliest first, official sources first on ties."""
    if event.cluster_id is not None:
        return _cluster(session, event.cluster_id, known)
    article = session.get(Article, event.article_id) if event.article_id is not None else None
    if article is None:
        return []
    if article.cluster_id is not None and event.kind in _ANNOUNCED:
        return _cluster(session, article.cluster_id, known)  # the announcement's copies
    return [(article, session.get(Source, article.source_id))]


def render_many(session: Session, events: Sequence[Event]) -> list[dict[str, Any]]:
    """`render` for a list of events in four queries whatever its length: their articles, the sources and
    the copies of their announcements are read first (and held, so `session.get` finds them)."""
    articles = articles_by_ids(session, [e.article_id for e in events if e.article_id is not None])
    _sources = repo.sources(session)  # held until the end: the identity map answers session.get(Source)
    clusters = [e.cluster_id or (articles[e.article_id].cluster_id if e.kind in _ANNOUNCED and e.article_id in articles
                                 else None) for e in events]
    known = clusters_members(session, [c for c in clusters if c is not None])
    return [render(session, event, known) for event in events]


def render(session: Session, event: Event, known: Members | None = None) -> dict[str, Any]:
    """The event as `govmon events --json` prints it (times in Asia/Ho_Chi_Minh)."""
    members = copies(session, event, known)
    source = session.get(Source, event.source_id) if event.source_id else None
    data: dict[str, Any] = {
        "id": event.id, "kind": event.kind, "created_at": local_iso(event.created_at),
        "title": members[0][0].title if members and event.kind == "new_article" else event.title,
        "url": members[0][0].url if members else event.payload.get("url", ""),
        "urls": [a.url for a, _ in members] or [u for u in [event.payload.get("url")] if u],
        "source": members[0][1].name if members else (source.name if source else ""),
        "sources": list(dict.fromkeys(s.name for _, s in members)),
        "documents": event.payload.get("documents", []),
        "cluster": event.cluster_id,
    }
    for key in ("relation", "diff", "detail", "status", "effective_on", "issued_on"):
        if key in event.payload:
            data[key] = event.payload[key]
    published = _published(event, members)
    if published is not None:
        data["published_at"] = local_iso(published)
    return data


def _published(event: Event, members: list[tuple[Article, Source]]) -> datetime | None:
    """When the announcement was published: its canonical copy's time (the copy the alert leads with, whatever
    copy was seen first), else the time recorded with the event."""
    if event.kind == "new_article" and members and members[0][0].published_at:
        return members[0][0].published_at
    recorded = event.payload.get("published_at")
    return datetime.fromisoformat(recorded) if recorded else None


def body(data: dict[str, Any], lang: str = "vi") -> str:
    """What an alert says under its title, in `lang`: the relation and its evidence, the documents, when it was
    published, the diff or detail, the copies (notifiers and feeds send the same lines)."""
    lines = []
    if "relation" in data:
        rel = data["relation"]
        verb = rel["rel"] if lang == "en" else RELATION_VI.get(rel["rel"], rel["rel"])
        lines.append(f"{rel['from']} {verb} {rel['to']}")
        if rel.get("evidence"):
            lines.append(f"“{rel['evidence']}”")
        lines.extend(_since(data, lang))
    elif "status" in data:
        lines.extend(_status_lines(data["status"], lang))
    elif data["documents"]:
        lines.append(("Documents: " if lang == "en" else "Văn bản: ") + ", ".join(data["documents"]))
    if data.get("published_at"):
        lines.append(("Published: " if lang == "en" else "Đăng lúc: ") + str(data["published_at"])[:16].replace("T", " "))
    if data.get("diff"):
        lines.extend(data["diff"].splitlines())
    if data.get("detail"):
        lines.append(data["detail"])
    if len(data["urls"]) > 1:
        copies = "copies" if lang == "en" else "bản đăng"
        lines.append(f"{len(data['urls'])} {copies}: " + ", ".join(data["sources"]))
    return "\n".join(lines)


def _since(data: dict[str, Any], lang: str) -> list[str]:
    """From when an amendment (replacement, ...) holds: the acting document's effective date, else its issue date."""
    actor = data["relation"]["from"]
    if data.get("effective_on"):
        return [f"{actor} " + ("in force from " if lang == "en" else "có hiệu lực từ ") + str(data["effective_on"])]
    if data.get("issued_on"):
        return [f"{actor} " + ("issued " if lang == "en" else "ban hành ngày ") + str(data["issued_on"])]
    return []


def _status_lines(status: dict[str, Any], lang: str) -> list[str]:
    """A `document_status` alert: the document, its new status and since when, what made it so, who says so."""
    label = status.get("label_en" if lang == "en" else "label", status.get("state", ""))
    since = (" since " if lang == "en" else " từ ") + str(status["since"]) if status.get("since") else ""
    lines = [f"{status.get('document', '')}: {label}{since}"]
    if status.get("by"):
        lines.append(("By: " if lang == "en" else "Bởi: ") + ", ".join(status["by"]))
    lines.append(("According to: " if lang == "en" else "Theo: ") + str(status.get("source", "")))
    if status.get("evidence"):
        lines.append(f"“{status['evidence']}”")
    return lines


_EN = {"new_document": "New document", "new_article": "New announcement", "article_changed": "Article edited",
       "article_gone": "Article removed", "source_broken": "Source broken", "source_recovered": "Source back",
       "document_status": "Document status"}


def _title(event: Event, data: dict[str, Any], lang: str) -> str:
    if lang != "en":
        return data["title"]
    if "relation" in data:
        rel = data["relation"]
        return f"{rel['from']} {rel['rel']} {rel['to']}"
    if "status" in data:
        status = data["status"]
        return f"{status.get('document', '')} {status.get('label_en', status.get('state', ''))}" + (
            f" by {', '.join(status['by'])}" if status.get("by") else "")
    documents = f" {', '.join(data['documents'][:3])}" if data["documents"] and event.kind == "new_document" else ""
    return f"{_EN.get(event.kind, event.kind)}{documents}: {data['title']}"


def message_for(session: Session, event: Event, lang: str = "vi") -> Message:
    data = render(session, event)
    return Message(kind=event.kind, title=_title(event, data, lang), body=body(data, lang), url=data["url"],  # type: ignore[arg-type]
                   urls=tuple(data["urls"]), key=f"govmon-event-{event.id}", lang="en" if lang == "en" else "vi")


def digest_for(session: Session, events: Sequence[Event], lang: str = "vi") -> Message:
    """Many alerts as one message (a digest, or a flood after a first run or a redesign): one line each."""
    lines = []
    for event in events[:60]:
        data = render(session, event)
        lines.append(f"• [{event.kind}] {_title(event, data, lang)}")
        if data["url"]:
            lines.append(f"  {data['url']}")
    if len(events) > 60:
        lines.append(f"… +{len(events) - 60}")
    title = f"govmon: {len(events)} alerts" if lang == "en" else f"govmon: {len(events)} thông báo"
    keys = ",".join(str(e.id) for e in events[:5])
    return Message(kind="digest", title=title, body="\n".join(lines), key=f"govmon-digest-{keys}",
                   lang="en" if lang == "en" else "vi")
