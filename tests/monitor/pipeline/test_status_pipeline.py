"""What is said of a document's validity, recorded as articles are ingested and as vbpl.vn is read
(monitor.pipeline.status): the dates announced with their sentences, the `document_status` alerts (now, on the
day a replacement takes effect, on a stated expiry, on vbpl.vn's change of status) and never for history, the
`document_amended` alert's "from when", and vbpl.vn's statement winning the document's dates."""
from __future__ import annotations

from pathlib import Path

import pytest
from tests_support import CONSOLE, article_item, ingest

from govmon.crawler.extract.vbpl import parse_diagram, parse_properties, parse_related
from govmon.monitor.alerts.events import body, emit, message_for, render
from govmon.monitor.config import load_config
from govmon.monitor.pipeline import status as pipeline_status
from govmon.monitor.pipeline.status import VbplFound, record_vbpl, sweep
from govmon.storage import repository as repo
from govmon.storage.db import session_scope
from govmon.storage.repository import status as statuses

VBPL = Path(__file__).parents[2] / "crawler" / "data" / "vbpl"
QUIET = "https://baochinhphu.vn/phien-hop-thuong-ky-102250301000000001.htm"
DECREE = "https://baochinhphu.vn/nghi-dinh-chu-ky-dien-tu-102250225000000002.htm"
REPLACES = ("Chính phủ ban hành Nghị định số 23/2025/NĐ-CP quy định về chữ ký điện tử và dịch vụ tin cậy, thay thế "
            "Nghị định số 130/2018/NĐ-CP. Nghị định số 23/2025/NĐ-CP có hiệu lực thi hành từ ngày {day}.")


@pytest.fixture
def on_day(monkeypatch):
    """Make the pipeline's today a given day."""
    def set_day(day: str) -> None:
        monkeypatch.setattr(pipeline_status, "today", lambda: day)
    return set_day


def events(engine, kind: str | None = None) -> list:
    with session_scope(engine) as s:
        return [render(s, e) | {"payload": e.payload, "title": e.title} for e in repo.events(s)
                if kind is None or e.kind == kind]


def baseline(engine) -> None:
    ingest(engine, article_item(QUIET, "Thủ tướng chủ trì phiên họp Chính phủ thường kỳ.", "Phiên họp"))


def test_an_announced_effective_day_is_stored_with_its_sentence_and_becomes_the_documents(engine, on_day):
    on_day("2025-02-26")
    ingest(engine, article_item(DECREE, REPLACES.format(day="10/4/2025"), "Nghị định về chữ ký điện tử"))
    with session_scope(engine) as s:
        decree = repo.get_document(s, "23/2025/NĐ-CP")
        rows = statuses.statuses_of(s, [decree.id])[decree.id]
        assert decree.effective_on == "2025-04-10"
        assert [(r.source, r.state, r.effective_on, r.url) for r in rows] == [("announcement", "", "2025-04-10", DECREE)]
        assert rows[0].evidence == "Nghị định số 23/2025/NĐ-CP có hiệu lực thi hành từ ngày 10/4/2025."
        assert rows[0].article_id == repo.article_by_url(s, DECREE).id


def test_a_replacement_in_force_is_a_status_alert_and_the_amendment_says_from_when(engine, on_day):
    on_day("2025-04-20")
    baseline(engine)
    ingest(engine, article_item(DECREE, REPLACES.format(day="10/4/2025"), "Nghị định về chữ ký điện tử"))
    (status,) = events(engine, "document_status")
    assert status["documents"] == ["130/2018/NĐ-CP"] and status["status"]["state"] == "replaced"
    assert (status["status"]["by"], status["status"]["since"], status["status"]["source"]) == (
        ["23/2025/NĐ-CP"], "2025-04-10", "announcement")
    assert status["title"] == "130/2018/NĐ-CP đã bị thay thế bởi 23/2025/NĐ-CP từ 2025-04-10"
    assert status["urls"] == [DECREE]
    (amended,) = events(engine, "document_amended")
    assert amended["effective_on"] == "2025-04-10"
    assert "23/2025/NĐ-CP có hiệu lực từ 2025-04-10" in body(amended).splitlines()
    assert "23/2025/NĐ-CP in force from 2025-04-10" in body(amended, "en").splitlines()


