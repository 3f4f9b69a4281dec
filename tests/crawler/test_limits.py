"""Bounded work per hostile input (crawler/extract/limits.py): the malformed corpus of
tests/crawler/data/malformed/ plus generated big and bomb inputs, each with the one clear outcome it must
have; the spider's wall-clock budget and per-kind download sizes; a real crawl refusing an oversized page.
No test here is timed (bench/limits.py measures); memory is checked with tracemalloc where it matters."""
from __future__ import annotations

import asyncio
import io
import json
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
import tracemalloc
import zipfile
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

import brotli
import docx
import pytest
from scrapy import Request
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import HtmlResponse, Response
from twisted.python.failure import Failure

from govmon.crawler.budget import TooSlow, time_limit
from govmon.crawler.extract import limits
from govmon.crawler.extract.attachments import (
    attachment_item,
    attachment_text,
    check_zip,
)
from govmon.crawler.extract.html import decode
from govmon.crawler.extract.limits import MIB, PAGE_MAX_BYTES, refuse_over
from govmon.crawler.extract.listing import feed_links, sitemap_entries
from govmon.crawler.extract.page import Extracted, extract_page
from govmon.crawler.extract.rules import ListRule
from govmon.crawler.extract.types import NotContent, SelectorMismatch
from govmon.crawler.sources import load_sources
from govmon.crawler.spiders import portal
from govmon.crawler.spiders.portal import SourceSpider
from govmon.monitor.demo.replay import ReplayServer, resolve
from govmon.monitor.pipeline.warc import Skipped, warc_captures
from pdf_writer import many_pages, stream_bomb

MALFORMED = Path(__file__).parent / "data" / "malformed"
SOURCES = load_sources()
RULE = SOURCES["baochinhphu"].article
URL = "https://baochinhphu.vn/a-102250101000000001.htm"


def _file(name: str) -> bytes:
    return (MALFORMED / name).read_bytes()


def _outcome(run: Callable[[], Any]) -> str:
    """"ok", or the kind of the clear error the input ended in (anything else fails the test)."""
    try:
        run()
    except NotContent as exc:
        return exc.kind
    except SelectorMismatch:
        return "layout"
    return "ok"


# --- generated inputs (big or bombs: never committed) -------------------------------------------------

def _dense_page(size: int) -> bytes:
    paragraph = "<p>Nghị quyết số 03/NQ-CP về phát triển kinh tế xã hội năm 2025.</p>\n".encode()
    return b"<html><body>" + paragraph * (size // len(paragraph)) + b"</body></html>"


def _zip_bomb(parts: int = 4000) -> bytes:
    """A DOCX-looking zip whose document part unpacks to `parts` MiB of zeros (4000: about 4 GB from 4 MB),
    built without compressing them: after a full flush every MiB of zeros packs to the same bytes."""
    pack = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = pack.compress(bytes(MIB)) + pack.flush(zlib.Z_FULL_FLUSH)
    block = pack.compress(bytes(MIB)) + pack.flush(zlib.Z_FULL_FLUSH)
    data = head + block * (parts - 1) + pack.flush()
    return _zip([("[Content_Types].xml", b"<Types/>", 8, 0), ("word/document.xml", data, parts * MIB, 0)])


def _zip(entries: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of (name, deflated data, declared unpacked size, CRC) written by hand: sizes as we say."""
    out, central = bytearray(), bytearray()
    for name, data, size, crc in entries:
        name_bytes, offset = name.encode(), len(out)
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(data), size, len(name_bytes), 0)
        out += name_bytes + data
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc, len(data), size,
                               len(name_bytes), 0, 0, 0, 0, 0, offset) + name_bytes
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), len(out), 0)
    return bytes(out + central + end)


def _many_entries(count: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        for n in range(count):
            archive.writestr(f"word/media/{n}.bin", b"")
    return out.getvalue()


def _lying_zip() -> bytes:
    """A DOCX whose image part declares 100 bytes (in its local header and the central directory) but
    holds 100 MiB of packed zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_docx_bytes(["Số: 12/2025/TT-BKHCN"]))) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr("word/media/image1.png", bytes(100 * MIB))
    raw = bytearray(out.getvalue())
    name = b"word/media/image1.png"
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # local header, central directory
        start = raw.rfind(signature, 0, raw.rfind(name) if signature == b"PK\x01\x02" else raw.find(name))
        raw[start + size_at:start + size_at + 4] = (100).to_bytes(4, "little")
    return bytes(raw)


