"""WARC import throughput: pages/s and peak memory of `govmon import-warc` (extraction, documents, dedup,
versions into SQLite) next to extraction alone on the same pages, in the same run.

The WARC is built from the demo's recorded article pages and our fixtures, each copy made unique (its own
URL and a sentence with its own figures), so every page is a new article. Run:

    .venv/bin/python bench/backfill.py [--pages 10000] [--json]
"""
from __future__ import annotations

import argparse
import io
import json
import resource
import tempfile
import time
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from govmon.crawler.extract.page import extract_page
from govmon.crawler.extract.types import NotContent
from govmon.crawler.sources import load_sources, source_for_url
from govmon.monitor.config import Channel
from govmon.monitor.pipeline.archive import default_workers, import_warc
from govmon.monitor.pipeline.clusters import LiveClusters
from govmon.monitor.pipeline.warc import warc_pages
from govmon.storage.db import make_engine
from govmon.storage.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]


def base_pages() -> list[tuple[str, bytes]]:
    """(host, body) of recorded article pages the built-in sources extract."""
    roots = [ROOT / "monitor" / "demo" / "sites" / "day1", *(ROOT / "tests" / "crawler" / "fixtures").glob("*/site")]
    sources, pages = load_sources(), []
    for page in sorted(p for root in roots for p in root.glob("*/*") if p.is_file()):
        url = f"https://{page.parent.name}/{page.name}"
        source = source_for_url(sources, url)
        if source is None or page.suffix in (".pdf", ".docx", ".rss", ".xml"):
            continue
        try:
            done = extract_page(page.read_bytes(), url, source.article, source.name)
        except NotContent:
            continue
        if done.mismatch is None and len(done.article.text) > 300 and "<p>" in page.read_text(errors="ignore"):
            pages.append((page.parent.name, page.read_bytes()))
    return pages


def build_warc(path: Path, count: int) -> None:
    pages = base_pages()
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for n in range(count):
            host, body = pages[n % len(pages)]
            unique = f"<p>Bản ghi lưu trữ số {n}: kinh phí {n * 37 % 9000 + 100} tỷ đồng, {n % 63 + 1} địa phương.</p>"
            page = body.replace(b"<p>", unique.encode() + b"<p>", 1)
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                f"https://{host}/luu-tru/{n}-102250101{n:09d}.htm", "response", payload=io.BytesIO(page),
                http_headers=headers, warc_headers_dict={"WARC-Date": "2024-06-01T00:00:00Z"}))


def extraction_only(path: Path) -> float:
    sources, start = load_sources(), time.perf_counter()
    for url, _, body, kind in warc_pages(path):
        source = source_for_url(sources, url)
        extract_page(body, url, source.article if source else None, source.name if source else "", content_type=kind)
    return time.perf_counter() - start


def timed_import(url: str, warc: Path, workers: int) -> tuple[float, int]:
    """Seconds and pages of one import of `warc` into a fresh store at `url`."""
    engine = make_engine(url)
    upgrade(engine)
    LiveClusters._by_store.clear()
    start = time.perf_counter()
    done = import_warc(engine, [warc], load_sources(), (Channel("console", "console"),), workers=workers)
    return time.perf_counter() - start, done.pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        warc = Path(folder) / "bench.warc.gz"
        build_warc(warc, args.pages)
        alone = extraction_only(warc)
        one, one_pages = timed_import(f"sqlite:///{folder}/one.sqlite3", warc, 0)
        full, full_pages = timed_import(f"sqlite:///{folder}/bench.sqlite3", warc, default_workers())
    result = {"pages": args.pages, "imported": full_pages, "extraction_workers": default_workers(),
              "import_pages_s": round(full_pages / full, 1), "import_one_process_pages_s": round(one_pages / one, 1),
              "extraction_only_pages_s": round(args.pages / alone, 1), "pipeline_over_extraction": round(full / alone, 2),
              "one_process_over_extraction": round(one / alone, 2),
              "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
              "peak_rss_workers_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)}
    print(json.dumps(result) if args.json else "\n".join(f"{k:>26}: {v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