def test_a_replacement_that_takes_effect_later_waits_for_its_day(engine, on_day):
    on_day("2025-02-26")
    baseline(engine)
    ingest(engine, article_item(DECREE, REPLACES.format(day="10/4/2025"), "Nghị định về chữ ký điện tử"))
    assert events(engine, "document_status") == [] and len(events(engine, "document_amended")) == 1
    with session_scope(engine) as s:
        sweep(s, lambda *a, **k: emit(a[0], CONSOLE, *a[1:], **k), "2025-04-09")
    assert events(engine, "document_status") == []
    for day in ("2025-04-10", "2025-04-11"):  # its day, then again: once
        with session_scope(engine) as s:
            sweep(s, lambda *a, **k: emit(a[0], CONSOLE, *a[1:], **k), day)
    (status,) = events(engine, "document_status")
    assert status["status"]["state"] == "replaced" and status["status"]["since"] == "2025-04-10"


def test_a_baseline_records_dates_and_alerts_nothing(engine, on_day):
    on_day("2025-04-20")
    ingest(engine, article_item(DECREE, REPLACES.format(day="10/4/2025"), "Nghị định về chữ ký điện tử"))
    assert events(engine) == []
    with session_scope(engine) as s:
        assert repo.get_document(s, "23/2025/NĐ-CP").effective_on == "2025-04-10"


def test_a_stated_expiry_that_has_come_alerts_once_history_never(engine, on_day):
    on_day("2025-07-03")
    baseline(engine)
    text = ("Bộ Tài chính cho biết Thông tư số 78/2014/TT-BTC hết hiệu lực kể từ ngày 01/7/2025. "
            "Theo đó, Thông tư số 45/2010/TT-BTC đã hết hiệu lực từ ngày 1/1/2012.")
    ingest(engine, article_item("https://baochinhphu.vn/thong-tu-het-hieu-luc-102250702000000003.htm", text, "Thông tư"))
    (status,) = events(engine, "document_status")
    assert status["documents"] == ["78/2014/TT-BTC"] and status["status"]["state"] == "expired"
    assert status["status"]["since"] == "2025-07-01" and "hết hiệu lực kể từ ngày 01/7/2025" in status["status"]["evidence"]
    with session_scope(engine) as s:  # both statements are kept, the old one too
        old = repo.get_document(s, "45/2010/TT-BTC")
        assert [r.expires_on for r in statuses.statuses_of(s, [old.id])[old.id]] == ["2012-01-01"]


def test_this_one_is_the_articles_subject_and_signing_its_issue_day(engine, on_day):
    on_day("2025-03-01")
    text = ("Thủ tướng vừa ký Quyết định ban hành Kế hoạch triển khai, căn cứ Nghị quyết số 57-NQ/TW. "
            "Quyết định có hiệu lực kể từ ngày ký.")
    ingest(engine, article_item("https://baochinhphu.vn/quyet-dinh-379-102250221000000004.htm", text,
                                "Quyết định số 379/QĐ-TTg ngày 20/2/2025 ban hành Kế hoạch"))
    with session_scope(engine) as s:
        (decision,) = repo.documents_by_id(s, "379/QĐ-TTg")
        assert decision.issued_on == "2025-02-20" and decision.effective_on == "2025-02-20"
        (party,) = repo.documents_by_id(s, "57-NQ/TW")
        assert party.effective_on is None


def _found(name: str) -> VbplFound:
    props = parse_properties((VBPL / f"thuoctinh_{name}.html").read_text(encoding="utf-8"),
                             "https://vbpl.vn/TW/Pages/vbpq-thuoctinh.aspx?ItemID=1")
    links = parse_diagram((VBPL / f"luocdo_{name}.html").read_text(encoding="utf-8"), "https://vbpl.vn/x")
    links += parse_related((VBPL / f"vanbanlienquan_{name}.html").read_text(encoding="utf-8"), "https://vbpl.vn/x")
    return VbplFound(props, links)


def _send(session, kind, dedup_key, **fields):
    return emit(session, CONSOLE, kind, dedup_key, **fields)


