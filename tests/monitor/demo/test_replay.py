"""The replay server: layered recorded sites, directory index pages, ETag and 304, no escape from the root."""
from __future__ import annotations

import os
from email.utils import formatdate

import httpx

from govmon.monitor.demo.replay import ReplayServer, resolve


def site(tmp_path):
    day1, day2 = tmp_path / "day1", tmp_path / "day2"
    (day1 / "gov.vn" / "tin-tuc").mkdir(parents=True)
    (day1 / "gov.vn" / "tin-tuc" / "index.html").write_text("<p>danh sách</p>", encoding="utf-8")
    (day1 / "gov.vn" / "a.htm").write_text("<p>ngày 1</p>", encoding="utf-8")
    (day2 / "gov.vn").mkdir(parents=True)
    (day2 / "gov.vn" / "a.htm").write_text("<p>ngày 2</p>", encoding="utf-8")
    return day1, day2


def test_later_layers_override_and_directories_serve_index(tmp_path):
    day1, day2 = site(tmp_path)
    assert resolve([day1, day2], "gov.vn", "/a.htm") == (day2 / "gov.vn" / "a.htm").resolve()
    assert resolve([day1], "gov.vn", "/tin-tuc").name == "index.html"
    assert resolve([day1], "gov.vn", "/../../etc/passwd") is None


def test_etag_and_conditional_requests(tmp_path):
    day1, day2 = site(tmp_path)
    with ReplayServer([day1]) as server:
        first = httpx.get(f"{server.base_url}/gov.vn/a.htm")
        assert first.status_code == 200 and "ngày 1" in first.text
        etag = first.headers["ETag"]
        assert httpx.get(f"{server.base_url}/gov.vn/a.htm", headers={"If-None-Match": etag}).status_code == 304
        server.set_layers([day1, day2])
        changed = httpx.get(f"{server.base_url}/gov.vn/a.htm", headers={"If-None-Match": etag})
        assert changed.status_code == 200 and "ngày 2" in changed.text
        assert httpx.get(f"{server.base_url}/gov.vn/missing.htm").status_code == 404


def test_last_modified_and_if_modified_since(tmp_path):
    day1, _ = site(tmp_path)
    page = day1 / "gov.vn" / "a.htm"
    os.utime(page, (1_700_000_000, 1_700_000_000))
    with ReplayServer([day1]) as server:
        url = f"{server.base_url}/gov.vn/a.htm"
        stamp = httpx.get(url).headers["Last-Modified"]
        assert stamp == "Tue, 14 Nov 2023 22:13:20 GMT"
        assert httpx.get(url, headers={"If-Modified-Since": stamp}).status_code == 304
        assert httpx.get(url, headers={"If-Modified-Since": "Tue, 14 Nov 2023 22:13:19 GMT"}).status_code == 200
        assert httpx.get(url, headers={"If-Modified-Since": "not a date"}).status_code == 200
        # If-None-Match decides when both are sent: a stale ETag is a full answer whatever the date says
        assert httpx.get(url, headers={"If-None-Match": '"stale"', "If-Modified-Since": stamp}).status_code == 200


def test_without_validators_every_answer_is_full(tmp_path):
    day1, _ = site(tmp_path)
    with ReplayServer([day1], validators=False) as server:
        first = httpx.get(f"{server.base_url}/gov.vn/a.htm")
        assert "ETag" not in first.headers and "Last-Modified" not in first.headers
        again = httpx.get(f"{server.base_url}/gov.vn/a.htm", headers={"If-Modified-Since": formatdate(usegmt=True)})
        assert again.status_code == 200 and "ngày 1" in again.text


def test_answers_are_logged_with_their_bytes(tmp_path):
    day1, _ = site(tmp_path)
    with ReplayServer([day1]) as server:
        full = httpx.get(f"{server.base_url}/gov.vn/a.htm")
        httpx.get(f"{server.base_url}/gov.vn/a.htm", headers={"If-None-Match": full.headers["ETag"]})
        httpx.get(f"{server.base_url}/gov.vn/missing.htm")
        answers = list(server.answers)
    assert [(a.path, a.status) for a in answers] == [("/gov.vn/a.htm", 200), ("/gov.vn/a.htm", 304),
                                                     ("/gov.vn/missing.htm", 404)]
    body = len("<p>ngày 1</p>".encode())
    assert answers[0].sent > body > 0 and answers[1].sent < answers[0].sent - body
    assert all(a.cpu >= 0 for a in answers)
