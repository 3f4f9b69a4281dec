"""The registry views over a store filled by ingesting real-shaped items: timeline and relation graph."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData
from sqlalchemy.engine import Engine
from sqlmodel import select

from conftest import _postgres_engine
from govmon.crawler.sources import load_sources
from govmon.monitor.analysis.documents import qualifiers
from govmon.monitor.analysis.keys import fold
from govmon.monitor.pipeline.ingest import Ingestor
from govmon.monitor.pipeline.registry import graph, lookup, report
from govmon.storage import repository as repo
from govmon.storage.db import make_engine, session_scope
from govmon.storage.migrate import upgrade
from govmon.storage.models import DocRelation, Document, DocumentStatus, Event, Mention, SearchEntry
from govmon.storage.repository import search
from tests_support import CONSOLE, article_item, ingest_article

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


# --- identity: one id however padded, types the sign allows, local signs placed in their province -------------
def _from_source(engine, name: str, url: str, title: str, text: str) -> None:
    """One article crawled from source `name`, its Registrar told the source's province."""
    ingestor = Ingestor(engine, load_sources()[name], CONSOLE)
    ingestor.documents.province = ingestor.definition.province
    ingestor.handle({"type": "list", "url": url, "links": []})
    ingestor.handle(article_item(url, text, title))
    ingestor.finish()


def test_a_number_with_and_without_its_leading_zero_is_one_document(engine):
    ingest_article(engine, BASE + "o-102250110000000001.htm", "Chương trình hành động",
                   "Chính phủ ban hành Nghị quyết số 03/NQ-CP ngày 9/1/2025 thực hiện Nghị quyết số 57-NQ/TW.")
    ingest_article(engine, BASE + "p-102250111000000001.htm", "Tin khác", "Các bộ triển khai Nghị quyết 3/NQ-CP.")
    with session_scope(engine) as s:
        (doc,) = lookup(s, "3/NQ-CP")
        assert [d.id for d in lookup(s, "03/NQ-CP")] == [doc.id] and doc.key == "03/NQ-CP@2025"
        assert len(report(s, doc).about) + len(report(s, doc).cited_by) == 2


def test_a_qh_sign_is_registered_as_a_law_never_an_official_letter(engine):
    ingest_article(engine, BASE + "q-102250331000000001.htm", "Họp về dự án Luật",
                   "Dự án Luật sửa đổi toàn diện Luật Khoa học và Công nghệ số 29/2013/QH13.")
    with session_scope(engine) as s:
        (doc,) = lookup(s, "29/2013/QH13")
        assert (doc.type, doc.type_key, doc.issuer) == ("luật", "luat", "Quốc hội")


def test_one_local_sign_in_two_provinces_is_two_documents_found_together_or_apart(engine):
    ingest_article(engine, BASE + "r-102250512000000001.htm", "Lai Châu",
                   "UBND tỉnh Lai Châu ban hành Kế hoạch số 1556/KH-UBND ngày 12/5/2025 về chuyển đổi số.")
    ingest_article(engine, BASE + "s-102250603000000001.htm", "Gia Lai",
                   "Kế hoạch số 1556/KH-UBND ngày 3/6/2025 của UBND tỉnh Gia Lai về chuyển đổi số.")
    with session_scope(engine) as s:
        both = {d.key: (d.resolved, d.issuer) for d in lookup(s, "1556/KH-UBND")}
        assert both == {"1556/KH-UBND@2025@lai-chau": (True, "Ủy ban nhân dân tỉnh Lai Châu"),
                        "1556/KH-UBND@2025@gia-lai": (True, "Ủy ban nhân dân tỉnh Gia Lai")}
        for typed, key in (("1556/KH-UBND Gia Lai", "1556/KH-UBND@2025@gia-lai"),
                           ("1556/KH-UBND tỉnh Lai Châu", "1556/KH-UBND@2025@lai-chau"),
                           ("1556/KH-UBND@lai-chau", "1556/KH-UBND@2025@lai-chau"),
                           ("1556/KH-UBND@2025@gia-lai", "1556/KH-UBND@2025@gia-lai")):
            assert [d.key for d in lookup(s, typed)] == [key], typed
        assert lookup(s, "1556/KH-UBND Kon Tum") == []


