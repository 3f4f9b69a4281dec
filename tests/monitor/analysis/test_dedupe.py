"""Repost clustering: copies join, look-alikes with other figures, documents or provinces never do, and the
batch CLI streams ids to clusters with the earliest official copy as canonical."""
from __future__ import annotations

import json
import unicodedata

from typer.testing import CliRunner

from govmon.monitor.analysis.dedupe import RepostIndex, cluster_lines
from govmon.monitor.cli.main import app
from govmon.monitor.pipeline.clusters import LiveClusters
from govmon.storage import repository as repo
from govmon.storage.db import session_scope
from tests_support import ingest_article

BODY = ("Chính phủ ban hành Nghị quyết số 71/NQ-CP ngày 1/4/2025 sửa đổi, bổ sung Chương trình hành động thực hiện "
        "Nghị quyết số 57-NQ/TW. Theo đó, tổng kinh phí bổ sung là 1.200 tỷ đồng cho các nhiệm vụ cấp bách. "
        "Các bộ, ngành và địa phương rà soát kế hoạch, hoàn thành trước ngày 30/6/2025. Bộ Khoa học và Công nghệ "
        "chủ trì theo dõi, đôn đốc và báo cáo Thủ tướng Chính phủ kết quả thực hiện hằng quý. Ủy ban nhân dân tỉnh "
        "Gia Lai và các địa phương khác triển khai ngay các nhiệm vụ được giao, bảo đảm tiến độ và hiệu quả.")
CHROME = "Same tag\nSame category\nComment (0)\nNo data"


def _cluster(*texts: str) -> list[str]:
    index = RepostIndex()
    return [index.add(str(n), text) for n, text in enumerate(texts)]


def test_copies_in_chrome_truncated_nfd_and_old_tone_style_join_one_cluster():
    copies = [BODY, f"{CHROME}\n{BODY}\n{CHROME}", BODY[: int(len(BODY) * 0.75)],
              unicodedata.normalize("NFD", BODY), BODY.replace("hòa", "hoà").replace("Ủy", "Uỷ")]
    assert set(_cluster(*copies)) == {"0"}


def test_one_digit_amendment_other_document_or_province_is_another_announcement():
    variants = [BODY.replace("1.200", "1.250"), BODY.replace("71/NQ-CP", "72/NQ-CP"), BODY.replace("Gia Lai", "Cà Mau"),
                BODY.replace("30/6/2025", "30/9/2025")]
    assert _cluster(BODY, *variants) == ["0", "1", "2", "3", "4"]


def test_batch_canonical_is_the_earliest_published_official_copy_on_ties():
    rows = [{"id": "agg", "url": "https://www.vietnam.vn/x", "source": "vietnam_vn", "title": "t", "text": BODY,
             "published_at": "2025-04-02T10:05:00+07:00"},
            {"id": "gov", "url": "https://baochinhphu.vn/x-102.htm", "source": "baochinhphu", "title": "t",
             "text": f"{BODY}\n{CHROME}", "published_at": "2025-04-02T08:30:00+07:00"},
            {"id": "tie", "url": "https://news.example.vn/x", "source": "other", "title": "t", "text": BODY,
             "published_at": "2025-04-02T08:30:00+07:00"}]
    out = list(cluster_lines(rows, frozenset({"baochinhphu"})))
    assert [(o["id"], o["cluster"], o["canonical"]) for o in out] == [("agg", "agg", "gov"), ("gov", "agg", "gov"),
                                                                     ("tie", "agg", "gov")]


def test_dedupe_cli_streams_jsonl_and_reports_bad_lines():
    lines = [json.dumps({"id": n, "title": "t", "text": BODY if n < 2 else BODY.replace("1.200", "9.999")}) for n in range(3)]
    result = CliRunner().invoke(app, ["dedupe", "--jsonl", "--workers", "1"], input="\n".join(lines) + "\n{bad\n")
    rows = [json.loads(x) for x in result.stdout.splitlines()]
    assert [r["cluster"] for r in rows] == ["0", "0", "2"]
    assert result.exit_code == 1 and "1 input line(s) skipped" in result.stderr


def test_live_clusters_are_rebuilt_from_stored_signatures_after_a_restart(engine):
    ingest_article(engine, "https://baochinhphu.vn/a-102250402083000001.htm", "Nghị quyết 71/NQ-CP", BODY)
    LiveClusters._by_store.clear()  # a new process: the index comes back from the store, not from memory
    ingest_article(engine, "https://www.vietnam.vn/nghi-quyet-71", "Nghị quyết 71/NQ-CP", f"{CHROME}\n{BODY}\n{CHROME}")
    ingest_article(engine, "https://gialai.gov.vn/tin/nghi-quyet-71", "Nghị quyết 71/NQ-CP",
                   BODY.replace("1.200", "1.250"))
    with session_scope(engine) as s:
        clusters = [repo.article_by_url(s, u).cluster_id for u in (
            "https://baochinhphu.vn/a-102250402083000001.htm", "https://www.vietnam.vn/nghi-quyet-71",
            "https://gialai.gov.vn/tin/nghi-quyet-71")]
    assert clusters[0] == clusters[1] != clusters[2]
