"""A document's status today (monitor.present.status): inferred from the relations and dates announcements state,
stated by vbpl.vn — which wins — and the disagreement between the two made visible."""
from __future__ import annotations

from govmon.monitor.pipeline.registry import Edge
from govmon.monitor.present.records import canonical_id
from govmon.monitor.present.status import (
    BOTH,
    INFERRED,
    VBPL,
    Dates,
    Statement,
    status_of,
    status_record,
)

OLD, NEW = "130/2018/NĐ-CP", "23/2025/NĐ-CP"
REPLACED = [Edge(NEW, "replaces", OLD, "Nghị định 23/2025/NĐ-CP thay thế Nghị định 130/2018/NĐ-CP")]
DATED = {NEW: Dates("2025-02-21", "2025-04-10")}


def vbpl(state: str, stated: str, **dates: str) -> Statement:
    return Statement(VBPL, state, stated, dates.get("effective"), dates.get("expires"), tuple(dates.get("by", "").split()),
                     "Tình trạng hiệu lực: " + stated, "https://vbpl.vn/TW/Pages/vbpq-thuoctinh.aspx?ItemID=1",
                     "2025-05-01T09:00:00+07:00")


def test_replaced_from_the_day_the_replacing_document_takes_effect():
    before = status_of(OLD, "2018-11-15", REPLACED, "2025-04-09", dates=DATED)
    assert (before.state, before.coming, before.by) == ("in_force", "replaced", [NEW])
    after = status_of(OLD, "2018-11-15", REPLACED, "2025-04-10", dates=DATED)
    assert (after.state, after.since, after.basis, after.coming) == ("replaced", "2025-04-10", INFERRED, "")
    assert (after.causes[0].document, after.causes[0].on, after.causes[0].effective) == (NEW, "2025-04-10", True)


def test_a_replacement_without_a_known_effective_day_counts_from_its_issue():
    status = status_of(OLD, None, REPLACED, "2025-03-01", dates={NEW: Dates("2025-02-21", None)})
    assert (status.state, status.since, status.causes[0].effective) == ("replaced", "2025-02-21", False)


def test_repealed_suspended_partly_amended_not_yet():
    assert status_of(OLD, None, [Edge(NEW, "repeals", OLD, "")], "2025-06-01").state == "repealed"
    assert status_of(OLD, None, [Edge(NEW, "suspends", OLD, "")], "2025-06-01").state == "suspended"
    amended = status_of("03/NQ-CP", None, [Edge("71/NQ-CP", "amends", "03/NQ-CP", "")], "2025-06-01",
                        dates={"71/NQ-CP": Dates("2025-04-01", None)})
    assert (amended.state, amended.since, amended.by) == ("amended", "2025-04-01", ["71/NQ-CP"])
    assert status_of("03/NQ-CP", "2025-07-01", [], "2025-06-01").state == "not_yet"
    assert status_of("03/NQ-CP", "2025-07-01", [], "2025-07-01").state == "in_force"


def test_an_announced_expiry_day_that_has_come():
    said = [Statement("announcement", expires_on="2025-07-01", evidence="… hết hiệu lực kể từ ngày 01/7/2025.")]
    assert status_of("78/2014/TT-BTC", None, [], "2025-06-30", statements=said).state == "in_force"
    expired = status_of("78/2014/TT-BTC", None, [], "2025-07-01", statements=said)
    assert (expired.state, expired.since) == ("expired", "2025-07-01")


def test_vbpl_wins_and_the_disagreement_is_visible():
    stated = vbpl("in_force", "Còn hiệu lực", effective="2018-11-15")
    status = status_of(OLD, "2018-11-15", REPLACED, "2025-05-01", dates=DATED, statements=[stated])
    assert (status.state, status.basis, status.label) == ("in_force", VBPL, "còn hiệu lực")
    assert status.inferred.state == "replaced" and status.stated.stated == "Còn hiệu lực"
    assert status.disagreement == f"announcements: replaced by {NEW}; vbpl.vn: Còn hiệu lực"


def test_vbpl_ended_with_the_announcements_precision():
    stated = vbpl("expired", "Hết hiệu lực toàn bộ", effective="2018-11-15", expires="2025-04-10", by=NEW)
    status = status_of(OLD, "2018-11-15", REPLACED, "2025-05-01", dates=DATED, statements=[stated])
    assert (status.state, status.since, status.disagreement) == ("expired", "2025-04-10", "")
    assert [(c.document, c.rel, c.on) for c in status.causes] == [(NEW, "replaces", "2025-04-10")]


def test_in_force_by_vbpl_and_amended_since_by_announcements():
    status = status_of("03/NQ-CP@2025", "2025-01-09", [Edge("71/NQ-CP@2025", "amends", "03/NQ-CP@2025", "")],
                       "2025-05-01", dates={"71/NQ-CP@2025": Dates("2025-04-01", None)},
                       statements=[vbpl("in_force", "Còn hiệu lực", effective="2025-01-09")])
    assert (status.state, status.basis, status.disagreement) == ("amended", BOTH, "")
    record = status_record(status, canonical_id)
    assert record["by"] == ["71/NQ-CP"] and record["causes"][0]["key"] == "71/NQ-CP@2025"
    assert record["causes"][0]["on"] == "2025-04-01" and record["causes"][0]["on_is"] == "issued"
    assert record["stated"]["stated"] == "Còn hiệu lực" and record["inferred"]["state"] == "amended"


def test_vbpl_as_of_today_its_own_days_count():
    expiring = vbpl("in_force", "Còn hiệu lực", effective="2020-01-01", expires="2025-12-31")
    assert status_of(OLD, None, [], "2025-12-30", statements=[expiring]).state == "in_force"
    assert status_of(OLD, None, [], "2025-12-31", statements=[expiring]).state == "expired"
    ahead = vbpl("not_yet", "Chưa có hiệu lực", effective="2026-01-01")
    assert status_of(OLD, None, [], "2025-12-31", statements=[ahead]).state == "not_yet"
    assert status_of(OLD, None, [], "2026-01-01", statements=[ahead]).state == "in_force"


def test_the_effective_days_disagree():
    said = [vbpl("in_force", "Còn hiệu lực", effective="2025-04-10"),
            Statement("announcement", effective_on="2025-04-15", evidence="… có hiệu lực từ ngày 15/4/2025.")]
    status = status_of(NEW, "2025-04-10", [], "2025-05-01", statements=said)
    assert status.disagreement == "effective date: announcements 2025-04-15, vbpl.vn 2025-04-10"
