"""Who gets what: subscription rules, watched documents and what implements them, digests, floods, English."""
from __future__ import annotations

import json
from datetime import timedelta

from govmon.monitor.alerts.dispatch import FLOOD, dispatch
from govmon.monitor.config import parse_config
from govmon.storage.models import utcnow
from tests_support import article_item, ingest

BASE = "https://baochinhphu.vn/"


def _channels(http_receiver, **subscription):
    spec = {"channels": {"hook": {"url": http_receiver.url()}},
            "subscriptions": {"desk": {"channel": "hook", **subscription}}}
    return parse_config(spec).channels


def _news(engine, channels, n: int, title: str, text: str):
    ingest(engine, article_item(f"{BASE}tin-{n}-1022504020830{n:05d}.htm", text, title), channels=channels)


def _baseline(engine, channels):
    _news(engine, channels, 0, "Phiên họp", "Chính phủ họp phiên thường kỳ.")


def test_keywords_match_without_diacritics_and_other_news_is_not_sent(engine, http_receiver):
    channels = _channels(http_receiver, keywords=["du lieu ca nhan"])
    _baseline(engine, channels)
    _news(engine, channels, 1, "Hướng dẫn bảo vệ dữ liệu cá nhân", "Bộ Công an hướng dẫn bảo vệ dữ liệu cá nhân.")
    _news(engine, channels, 2, "Giá lúa tăng", "Giá lúa tại Đồng Tháp tăng nhẹ.")
    dispatch(engine, channels)
    titles = [json.loads(r.body)["title"] for r in http_receiver.requests]
    assert titles == ["Hướng dẫn bảo vệ dữ liệu cá nhân"]


def test_watching_a_resolution_catches_amendments_of_what_implements_it(engine, http_receiver):
    channels = _channels(http_receiver, documents=["57-NQ/TW"], kinds=["document_amended"], lang="en")
    _baseline(engine, channels)
    _news(engine, channels, 1, "Chương trình hành động", "Nghị quyết số 03/NQ-CP thực hiện Nghị quyết số 57-NQ/TW.")
    _news(engine, channels, 2, "Sửa đổi", "Nghị quyết số 71/NQ-CP sửa đổi, bổ sung Nghị quyết số 03/NQ-CP.")
    dispatch(engine, channels)
    (request,) = http_receiver.requests
    assert json.loads(request.body)["title"] == "71/NQ-CP amends 03/NQ-CP"


def test_a_daily_digest_waits_for_its_hour_and_sends_one_message(engine, http_receiver):
    channels = _channels(http_receiver, digest="daily@07:30")
    _baseline(engine, channels)
    for n in range(1, 4):
        _news(engine, channels, n, f"Tin {n}", f"Nội dung số {n} về chính sách mới.")
    assert dispatch(engine, channels).sent == 0
    assert dispatch(engine, channels, now=utcnow() + timedelta(days=1)).sent == 3
    (request,) = http_receiver.requests
    assert json.loads(request.body)["title"] == "govmon: 3 thông báo"


def test_a_flood_becomes_one_digest(engine, http_receiver):
    channels = _channels(http_receiver)
    _baseline(engine, channels)
    for n in range(1, FLOOD + 6):
        _news(engine, channels, n, f"Thông báo {n}", f"Nội dung riêng số {n} của thông báo {n * 7919}.")
    assert dispatch(engine, channels).sent == FLOOD + 5
    assert len(http_receiver.requests) == 1
