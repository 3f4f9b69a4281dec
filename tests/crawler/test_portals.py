"""The provincial portals as data (crawler/sources/portals.toml and platforms/): the 34 units since
1 July 2025, the legacy portals of the 29 merged-away provinces plus thuathienhue.gov.vn, the hosts of the
seat-moved pairs, politeness, and the shared platform rules. Facts from design/PORTALS.md §0–§3.
"""
from __future__ import annotations

import re
import tomllib
from collections import Counter
from urllib.parse import urlsplit

import pytest

from govmon.crawler.extract.listing import extract_links
from govmon.crawler.sources import BUILTIN_DIR, load_sources

SOURCES = load_sources()
PORTALS = {n: s for n, s in SOURCES.items() if s.kind == "provincial"}
CURRENT = {n: s for n, s in PORTALS.items() if not s.legacy}
LEGACY = {n: s for n, s in PORTALS.items() if s.legacy}

UNITS = {  # PORTALS.md §1: the 34 provincial-level units
    "Hà Nội", "Huế", "Lai Châu", "Điện Biên", "Sơn La", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa", "Nghệ An",
    "Hà Tĩnh", "Cao Bằng", "Tuyên Quang", "Lào Cai", "Thái Nguyên", "Phú Thọ", "Bắc Ninh", "Hưng Yên",
    "Hải Phòng", "Ninh Bình", "Quảng Trị", "Đà Nẵng", "Quảng Ngãi", "Gia Lai", "Khánh Hòa", "Lâm Đồng",
    "Đắk Lắk", "Hồ Chí Minh", "Đồng Nai", "Tây Ninh", "Cần Thơ", "Vĩnh Long", "Đồng Tháp", "Cà Mau", "An Giang",
}
SUCCESSORS = {  # PORTALS.md §2: legacy source -> the source of the unit it became part of
    "hagiang": "tuyenquang", "yenbai": "laocai", "backan": "thainguyen", "vinhphuc": "phutho",
    "hoabinh": "phutho", "bacgiang": "bacninh", "thaibinh": "hungyen", "haiduong": "haiphong",
    "hanam": "ninhbinh", "namdinh": "ninhbinh", "quangbinh": "quangtri", "quangnam": "danang",
    "kontum": "quangngai", "binhdinh": "gialai", "ninhthuan": "khanhhoa", "daknong": "lamdong",
    "binhthuan": "lamdong", "phuyen": "daklak", "binhduong": "hochiminhcity", "baria_vungtau": "hochiminhcity",
    "binhphuoc": "dongnai", "longan": "tayninh", "soctrang": "cantho", "haugiang": "cantho",
    "bentre": "vinhlong", "travinh": "vinhlong", "tiengiang": "dongthap", "baclieu": "camau",
    "kiengiang": "angiang", "thuathienhue": "hue",
}
SEAT_MOVED = {  # PORTALS.md §0: the seat is at the merged-away partner; the new unit accepts both hosts
    "laocai": "yenbai.gov.vn", "gialai": "binhdinh.gov.vn", "quangtri": "quangbinh.gov.vn",
    "bacninh": "bacgiang.gov.vn", "tayninh": "longan.gov.vn", "dongthap": "tiengiang.gov.vn",
    "angiang": "kiengiang.gov.vn",
}
PLATFORMS = {"liferay", "dnn", "sharepoint", "gialai-cms", "3cms", "portal"}


def _platform(name: str) -> dict:
    return tomllib.loads((BUILTIN_DIR / "platforms" / f"{name}.toml").read_text(encoding="utf-8"))


def test_exactly_the_34_units_have_a_current_portal():
    assert len(CURRENT) == 34
    assert {s.province for s in CURRENT.values()} == UNITS


def test_legacy_portals_name_an_existing_successor():
    assert len(LEGACY) == 30
    assert {n: s.successor for n, s in LEGACY.items()} == SUCCESSORS
    assert all(s in CURRENT for s in SUCCESSORS.values())
    assert not any(s.successor for s in CURRENT.values())


@pytest.mark.parametrize(("name", "partner"), sorted(SEAT_MOVED.items()))
def test_seat_moved_units_accept_the_partner_hosts(name: str, partner: str) -> None:
    own = urlsplit(CURRENT[name].start_urls[0]).hostname or ""
    assert {own.removeprefix("www."), partner, "www." + partner} <= set(CURRENT[name].hosts)
    legacy = next(s for s in LEGACY.values() if partner in s.hosts)
    assert legacy.successor == name


def test_hosts_are_unique_except_the_seat_moved_partners():
    for group in (CURRENT, LEGACY):
        counts = Counter(h for s in group.values() for h in s.hosts)
        assert [h for h, n in counts.items() if n > 1] == []
    shared = {(c.name, lg.name) for c in CURRENT.values() for lg in LEGACY.values() if set(c.hosts) & set(lg.hosts)}
    assert shared == {(new, next(n for n, s in LEGACY.items() if p in s.hosts)) for new, p in SEAT_MOVED.items()}
    others = [s for s in SOURCES.values() if s.kind != "provincial"]
    assert not {h for s in others for h in s.hosts} & {h for s in PORTALS.values() for h in s.hosts}


