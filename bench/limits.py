"""The worst case per input at govmon's limits (crawler/extract/limits.py): wall time and peak memory of
one hostile or oversized input of each kind, next to a baseline — one ordinary recorded article page — in
the same run, each in a fresh child process so every peak RSS is that input's own.

Each case runs as the crawl runs it: under the time budget of its kind (`crawler.budget.time_limit`),
so a case that would run longer ends as `too_slow` at the budget; refused inputs show how quickly they are
refused. Run:

    .venv/bin/python bench/limits.py [--json] [--quick]

`--quick` runs every case on inputs a tenth of the size (a smoke test; the figures are not the limits').
"""
from __future__ import annotations

import argparse
import io
import json
import resource
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from govmon.crawler.budget import TooSlow, time_limit
from govmon.crawler.extract import limits as L
from govmon.crawler.extract.attachments import attachment_item
from govmon.crawler.extract.docrefs import extract as find_documents
from govmon.crawler.extract.html import decode
from govmon.crawler.extract.listing import extract_links, feed_links, sitemap_entries
from govmon.crawler.extract.page import extract_page
from govmon.crawler.extract.types import NotContent, SelectorMismatch
from govmon.crawler.sources import load_sources
from govmon.monitor.pipeline.warc import Skipped, warc_captures

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the test suite's PDF writers: the same inputs as tests/crawler/test_limits.py
from pdf_writer import many_pages, stream_bomb  # noqa: E402

MIB = L.MIB
SCALE = 1.0  # --quick: 0.1
PARAGRAPH = "<p>Nghị quyết số 03/NQ-CP ngày 10/01/2025 về phát triển kinh tế xã hội, đoạn {}.</p>\n"


def _size(limit: int) -> int:
    return int(limit * SCALE)


def _dense(size: int) -> bytes:
    """An article page of distinct paragraphs, just under `size` bytes (the generic extractor's worst)."""
    parts, total, n = [], 0, 0
    while total < size - 200:
        line = PARAGRAPH.format(n).encode()
        parts.append(line)
        total, n = total + len(line), n + 1
    return b"<html><body><article>" + b"".join(parts[:-1]) + b"</article></body></html>"


def _site_page(size: int) -> bytes:
    """A recorded baochinhphu article whose body (the rule's `div.detail-content`) holds paragraphs up to
    `size` bytes in all: the site rules match, and every paragraph is cleaned and kept."""
    page = sorted((ROOT / "monitor" / "demo" / "sites" / "day1" / "baochinhphu.vn").glob("*-102*.htm"))[0].read_bytes()
    start = page.index(b'class="detail-content')
    start = page.index(b">", start) + 1
    extra = _dense(size - len(page))[len(b"<html><body><article>"):-len(b"</article></body></html>")]
    return page[:start] + extra + page[start:]


def _zip(entries: list[tuple[str, bytes, int]]) -> bytes:
    out, central = bytearray(), bytearray()
    for name, data, size in entries:
        raw, offset = name.encode(), len(out)
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, 0, len(data), size, len(raw), 0) + raw + data
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, 0, len(data), size, len(raw),
                               0, 0, 0, 0, 0, offset) + raw
    return bytes(out + central + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries),
                                             len(central), len(out), 0))


def _zeros_deflated(mib: int, wbits: int) -> bytes:
    """`mib` MiB of zeros, deflated without compressing them (full-flush blocks repeat)."""
    pack = zlib.compressobj(9, zlib.DEFLATED, wbits)
    head = pack.compress(bytes(MIB)) + pack.flush(zlib.Z_FULL_FLUSH)
    block = pack.compress(bytes(MIB)) + pack.flush(zlib.Z_FULL_FLUSH)
    return head + block * (mib - 1) + pack.flush()


def _warc_bomb(mib: int) -> Path:
    path = Path(tempfile.mkdtemp()) / "bomb.warc.gz"
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html"), ("Content-Encoding", "gzip")], protocol="HTTP/1.1")
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        writer.write_record(writer.create_warc_record("https://baochinhphu.vn/bomb.htm", "response",
                                                      payload=io.BytesIO(_zeros_deflated(mib, 31)), http_headers=headers,
                                                      warc_headers_dict={"WARC-Date": "2025-04-03T01:00:00Z"}))
    return path


