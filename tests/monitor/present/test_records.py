"""Records: the JSON the CLI's --json and the web API share, built from a real store (SQLite and PostgreSQL)
and from model rows: field names, times in Asia/Ho_Chi_Minh, documents by canonical id, what is left out."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from govmon.crawler.sources import load_sources
from govmon.monitor.pipeline.registry import lookup, report
from govmon.monitor.present.records import (
    article_record,
    canonical_id,
    cluster_record,
    delivery_record,
    document_record,
    document_report_record,
    event_record,
    source_record,
    version_record,
)
from govmon.storage import repository as repo
from govmon.storage.db import session_scope
from govmon.storage.models import Article, Delivery, Event, RepostCluster, Source, Version
from tests_support import article_item, ingest

BASE = "https://baochinhphu.vn/nghi-quyet-10225040208300007"
AMENDS = "Nghị quyết số 71/NQ-CP ngày 1/4/2025 sửa đổi Nghị quyết số 03/NQ-CP ngày 9/1/2025."
UTC = timezone.utc


def _amended_store(engine) -> None:
    """A baseline crawl, then one announcing 71/NQ-CP, which amends 03/NQ-CP (three events)."""
    ingest(engine, article_item(BASE + "7.htm", "Phiên họp Chính phủ.", "Phiên họp"))
    ingest(engine, article_item(BASE + "8.htm", AMENDS, "Chính phủ sửa đổi chương trình hành động"))


def test_event_records_carry_kind_documents_relation_and_local_times(engine):
    _amended_store(engine)
    with session_scope(engine) as session:
        records = {r["kind"]: r for r in (event_record(session, e) for e in repo.events(session))}
    assert set(records) == {"document_amended", "new_document", "new_article"}
    amended = records["document_amended"]
    assert amended["documents"] == ["71/NQ-CP", "03/NQ-CP"] and amended["source"] == "baochinhphu"
    assert (amended["relation"]["from"], amended["relation"]["rel"], amended["relation"]["to"]) == ("71/NQ-CP", "amends", "03/NQ-CP")
    assert records["new_article"]["published_at"] == "2025-04-02T08:30:00+07:00"
    assert all(r["created_at"].endswith("+07:00") and r["url"] == BASE + "8.htm" for r in records.values())
    json.dumps(records)  # JSON-able as they are


def test_article_record_fields_and_documents_only_when_looked_up(engine):
    _amended_store(engine)
    with session_scope(engine) as session:
        article = repo.article_by_url(session, BASE + "8.htm")
        documents = [doc for doc, _ in repo.article_documents(session, article.id)]
        bare, full = article_record(article, "baochinhphu"), article_record(article, "baochinhphu", documents)
    assert set(bare) == {"id", "url", "title", "source", "lang", "published_at", "first_seen_at", "last_seen_at",
                         "gone_at", "cluster"}
    assert sorted(full["documents"]) == ["03/NQ-CP", "71/NQ-CP"]
    assert (full["id"], full["url"], full["title"], full["lang"]) == (article.id, BASE + "8.htm", "Chính phủ sửa đổi chương trình hành động", "vi")
    assert full["published_at"] == "2025-04-02T08:30:00+07:00" and full["gone_at"] is None
    assert full["cluster"] == article.cluster_id is not None


def test_document_records_use_the_canonical_id_and_count_mentions(engine):
    _amended_store(engine)
    with session_scope(engine) as session:
        documents = {d.canonical_id: d for d in repo.find_documents(session)}
        counts = repo.mention_counts(session, [d.id for d in documents.values()])
        counted = document_record(documents["71/NQ-CP"], counts)
        plain = document_record(documents["03/NQ-CP"])
    assert (counted["id"], counted["key"], counted["type"], counted["issuer"]) == ("71/NQ-CP", "71/NQ-CP@2025", "nghị quyết", "Chính phủ")
    assert (counted["number"], counted["year"], counted["code"], counted["issued_on"]) == ("71", 2025, "NQ-CP", "2025-04-01")
    assert counted["resolved"] is True and counted["first_seen_at"].endswith("+07:00")
    assert (counted["about"], counted["cites"]) == (1, 0)
    assert "about" not in plain and plain["id"] == "03/NQ-CP"


def test_document_report_has_the_document_its_articles_and_relations_both_ways(engine):
    _amended_store(engine)
    with session_scope(engine) as session:
        amended = document_report_record(report(session, lookup(session, "03/NQ-CP")[0]))
        amending = document_report_record(report(session, lookup(session, "71/NQ-CP")[0]))
    relation = {"from": "71/NQ-CP", "rel": "amends", "to": "03/NQ-CP", "evidence": AMENDS,
                "from_key": "71/NQ-CP@2025", "to_key": "03/NQ-CP@2025"}
    assert amended["relations"] == [relation] == amending["relations"]
    assert amending["document"]["id"] == "71/NQ-CP" and amending["document"]["about"] == 1
    assert [(a["role"], a["source"], a["url"]) for a in amending["about"]] == [("subject", "baochinhphu", BASE + "8.htm")]
    assert [c["url"] for c in amended["cited_by"]] == [BASE + "8.htm"] and amended["about"] == []
    assert amending["about"][0]["published_at"] == "2025-04-02T08:30:00+07:00"


def test_canonical_id_drops_the_year_of_a_registry_key():
    assert canonical_id("71/NQ-CP@2016") == "71/NQ-CP" and canonical_id("57-NQ/TW") == "57-NQ/TW"


def test_version_record_numbers_counts_words_and_adds_text_on_request():
    version = Version(article_id=1, seq=4, content_hash="ab" * 32, title="Tiêu đề", lead="Tóm tắt", text="một hai ba",
                      author="PV", fetched_at=datetime(2025, 4, 1, 17, 30, tzinfo=UTC))
    short, full = version_record(2, version), version_record(2, version, text=True)
    assert short == {"number": 2, "fetched_at": "2025-04-02T00:30:00+07:00", "hash": "ab" * 32, "title": "Tiêu đề",
                     "words": 3, "modified_at": None}
    assert (full["lead"], full["text"], full["author"]) == ("Tóm tắt", "một hai ba", "PV")


def _article(number: int, published: datetime | None, seen: datetime) -> Article:
    return Article(id=number, source_id=number, url=f"https://site{number}.vn/a", title=f"bản {number}",
                   published_at=published, first_seen_at=seen, cluster_id=9)


def test_cluster_record_puts_the_canonical_copy_first_then_by_publication():
    seen = datetime(2025, 4, 3, tzinfo=UTC)
    members = [(_article(1, datetime(2025, 4, 2, 1, tzinfo=UTC), seen), Source(id=1, name="vietnam_vn")),
               (_article(2, datetime(2025, 4, 2, 3, tzinfo=UTC), seen), Source(id=2, name="baochinhphu")),
               (_article(3, None, datetime(2025, 4, 1, tzinfo=UTC)), Source(id=3, name="gialai"))]
    cluster = RepostCluster(id=9, canonical_article_id=2, created_at=seen)
    record = cluster_record(cluster, members, {2: ["71/NQ-CP"]})
    assert (record["id"], record["canonical"], record["created_at"]) == (9, 2, "2025-04-03T07:00:00+07:00")
    assert [(a["source"], a["canonical"]) for a in record["articles"]] == [
        ("baochinhphu", True), ("gialai", False), ("vietnam_vn", False)]
    assert record["articles"][0]["documents"] == ["71/NQ-CP"] and record["articles"][1]["documents"] == []
    assert "documents" not in cluster_record(cluster, members)["articles"][0]


def test_delivery_record_names_a_channel_problem_only_while_pending():
    event = Event(id=5, kind="new_document", dedup_key="d", title="Văn bản mới 71/NQ-CP")
    when = datetime(2025, 4, 1, 17, 30, tzinfo=UTC)
    waiting = Delivery(id=1, event_id=5, channel="zalo", status="pending", attempts=2, next_attempt_at=when,
                       last_error="HTTP 503")
    sent = Delivery(id=2, event_id=5, channel="zalo", status="sent", attempts=1, sent_at=when)
    pending = delivery_record(waiting, event, "channel_missing")
    assert pending == {"id": 1, "event": 5, "kind": "new_document", "title": "Văn bản mới 71/NQ-CP", "channel": "zalo",
                       "status": "pending", "problem": "channel_missing", "attempts": 2,
                       "next_attempt_at": "2025-04-02T00:30:00+07:00", "sent_at": None, "lease_until": None,
                       "last_error": "HTTP 503"}
    done = delivery_record(sent, None, "channel_missing")
    assert (done["problem"], done["kind"], done["sent_at"]) == ("", None, "2025-04-02T00:30:00+07:00")


def test_source_record_describes_the_definition_without_file_paths():
    record = source_record(load_sources()["gialai"])
    assert (record["name"], record["kind"], record["province"], record["official"]) == ("gialai", "provincial", "Gia Lai", True)
    assert record["hosts"] and record["start_urls"] and record["lang"] == "vi" and record["interval_minutes"] > 0
    assert record["tls_verify"] is True and "origin" not in record
    assert "/" not in json.dumps({k: v for k, v in record.items() if k not in ("start_urls", "feeds", "sitemaps")})
