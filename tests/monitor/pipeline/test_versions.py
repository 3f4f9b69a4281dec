"""Versions and change alerts under the traps of RELIABILITY.md D: counters, NFC/NFD flips and tone styles
never make a version; every one-digit amendment is alerted; a page is gone only after several polls."""
from __future__ import annotations

import random
import unicodedata

from govmon.crawler.sources import load_sources
from govmon.monitor.alerts.dispatch import dispatch
from govmon.monitor.pipeline.ingest import GONE_AFTER, Ingestor
from govmon.storage import repository as repo
from govmon.storage.db import session_scope
from tests_support import CONSOLE, article_item, ingest

URL = "https://baochinhphu.vn/bo-sung-kinh-phi-102250402083000009.htm"
TEXT = ("Tổng kinh phí bổ sung là 1.200 tỷ đồng, trong đó 450 tỷ đồng cho 12 nhiệm vụ cấp bách. Hạn hoàn thành "
        "ngày 30/6/2025. Chính phủ giao Bộ Khoa học và Công nghệ chủ trì, phối hợp với các bộ, ngành thực hiện.")


def _versions(engine) -> int:
    with session_scope(engine) as s:
        return len(repo.versions_of(s, repo.article_by_url(s, URL).id))


def _kinds(engine) -> list[str]:
    with session_scope(engine) as s:
        return [e.kind for e in repo.events(s)]


def test_a_thousand_unchanged_polls_with_counters_and_unicode_flips_make_nothing(engine):
    ingest(engine, article_item(URL, f"{TEXT}\n\nLượt xem: 998 · 1 phút trước · Bình luận (0)", "Bổ sung kinh phí"))
    rng = random.Random(5)
    ingestor = Ingestor(engine, load_sources()["baochinhphu"], CONSOLE)
    for poll in range(1000):
        text = f"{TEXT}\n\nLượt xem: {1000 + poll * 7} · {rng.randint(1, 59)} phút trước · Bình luận ({poll % 9})"
        text = unicodedata.normalize("NFD" if poll % 2 else "NFC", text)
        text = text.replace("hòa", "hoà") if poll % 3 == 0 else text
        ingestor.handle(article_item(URL, text, "Bổ sung kinh phí"))
    ingestor.finish()
    assert _versions(engine) == 1 and _kinds(engine) == []


def test_every_one_digit_amendment_is_a_version_and_an_alert(engine):
    ingest(engine, article_item(URL, TEXT, "Bổ sung kinh phí"))
    amendments = [TEXT.replace("1.200", "1.300"), TEXT.replace("450", "460"), TEXT.replace("12 nhiệm vụ", "13 nhiệm vụ"),
                  TEXT.replace("30/6/2025", "30/9/2025")]
    for text in amendments:
        ingest(engine, article_item(URL, text, "Bổ sung kinh phí"))
    assert _versions(engine) == 1 + len(amendments)
    assert _kinds(engine) == ["article_changed"] * len(amendments)


def test_a_page_is_gone_only_after_consecutive_missing_polls(engine):
    ingest(engine, article_item(URL, TEXT, "Bổ sung kinh phí"))
    missing = {"type": "problem", "url": URL, "kind": "http_error", "detail": "HTTP 404", "status": 404}
    for _ in range(GONE_AFTER - 1):
        ingest(engine, missing)
    ingest(engine, article_item(URL, TEXT, "Bổ sung kinh phí"))  # back again: the count starts over
    for _ in range(GONE_AFTER - 1):
        ingest(engine, missing)
    assert _kinds(engine) == []
    ingest(engine, missing)
    assert _kinds(engine) == ["article_gone"]
    ingest(engine, missing)
    assert _kinds(engine) == ["article_gone"]


def test_gone_alert_is_delivered(engine):
    ingest(engine, article_item(URL, TEXT, "Bổ sung kinh phí"))
    missing = {"type": "problem", "url": URL, "kind": "http_error", "detail": "HTTP 404", "status": 404}
    for _ in range(GONE_AFTER):
        ingest(engine, missing)
    assert dispatch(engine, CONSOLE).sent == 1
