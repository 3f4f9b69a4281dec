"""Several writer processes on one store, at the same moment (the daemon, `govmon run`, an import, a worker on
another host): every document, repost cluster, event and delivery is created once, every article has one
history, and no writer fails on a key another took first — on SQLite and on PostgreSQL."""
from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from sqlmodel import select

from govmon.storage.db import session_scope
from govmon.storage.models import (
    Article,
    CrawlRun,
    Delivery,
    Document,
    Event,
    RepostCluster,
    Version,
)
from tests_support import article_item, ingest

WRITER = Path(__file__).with_name("writer.py")
HOSTS = {"baochinhphu": "https://baochinhphu.vn/", "vietnamplus": "https://www.vietnamplus.vn/",
         "vietnam_vn": "https://www.vietnam.vn/", "gialai": "https://gialai.gov.vn/tin-tuc/"}


def _announcement(n: int) -> tuple[str, str]:
    title = f"Chính phủ ban hành Nghị quyết số {70 + n}/NQ-CP"
    text = (f"Ngày {n}/4/2025, Chính phủ ban hành Nghị quyết số {70 + n}/NQ-CP sửa đổi, bổ sung Nghị quyết số "
            f"0{n}/NQ-CP về chương trình hành động số {n * 11} với tổng kinh phí {n * 1000 + 7} tỷ đồng, giao các bộ, "
            f"ngành và địa phương tổ chức thực hiện, báo cáo kết quả trước ngày {n + 10}/12/2025.")
    return title, text


def _items(source: str, count: int) -> list[dict]:
    return [article_item(f"{HOSTS[source]}nghi-quyet-{70 + n}-nq-cp-1022504020830{n:05d}.htm", text, title)
            for n in range(1, count + 1) for title, text in [_announcement(n)]]


def _run_writers(engine, tmp_path: Path, jobs: list[tuple[str, list[dict]]]) -> list[subprocess.CompletedProcess]:
    database, start = engine.url.render_as_string(hide_password=False), tmp_path / "start"
    children = []
    for number, (source, items) in enumerate(jobs):
        path = tmp_path / f"items-{number}.json"
        path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
        children.append(subprocess.Popen([sys.executable, str(WRITER), database, source, str(path), str(start)],
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    start.touch()  # all at once
    return [subprocess.CompletedProcess(c.args, c.wait(timeout=300), *c.communicate()) for c in children]


def _baseline(engine) -> None:
    for source, host in HOSTS.items():
        ingest(engine, article_item(f"{host}phien-hop-102250401083000000.htm", "Phiên họp thường kỳ.", "Họp"),
               source=source)


def test_four_sources_reporting_the_same_documents_at_once_create_each_once(engine, tmp_path):
    _baseline(engine)
    finished = _run_writers(engine, tmp_path, [(source, _items(source, 5)) for source in HOSTS])
    assert all(done.returncode == 0 for done in finished), [done.stderr[-2000:] for done in finished]
    with session_scope(engine) as s:
        keys = Counter(d.key for d in s.exec(select(Document)).all())
        kinds = Counter(e.kind for e in s.exec(select(Event)).all())
        clusters = Counter(a.cluster_id for a in s.exec(select(Article)).all() if "nghi-quyet" in a.url)
        runs = {r.status for r in s.exec(select(CrawlRun)).all()}
        deliveries = Counter((d.event_id, d.channel) for d in s.exec(select(Delivery)).all())
    assert len(keys) == 10 and set(keys.values()) == {1}  # 71..75/NQ-CP and 01..05/NQ-CP, once each
    assert kinds == {"new_document": 5, "document_amended": 5, "new_article": 5}
    assert len(clusters) == 5 and set(clusters.values()) == {4}  # one announcement, four copies
    assert runs == {"ok"} and set(deliveries.values()) == {1}


def _plain(source: str, count: int) -> list[dict]:
    """Announcements that name no document: nothing but the repost index can tell they are copies."""
    return [article_item(f"{HOSTS[source]}hoi-nghi-{n}-1022504020830{n:05d}.htm",
                         f"Sáng {n}/4, Thủ tướng chủ trì hội nghị lần thứ {n * 3} với {n * 100 + 17} đại biểu các tỉnh, "
                         f"bàn giải pháp thúc đẩy tăng trưởng, tháo gỡ khó khăn cho {n * 9} dự án trọng điểm.",
                         f"Hội nghị lần thứ {n * 3}") for n in range(1, count + 1)]


def test_copies_that_only_the_repost_index_can_match_make_one_cluster_each(engine, tmp_path):
    _baseline(engine)
    finished = _run_writers(engine, tmp_path, [(source, _plain(source, 6)) for source in HOSTS])
    assert all(done.returncode == 0 for done in finished), [done.stderr[-2000:] for done in finished]
    with session_scope(engine) as s:
        clusters = Counter(a.cluster_id for a in s.exec(select(Article)).all() if "hoi-nghi" in a.url)
        kinds = Counter(e.kind for e in s.exec(select(Event)).all())
    assert len(clusters) == 6 and set(clusters.values()) == {4} and kinds == {"new_article": 6}


def test_two_crawls_of_one_source_at_once_store_one_history(engine, tmp_path):
    _baseline(engine)
    items = _items("baochinhphu", 5)
    finished = _run_writers(engine, tmp_path, [("baochinhphu", items), ("baochinhphu", items), ("baochinhphu", items)])
    assert all(done.returncode == 0 for done in finished), [done.stderr[-2000:] for done in finished]
    with session_scope(engine) as s:
        urls = Counter(a.url for a in s.exec(select(Article)).all())
        versions = Counter(v.article_id for v in s.exec(select(Version)).all())
        kinds = Counter(e.kind for e in s.exec(select(Event)).all())
        clusters = len(s.exec(select(RepostCluster)).all())
    assert set(urls.values()) == {1} and set(versions.values()) == {1}
    assert kinds == {"new_document": 5, "document_amended": 5, "new_article": 5} and clusters == 6
