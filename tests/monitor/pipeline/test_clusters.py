"""Repost detection on the live path (the MinHash index with its hard guards): near-verbatim copies join,
different documents never do."""
from __future__ import annotations

from datetime import timedelta

import pytest

from govmon.monitor.analysis.dedupe import RepostIndex, features
from govmon.monitor.pipeline.clusters import WINDOW_DAYS, LiveClusters
from govmon.monitor.pipeline.ingest import Ingestor
from govmon.storage import repository as repo
from govmon.storage.db import session_scope
from govmon.storage.models import RepostCluster, utcnow
from tests_support import article_item, ingest

BODY = ("Chính phủ vừa ban hành Nghị quyết số 71/NQ-CP sửa đổi, bổ sung, cập nhật Chương trình hành động thực hiện "
        "Nghị quyết số 57-NQ/TW của Bộ Chính trị về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và "
        "chuyển đổi số quốc gia. Nghị quyết nêu rõ các nhiệm vụ trọng tâm, giao các bộ, ngành, địa phương tổ chức "
        "thực hiện và báo cáo kết quả định kỳ hằng quý.")


def _clusters(*texts: str) -> list[str]:
    index = RepostIndex()
    return [index.add_features(str(n), features(text)) for n, text in enumerate(texts, 1)]


def test_repost_with_trimmed_sentence_and_other_case_is_same_announcement():
    repost = BODY.upper().rsplit(" Nghị quyết nêu".upper(), 1)[0]
    assert _clusters(BODY, repost) == ["1", "1"]


def test_same_template_about_another_document_is_not_a_repost():
    assert _clusters(BODY, BODY.replace("71/NQ-CP", "72/NQ-CP")) == ["1", "2"]


def test_unrelated_text_is_not_matched():
    other = "Thủ tướng tiếp Đại sứ Nhật Bản tại trụ sở Chính phủ, trao đổi về hợp tác đầu tư."
    assert _clusters(BODY, other) == ["1", "2"]


LIVE = "https://baochinhphu.vn/"


OTHER = ("Ủy ban nhân dân tỉnh Gia Lai tổ chức hội nghị tổng kết công tác phòng chống thiên tai năm 2024 với "
         "sự tham gia của 350 đại biểu, đề ra 12 nhiệm vụ trọng tâm cho mùa mưa bão năm 2025.")


def _cluster_of(engine, url: str) -> int | None:
    with session_scope(engine) as s:
        return repo.article_by_url(s, url).cluster_id


def test_a_rolled_back_cluster_leaves_no_ghost_in_the_live_index(engine, monkeypatch):
    ingest(engine, article_item(f"{LIVE}phien-hop-102250401083000000.htm", "Phiên họp thường kỳ.", "Họp"))
    real = Ingestor._emit

    def fail_on_new_article(self, session, kind, *args, **kwargs):
        if kind == "new_article":
            raise RuntimeError("crash after the cluster was made")
        return real(self, session, kind, *args, **kwargs)
    monkeypatch.setattr(Ingestor, "_emit", fail_on_new_article)
    with pytest.raises(RuntimeError):
        ingest(engine, article_item(f"{LIVE}nghi-quyet-102250402083000001.htm", BODY, "Nghị quyết 71"))
    monkeypatch.undo()
    ingest(engine, article_item(f"{LIVE}gia-lai-102250402083000002.htm", OTHER, "Gia Lai"))  # may reuse the id
    ingest(engine, article_item("https://www.vietnam.vn/nghi-quyet-71-nq-cp", BODY, "Nghị quyết 71"), source="vietnam_vn")
    assert _cluster_of(engine, "https://www.vietnam.vn/nghi-quyet-71-nq-cp") != _cluster_of(
        engine, f"{LIVE}gia-lai-102250402083000002.htm")  # never merged into an unrelated announcement


def test_clusters_made_by_another_process_are_found_and_old_ones_are_not(engine):
    ingest(engine, article_item(f"{LIVE}phien-hop-102250401083000000.htm", "Phiên họp thường kỳ.", "Họp"))
    ingest(engine, article_item(f"{LIVE}nghi-quyet-102250402083000001.htm", BODY, "Nghị quyết 71"))
    LiveClusters._by_store.clear()  # a new process: nothing in memory, the store has the cluster
    ingest(engine, article_item("https://www.vietnam.vn/nghi-quyet-71-nq-cp", BODY, "Nghị quyết 71"), source="vietnam_vn")
    first = _cluster_of(engine, f"{LIVE}nghi-quyet-102250402083000001.htm")
    assert _cluster_of(engine, "https://www.vietnam.vn/nghi-quyet-71-nq-cp") == first
    with session_scope(engine) as s:  # the announcement leaves the window
        cluster = s.get(RepostCluster, first)
        cluster.created_at = utcnow() - timedelta(days=WINDOW_DAYS + 2)
        s.add(cluster)
    LiveClusters._by_store.clear()
    ingest(engine, article_item("https://gialai.gov.vn/tin-tuc/nghi-quyet-71", BODY, "Nghị quyết 71"), source="gialai")
    assert _cluster_of(engine, "https://gialai.gov.vn/tin-tuc/nghi-quyet-71") != first


def test_a_new_cluster_answers_its_own_transaction_at_once_and_the_others_once_committed(engine):
    live, body, other = LiveClusters(), features(BODY), features(OTHER)
    with pytest.raises(RuntimeError), session_scope(engine) as s:
        live.stage(s, 7, body, utcnow())
        assert live.find(s, body) == 7  # a copy later in the same batch joins it
        raise RuntimeError("the batch fails")
    with session_scope(engine) as s:
        assert live.find(s, body) is None
        live.stage(s, 7, other, utcnow())  # the database hands out the same id again, for another text
    with session_scope(engine) as s:
        assert live.find(s, other) == 7 and live.find(s, body) is None  # the rolled-back text never answers
