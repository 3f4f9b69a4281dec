"""The read-only views' queries (storage.repository.browse) on SQLite and PostgreSQL: the alert timeline's
filters — source (any copy of an announcement), document (itself, what implements it, what mentions it),
channel, dates — keyset pages, and the batch lookups that keep a page's statement count fixed."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlmodel import Session

from govmon.storage import repository as repo
from govmon.storage.db import session_scope
from govmon.storage.repository.browse import (
    EventFilter,
    articles_by_ids,
    articles_page,
    clusters_members,
    documents_page,
    events_page,
)


def _store(session: Session) -> dict[str, int]:
    """Two sources carrying one announcement (a cluster), a third with its own article; 71/NQ-CP amends
    03/NQ-CP, a plan implements it; one event of each sort."""
    gov, agg, prov = (repo.ensure_source(session, name) for name in ("baochinhphu", "vietnam_vn", "gialai"))
    first, _ = repo.add_article(session, agg, "https://vietnam.vn/a")
    copy, _ = repo.add_article(session, gov, "https://baochinhphu.vn/a")
    local, _ = repo.add_article(session, prov, "https://gialai.gov.vn/b")
    session.flush()
    cluster = repo.new_cluster(session, first)
    copy.cluster_id = cluster.id
    old, new, plan = (repo.add_document(session, key, key) for key in ("03/NQ-CP", "71/NQ-CP", "12/KH-UBND"))
    session.flush()
    repo.add_relation(session, new, "amends", old, "", first.id)
    repo.add_relation(session, plan, "implements", old, "", local.id)
    repo.set_mentions(session, local, [(old, "cites", "03/NQ-CP")])
    ids = {"cluster": cluster.id, "old": old.id, "plan": plan.id, "local": local.id, "first": first.id}
    repo.add_event(session, "new_article", "e1", ["desk"], source_id=agg.id, article_id=first.id, cluster_id=cluster.id)
    repo.add_event(session, "document_amended", "e2", ["desk", "legal"], source_id=agg.id, article_id=first.id,
                   document_id=old.id)
    repo.add_event(session, "new_document", "e3", ["legal"], source_id=prov.id, article_id=local.id, document_id=plan.id)
    repo.add_event(session, "source_broken", "e4", ["desk"], source_id=prov.id)
    return ids


def _kinds(session: Session, where: EventFilter, **page: object) -> list[str]:
    return [e.kind for e in events_page(session, where, **page)]  # type: ignore[arg-type]


def test_filters_follow_copies_lineage_mentions_and_channels(engine):
    with session_scope(engine) as session:
        ids = _store(session)
    with Session(engine) as session:
        assert _kinds(session, EventFilter()) == ["source_broken", "new_document", "document_amended", "new_article"]
        assert _kinds(session, EventFilter(sources=("baochinhphu",))) == ["document_amended", "new_article"]
        assert _kinds(session, EventFilter(sources=("gialai",))) == ["source_broken", "new_document"]
        assert _kinds(session, EventFilter(sources=())) == []
        assert _kinds(session, EventFilter(documents=(ids["old"],))) == ["new_document", "document_amended"]
        assert _kinds(session, EventFilter(documents=(ids["plan"],))) == ["new_document"]
        assert _kinds(session, EventFilter(channel="legal")) == ["new_document", "document_amended"]
        assert _kinds(session, EventFilter(kinds=("new_article", "source_broken"))) == ["source_broken", "new_article"]
        now = datetime.now(timezone.utc)
        assert _kinds(session, EventFilter(since=now + timedelta(hours=1))) == []
        assert len(_kinds(session, EventFilter(since=now - timedelta(hours=1), until=now + timedelta(hours=1)))) == 4


def test_keyset_pages_walk_everything_once(engine):
    with session_scope(engine) as session:
        _store(session)
    with Session(engine) as session:
        seen, before = [], None
        while page := events_page(session, EventFilter(), before, limit=3):
            seen += [e.id for e in page]
            before = page[-1].id
        assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen)) == 4
        assert [a.id for a, _ in articles_page(session, limit=2)] == [3, 2]
        assert [a.id for a, _ in articles_page(session, before=2)] == [1]
        assert [a.url for a, _ in articles_page(session, source="gialai")] == ["https://gialai.gov.vn/b"]
        assert len(documents_page(session, limit=2)) == 2 and len(documents_page(session, before=2)) == 1


def test_batch_lookups(engine):
    with session_scope(engine) as session:
        ids = _store(session)
    with Session(engine) as session:
        members = clusters_members(session, [ids["cluster"], 999])
        assert sorted(s.name for _, s in members[ids["cluster"]]) == ["baochinhphu", "vietnam_vn"] and members[999] == []
        assert set(articles_by_ids(session, [ids["first"], ids["local"], 999])) == {ids["first"], ids["local"]}
        documents = repo.articles_documents(session, [ids["local"], ids["first"]])
        assert documents == {ids["local"]: [("03/NQ-CP", "cites")], ids["first"]: []}
