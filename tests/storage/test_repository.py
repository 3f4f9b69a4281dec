"""The repository on every supported database: append-only versions, idempotent writes, the outbox; the bulk
path (rows queued with the transaction, Core executemany) and the ORM path give the same store."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, select

from govmon.storage import repository as repo
from govmon.storage.db import session_scope
from govmon.storage.migrate import current_revision, ensure_schema, head_revision
from govmon.storage.models import (
    Article,
    RepostCluster,
    Version,
    compress,
    decompress,
    reflected,
    utcnow,
)


def test_schema_is_at_head(engine):
    assert current_revision(engine) == head_revision()
    ensure_schema(engine)  # idempotent on an up-to-date store


def test_migrations_build_exactly_the_models(engine):
    """A model change without its migration (or the reverse) fails here, on SQLite and PostgreSQL alike."""
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"include_name": reflected}), SQLModel.metadata)
    assert diff == []


def _add_version(session, path: str, article, seq: int, **fields) -> None:
    """A version by the ORM path (`add_version`) or the bulk one (`append_version`, queued with the transaction)."""
    if path == "orm":
        repo.add_version(session, article, **fields)
    else:
        repo.append_version(session, article.id, seq, **fields)


PATHS = ["orm", "core"]


@pytest.mark.parametrize("path", PATHS)
def test_versions_append_and_times_come_back_utc(engine, path):
    published = datetime(2025, 4, 2, 8, 30, tzinfo=timezone(timedelta(hours=7)))
    with session_scope(engine) as s:
        src = repo.ensure_source(s, "baochinhphu", title="Báo Chính phủ", official=True)
        art, created = repo.add_article(s, src, "https://baochinhphu.vn/a-102250402083000000.htm", published_at=published)
        _add_version(s, path, art, 1, content_hash="h1", title="Nghị quyết", text="một",
                     raw_html=compress("<p>Nghị quyết</p>"))
        _add_version(s, path, art, 2, content_hash="h2", title="Nghị quyết", text="hai")
        assert created
        art_id = art.id
    with session_scope(engine) as s:
        versions = repo.versions_of(s, art_id)
        assert [v.seq for v in versions] == [1, 2]
        assert decompress(versions[0].raw_html) == "<p>Nghị quyết</p>"
        assert repo.latest_version(s, art_id).content_hash == "h2"
        stored = repo.article_by_url(s, "https://baochinhphu.vn/a-102250402083000000.htm").published_at
        assert stored == published and stored.utcoffset() == timedelta(0)


@pytest.mark.parametrize("path", PATHS)
def test_a_transaction_reads_the_versions_it_wrote(engine, path):
    with session_scope(engine) as s:
        art, _ = repo.add_article(s, repo.ensure_source(s, "s"), "https://s.vn/1")
        _add_version(s, path, art, 1, content_hash="h1", title="t", text="một")
        assert [v.content_hash for v in repo.versions_of(s, art.id)] == ["h1"]  # queued rows are written first
        _add_version(s, path, art, 2, content_hash="h2", title="t", text="hai")
        assert repo.latest_version(s, art.id).seq == 2


def test_queued_rows_go_with_their_transaction(engine):
    with pytest.raises(RuntimeError):
        with session_scope(engine) as s:
            art, _ = repo.add_article(s, repo.ensure_source(s, "s"), "https://s.vn/1")
            repo.append_version(s, art.id, content_hash="h1", title="t", text="một")
            assert repo.queued(s) == 2  # the version and its search entry
            raise RuntimeError("the batch fails")
    with session_scope(engine) as s:
        assert repo.article_by_url(s, "https://s.vn/1") is None
        assert s.exec(select(Version)).all() == []
        art, _ = repo.add_article(s, repo.ensure_source(s, "s"), "https://s.vn/1")
        repo.append_version(s, art.id, content_hash="h1", title="t", text="một")
        repo.serialize(s, "clusters")  # a lock reads no table: the queue waits
        assert repo.queued(s) == 2
        s.execute(text("SELECT count(*) FROM version"))  # raw SQL may read anything: the queue is written first
        assert repo.queued(s) == 0


@pytest.mark.parametrize("path", PATHS)
def test_articles_are_created_once_whoever_creates_them(engine, path):
    urls = ["https://s.vn/1", "https://s.vn/2", "https://s.vn/1"]
    with session_scope(engine) as s:
        src = repo.ensure_source(s, "s")
        s.flush()
        repo.add_article(s, src, "https://s.vn/2", title="earlier")  # another writer got there first
        if path == "orm":
            made = {url: repo.add_article(s, src, url, title="now") for url in urls}
        else:
            made = repo.add_articles(s, src, [{"url": url, "title": "now"} for url in urls])
        assert {url: (article.title, created) for url, (article, created) in made.items()} == {
            "https://s.vn/1": ("now", path == "core"), "https://s.vn/2": ("earlier", False)}
    with session_scope(engine) as s:
        assert [a.url for a in s.exec(select(Article).order_by(Article.url)).all()] == ["https://s.vn/1", "https://s.vn/2"]


def test_duplicate_version_number_is_refused(engine):
    with pytest.raises(IntegrityError):
        with session_scope(engine) as s:
            src = repo.ensure_source(s, "x")
            art, _ = repo.add_article(s, src, "https://x.vn/1")
            s.add(Version(article_id=art.id, seq=1, content_hash="a", fetched_at=utcnow()))
            s.add(Version(article_id=art.id, seq=1, content_hash="b", fetched_at=utcnow()))
            s.flush()
    with session_scope(engine) as s:  # the failed transaction left nothing behind
        assert repo.article_by_url(s, "https://x.vn/1") is None


@pytest.mark.parametrize("path", PATHS)
def test_relations_and_mentions_are_idempotent(engine, path):
    with session_scope(engine) as s:
        src = repo.ensure_source(s, "s")
        art, _ = repo.add_article(s, src, "https://s.vn/71")
        new = repo.add_document(s, "71/NQ-CP", "71/NQ-CP", type="NQ")
        old = repo.add_document(s, "03/NQ-CP", "03/NQ-CP", type="NQ")
        if path == "orm":
            assert repo.add_relation(s, new, "amends", old, "sửa đổi Nghị quyết 03/NQ-CP", art.id) is not None
            repo.set_mentions(s, art, [(new, "subject", "Nghị quyết số 71/NQ-CP")])
        else:  # the bulk path, for an article with no mentions yet
            repo.queue_relation(s, new, "amends", old, "sửa đổi Nghị quyết 03/NQ-CP", art.id)
            repo.queue_relation(s, new, "amends", old, "again", art.id)
            repo.add_mentions(s, art.id, [(new, "cites", "71/NQ-CP"), (new, "subject", "Nghị quyết số 71/NQ-CP")])
        assert repo.add_relation(s, new, "amends", old, "again", art.id) is None
        repo.set_mentions(s, art, [(new, "cites", "71/NQ-CP"), (old, "cites", "03/NQ-CP")])  # never downgraded
        assert repo.article_documents(s, art.id) == [("71/NQ-CP", "subject"), ("03/NQ-CP", "cites")]
        assert [r.evidence for r in repo.relations_of(s, old)] == ["sửa đổi Nghị quyết 03/NQ-CP"]


def test_event_happens_once_with_one_delivery_per_channel(engine):
    with session_scope(engine) as s:
        first = repo.add_event(s, "new_document", "document:71/NQ-CP", ["console", "mail"], title="71")
        again = repo.add_event(s, "new_document", "document:71/NQ-CP", ["console", "mail"], title="71")
        assert first is not None and again is None
    with session_scope(engine) as s:
        assert repo.due_channels(s, utcnow() + timedelta(seconds=1)) == ["console", "mail"]
        assert [e.kind for e in repo.events(s)] == ["new_document"]


def test_clusters_since_are_those_created_in_the_window(engine):
    with session_scope(engine) as s:
        src = repo.ensure_source(s, "s")
        for n in range(3):
            repo.new_cluster(s, repo.add_article(s, src, f"https://s.vn/{n}")[0], signature=str(n))
        old = s.exec(select(RepostCluster).where(RepostCluster.signature == "0")).one()
        old.created_at = utcnow() - timedelta(days=40)
        s.add(old)
    with session_scope(engine) as s:
        found = repo.clusters_since(s, utcnow() - timedelta(days=30))
        assert [signature for _, signature, _ in found] == ["1", "2"]


def test_documents_since_a_date_go_by_issue_date_then_year_then_first_seen(engine):
    with session_scope(engine) as s:
        for key, issued, year in (("9/NQ-CP@2023", "2023-12-30", 2023), ("71/NQ-CP@2025", "2025-04-01", 2025),
                                  ("13/2023/NĐ-CP", None, 2023), ("60/2024/QH15", None, 2024), ("57-NQ/TW", None, None)):
            repo.add_document(s, key, key.split("@")[0], type="nghị quyết", number=key.split("/")[0],
                              year=year, code="NQ-CP", issued_on=issued)
    since = datetime(2024, 1, 1, tzinfo=timezone.utc)
    with session_scope(engine) as s:  # 57-NQ/TW: no date, no year; first seen today, so after 2024-01-01
        assert {d.key for d in repo.find_documents(s, since=since)} == {"71/NQ-CP@2025", "60/2024/QH15", "57-NQ/TW"}