def test_vbpl_states_replaced_with_its_day_and_its_relations_join_the_registry(engine, on_day):
    on_day("2025-04-20")
    baseline(engine)
    ingest(engine, article_item("https://baochinhphu.vn/chu-ky-so-102250101000000005.htm",
                                "Nghị định số 130/2018/NĐ-CP và Nghị định số 23/2025/NĐ-CP quy định về chữ ký số.", "Chữ ký số"))
    with session_scope(engine) as s:
        document = repo.get_document(s, "130/2018/NĐ-CP")
        row, new = record_vbpl(s, document, _found("130-2018"), _send)
        assert new and (row.source, row.state, row.stated) == ("vbpl.vn", "replaced", "Hết hiệu lực toàn bộ")
        assert (row.effective_on, row.expires_on, row.by) == ("2018-11-15", "2025-04-10", ["23/2025/NĐ-CP"])
        assert "Văn bản quy định hết hiệu lực: 23/2025/NĐ-CP" in row.evidence
        assert document.effective_on == "2018-11-15" and document.issued_on == "2018-09-27"
        relations = [(r.rel, r.evidence) for r in repo.relations_of(s, document)]
        assert ("replaces", "vbpl.vn, Văn bản thay thế: Nghị định 23/2025/NĐ-CP Quy định về chữ ký điện tử và dịch vụ tin cậy") in relations
    (status,) = events(engine, "document_status")
    assert status["status"]["source"] == "vbpl.vn" and status["status"]["since"] == "2025-04-10"
    assert status["url"] == "https://vbpl.vn/TW/Pages/vbpq-thuoctinh.aspx?ItemID=1"
    with session_scope(engine) as s:  # checked again: the same statement, no new alert
        _, new = record_vbpl(s, repo.get_document(s, "130/2018/NĐ-CP"), _found("130-2018"), _send)
        assert not new
    assert len(events(engine, "document_status")) == 1


def test_a_first_check_of_a_long_ended_document_is_not_news(engine, on_day):
    on_day("2026-12-01")
    baseline(engine)
    ingest(engine, article_item("https://baochinhphu.vn/chu-ky-so-102250101000000005.htm",
                                "Nghị định số 130/2018/NĐ-CP quy định về chữ ký số.", "Chữ ký số"))
    with session_scope(engine) as s:
        record_vbpl(s, repo.get_document(s, "130/2018/NĐ-CP"), _found("130-2018"), _send)
    assert events(engine, "document_status") == []


def test_vbpl_in_force_and_amended_and_its_day_wins_over_an_announced_one(engine, on_day):
    on_day("2025-04-03")
    ingest(engine, article_item("https://baochinhphu.vn/nghi-quyet-03-102250110000000006.htm",
                                "Nghị quyết số 03/NQ-CP ngày 9/1/2025 có hiệu lực từ ngày 10/01/2025.", "Nghị quyết 03/NQ-CP"))
    with session_scope(engine) as s:
        document = repo.documents_by_id(s, "03/NQ-CP")[0]
        assert document.effective_on == "2025-01-10"
        row, _ = record_vbpl(s, document, _found("03-NQ-CP"), _send)
        assert (row.state, row.stated, row.by) == ("amended", "Còn hiệu lực", ["71/NQ-CP"])
        assert document.effective_on == "2025-01-09"
    assert events(engine, "document_status") == []  # amended is not an ending


def test_a_status_alert_reads_in_both_languages(engine, on_day):
    on_day("2025-04-20")
    baseline(engine)
    ingest(engine, article_item(DECREE, REPLACES.format(day="10/4/2025"), "Nghị định về chữ ký điện tử"))
    with session_scope(engine) as s:
        event = [e for e in repo.events(s) if e.kind == "document_status"][0]
        vi, en = message_for(s, event), message_for(s, event, "en")
    assert vi.kind == "document_status" and vi.url == DECREE
    assert vi.body.splitlines()[:3] == ["130/2018/NĐ-CP: đã bị thay thế từ 2025-04-10", "Bởi: 23/2025/NĐ-CP",
                                        "Theo: announcement"]
    assert en.title == "130/2018/NĐ-CP replaced by 23/2025/NĐ-CP"
    assert en.body.splitlines()[0] == "130/2018/NĐ-CP: replaced since 2025-04-10"


def test_document_status_is_subscribable_like_the_others(engine, on_day, tmp_path):
    config = tmp_path / "govmon.toml"
    config.write_text('[channels.legal]\nurl = "console"\nkinds = ["document_status"]\ndocuments = ["130/2018/NĐ-CP"]\n'
                      '[channels.other]\nurl = "console"\nkinds = ["document_status"]\ndocuments = ["13/2023/NĐ-CP"]\n',
                      encoding="utf-8")
    channels = load_config(config).channels
    on_day("2025-04-20")
    baseline(engine)
    ingest(engine, article_item(DECREE, REPLACES.format(day="10/4/2025"), "Nghị định về chữ ký điện tử"),
           channels=tuple(channels))
    with session_scope(engine) as s:
        (event,) = [e for e in repo.events(s) if e.kind == "document_status"]
        assert [d.channel for d in repo.deliveries(s) if d.event_id == event.id] == ["legal"]
