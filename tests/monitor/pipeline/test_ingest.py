"""Ingesting crawl items: baseline silence, versions only on change, no versions from errors, one alert each."""
from __future__ import annotations

from govmon.crawler.sources import load_sources
from govmon.monitor.pipeline.ingest import Ingestor, Tally
from govmon.storage import repository as repo
from govmon.storage.db import session_scope
from tests_support import CONSOLE, ingest
from tests_support import article_item as make_item

URL = "https://baochinhphu.vn/chinh-phu-ban-hanh-nghi-quyet-102250402083000001.htm"
TEXT = ("Chính phủ ban hành Nghị quyết số 71/NQ-CP ngày 1/4/2025 sửa đổi, bổ sung, cập nhật Chương trình hành động "
        "ban hành kèm theo Nghị quyết số 03/NQ-CP ngày 9/1/2025.\n\nTổng kinh phí dự kiến 1.200 tỷ đồng.")


def article_item(url: str = URL, text: str = TEXT, title: str = "Sửa đổi Chương trình hành động") -> dict:
    return make_item(url, text, title)


def kinds(engine) -> list[str]:
    with session_scope(engine) as s:
        return [e.kind for e in repo.events(s)]


def test_first_pass_is_a_silent_baseline(engine):
    ingest(engine, article_item())
    assert kinds(engine) == []
    with session_scope(engine) as s:
        assert repo.source_by_name(s, "baochinhphu").baseline_at is not None
        assert len(repo.documents_by_id(s, "71/NQ-CP")) == 1


def test_unchanged_page_creates_no_version_and_no_event(engine):
    ingest(engine, article_item())
    again = ingest(engine, article_item(), {"type": "not_modified", "url": URL})
    assert again.tally.versions_new == 0 and kinds(engine) == []
    with session_scope(engine) as s:
        assert len(repo.versions_of(s, repo.article_by_url(s, URL).id)) == 1


def test_edit_after_baseline_is_one_article_changed_with_diff(engine):
    ingest(engine, article_item())
    edited = article_item(text=TEXT.replace("1.200", "1.250"))
    ingest(engine, edited)
    ingest(engine, edited)  # seen again: nothing new
    assert kinds(engine) == ["article_changed"]
    with session_scope(engine) as s:
        event = repo.events(s)[0]
        assert "[-1.200-] {+1.250+}" in event.payload["diff"]


def test_new_document_and_amendment_after_baseline(engine):
    ingest(engine, article_item("https://baochinhphu.vn/tin-khac-102250401000000001.htm",
                                "Thủ tướng chủ trì phiên họp Chính phủ thường kỳ tháng 3.", "Phiên họp"))
    ingest(engine, article_item())
    assert sorted(kinds(engine)) == ["document_amended", "new_article", "new_document"]
    with session_scope(engine) as s:
        amended = [e for e in repo.events(s) if e.kind == "document_amended"][0]
        assert amended.payload["relation"]["from"] == "71/NQ-CP"
        assert amended.payload["relation"]["to"] == "03/NQ-CP"


def test_fetch_errors_never_create_versions(engine):
    ingest(engine, {"type": "problem", "url": URL, "kind": "http_error", "detail": "HTTP 500"},
           {"type": "problem", "url": URL, "kind": "unreachable", "detail": "DNS lookup failed"})
    with session_scope(engine) as s:
        assert repo.article_by_url(s, URL) is None


def test_layout_drift_is_one_source_broken_per_episode(engine):
    layout = {"type": "problem", "url": URL, "kind": "layout", "detail": "selector 'article.body' matched 0"}
    ingest(engine, article_item())
    ingest(engine, layout, layout)
    ingest(engine, layout)
    assert kinds(engine) == ["source_broken"]
    ingest(engine)  # a clean pass ends the episode
    ingest(engine, layout)
    assert kinds(engine) == ["source_broken", "source_recovered", "source_broken"]


def test_unreachable_site_reports_unreachable():
    tally = Tally(problems=[{"url": URL, "kind": "unreachable", "detail": "DNS"}])
    assert tally.status() == "unreachable"


def test_a_source_failing_three_runs_in_a_row_is_broken_once_then_recovered_once(engine):
    ingest(engine, article_item())  # baseline
    down = {"type": "problem", "url": URL, "kind": "unreachable", "detail": "DNS lookup failed"}
    for _ in range(5):
        ingestor = Ingestor(engine, load_sources()["baochinhphu"], CONSOLE)
        ingestor.handle(down)
        ingestor.finish()
    assert kinds(engine) == ["source_broken"]
    ingest(engine, article_item())
    ingest(engine, article_item())
    assert kinds(engine) == ["source_broken", "source_recovered"]
