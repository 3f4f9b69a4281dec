"""The registry views over a store filled by ingesting real-shaped items: timeline and relation graph."""
from __future__ import annotations

from govmon.monitor.pipeline.registry import graph, lookup, report
from govmon.storage import repository as repo
from govmon.storage.db import session_scope
from tests_support import ingest_article

BASE = "https://baochinhphu.vn/"


def test_report_separates_announcements_about_a_document_from_citations(engine):
    ingest_article(engine, BASE + "a-102250402000000001.htm", "Chính phủ ban hành Nghị quyết 71/NQ-CP",
                   "Nghị quyết số 71/NQ-CP sửa đổi, bổ sung Nghị quyết số 03/NQ-CP ngày 9/1/2025.")
    ingest_article(engine, BASE + "b-102250403000000001.htm", "Họp báo Chính phủ thường kỳ",
                   "Tại họp báo, Bộ trưởng nhắc lại Nghị quyết số 71/NQ-CP.")
    with session_scope(engine) as s:
        (doc,) = lookup(s, "71/NQ-CP")
        result = report(s, doc)
        assert [c.url for c in result.about] == [BASE + "a-102250402000000001.htm"]
        assert [c.url for c in result.cited_by] == [BASE + "b-102250403000000001.htm"]
        # 03/NQ-CP is dated in the text ("ngày 9/1/2025"): its identity is resolved to the 2025 document
        assert [(e.source, e.rel, e.target) for e in result.edges] == [("71/NQ-CP", "amends", "03/NQ-CP@2025")]


def test_graph_follows_relations_in_both_directions_two_steps(engine):
    ingest_article(engine, BASE + "c-102250109000000001.htm", "Chương trình hành động",
                   "Nghị quyết số 03/NQ-CP thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024.")
    ingest_article(engine, BASE + "d-102250402000000001.htm", "Sửa đổi",
                   "Nghị quyết số 71/NQ-CP sửa đổi, bổ sung Nghị quyết số 03/NQ-CP.")
    with session_scope(engine) as s:
        (doc,) = lookup(s, "57-NQ/TW")
        edges = {(e.source, e.rel, e.target) for e in graph(s, doc)}
    assert edges == {("03/NQ-CP", "implements", "57-NQ/TW@2024"), ("71/NQ-CP", "amends", "03/NQ-CP")}


def test_sign_without_year_is_resolved_by_its_date_and_later_short_mentions_join_it(engine):
    ingest_article(engine, BASE + "e-102250402000000001.htm", "Nghị quyết mới",
                   "Chính phủ ban hành Nghị quyết số 71/NQ-CP ngày 1/4/2025 về khoa học.")
    ingest_article(engine, BASE + "f-102250403000000001.htm", "Tin khác", "Thực hiện Nghị quyết 71/NQ-CP, Bộ họp.")
    with session_scope(engine) as s:
        found = lookup(s, "71/NQ-CP")
        assert [(d.key, d.resolved, d.issuer) for d in found] == [("71/NQ-CP@2025", True, "Chính phủ")]
        assert len(report(s, found[0]).about) + len(report(s, found[0]).cited_by) == 2


def test_a_sign_used_in_two_years_keeps_undated_mentions_unresolved(engine):
    ingest_article(engine, BASE + "g-102160402000000001.htm", "2016", "Nghị quyết số 71/NQ-CP ngày 8/8/2016 về cải cách.")
    ingest_article(engine, BASE + "h-102250402000000001.htm", "2025", "Nghị quyết số 71/NQ-CP ngày 1/4/2025 về khoa học.")
    ingest_article(engine, BASE + "i-102250403000000001.htm", "?", "Bàn về Nghị quyết 71/NQ-CP.")
    with session_scope(engine) as s:
        assert sorted((d.key, d.resolved) for d in lookup(s, "71/NQ-CP")) == [
            ("71/NQ-CP", False), ("71/NQ-CP@2016", True), ("71/NQ-CP@2025", True)]


def test_short_reference_joins_the_one_known_document_of_that_type_and_number(engine):
    ingest_article(engine, BASE + "j-102250110000000001.htm", "Bộ Chính trị ban hành Nghị quyết 57-NQ/TW",
                   "Nghị quyết số 57-NQ/TW ngày 22/12/2024 về đột phá khoa học, công nghệ.")
    ingest_article(engine, BASE + "k-102250111000000001.htm", "Hội thảo", "Các đại biểu bàn về Nghị quyết 57 của Bộ Chính trị.")
    with session_scope(engine) as s:
        (doc,) = lookup(s, "57-NQ/TW")
        result = report(s, doc)
        assert doc.title == "Bộ Chính trị ban hành Nghị quyết 57-NQ/TW"
        assert [c.url for c in result.cited_by] == [BASE + "k-102250111000000001.htm"]


def test_an_undated_repost_first_then_the_dated_original_is_one_document_and_one_alert(engine):
    ingest_article(engine, BASE + "l-102250401000000001.htm", "Phiên họp", "Chính phủ họp phiên thường kỳ.")  # baseline
    ingest_article(engine, BASE + "m-102250402100000001.htm", "Nghị quyết 71/NQ-CP", "Chính phủ ban hành Nghị quyết 71/NQ-CP.")
    ingest_article(engine, BASE + "n-102250402080000001.htm", "Nghị quyết 71/NQ-CP ngày 1/4/2025",
                   "Chính phủ ban hành Nghị quyết số 71/NQ-CP ngày 1/4/2025 về khoa học.")
    with session_scope(engine) as s:
        assert [(d.key, d.resolved) for d in lookup(s, "71/NQ-CP")] == [("71/NQ-CP@2025", True)]
        assert [e.kind for e in repo.events(s)].count("new_document") == 1