# --- the cases: (kind, name, budget in seconds, make the input, read it) ---------------------------------

SOURCES = load_sources()
URL = "https://baochinhphu.vn/a-102250101000000001.htm"
Case = tuple[str, str, float, Callable[[], Any], Callable[[Any], Any]]


def _page(body: bytes) -> Any:
    return extract_page(body, URL, SOURCES["baochinhphu"].article, "baochinhphu")


def cases() -> list[Case]:
    page, feed, attach = L.PAGE_SECONDS, L.FEED_SECONDS, L.ATTACHMENT_SECONDS
    recorded = sorted((ROOT / "monitor" / "demo" / "sites" / "day1" / "baochinhphu.vn").glob("*-102*.htm"))[0]
    return [
        ("baseline", "a recorded article page (site rules)", page, recorded.read_bytes, _page),
        ("page", "5 MiB of paragraphs, generic extractor", page, lambda: _dense(_size(L.PAGE_MAX_BYTES)), _page),
        ("page", "5 MiB article, site rules", page, lambda: _site_page(_size(L.PAGE_MAX_BYTES)), _page),
        ("page", "100,000-deep nesting", page, lambda: b"<html><body>" + b"<div>" * 100_000 + b"x" + b"</div>" * 100_000, _page),
        ("page", "5 MiB single line", page, lambda: b"<p>" + b"a" * _size(L.PAGE_MAX_BYTES - 16) + b"</p>", _page),
        ("page", "5 MiB of unclosed <script", page, lambda: b"<p>captcha</p>" + b"<script" * (_size(L.PAGE_MAX_BYTES) // 8), _page),
        ("page", "30 MB page (refused)", page, lambda: _dense(_size(30 * MIB)), _page),
        ("list", "5 MiB list page, 75,000 links", page,
         lambda: b"".join(b'<a class="box-category-link-title" href="/t-1022504%08d.htm">x</a>' % n
                          for n in range(_size(L.PAGE_MAX_BYTES) // 70)),
         lambda body: extract_links(decode(body), URL, SOURCES["baochinhphu"].list)),
        ("text", "references in 5 MiB of article text", page,
         lambda: "\n\n".join(f"Nghị quyết số {n % 300}/NQ-CP ngày 10/01/2025 sửa đổi Nghị định {n % 97}/2023/NĐ-CP, đoạn {n}."
                             for n in range(_size(L.PAGE_MAX_BYTES) // 90)), find_documents),
        ("feed", "5 MiB RSS feed", feed,
         lambda: b"<rss><channel>" + b"".join(
             b"<item><title>Tin %d</title><link>https://baochinhphu.vn/a-1022504%08d.htm</link></item>" % (n, n)
             for n in range(_size(L.FEED_MAX_BYTES) // 100)) + b"</channel></rss>",
         lambda body: feed_links(body, URL, SOURCES["baochinhphu"].list)),
        ("feed", "billion laughs (refused)", feed,
         lambda: (ROOT / "tests" / "crawler" / "data" / "malformed" / "billion-laughs-feed.xml").read_bytes(),
         lambda body: feed_links(body, URL, SOURCES["baochinhphu"].list)),
        ("sitemap", "50,000 entries", feed,
         lambda: b"<urlset>" + b"".join(b"<url><loc>https://www.vietnamplus.vn/tin-post%d.vnp</loc><lastmod>2025-04-02</lastmod></url>" % n
                                        for n in range(int(L.SITEMAP_MAX_ENTRIES * SCALE))) + b"</urlset>", sitemap_entries),
        ("attachment", "zip-bomb DOCX, 4 GB part (refused)", attach,
         lambda: _zip([("word/document.xml", _zeros_deflated(int(4000 * SCALE), -15), int(4000 * SCALE) * MIB)]),
         lambda body: attachment_item("https://x.vn/b.docx", body, URL, "b.docx")),
        ("attachment", "PDF of 5,000 pages (200 read)", attach, lambda: many_pages(int(5000 * SCALE)),
         lambda body: attachment_item("https://x.vn/l.pdf", body, URL, "l.pdf")),
        ("attachment", "PDF page of 64 MiB of operators (refused)", attach, lambda: stream_bomb((int(64 * SCALE) or 1) * MIB),
         lambda body: attachment_item("https://x.vn/d.pdf", body, URL, "d.pdf")),
        ("warc", "gzip bomb record, 1 GiB of zeros", page, lambda: _warc_bomb(int(1024 * SCALE)), lambda path: list(warc_captures(path))),
        ("warc", "gzip bomb record, 5 GiB of zeros", page, lambda: _warc_bomb(int(5120 * SCALE)), lambda path: list(warc_captures(path))),
    ]


def _outcome(result: Any) -> str:
    if isinstance(result, list) and result and isinstance(result[0], Skipped):
        return f"skipped: {result[0].why}"
    if isinstance(result, dict) and result.get("type") == "attachment":
        return result["problem"] or "read"
    return "ok"


def run_case(index: int) -> dict[str, Any]:
    """Run one case in this process (a child): the input is built first, then read under its budget."""
    kind, name, budget, make, read = cases()[index]
    data = make()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        with time_limit(budget):
            outcome = _outcome(read(data))
    except TooSlow as exc:
        outcome = f"too_slow: {exc}"
    except (NotContent, SelectorMismatch) as exc:
        outcome = f"{type(exc).__name__}: {str(exc)[:70]}"
    except MemoryError:
        outcome = "too_large: out of memory"
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"kind": kind, "case": name, "budget_s": budget, "outcome": outcome, "seconds": round(seconds, 3),
            "peak_mb": round(peak / 1024, 1), "input_peak_mb": round(before / 1024, 1)}


def _child(index: int, quick: bool) -> dict[str, Any]:
    command = [sys.executable, __file__, "--case", str(index), *(["--quick"] if quick else [])]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=ROOT)
    if done.returncode != 0:
        return {"kind": "?", "case": cases()[index][1], "outcome": f"child failed: {done.stderr.strip()[-200:]}",
                "seconds": 0.0, "peak_mb": 0.0, "input_peak_mb": 0.0, "budget_s": 0.0}
    return json.loads(done.stdout)


def measure(quick: bool) -> dict[str, Any]:
    rows = [_child(i, quick) for i in range(len(cases()))]
    base = rows[0]
    for row in rows:
        row["x_baseline_time"] = round(row["seconds"] / max(base["seconds"], 1e-6), 1)
        row["over_baseline_mb"] = round(row["peak_mb"] - base["peak_mb"], 1)
    worst = max(rows[1:], key=lambda r: r["seconds"])
    hungriest = max(rows[1:], key=lambda r: r["peak_mb"])
    return {"rows": rows, "worst_time": {"case": worst["case"], "seconds": worst["seconds"]},
            "worst_memory": {"case": hungriest["case"], "peak_mb": hungriest["peak_mb"],
                             "over_baseline_mb": hungriest["over_baseline_mb"]},
            "limits": {name: getattr(L, name) for name in L.__all__ if name.isupper() and name != "MIB"}}


def _print(result: dict[str, Any]) -> None:
    print(f"{'kind':<11}{'case':<44}{'s':>8}{'×base':>8}{'peak MB':>9}{'+MB':>8}{'input':>7}{'budget':>8}  outcome")
    for r in result["rows"]:
        print(f"{r['kind']:<11}{r['case'][:43]:<44}{r['seconds']:>8.3f}{r['x_baseline_time']:>8.1f}{r['peak_mb']:>9.1f}"
              f"{r['over_baseline_mb']:>8.1f}{r['input_peak_mb']:>7.0f}{r['budget_s']:>8.0f}  {r['outcome'][:60]}")
    print(f"worst time: {result['worst_time']['case']} ({result['worst_time']['seconds']:.2f} s); worst memory: "
          f"{result['worst_memory']['case']} ({result['worst_memory']['peak_mb']:.0f} MB peak, "
          f"+{result['worst_memory']['over_baseline_mb']:.0f} MB over the baseline)")


def main() -> None:
    global SCALE
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="one JSON object instead of the table")
    parser.add_argument("--quick", action="store_true", help="inputs a tenth of the size (a smoke test)")
    parser.add_argument("--case", type=int, help=argparse.SUPPRESS)  # internal: run one case in this child
    args = parser.parse_args()
    SCALE = 0.1 if args.quick else 1.0
    if args.case is not None:
        print(json.dumps(run_case(args.case)))
        return
    result = measure(args.quick)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        _print(result)


if __name__ == "__main__":
    main()
