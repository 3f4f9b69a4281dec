"""The replay server: layered recorded sites, directory index pages, ETag and 304, no escape from the root."""
from __future__ import annotations

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
