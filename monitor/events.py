"""Events: recorded once (by a dedup key) with their outbox rows, and rendered for people and programs.

An event stores what is fixed when it happens (kind, title, source, documents, relation, diff); what may
grow afterwards — the URLs of every copy of an announcement — is read from the repost cluster when the
event is rendered, so an alert delivered after the aggregators' reposts lists them all, official first.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from monitor.config import Channel
from notifiers import Message
from storage import repository as repo
from storage.models import Article, Event, Source

__all__ = ["emit", "render", "message_for", "VN_TZ", "local_iso"]

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local_iso(moment: datetime | None) -> str | None:
    """A stored UTC time shown in Asia/Ho_Chi_Minh, ISO 8601 with offset."""
    return moment.astimezone(VN_TZ).isoformat(timespec="seconds") if moment else None


def emit(session: Session, channels: Sequence[Channel], kind: str, dedup_key: str, *,
         documents: Sequence[str] = (), **fields: Any) -> Event | None:
    """Record the event once, with a pending delivery for every channel that wants it."""
    wanted = [c.name for c in channels if c.wants(kind, set(documents))]
    payload = {**fields.pop("payload", {}), "documents": list(documents)}
    return repo.add_event(session, kind, dedup_key, wanted, payload=payload, **fields)


def _order(member: tuple[Article, Source]) -> tuple[datetime, bool, int]:
    article, source = member
    when = article.published_at or article.first_seen_at or datetime.max.replace(tzinfo=timezone.utc)
    return (when, not source.official, article.id or 0)


def copies(session: Session, event: Event) -> list[tuple[Article, Source]]:
    """Every copy of the event's announcement, earliest first, official sources first on ties."""
    if event.cluster_id is not None:
        return sorted(repo.cluster_members(session, event.cluster_id), key=_order)
    if event.article_id is not None:
        article = session.get(Article, event.article_id)
        return [(article, session.get(Source, article.source_id))] if article else []
    return []


def render(session: Session, event: Event) -> dict[str, Any]:
    """The event as `govmon events --json` prints it (times in Asia/Ho_Chi_Minh)."""
    members = copies(session, event)
    source = session.get(Source, event.source_id) if event.source_id else None
    data: dict[str, Any] = {
        "id": event.id, "kind": event.kind, "created_at": local_iso(event.created_at), "title": event.title,
        "url": members[0][0].url if members else event.payload.get("url", ""),
        "urls": [a.url for a, _ in members] or [u for u in [event.payload.get("url")] if u],
        "source": members[0][1].name if members else (source.name if source else ""),
        "sources": list(dict.fromkeys(s.name for _, s in members)),
        "documents": event.payload.get("documents", []),
        "cluster": event.cluster_id,
    }
    for key in ("relation", "diff", "detail", "published_at"):
        if key in event.payload:
            data[key] = event.payload[key]
    return data


def _body(data: dict[str, Any]) -> str:
    lines = []
    if "relation" in data:
        rel = data["relation"]
        lines.append(f"{rel['from']} {rel['rel']} {rel['to']}")
        if rel.get("evidence"):
            lines.append(f"“{rel['evidence']}”")
    elif data["documents"]:
        lines.append("Văn bản: " + ", ".join(data["documents"]))
    if data.get("diff"):
        lines.extend(data["diff"].splitlines())
    if data.get("detail"):
        lines.append(data["detail"])
    if len(data["urls"]) > 1:
        lines.append(f"{len(data['urls'])} bản đăng: " + ", ".join(data["sources"]))
    return "\n".join(lines)


def message_for(session: Session, event: Event) -> Message:
    data = render(session, event)
    return Message(kind=event.kind, title=data["title"], body=_body(data), url=data["url"],  # type: ignore[arg-type]
                   urls=tuple(data["urls"]), key=f"govmon-event-{event.id}")
