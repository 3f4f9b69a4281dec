"""Records: what govmon shows, as plain JSON-able dicts, built once for the CLI's `--json` and the web's JSON
API and pages. Field names are those of `govmon events --json` (`id`, `title`, `url`, `source`, `documents`,
`cluster`, `published_at`, …); a record names another by its id (`cluster`, `event`) or, for a document, by
its canonical id as users write it (``71/NQ-CP``); times are ISO 8601 in Asia/Ho_Chi_Minh (`local_iso`),
None when unknown. Text is kept raw: whoever renders it escapes it.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session

from govmon.crawler.extract.dates import local_iso
from govmon.crawler.sources import Source as SourceDef
from govmon.monitor.alerts.events import render
from govmon.monitor.pipeline.registry import Carried, DocumentReport, Edge
from govmon.storage.models import (
    Article,
    Delivery,
    Document,
    Event,
    RepostCluster,
    Source,
    Version,
)

__all__ = ["event_record", "article_record", "cluster_record", "version_record", "document_record",
           "carried_record", "relation_record", "document_report_record", "delivery_record", "source_record",
           "canonical_id"]

Record = dict[str, Any]


def event_record(session: Session, event: Event) -> Record:
    """An event as `govmon events --json` prints it: id, kind, created_at, title, url, urls (every copy,
    canonical first), source, sources, documents, cluster; relation, diff, detail and published_at when
    known. The notifiers render the same dict (`alerts.events.render`)."""
    return render(session, event)


def article_record(article: Article, source_name: str, documents: Sequence[str] | None = None) -> Record:
    """One stored article (one copy of an announcement on one site). `documents`: the canonical ids of the
    documents it mentions; the field is left out when the caller did not look them up."""
    record: Record = {
        "id": article.id, "url": article.url, "title": article.title, "source": source_name, "lang": article.lang,
        "published_at": local_iso(article.published_at), "first_seen_at": local_iso(article.first_seen_at),
        "last_seen_at": local_iso(article.last_seen_at), "gone_at": local_iso(article.gone_at),
        "cluster": article.cluster_id,
    }
    if documents is not None:
        record["documents"] = list(documents)
    return record


def _copy_order(canonical: int | None) -> Callable[[tuple[Article, Source]], tuple[bool, datetime | None]]:
    def key(member: tuple[Article, Source]) -> tuple[bool, datetime | None]:
        return member[0].id != canonical, member[0].published_at or member[0].first_seen_at
    return key


def cluster_record(cluster: RepostCluster, members: Sequence[tuple[Article, Source]],
                   documents: Mapping[int, Sequence[str]] | None = None) -> Record:
    """A repost cluster: the copies of one announcement, canonical copy first, then by publication time.
    `documents`: article id → canonical ids, when looked up."""
    ordered = sorted(members, key=_copy_order(cluster.canonical_article_id))
    copies = [{**article_record(a, s.name, None if documents is None else documents.get(a.id or 0, [])),
               "canonical": a.id == cluster.canonical_article_id} for a, s in ordered]
    return {"id": cluster.id, "canonical": cluster.canonical_article_id, "created_at": local_iso(cluster.created_at),
            "articles": copies}


def version_record(number: int, version: Version, text: bool = False) -> Record:
    """One version of an article, numbered in time order as `govmon versions` and `govmon diff` number
    them; `text` adds the lead, the text and the author."""
    record: Record = {"number": number, "fetched_at": local_iso(version.fetched_at), "hash": version.content_hash,
                      "title": version.title, "words": len(version.text.split()),
                      "modified_at": local_iso(version.modified_at)}
    if text:
        record.update(lead=version.lead, text=version.text, author=version.author)
    return record


def document_record(document: Document, counts: Mapping[tuple[int, str], int] | None = None) -> Record:
    """One registry document. `id` is its canonical id (what users write, several documents across years
    may share it), `key` its registry key (unique: ``71/NQ-CP@2025``); `about` and `cites` count the
    articles about it and citing it, from `repository.mention_counts` (left out without `counts`)."""
    record: Record = {
        "id": document.canonical_id, "key": document.key, "type": document.type, "number": document.number,
        "year": document.year, "code": document.code, "issuer": document.issuer, "title": document.title,
        "issued_on": document.issued_on, "effective_on": document.effective_on, "resolved": document.resolved,
        "first_seen_at": local_iso(document.first_seen_at),
    }
    if counts is not None:
        record["about"] = counts.get((document.id or 0, "subject"), 0)
        record["cites"] = counts.get((document.id or 0, "cites"), 0)
    return record


def carried_record(carried: Carried) -> Record:
    """An article that mentions a document: `role` is "subject" (about it) or "cites"."""
    return {"role": carried.role, "published_at": local_iso(carried.published),
            "first_seen_at": local_iso(carried.seen), "source": carried.source, "title": carried.title,
            "url": carried.url, "article_id": carried.article_id}


def canonical_id(key: str) -> str:
    """The canonical id in a registry key: ``71/NQ-CP@2025`` → ``71/NQ-CP``.

    >>> canonical_id("71/NQ-CP@2025"), canonical_id("13/2023/NĐ-CP")
    ('71/NQ-CP', '13/2023/NĐ-CP')
    """
    return key.split("@", 1)[0]


def relation_record(edge: Edge) -> Record:
    """A relation as events carry it (`from` `rel` `to`, canonical ids, with the sentence that states it),
    plus the registry keys of both ends."""
    return {"from": canonical_id(edge.source), "rel": edge.rel, "to": canonical_id(edge.target),
            "evidence": edge.evidence, "from_key": edge.source, "to_key": edge.target}


def document_report_record(report: DocumentReport) -> Record:
    """A document as `govmon docs show` shows it: the document (its counts from the lists), the articles
    about it and citing it, and its relations within two steps, in both directions."""
    d = report.document
    counts = {(d.id or 0, "subject"): max(report.about_total, len(report.about)),
              (d.id or 0, "cites"): max(report.cited_total, len(report.cited_by))}
    return {"document": document_record(d, counts), "about": [carried_record(c) for c in report.about],
            "cited_by": [carried_record(c) for c in report.cited_by],
            "relations": [relation_record(e) for e in report.edges]}


def delivery_record(delivery: Delivery, event: Event | None = None, problem: str = "") -> Record:
    """One outbox row (an event × a channel). `problem`: why a pending delivery cannot be sent now
    ("channel_missing", "channel_unusable: …", from `alerts.dispatch.channel_problems`), or ""."""
    return {"id": delivery.id, "event": delivery.event_id, "kind": event.kind if event else None,
            "title": event.title if event else None, "channel": delivery.channel, "status": delivery.status,
            "problem": problem if delivery.status == "pending" else "", "attempts": delivery.attempts,
            "next_attempt_at": local_iso(delivery.next_attempt_at), "sent_at": local_iso(delivery.sent_at),
            "lease_until": local_iso(delivery.lease_until), "last_error": delivery.last_error}


def source_record(definition: SourceDef) -> Record:
    """A source definition as users read it (no file paths): name, title, kind, province, official, legacy,
    successor, lang, hosts, start_urls, feeds, sitemaps, extends, interval_minutes, tls_verify."""
    summary = {k: v for k, v in definition.summary().items() if k != "origin"}
    return {**summary, "lang": definition.lang, "interval_minutes": definition.interval_minutes}