def _docx_bytes(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _sitemap(entries: int) -> bytes:
    urls = b"".join(b"<url><loc>https://a.gov.vn/%d</loc></url>" % n for n in range(entries))
    return b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + urls + b"</urlset>"


# --- the corpus: (case, how it is read, its input, the one outcome it must have) ------------------------

def _page(body: bytes, content_type: str = "") -> Callable[[], Extracted]:
    return lambda: extract_page(body, URL, RULE, "baochinhphu", content_type=content_type)


def _feed(body: bytes) -> Callable[[], list[str]]:
    return lambda: feed_links(body, "https://baochinhphu.vn/rss", ListRule())


def _sitemap_of(body: bytes) -> Callable[[], Any]:
    return lambda: sitemap_entries(body)


def _file_text(body: bytes, name: str) -> Callable[[], str]:
    return lambda: attachment_text(body, name)


CORPUS: list[tuple[str, Callable[[], Callable[[], Any]], str]] = [
    ("truncated-article.html", lambda: _page(_file("truncated-article.html")), "ok"),
    ("charset-lie-header.html", lambda: _page(_file("charset-lie-header.html"), "text/html; charset=iso-8859-1"), "ok"),
    ("charset-lie-meta.html", lambda: _page(_file("charset-lie-meta.html")), "ok"),
    ("windows-1258.html", lambda: _page(_file("windows-1258.html")), "ok"),
    ("control-chars.html", lambda: _page(_file("control-chars.html")), "ok"),
    ("binary.png", lambda: _page(_file("binary.png"), "text/html"), "binary"),
    ("empty.html", lambda: _page(_file("empty.html")), "empty"),
    ("30 MB page", lambda: _page(_dense_page(30 * MIB)), "too_large"),
    ("50 MB single line", lambda: _page(b"<html><body><p>" + b"a" * (50 * MIB) + b"</p></body></html>"), "too_large"),
    ("100,000-deep nesting", lambda: _page(b"<html><body>" + b"<div>" * 100_000 + b"x" + b"</div>" * 100_000), "ok"),
    ("page just under the limit", lambda: lambda: decode(_dense_page(PAGE_MAX_BYTES - 100)), "ok"),
    ("error-page-as-feed.html", lambda: _feed(_file("error-page-as-feed.html")), "layout"),
    ("xxe-feed.xml", lambda: _feed(_file("xxe-feed.xml")), "xml_entities"),
    ("xxe-feed-utf16.xml", lambda: _feed(_file("xxe-feed-utf16.xml")), "xml_entities"),
    ("billion-laughs-feed.xml", lambda: _feed(_file("billion-laughs-feed.xml")), "xml_entities"),
    ("feed-script-injection.xml", lambda: _feed(_file("feed-script-injection.xml")), "ok"),
    ("6 MB feed", lambda: _feed(b"<rss>" + b" " * (6 * MIB) + b"</rss>"), "too_large"),
    ("xxe-sitemap.xml", lambda: _sitemap_of(_file("xxe-sitemap.xml")), "xml_entities"),
    ("billion-laughs-sitemap.xml", lambda: _sitemap_of(_file("billion-laughs-sitemap.xml")), "xml_entities"),
    ("html-as-sitemap.xml", lambda: _sitemap_of(_file("html-as-sitemap.xml")), "layout"),
    ("sitemap of 60,000 entries", lambda: _sitemap_of(_sitemap(60_000)), "too_large"),
    ("page-tree-loop.pdf", lambda: _file_text(_file("page-tree-loop.pdf"), "loop.pdf"), "broken_file"),
    ("PDF stream inflating to 64 MiB", lambda: _file_text(stream_bomb(), "bomb.pdf"), "broken_file"),
    ("PDF stream of 10 MiB of operators", lambda: _file_text(stream_bomb(10 * MIB), "dense.pdf"), "broken_file"),
    ("PDF of 5,000 pages", lambda: _file_text(many_pages(5000), "long.pdf"), "ok"),
    ("old-word.doc", lambda: _file_text(_file("old-word.doc"), "old.doc"), "unsupported"),
    ("truncated.docx", lambda: _file_text(_file("truncated.docx"), "cut.docx"), "broken_file"),
    ("zip-bomb DOCX (4 GB part)", lambda: _file_text(_zip_bomb(), "bomb.docx"), "too_large"),
    ("DOCX part packed 1000:1 (40 MB, under the size limit)", lambda: _file_text(_zip_bomb(40), "dense.docx"), "too_large"),
    ("DOCX of 3,000 parts", lambda: _file_text(_many_entries(3000), "parts.docx"), "too_large"),
    ("DOCX whose part lies about its size", lambda: _file_text(_lying_zip(), "lying.docx"), "broken_file"),
    ("21 MB attachment", lambda: _file_text(b"%PDF-1.4\n" + bytes(21 * MIB), "big.pdf"), "too_large"),
]


@pytest.mark.parametrize(("case", "reader", "expected"), CORPUS, ids=[c[0] for c in CORPUS])
def test_each_malformed_input_has_its_one_clear_outcome(case: str, reader, expected: str) -> None:
    assert _outcome(reader()) == expected


def test_the_corpus_covers_every_committed_file() -> None:
    assert {p.name for p in MALFORMED.iterdir()} - {"README.md"} <= {case for case, _, _ in CORPUS} | {"garbage.warc"}


def test_lying_charsets_and_windows_1258_give_the_same_text_as_honest_utf8() -> None:
    honest = extract_page(_file("charset-lie-header.html"), URL, None).article
    assert honest.title == "Nghị quyết số 03/NQ-CP về chuyển đổi số quốc gia" and "Thủ tướng yêu cầu" in honest.text
    for name, content_type in (("charset-lie-header.html", "text/html; charset=iso-8859-1"),
                               ("charset-lie-meta.html", ""), ("windows-1258.html", "")):
        article = extract_page(_file(name), URL, None, content_type=content_type).article
        assert (article.title, article.text) == (honest.title, honest.text), name


def test_control_characters_are_dropped_not_fatal() -> None:
    assert "<title>Nghị quyết về chuyển đổi số</title>" in decode(_file("control-chars.html"))
    assert extract_page(_file("control-chars.html"), URL, None).article.text == \
        extract_page(_file("charset-lie-header.html"), URL, None).article.text


def test_no_entity_is_ever_expanded() -> None:
    passwd = Path("/etc/passwd").read_text(errors="replace")[:20] if Path("/etc/passwd").exists() else "root:"
    for name in ("xxe-feed.xml", "xxe-sitemap.xml", "billion-laughs-feed.xml", "billion-laughs-sitemap.xml"):
        with pytest.raises(NotContent) as refused:
            (_feed if "feed" in name else _sitemap_of)(_file(name))()
        assert passwd not in str(refused.value) and "lol" not in str(refused.value)


def test_feed_links_keep_only_web_links() -> None:
    assert _feed(_file("feed-script-injection.xml"))() == ["https://baochinhphu.vn/a-102250101000000004.htm"]


def test_a_long_pdf_is_read_for_its_first_pages_and_says_so() -> None:
    item = attachment_item("https://x.vn/long.pdf", many_pages(5000), URL, "long.pdf")
    assert item["text"].count("Trang") == limits.PDF_MAX_PAGES
    assert item["problem"] == "text of the first 200 of 5000 pages read"


def test_a_zip_bomb_docx_is_refused_before_unpacking_in_small_memory() -> None:
    bomb = _zip_bomb()
    assert zipfile.ZipFile(io.BytesIO(bomb)).infolist()[1].file_size == 4000 * MIB and len(bomb) < 5 * MIB
    tracemalloc.start()
    try:
        with pytest.raises(NotContent, match="zip unpacking of 4000 MB, over the 50 MB limit"):
            check_zip(bomb, "bomb.docx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < MIB  # the declared sizes were enough: nothing was unpacked


def test_a_docx_lying_about_its_sizes_is_refused_in_small_memory() -> None:
    lying = _lying_zip()
    assert sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(lying)).infolist()) < MIB  # declared: small
    tracemalloc.start()
    try:
        with pytest.raises(NotContent, match="broken_file: lying.docx: BadZipFile"):
            attachment_text(lying, "lying.docx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * MIB  # unpacking stopped at what was declared


def test_a_real_docx_passes_the_zip_check() -> None:
    body = _docx_bytes(["Số: 12/2025/TT-BKHCN", "Căn cứ Nghị định 13/2023/NĐ-CP"])
    check_zip(body, "ok.docx")
    assert attachment_text(body, "ok.docx") == "Số: 12/2025/TT-BKHCN\n\nCăn cứ Nghị định 13/2023/NĐ-CP"


def test_garbage_is_not_a_warc_and_says_so() -> None:
    (skipped,) = warc_captures(MALFORMED / "garbage.warc")
    assert isinstance(skipped, Skipped) and skipped.why.startswith("unreadable from byte")


def test_sizes_are_refused_with_one_line() -> None:
    with pytest.raises(NotContent) as refused:
        refuse_over(PAGE_MAX_BYTES + 1, PAGE_MAX_BYTES, "page")
    assert str(refused.value) == "too_large: page of 5.0 MB, over the 5 MB limit"
    refuse_over(PAGE_MAX_BYTES, PAGE_MAX_BYTES, "page")  # at the limit: accepted


# --- the spider: a wall-clock budget per response, a size per kind of request -------------------------

def test_time_limit_interrupts_and_restores_the_previous_handler() -> None:
    before = signal.getsignal(signal.SIGALRM)
    with pytest.raises(TooSlow, match="over 0.2 s"), time_limit(0.2):
        while True:
            pass
    assert signal.getsignal(signal.SIGALRM) is before and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    with time_limit(5):
        pass
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_time_limit_is_not_swallowed_by_a_broad_except() -> None:
    def careless() -> None:
        try:
            while True:
                pass
        except Exception:  # noqa: BLE001 - what third-party parsers do
            pass

    with pytest.raises(TooSlow), time_limit(0.2):
        careless()


def test_time_limit_outside_the_main_thread_runs_without_an_alarm() -> None:
    done: list[bool] = []

    def work() -> None:
        with time_limit(0.01):
            time.sleep(0.05)
        done.append(True)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    assert done == [True]


def _article_response(body: bytes, url: str = URL) -> HtmlResponse:
    return HtmlResponse(url=url, body=body, encoding="utf-8", request=Request(url))


def test_an_article_that_takes_too_long_is_a_too_slow_problem(monkeypatch) -> None:
    def endless(*args: Any, **kwargs: Any) -> None:
        while True:
            pass

    monkeypatch.setattr(portal, "extract_article", endless)
    monkeypatch.setattr(portal, "PAGE_SECONDS", 0.3)
    spider = SourceSpider(SOURCES["baochinhphu"])
    (item,) = spider.parse_article(_article_response(_file("charset-lie-header.html")))
    assert (item["type"], item["kind"], item["detail"]) == ("problem", "too_slow", "extraction took over 0.3 s")


def test_an_article_that_runs_out_of_memory_is_a_too_large_problem(monkeypatch) -> None:
    def hungry(*args: Any, **kwargs: Any) -> None:
        raise MemoryError

    monkeypatch.setattr(portal, "extract_article", hungry)
    (item,) = SourceSpider(SOURCES["baochinhphu"]).parse_article(_article_response(_file("charset-lie-header.html")))
    assert (item["kind"], item["detail"]) == ("too_large", "out of memory while extracting")


@pytest.mark.parametrize(("callback", "limit"), [("parse_list", PAGE_MAX_BYTES), ("parse_article", PAGE_MAX_BYTES),
                                                 ("parse_feed", limits.FEED_MAX_BYTES),
                                                 ("parse_sitemap", limits.SITEMAP_MAX_BYTES),
                                                 ("parse_attachment", limits.ATTACHMENT_MAX_BYTES)])
def test_a_response_over_its_kind_limit_is_refused_unread(callback: str, limit: int, monkeypatch) -> None:
    spider = SourceSpider(SOURCES["baochinhphu"])
    monkeypatch.setattr(portal, "decode", lambda *a: pytest.fail("an oversized body was read"))
    response = Response(URL, body=bytes(limit + 1), request=Request(URL, meta={"article_url": URL}))
    (item,) = getattr(spider, callback)(response)
    assert (item["type"], item["kind"]) == ("problem", "too_large")
    assert item["detail"].endswith(f"over the {limits.megabytes(limit)} limit")


def test_each_request_asks_scrapy_for_its_kind_size() -> None:
    spider = SourceSpider(SOURCES["vietnamplus"], walk={"since": "2025-05-01T00:00:00+07:00", "until": "2025-05-02"})
    started = {r.callback.__name__: r.meta["download_maxsize"] for r in _started(spider)}
    assert started == {"parse_list": PAGE_MAX_BYTES, "parse_feed": limits.FEED_MAX_BYTES,
                       "parse_sitemap": limits.SITEMAP_MAX_BYTES}
    asked = {name: spider._request(URL, getattr(spider, name)).meta["download_maxsize"]
             for name in ("parse_article", "parse_feed", "parse_attachment")}
    assert asked == {"parse_article": PAGE_MAX_BYTES, "parse_feed": limits.FEED_MAX_BYTES,
                     "parse_attachment": limits.ATTACHMENT_MAX_BYTES}


def _started(spider: SourceSpider) -> list[Request]:
    async def collect() -> list[Request]:
        return [request async for request in spider.start()]

    return asyncio.run(collect())


@pytest.mark.parametrize("error", [
    DownloadCancelledError("Expected to receive 7340032 bytes which is larger than download max size (5242880) in request <GET x>."),
    IgnoreRequest("Ignored response <200 x> because its body (40 B compressed, 6000000 B decompressed so far) exceeded DOWNLOAD_MAXSIZE (5242880 B) during decompression."),
])
def test_a_download_scrapy_cancelled_for_its_size_is_a_too_large_problem(error: Exception) -> None:
    failure = Failure(error)
    failure.request = Request(URL)  # type: ignore[attr-defined]
    (item,) = SourceSpider(SOURCES["baochinhphu"]).failed(failure)
    assert (item["kind"], item["detail"]) == ("too_large", str(error))


def test_a_crawl_refuses_a_page_over_the_limit_while_downloading(tmp_path: Path) -> None:
    """Through Scrapy: the replay server announces 6 MB for one article; the crawl reports it too_large."""
    shutil.copytree(Path(__file__).parent / "fixtures" / "vanban" / "site", tmp_path / "site")
    big = next(p for p in (tmp_path / "site" / "vanban.chinhphu.vn").iterdir() if "docid=213001" in p.name)
    big.write_bytes(big.read_bytes() + b"<!--" + b" " * (6 * MIB) + b"-->")
    settings = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "RETRY_TIMES": 0, "LOG_LEVEL": "ERROR"}
    with ReplayServer([tmp_path / "site"]) as server:
        spec = {"source": "vanban", "settings": {**settings, "GOVMON_HOST_MAP": {"*": server.base_url}}}
        done = subprocess.run([sys.executable, "-m", "govmon.crawler.run"], input=json.dumps(spec), capture_output=True,
                              text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    items = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    (refused,) = [i for i in items if i["type"] == "problem"]
    assert refused["kind"] == "too_large" and "docid=213001" in refused["url"]
    assert {i["url"] for i in items if i["type"] == "article"} and "larger than download max size" in refused["detail"]


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="RLIMIT_DATA is counted on Linux")
def test_cap_memory_refuses_what_one_input_would_add_beyond_its_share() -> None:
    code = ("from govmon.crawler.budget import cap_memory\n"
            "assert cap_memory(64 * 2**20)\n"
            "try:\n    bytearray(512 * 2**20)\nexcept MemoryError:\n    print('refused')\n"
            "print(len(bytearray(8 * 2**20)))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["refused", str(8 * 2**20)], done.stderr[-500:]


def _http_bomb(encoding: str) -> bytes:
    """A body that unpacks to at least 256 MiB of zeros under `encoding`, in about a megabyte or less."""
    if encoding == "br":
        return brotli.compress(bytes(256 * MIB), quality=1)
    pack = zlib.compressobj(9, zlib.DEFLATED, 31 if encoding == "gzip" else 15)
    return b"".join(pack.compress(bytes(MIB)) for _ in range(256)) + pack.flush()


class _BombHandler(BaseHTTPRequestHandler):
    """The vanban fixture, except one article: a compression bomb with its Content-Encoding."""

    encoding = "gzip"
    site = Path(__file__).parent / "fixtures" / "vanban" / "site"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        parts = urlsplit(self.path)
        host, _, path = parts.path.lstrip("/").partition("/")
        if "docid=213001" in parts.query:
            body, headers = _http_bomb(self.encoding), {"Content-Encoding": self.encoding}
        else:
            found = resolve([self.site], host, "/" + path, parts.query)
            body, headers = (found.read_bytes(), {}) if found else (b"not found", {})
        self.send_response(200 if body != b"not found" else 404)
        for name, value in {"Content-Type": "text/html; charset=utf-8", **headers}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_an_http_compression_bomb_is_refused_by_the_crawl_at_the_page_limit(encoding: str) -> None:
    """Scrapy unpacks Content-Encoding; the spider's per-request size makes it stop at 5 MiB (RELIABILITY A8)."""
    handler = type("Handler", (_BombHandler,), {"encoding": encoding})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "RETRY_TIMES": 0, "LOG_LEVEL": "ERROR",
                "GOVMON_HOST_MAP": {"*": f"http://127.0.0.1:{server.server_address[1]}"}}
    try:
        done = subprocess.run([sys.executable, "-m", "govmon.crawler.run"], capture_output=True, text=True,
                              input=json.dumps({"source": "vanban", "settings": settings}), timeout=120)
    finally:
        server.shutdown()
        server.server_close()
    assert done.returncode == 0, done.stderr[-2000:]
    items = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    (refused,) = [i for i in items if i["type"] == "problem"]
    assert refused["kind"] == "too_large" and "during decompression" in refused["detail"]
    assert "docid=213001" in refused["url"] and any(i["type"] == "article" for i in items)