def test_the_publishing_source_places_a_local_sign_unless_the_text_names_another_province(engine):
    base = "https://gialai.gov.vn/tin-tuc/thong-tin-chi-dao-dieu-hanh/"
    _from_source(engine, "gialai", base + "a", "Kế hoạch chuyển đổi số",
                 "Ngày 28/3/2025, UBND tỉnh ban hành Kế hoạch số 1056/KH-UBND thực hiện Nghị quyết số 03/NQ-CP.")
    _from_source(engine, "gialai", base + "b", "Học tập kinh nghiệm",
                 "Đoàn công tác tìm hiểu Kế hoạch số 1057/KH-UBND ngày 2/4/2025 của UBND tỉnh Lai Châu.")
    _from_source(engine, "gialai", base + "c", "Tiến độ", "Các sở báo cáo tiến độ thực hiện Kế hoạch 1056/KH-UBND.")
    with session_scope(engine) as s:
        assert [(d.key, d.resolved) for d in lookup(s, "1056/KH-UBND")] == [("1056/KH-UBND@2025@gia-lai", True)]
        assert [d.key for d in lookup(s, "1057/KH-UBND")] == ["1057/KH-UBND@2025@lai-chau"]
        (plan,) = lookup(s, "1056/KH-UBND")
        assert len(report(s, plan).about) + len(report(s, plan).cited_by) == 2  # the undated mention joined it
        (resolution,) = lookup(s, "03/NQ-CP")
        assert qualifiers(resolution.key) == (None, "")  # only local signs carry a province


def test_a_local_sign_without_a_province_is_unresolved_and_a_placed_mention_takes_its_row_over(engine):
    ingest_article(engine, BASE + "t-102250201000000001.htm", "Tin địa phương",
                   "Quyết định số 123/QĐ-UBND ngày 1/2/2025 về giá đất.")
    with session_scope(engine) as s:
        assert [(d.key, d.resolved) for d in lookup(s, "123/QĐ-UBND")] == [("123/QĐ-UBND@2025", False)]
    ingest_article(engine, BASE + "u-102250202000000001.htm", "Kon Tum",
                   "Quyết định số 123/QĐ-UBND ngày 1/2/2025 của Chủ tịch UBND tỉnh Kon Tum về giá đất.")
    ingest_article(engine, BASE + "v-102250203000000001.htm", "?", "Bàn về Quyết định 123/QĐ-UBND.")
    with session_scope(engine) as s:
        assert sorted((d.key, d.resolved, d.issuer) for d in lookup(s, "123/QĐ-UBND")) == [
            ("123/QĐ-UBND", False, "Ủy ban nhân dân"),  # undated, no province: never joins a placed row
            ("123/QĐ-UBND@2025@kon-tum", True, "Ủy ban nhân dân tỉnh Kon Tum")]


