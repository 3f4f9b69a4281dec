"""The registry views over a store filled by ingesting real-shaped items: timeline and relation graph."""
from __future__ import annotations

from monitor.registry import graph, lookup, report
from storage.db import session_scope
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
        assert [(e.source, e.rel, e.target) for e in result.edges] == [("71/NQ-CP", "amends", "03/NQ-CP")]


def test_graph_follows_relations_in_both_directions_two_steps(engine):
    ingest_article(engine, BASE + "c-102250109000000001.htm", "Chương trình hành động",
                   "Nghị quyết số 03/NQ-CP thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024.")
    ingest_article(engine, BASE + "d-102250402000000001.htm", "Sửa đổi",
                   "Nghị quyết số 71/NQ-CP sửa đổi, bổ sung Nghị quyết số 03/NQ-CP.")
    with session_scope(engine) as s:
        (doc,) = lookup(s, "57-NQ/TW")
        edges = {(e.source, e.rel, e.target) for e in graph(s, doc)}
    assert edges == {("03/NQ-CP", "implements", "57-NQ/TW"), ("71/NQ-CP", "amends", "03/NQ-CP")}
