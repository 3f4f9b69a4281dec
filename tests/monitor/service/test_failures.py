"""Failing sources are visible: an item that cannot be stored is set aside with its error, the crawl's other
items are stored, the run fails, and three such runs in a row are one source_broken — change detection never
stops silently."""
from __future__ import annotations

import json

import pytest

from govmon.crawler.sources import load_sources
from govmon.monitor.alerts.dispatch import dispatch
from govmon.monitor.config import Channel, Rules
from govmon.monitor.pipeline.documents import Registrar
from govmon.monitor.pipeline.ingest import FAILING_RUNS, Ingestor
from govmon.monitor.service.runner import _ingest
from govmon.storage import repository as repo
from govmon.storage.db import session_scope
from tests_support import CONSOLE, article_item, ingest

BASE = "https://baochinhphu.vn/"


@pytest.fixture
def registry_bug(monkeypatch):
    """One step of ingestion raises for one article (a bug, a hostile page nobody foresaw)."""
    real = Registrar.register

    def register(self, session, source, article, found, **options):
        if article.title == "Hỏng":
            raise ValueError("a bug in one step")
        real(self, session, source, article, found, **options)
    monkeypatch.setattr(Registrar, "register", register)
    return monkeypatch


def _crawl(engine, *items, channels=CONSOLE) -> Ingestor:
    ingestor = Ingestor(engine, load_sources()["baochinhphu"], channels)
    for item in ({"type": "list", "url": f"{BASE}l.htm", "links": []}, *items):
        _ingest(json.dumps(item, ensure_ascii=False), ingestor)
    ingestor.finish()
    return ingestor


def _kinds(engine) -> list[str]:
    with session_scope(engine) as s:
        return [e.kind for e in repo.events(s)]


def test_an_item_that_cannot_be_stored_is_set_aside_and_the_run_fails(engine, registry_bug):
    ingest(engine, article_item(f"{BASE}a-102250402083000001.htm", "Phiên họp thường kỳ.", "Họp"))  # baseline
    crawl = _crawl(engine, article_item(f"{BASE}b-102250402083000002.htm", "Nghị quyết về dữ liệu.", "Hỏng"),
                   article_item(f"{BASE}c-102250402083000003.htm", "Thông cáo báo chí.", "Tốt"))
    assert crawl.tally.status() == "failed" and crawl.tally.count("ingest_error") == 1
    assert "ValueError" in crawl.tally.problems[0]["detail"]
    with session_scope(engine) as s:
        assert repo.article_by_url(s, f"{BASE}b-102250402083000002.htm") is None  # rolled back whole: no half item
        assert repo.article_by_url(s, f"{BASE}c-102250402083000003.htm") is not None  # the others are stored
        run = repo.recent_runs(s, repo.source_by_name(s, "baochinhphu").id, 1)[0]
        assert run.status == "failed" and "1 item(s) not stored" in run.message
    assert _kinds(engine) == ["item_failed", "new_article"]
    assert dispatch(engine, CONSOLE).sent == 1  # item_failed is recorded for `govmon events`, not sent


def test_three_failed_runs_in_a_row_are_one_source_broken_and_the_next_good_run_recovers(engine, registry_bug):
    ingest(engine, article_item(f"{BASE}a-102250402083000001.htm", "Phiên họp thường kỳ.", "Họp"))
    bad = article_item(f"{BASE}b-102250402083000002.htm", "Nghị quyết về dữ liệu.", "Hỏng")
    for _ in range(FAILING_RUNS + 1):
        _crawl(engine, bad)
    assert _kinds(engine).count("source_broken") == 1
    registry_bug.undo()  # the bug is fixed: the item is stored, the source is back
    _crawl(engine, bad)
    assert _kinds(engine)[-2:] == ["new_article", "source_recovered"]


def test_an_unreadable_digest_rule_delivers_at_once_instead_of_losing_the_event(engine):
    ingest(engine, article_item(f"{BASE}a-102250402083000001.htm", "Phiên họp thường kỳ.", "Họp"))
    broken = (Channel("desk", "console", Rules(digest="daily@24:00")),)  # slipped past validation (hand-made)
    crawl = _crawl(engine, article_item(f"{BASE}b-102250402083000002.htm", "Nghị quyết về dữ liệu.", "Mới"),
                   channels=broken)
    assert crawl.tally.status() == "ok" and _kinds(engine) == ["new_article"]
    assert dispatch(engine, broken).sent == 1


def test_an_unreadable_line_of_crawl_output_is_set_aside_too(engine):
    ingestor = Ingestor(engine, load_sources()["baochinhphu"], CONSOLE)
    _ingest('{"type": "article", "url": "https://baochinhphu.vn/x.htm", "article": {"title": ', ingestor)
    _ingest(json.dumps({"type": "list", "url": f"{BASE}l.htm", "links": []}), ingestor)
    assert ingestor.finish() == "failed" and ingestor.tally.count("ingest_error") == 1