# --- migration 0010: existing stores re-keyed ------------------------------------------------------------
@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def store_at_0009(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A store as govmon left it before document identity (revision 0009)."""
    if request.param == "sqlite":
        old = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
        upgrade(old, "0009")
        yield old
        old.dispose()
        return
    for old in _postgres_engine():
        upgrade(old, "0009")
        yield old


T1 = datetime(2025, 1, 10, tzinfo=timezone.utc)


def _old_rows(engine: Engine) -> dict[str, int]:
    """Rows written by the old rules: 3/NQ-CP and 03/NQ-CP apart, a QH law typed công văn, local plans
    without a province. Returns the ids by name."""
    tables = MetaData()
    tables.reflect(engine)
    t = tables.tables
    ids: dict[str, int] = {}

    def add(label: str, table: str, **values: Any) -> None:
        with engine.begin() as connection:
            ids[label] = connection.execute(t[table].insert().values(**values)).inserted_primary_key[0]

    for name in ("baochinhphu", "gialai"):
        add(name, "source", name=name, title="", kind="", official=True, last_status="", baseline_at=T1)
    for name, source in (("a1", "baochinhphu"), ("a2", "baochinhphu"), ("a3", "gialai")):
        add(name, "article", source_id=ids[source], url=f"https://{source}.vn/{name}", title=name, lang="vi",
            first_seen_at=T1, etag="", last_modified="", missing_polls=0)
    documents = (("d1", "3/NQ-CP@2025", "3/NQ-CP", "nghị quyết", "NQ-CP", "", None, T1),
                 ("d2", "03/NQ-CP@2025", "03/NQ-CP", "nghị quyết", "NQ-CP", "Chương trình hành động", T1,
                  T1 + timedelta(days=1)),
                 ("d3", "71/NQ-CP@2025", "71/NQ-CP", "nghị quyết", "NQ-CP", "", T1, T1),
                 ("d4", "29/2013/QH13", "29/2013/QH13", "công văn", "QH13", "", None, T1),
                 ("d5", "1056/KH-UBND@2025", "1056/KH-UBND", "kế hoạch", "KH-UBND", "", None, T1),
                 ("d6", "12/QĐ-UBND@2025", "12/QĐ-UBND", "quyết định", "QĐ-UBND", "", None, T1),
                 ("d7", "57-NQ/TW", "57-NQ/TW", "nghị quyết", "NQ/TW", "", None, T1))
    for name, key, doc_id, kind, code, title, subject_at, seen in documents:
        add(name, "document", key=key, canonical_id=doc_id, type=kind, type_key=fold(kind),
            number=doc_id.split("/")[0], code=code, issuer="Ủy ban nhân dân" if "UBND" in code else "", title=title,
            resolved=True, first_seen_at=seen, first_subject_at=subject_at)
        add(f"entry {name}", "searchentry", kind="document", ref_id=ids[name], title=fold(f"{kind} {doc_id}"),
            body="", at=T1)
    for name, (article, document, role) in enumerate((("a1", "d1", "cites"), ("a1", "d2", "subject"),
                                                      ("a2", "d2", "subject"), ("a3", "d5", "subject"),
                                                      ("a1", "d6", "cites"))):
        add(f"m{name}", "mention", article_id=ids[article], document_id=ids[document], role=role, raw="")
    for name, (source, rel, target) in enumerate((("d3", "amends", "d1"), ("d3", "amends", "d2"),
                                                  ("d1", "implements", "d7"), ("d2", "implements", "d7"),
                                                  ("d1", "cites", "d2"))):
        add(f"r{name}", "docrelation", from_document_id=ids[source], rel=rel, to_document_id=ids[target],
            evidence="", first_seen_at=T1)
    add("e1", "event", kind="new_document", dedup_key="document:03/NQ-CP@2025", created_at=T1, title="",
        payload={"documents": ["03/NQ-CP"]}, document_id=ids["d2"])
    add("e2", "event", kind="document_amended", dedup_key="relation:71/NQ-CP:amends:3/NQ-CP", created_at=T1,
        title="", payload={"documents": ["71/NQ-CP", "3/NQ-CP"], "url": "u"}, document_id=ids["d1"])
    for name, document in (("s1", "d1"), ("s2", "d2")):
        add(name, "documentstatus", document_id=ids[document], source="vbpl.vn", state="in_force", stated="",
            by=[], evidence="", url="", digest="same", seen_at=T1, checked_at=T1)
    return ids


def test_migration_0010_merges_padded_ids_types_qh_signs_and_places_local_signs(store_at_0009):
    ids = _old_rows(store_at_0009)
    upgrade(store_at_0009)
    with session_scope(store_at_0009) as s:
        documents = {d.id: d for d in s.exec(select(Document)).all()}
        assert sorted(d.key for d in documents.values()) == sorted([
            "03/NQ-CP@2025", "71/NQ-CP@2025", "29/2013/QH13", "1056/KH-UBND@2025@gia-lai", "12/QĐ-UBND@2025",
            "57-NQ/TW"])
        merged = documents[ids["d1"]]  # the one first seen keeps its row
        assert (merged.canonical_id, merged.title) == ("03/NQ-CP", "Chương trình hành động")
        assert (merged.first_seen_at, merged.first_subject_at) == (T1, T1)
        assert [d.id for d in repo.documents_by_id(s, "3/NQ-CP")] == [ids["d1"]]
        mentions = s.exec(select(Mention.article_id, Mention.role).where(Mention.document_id == ids["d1"])).all()
        assert sorted(mentions) == sorted([(ids["a1"], "subject"), (ids["a2"], "subject")])
        relations = {(r.from_document_id, r.rel, r.to_document_id) for r in s.exec(select(DocRelation)).all()}
        assert relations == {(ids["d3"], "amends", ids["d1"]), (ids["d1"], "implements", ids["d7"])}
        events = {e.id: e for e in s.exec(select(Event)).all()}
        assert events[ids["e1"]].document_id == ids["d1"]
        assert events[ids["e2"]].payload == {"documents": ["71/NQ-CP", "03/NQ-CP"], "url": "u"}
        assert [st.document_id for st in s.exec(select(DocumentStatus)).all()] == [ids["d1"]]
        law, plan, unplaced = documents[ids["d4"]], documents[ids["d5"]], documents[ids["d6"]]
        assert (law.type, law.type_key) == ("luật", "luat")
        assert (plan.issuer, plan.resolved, unplaced.resolved) == ("Ủy ban nhân dân tỉnh Gia Lai", True, False)
        entries = {e.ref_id: e.title for e in s.exec(select(SearchEntry).where(SearchEntry.kind == "document")).all()}
        assert ids["d2"] not in entries and entries[ids["d4"]].startswith("luat 29 2013 qh13")
        assert [hit.ref_id for hit in search.search_entries(s, "luat", kind="document")] == [ids["d4"]]


def test_after_migration_0010_new_mentions_find_the_re_keyed_rows(store_at_0009):
    ids = _old_rows(store_at_0009)
    upgrade(store_at_0009)
    ingest_article(store_at_0009, BASE + "w-102250402000000001.htm", "Nghị quyết 71/NQ-CP",
                   "Nghị quyết số 71/NQ-CP ngày 1/4/2025 sửa đổi Nghị quyết số 3/NQ-CP ngày 9/1/2025.")
    with session_scope(store_at_0009) as s:
        assert [d.id for d in lookup(s, "03/NQ-CP")] == [ids["d1"]]
        assert [d.id for d in lookup(s, "71/NQ-CP")] == [ids["d3"]]
        new = [e.kind for e in repo.events(s) if e.id not in (ids["e1"], ids["e2"])]
        assert new == ["new_article"]  # the document and its amendment are known: no alert again
