"""The web benchmark still runs: its generator builds a consistent store at a tiny size (what the web view
reads is there, linked as the pipeline links it), and the measurement asks every route and gets answers
(figures are not judged here — they live in bench/README.md)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from govmon.monitor.pipeline.registry import lookup
from govmon.monitor.present.search import search
from govmon.storage.db import make_engine
from govmon.storage.models import Article, DocRelation, Document, Event, Mention, RepostCluster, Version

BENCH = Path(__file__).resolve().parents[2] / "bench" / "web.py"
SMALL = ("--announcements", "200", "--documents", "50")


def _run(*args: str) -> dict:
    done = subprocess.run([sys.executable, str(BENCH), *SMALL, *args, "--json"], capture_output=True, text=True,
                          timeout=600, cwd=BENCH.parents[1])
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("web-bench") / "store.sqlite3"
    result = _run("--store", str(path), "--generate-only")
    assert result["store"]["rows"]["article"] == 200 and result["store"]["rows"]["document"] == 50
    return path


def test_the_generated_store_holds_what_the_pipeline_would_have_written(small_store: Path) -> None:
    engine = make_engine(f"sqlite:///{small_store}")
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Article)).one() == 200
        copies = session.exec(select(func.count()).select_from(Article).group_by(Article.cluster_id)).all()
        assert max(copies) > 1 and set(copies) <= {1, 2, 3, 4}
        assert session.exec(select(func.count()).select_from(RepostCluster)).one() == len(copies)
        unversioned = select(Article.id).where(col(Article.id).not_in(select(Version.article_id)))
        assert session.exec(unversioned).all() == []
        unmentioned = select(Document.id).where(col(Document.id).not_in(select(Mention.document_id)))
        assert session.exec(unmentioned).all() == []
        assert [d.key for d in lookup(session, "13/2023/NĐ-CP")] == ["13/2023/NĐ-CP"]
        assert [d.key for d in lookup(session, "71/NQ-CP")] == ["71/NQ-CP@2025"]
        amends = session.exec(select(DocRelation).where(DocRelation.rel == "amends")).all()
        assert any(r.from_document_id == lookup(session, "71/NQ-CP")[0].id for r in amends)
    engine.dispose()


def test_its_events_carry_the_payloads_emit_writes(small_store: Path) -> None:
    engine = make_engine(f"sqlite:///{small_store}")
    with Session(engine) as session:
        events = session.exec(select(Event).order_by(Event.id)).all()
        kinds = {e.kind for e in events}
        assert {"new_article", "new_document", "article_changed", "source_broken"} <= kinds
        assert [e.created_at for e in events] == sorted(e.created_at for e in events)
        assert all("documents" in e.payload for e in events)
        pages = [e for e in events if e.kind in ("new_article", "article_changed")]
        assert pages and all(e.payload["url"].startswith("https://") for e in pages)
        assert all({"from", "rel", "to", "evidence"} <= set(e.payload["relation"]) for e in events
                   if e.kind == "document_amended")
    engine.dispose()


def test_its_search_index_finds_text_without_diacritics_and_numbers(small_store: Path) -> None:
    engine = make_engine(f"sqlite:///{small_store}")
    with Session(engine) as session:
        by_number = search(session, "13/2023/ND-CP")
        assert by_number.results and by_number.results[0]["id"] == "13/2023/NĐ-CP"
        assert any(r["kind"] == "announcement" for r in search(session, "du lieu ca nhan", limit=50).results)
    engine.dispose()


def test_the_benchmark_asks_every_route_and_counts_its_statements(tmp_path: Path, small_store: Path) -> None:
    result = _run("--store", str(small_store), "--requests", "2", "--target-ms", "60000")
    routes = {r["route"]: r for r in result["routes"]}
    assert {"/", "/documents/{id}", "/search?q= (words)", "/feeds/alerts.atom", "/api/events"} <= set(routes)
    assert result["failed"] == [] and result["met"]
    assert all(r["requests"] == 2 for r in routes.values())
    assert all(r["statements_median"] > 0 for name, r in routes.items() if not name.startswith("floor"))
    assert routes["floor: /static/style.css"]["statements_max"] == 0
    assert {p["route"] for p in result["n_plus_one"]} >= {"/api/events?limit=N", "/api/documents?limit=N"}
