"""A generated archive, for load tests and benchmarks of backfills: `sources` sites, each a chain of list
pages (newest first, a "next" link on every page but the last) over articles that name legal documents,
some of them reposted word for word by the other sites (repost clusters), and some with a signed file
attached (a .docx naming a circular: documents found in files). Written as the replay server serves files
(`monitor.demo.replay`), with one source definition per site, so a backfill reaches it by configuration only
(a host map and a sources folder).

Everything is a pure function of the sizes: two archives of the same sizes are the same, byte for byte.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

__all__ = ["ArchiveSite", "write_archive"]

FIRST_DAY = date(2024, 1, 1)
REPOST_EVERY = 10  # every tenth article of a site after the first reprints an article of the first site
FILE_EVERY = 20  # every twentieth article has a file attached
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_DOCX_PARTS = (
    ("[Content_Types].xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.'
     'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
     'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
     'PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.'
     'document.main+xml"/></Types>'),
    ("_rels/.rels", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.'
     'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
     'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'),
)


@dataclass(frozen=True)
class ArchiveSite:
    """What `write_archive` made: where, the sources' names, hosts and every page's path (as the replay
    server is asked for it: ``/<host>/<path>``)."""

    root: Path
    sources_dir: Path
    names: tuple[str, ...]
    hosts: tuple[str, ...]
    pages: tuple[str, ...]
    articles: int
    first_day: date
    last_day: date


def _host(site: int) -> str:
    return f"luutru{site}.example.gov.vn"


def _day(site: int, n: int, per_site: int) -> date:
    """Article n of a site (0 = newest): one a day, the newest last; sites interleave by a day."""
    return FIRST_DAY + timedelta(days=(per_site - 1 - n) + site)


def _definition(site: int, max_pages: int) -> str:
    host = _host(site)
    return f"""name = "luutru{site}"
title = "Lưu trữ thử nghiệm {site}"
kind = "ministry"
hosts = ["{host}"]
start_urls = ["https://{host}/tin-tuc/"]
download_delay = 0.0
concurrency = 1

[list]
links = "ul.news a.title"
next_page = "a.next"
max_pages = {max_pages}

[article]
title = "h1.title"
body = "div.content"
published = "span.date"
date_formats = ["%d/%m/%Y"]
attachments = "div.files a[href]"
drop = ["div.files"]
"""


def _list_page(site: int, page: int, lists: int, per_page: int) -> str:
    items = "".join(f'<li><a class="title" href="/bai/{n}.htm">Tin số {n}</a></li>'
                    for n in range(page * per_page, (page + 1) * per_page))
    more = f'<a class="next" href="/tin-tuc/trang-{page + 2}.htm">Trang sau</a>' if page + 1 < lists else ""
    return (f"<html><head><meta charset='utf-8'><title>Tin tức {site}</title></head><body>"
            f"<ul class='news'>{items}</ul>{more}</body></html>")


def _text(origin: int, n: int) -> tuple[str, str]:
    """Title and paragraphs of article n of site `origin` (what its reposts reprint)."""
    decree, decision = n % 97 + 1, n % 41 + 100
    title = f"Triển khai Nghị định số {decree}/2024/NĐ-CP tại địa phương {origin}-{n}"
    body = (f"<p>Ngày làm việc thứ {n}, đơn vị {origin} triển khai Nghị định số {decree}/2024/NĐ-CP của Chính phủ "
            f"về quản lý hồ sơ lưu trữ, với kinh phí {n * 37 % 9000 + 100} tỷ đồng cho {n % 63 + 1} địa phương.</p>"
            f"<p>Quyết định số {decision}/QĐ-TTg của Thủ tướng Chính phủ giao nhiệm vụ cho các bộ, ngành theo dõi "
            f"việc thực hiện; báo cáo kết quả trước ngày {n % 28 + 1} tháng {n % 12 + 1}.</p>"
            f"<p>Văn bản số {n} của đơn vị {origin} nêu rõ lộ trình {n % 5 + 2} năm và trách nhiệm của từng cơ quan.</p>")
    return title, body


def _has_file(n: int) -> bool:
    return n % FILE_EVERY == 7


def _article(site: int, n: int, per_site: int) -> str:
    origin = 0 if site and n % REPOST_EVERY == 3 else site  # a repost reprints site 0's article n
    title, body = _text(origin, n)
    day = _day(site, n, per_site)
    files = f"<div class='files'><a href='/files/{n}.docx'>Tệp đính kèm {n}</a></div>" if _has_file(n) else ""
    return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body><h1 class='title'>{title}</h1>"
            f"<span class='date'>{day:%d/%m/%Y}</span><div class='content'>{body}{files}</div></body></html>")


def _docx(lines: list[str]) -> bytes:
    """A minimal Word file holding `lines`, with fixed timestamps (the same bytes every time)."""
    paragraphs = "".join(f"<w:p><w:r><w:t>{escape(line)}</w:t></w:r></w:p>" for line in lines)
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W}"><w:body>'
                f"{paragraphs}</w:body></w:document>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in (*_DOCX_PARTS, ("word/document.xml", document)):
            package.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data)
    return out.getvalue()


def _file(site: int, n: int) -> bytes:
    return _docx([f"BỘ TÀI CHÍNH - ĐƠN VỊ {site}", f"Số: {n % 53 + 1}/2024/TT-BTC", "THÔNG TƯ",
                  f"Hướng dẫn thi hành Nghị định số {n % 97 + 1}/2024/NĐ-CP về quản lý hồ sơ lưu trữ."])


def _write_site(root: Path, site: int, lists: int, per_page: int) -> list[str]:
    host, per_site = _host(site), lists * per_page
    folder = root / host
    (folder / "tin-tuc").mkdir(parents=True)
    (folder / "bai").mkdir()
    (folder / "files").mkdir()
    pages = [f"/{host}/tin-tuc/"] + [f"/{host}/tin-tuc/trang-{p + 1}.htm" for p in range(1, lists)]
    (folder / "tin-tuc" / "index.html").write_text(_list_page(site, 0, lists, per_page), encoding="utf-8")
    for page in range(1, lists):
        (folder / "tin-tuc" / f"trang-{page + 1}.htm").write_text(_list_page(site, page, lists, per_page), encoding="utf-8")
    for n in range(per_site):
        (folder / "bai" / f"{n}.htm").write_text(_article(site, n, per_site), encoding="utf-8")
        pages.append(f"/{host}/bai/{n}.htm")
        if _has_file(n):
            (folder / "files" / f"{n}.docx").write_bytes(_file(site, n))
            pages.append(f"/{host}/files/{n}.docx")
    return pages


def write_archive(folder: Path, sources: int = 3, lists: int = 20, per_page: int = 33) -> ArchiveSite:
    """Write `sources` sites of `lists` list pages of `per_page` articles each (one in FILE_EVERY with a
    file) under folder/site, and their definitions under folder/sources."""
    root, definitions = folder / "site", folder / "sources"
    definitions.mkdir(parents=True)
    pages: list[str] = []
    for site in range(sources):
        pages += _write_site(root, site, lists, per_page)
        (definitions / f"luutru{site}.toml").write_text(_definition(site, lists + 5), encoding="utf-8")
    per_site = lists * per_page
    return ArchiveSite(root, definitions, tuple(f"luutru{s}" for s in range(sources)),
                       tuple(_host(s) for s in range(sources)), tuple(pages), sources * per_site, FIRST_DAY,
                       _day(sources - 1, 0, per_site))
