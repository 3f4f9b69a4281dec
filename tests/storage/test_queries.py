"""Queries that hold at a million articles and on both databases: filters fold case and diacritics the same
way on SQLite and PostgreSQL, user text is literal, lookups use indexes, the per-article path leaves the
stored page unread, and a dropped connection is retried."""
from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from typer.testing import CliRunner

from govmon.monitor.analysis.keys import fold, words_key
from govmon.monitor.cli.main import app
from govmon.storage import repository as repo
from govmon.storage.db import StoreUnavailable, make_engine, session_scope, write
from govmon.storage.migrate import upgrade
from govmon.storage.models import compress


def _documents(engine) -> None:
    with session_scope(engine) as s:
        for key, kind, code, issuer in (("13/2023/NĐ-CP", "Nghị định", "NĐ-CP", "Chính phủ"),
                                        ("71/NQ-CP@2025", "Nghị quyết", "NQ-CP", "Chính phủ"),
                                        ("05/2024/QĐ-UBND", "Quyết định", "QĐ-UBND", "Ủy ban nhân dân")):
            repo.add_document(s, key, key.split("@")[0], type=kind.lower(), type_key=fold(kind), number=key.split("/")[0],
                              code=code, issuer=issuer, issuer_key=words_key(f"{issuer} {code}"))


@pytest.mark.parametrize("issuer,type_,expected", [
    ("NĐ", None, {"13/2023/NĐ-CP"}),          # SQLite's lower() folds ASCII only: this found nothing there
    ("nd-cp", None, {"13/2023/NĐ-CP"}),
    ("ỦY BAN", None, {"05/2024/QĐ-UBND"}),
    (None, "NGHỊ QUYẾT", {"71/NQ-CP@2025"}),
    (None, "nghi dinh", {"13/2023/NĐ-CP"}),
    ("%", None, set()),                        # a LIKE wildcard is a literal character
    ("_", None, set()),
])
def test_filters_fold_case_and_diacritics_alike_on_both_databases(engine, issuer, type_, expected):
    _documents(engine)
    with session_scope(engine) as s:
        found = repo.find_documents(s, type_key=fold(type_) if type_ else None,
                                   issuer_key=words_key(issuer).rstrip() if issuer else None)
        assert {d.key for d in found} == expected


def test_docs_list_matches_literally(engine):
    _documents(engine)
    database = ["--database", engine.url.render_as_string(hide_password=False)]
    listed = CliRunner().invoke(app, [*database, "docs", "list", "--issuer", "%"])
    assert listed.exit_code == 0 and "0 documents" in listed.output
    listed = CliRunner().invoke(app, [*database, "docs", "list", "--issuer", "nđ"], env={"COLUMNS": "200"})
    assert "13/2023/NĐ-CP" in listed.output and "1 documents" in listed.output


@pytest.mark.parametrize("bulk", [False, True])
def test_the_latest_version_comes_without_the_stored_page(engine, bulk):
    with session_scope(engine) as s:
        source = repo.ensure_source(s, "s")
        s.flush()
        article, _ = repo.add_article(s, source, "https://s.vn/1")
        page = compress("<p>" + "x" * 10000)
        if bulk:
            repo.append_version(s, article.id, content_hash="h", title="t", text="x", raw_html=page)
        else:
            repo.add_version(s, article, content_hash="h", title="t", text="x", raw_html=page)
        article_id = article.id
    with session_scope(engine) as s:
        latest = repo.latest_version(s, article_id)
        assert "raw_html" in inspect(latest).unloaded  # not read with the row
        assert all("raw_html" in inspect(v).unloaded for v in repo.versions_of(s, article_id))


LOOKUPS = {
    "due deliveries of a channel": "SELECT id FROM delivery WHERE channel = 'hook' AND status = 'pending' "
                                   "AND next_attempt_at <= '2026-01-01' ORDER BY id",
    "documents by type and number": "SELECT id FROM document WHERE type_key = 'nghi quyet' AND number_key = '57'",
    "recent repost clusters": "SELECT id FROM repostcluster WHERE created_at >= '2026-01-01' AND id > 5",
    "an article's history": "SELECT id FROM version WHERE article_id = 7 ORDER BY fetched_at DESC, id DESC",
    "articles seen lately": "SELECT url FROM article WHERE source_id = 3 AND last_seen_at >= '2026-01-01'",
    "an event by its key": "SELECT id FROM event WHERE dedup_key = 'document:71/NQ-CP'",
    "an article by its URL": "SELECT id FROM article WHERE url = 'https://x.vn/1'",
    "running crawls": "SELECT id FROM crawlrun WHERE status = 'running'",
}


@pytest.mark.parametrize("name", sorted(LOOKUPS))
def test_lookups_use_an_index(sqlite_engine, name):
    with sqlite_engine.connect() as connection:
        plan = " ".join(str(row[-1]) for row in connection.execute(text(f"EXPLAIN QUERY PLAN {LOOKUPS[name]}")))
    assert "SCAN" not in plan.replace("SCAN CONSTANT", "") or "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
    assert "INDEX" in plan or "PRIMARY KEY" in plan, plan


@pytest.mark.services
def test_a_dropped_postgresql_connection_is_retried(postgres_engine):
    engine = postgres_engine
    killer = make_engine(engine.url.render_as_string(hide_password=False))
    attempts: list[int] = []

    def work(session):
        attempts.append(session.execute(text("SELECT pg_backend_pid()")).scalar_one())
        if len(attempts) == 1:  # the server drops this connection mid-transaction (failover, restart, admin)
            with killer.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": attempts[0]})
        return repo.ensure_source(session, "after-the-drop").name
    try:
        assert write(engine, work) == "after-the-drop"
    finally:
        killer.dispose()
    assert len(attempts) == 2 and attempts[0] != attempts[1]


def test_a_store_that_stays_away_is_one_clear_error(tmp_path):
    engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    with pytest.raises(StoreUnavailable, match=r"127.0.0.1:1/none.* failed 2 time.*Connection refused"):
        write(engine, lambda session: session.execute(text("SELECT 1")), tries=2)


def test_the_migration_fills_the_keys_of_documents_already_stored(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade(engine, "0003")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO document (key, canonical_id, type, number, code, issuer, title, resolved, first_seen_at) "
            "VALUES ('03/NQ-CP', '03/NQ-CP', 'Nghị quyết', '03', 'NQ-CP', 'Chính phủ', '', 1, '2025-01-01')"))
    upgrade(engine)
    with session_scope(engine) as s:
        (document,) = repo.find_documents(s, type_key="nghi quyet", issuer_key=" chinh phu nq")
        assert (document.number_key, document.issuer_key) == ("3", " chinh phu nq cp ")