@pytest.mark.parametrize("name", sorted(PORTALS))
def test_portal_definition(name: str) -> None:
    s = PORTALS[name]
    assert re.fullmatch(r"[a-z][a-z_]*", name)
    assert re.fullmatch(r"Cổng TTĐT (tỉnh|thành phố) \S.*", s.title)
    assert s.official and s.lang == "vi" and s.province
    assert s.extends in PLATFORMS
    assert s.hosts and all(h == h.lower() and "/" not in h for h in s.hosts)
    assert s.start_urls and all(urlsplit(u).hostname in s.hosts for u in s.start_urls)
    assert s.notes
    if s.legacy:
        assert "Legacy portal" in s.notes
    else:
        assert re.search(r"Confidence: (high|medium-high|medium)\b", s.notes) and "Seat:" in s.notes


@pytest.mark.parametrize("name", sorted(PORTALS))
def test_portal_crawl_is_polite(name: str) -> None:
    s = PORTALS[name]
    assert s.concurrency == 1
    assert s.download_delay >= 3
    assert s.list.max_pages == 1
    assert s.interval_minutes == (1440 if s.legacy else 60)


def test_unknown_software_uses_the_generic_platform_and_says_so():
    generic = [s for s in PORTALS.values() if s.extends == "portal"]
    assert "article" not in _platform("portal")
    for s in generic:
        if s.article is None:
            assert "unverified" in s.notes and "generic extractor" in s.notes
    assert [s.name for s in generic if s.article is not None] == ["vinhlong"]


def test_every_platform_is_used_and_has_list_links():
    assert {s.extends for s in PORTALS.values()} == PLATFORMS
    for name in PLATFORMS:
        data = _platform(name)
        assert data["list"]["links"] and data["list"].get("max_pages", 1) == 1


def test_gialai_keeps_the_demo_definition():
    s = CURRENT["gialai"]
    assert s.start_urls == ("https://gialai.gov.vn/tin-tuc/thong-tin-chi-dao-dieu-hanh",)
    assert {"gialai.gov.vn", "www.gialai.gov.vn"} <= set(s.hosts)
    assert (s.list.links, s.article.title, s.article.body) == (
        "a.article-title.common-title", "h1.title-detail", ".article-content, .common-content")


HANOI_FAMILY = """<html><body><ul class="menu"><li><a href="/cai-cach-hanh-chinh">Cải cách hành chính</a></li></ul>
<div class="news"><a href="/cai-cach-hanh-chinh/-/view_content/701234-phuong-trien-khai-so-hoa-ho-so.html">
Phường triển khai số hóa hồ sơ</a><a href="/cai-cach-hanh-chinh/-/view_content/701230-tiep-cong-dan-dinh-ky.html">
Tiếp công dân định kỳ</a></div><a href="/documents/20182/0/KH-12.pdf">Kế hoạch 12</a></body></html>"""


def test_liferay_rule_reads_the_hanoi_family_view_content_links():
    base = "http://bacphu.socson.hanoi.gov.vn/cai-cach-hanh-chinh"
    assert extract_links(HANOI_FAMILY, base, SOURCES["hanoi"].list) == [
        "http://bacphu.socson.hanoi.gov.vn/cai-cach-hanh-chinh/-/view_content/701234-phuong-trien-khai-so-hoa-ho-so.html",
        "http://bacphu.socson.hanoi.gov.vn/cai-cach-hanh-chinh/-/view_content/701230-tiep-cong-dan-dinh-ky.html",
    ]


def test_dnn_rule_reads_the_legacy_thuathienhue_news_paths():
    html = ('<div><a href="/vi-vn/Thông-cáo-báo-chí/tid/Thong-cao-bao-chi-tuan-29/newsid/'
            'C4E82A4F-0A1B-4C2D-8E3F-112233445566/cid/94C0EBC4-1A2B-4C3D-9E4F-665544332211">Thông cáo</a>'
            '<a href="/vi-vn/Thông-cáo-báo-chí">Chuyên mục</a></div>')
    links = extract_links(html, "https://thuathienhue.gov.vn/", SOURCES["thuathienhue"].list)
    assert links == ["https://thuathienhue.gov.vn/vi-vn/Th%C3%B4ng-c%C3%A1o-b%C3%A1o-ch%C3%AD/tid/Thong-cao-bao-chi-tuan-29"
                     "/newsid/C4E82A4F-0A1B-4C2D-8E3F-112233445566/cid/94C0EBC4-1A2B-4C3D-9E4F-665544332211"]


@pytest.mark.parametrize(("url", "article"), [
    ("https://sokhoahoccongnghe.phutho.gov.vn/quyet-tam-cao-no-luc-lon-n8569", True),
    ("https://sapa.laocai.gov.vn/thanh-lap-thi-xa/phuong-an-dieu-chinh-1105750", True),
    ("https://khoahockythuat.ninhbinh.gov.vn/nghien-cuu/day-manh-chuyen-doi-so-2047.html", True),
    ("https://tintuc.vinhlong.gov.vn/chi-tiet-tin-tuc/id/48217", True),
    ("https://example.gov.vn/tin-tuc?id=12345", True),
    ("https://tintuc.vinhlong.gov.vn/chuyen-muc-tin-tuc/id/22", False),
    ("https://gialai.gov.vn/tin-tuc/thong-tin-chi-dao-dieu-hanh", False),
    ("https://hdndtuyenquang.gov.vn/tin-hoat-dong/trang-2.html", False),
    ("https://hue.gov.vn/Portals/0/Uploads/VBPL/Nam2026/Thang1/1234-qd.pdf", False),
])
def test_generic_platform_follows_article_like_urls_only(url: str, article: bool) -> None:
    assert bool(re.search(SOURCES["laichau"].list.allow, url)) is article
