"""Document statuses in the store (storage.repository.status), on SQLite and PostgreSQL: a statement kept once per
document and source, stated again by moving its check time; read back latest first; the documents a source was
asked about least recently; the endings whose day comes."""
from __future__ import annotations

import time

from govmon.storage import repository as repo
from govmon.storage.db import session_scope
from govmon.storage.models import Document
from govmon.storage.repository import status as statuses


def _documents(session, *keys: str) -> list[Document]:
    found = []
    for key in keys:
        code = key.split("/")[-1]
        found.append(repo.add_document(session, key, key, type="nghị định", number=key.split("/")[0], code=code,
                                       resolved=True))
    session.flush()
    return found


def test_a_statement_is_kept_once_and_stated_again(engine):
    with session_scope(engine) as s:
        (doc,) = _documents(s, "130/2018/NĐ-CP")
        first, new = statuses.state_status(s, doc, "vbpl.vn", state="expired", stated="Hết hiệu lực toàn bộ",
                                           expires_on="2025-04-10", by=["23/2025/NĐ-CP"], url="https://vbpl.vn/a")
        assert new and first.by == ["23/2025/NĐ-CP"]
        seen, checked = first.seen_at, first.checked_at
    time.sleep(0.01)
    with session_scope(engine) as s:
        doc = repo.get_document(s, "130/2018/NĐ-CP")
        again, new = statuses.state_status(s, doc, "vbpl.vn", state="expired", stated="Hết hiệu lực toàn bộ",
                                           expires_on="2025-04-10", by=["23/2025/NĐ-CP"], url="https://vbpl.vn/a")
        assert not new and again.id == first.id and again.seen_at == seen and again.checked_at > checked
        other, new = statuses.state_status(s, doc, "announcement", expires_on="2025-04-10", evidence="…")
        assert new and other.id != first.id  # another source: another statement
    with session_scope(engine) as s:
        rows = statuses.statuses_of(s, [doc.id])[doc.id]
        assert [r.source for r in rows] == ["announcement", "vbpl.vn"]  # latest checked first
        assert statuses.latest_status(s, doc, "vbpl.vn").id == first.id


def test_a_changed_statement_is_a_new_row_and_the_latest(engine):
    with session_scope(engine) as s:
        (doc,) = _documents(s, "03/NQ-CP")
        statuses.state_status(s, doc, "vbpl.vn", state="in_force", stated="Còn hiệu lực")
    time.sleep(0.01)
    with session_scope(engine) as s:
        doc = repo.get_document(s, "03/NQ-CP")
        _, new = statuses.state_status(s, doc, "vbpl.vn", state="amended", stated="Còn hiệu lực", by=["71/NQ-CP"])
        assert new and statuses.latest_status(s, doc, "vbpl.vn").state == "amended"
        assert len(statuses.statuses_of(s, [doc.id])[doc.id]) == 2


def test_the_documents_to_ask_about_never_asked_first_local_ones_left_out(engine):
    with session_scope(engine) as s:
        asked, never, local = _documents(s, "13/2023/NĐ-CP", "20/2023/QH15", "1056/KH-UBND")
        unresolved = repo.add_document(s, "71/NQ-CP", "71/NQ-CP", code="NQ-CP", resolved=False)
        statuses.state_status(s, asked, "vbpl.vn", state="in_force")
        statuses.state_status(s, never, "announcement", effective_on="2024-07-01")  # another source does not count
    with session_scope(engine) as s:
        keys = [d.key for d in statuses.documents_to_verify(s, "vbpl.vn", 10, ("UBND",))]
        assert keys == ["20/2023/QH15", "13/2023/NĐ-CP"] and unresolved.key not in keys
        assert [d.key for d in statuses.documents_to_verify(s, "vbpl.vn", 1)] == ["20/2023/QH15"]


def test_endings_whose_day_comes(engine):
    with session_scope(engine) as s:
        old, new, other = _documents(s, "130/2018/NĐ-CP", "23/2025/NĐ-CP", "45/2019/NĐ-CP")
        new.effective_on = "2025-04-10"
        repo.add_relation(s, new, "replaces", old, "Nghị định 23/2025/NĐ-CP thay thế Nghị định 130/2018/NĐ-CP", None)
        repo.add_relation(s, new, "amends", other, "", None)
        statuses.state_status(s, other, "announcement", expires_on="2025-05-01")
    with session_scope(engine) as s:
        endings = statuses.endings_taking_effect(s, "2025-04-01", "2025-04-30")
        assert [(r.rel, a.key, t.key) for r, a, t in endings] == [("replaces", "23/2025/NĐ-CP", "130/2018/NĐ-CP")]
        assert statuses.endings_taking_effect(s, "2025-04-11", "2025-04-30") == []
        assert [d.key for _, d in statuses.expiring(s, "2025-04-02", "2025-05-01")] == ["45/2019/NĐ-CP"]
        assert statuses.expiring(s, "2025-04-02", "2025-04-30") == []
        assert set(statuses.documents_by_keys(s, ["23/2025/NĐ-CP", "nope"])) == {"23/2025/NĐ-CP"}
