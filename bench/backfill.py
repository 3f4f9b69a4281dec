"""WARC import throughput: pages/s and peak memory of `govmon import-warc` (extraction, documents, dedup,
versions into SQLite) next to extraction alone on the same pages, in the same run.

The WARC is built from the demo's recorded article pages and our fixtures, each copy made unique (its own
URL and a sentence with its own figures), so every page is a new article. Extraction alone is `extract_page`
over the WARC's pages in this process; the import is `govmon import-warc` run as a user runs it (its own
process, its extraction processes), its memory sampled every SAMPLE seconds over the whole process tree.
Run:

    .venv/bin/python bench/backfill.py [--pages 10000] [--workers N] [--one-process] [--json]
"""
from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from govmon.crawler.extract.page import extract_page
from govmon.crawler.extract.types import NotContent
from govmon.crawler.sources import load_sources, source_for_url
from govmon.monitor.pipeline.warc import warc_pages

ROOT = Path(__file__).resolve().parents[1]
GOVMON = "from govmon.monitor.cli.main import govmon; govmon()"
SAMPLE = 0.1  # seconds between two readings of the import's memory


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


def extraction_only(path: Path) -> tuple[float, float]:
    """Wall and CPU seconds of `extract_page` over the WARC's pages, in this process."""
    sources, start, cpu = load_sources(), time.perf_counter(), time.process_time()
    for url, _, body, kind in warc_pages(path):
        source = source_for_url(sources, url)
        extract_page(body, url, source.article if source else None, source.name if source else "", content_type=kind)
    return time.perf_counter() - start, time.process_time() - cpu


class TreeWatch:
    """A process and its descendants, read from /proc (Linux) every SAMPLE seconds by a thread: the peak of
    their summed resident memory, the largest single process, and the CPU seconds each used (as last read)."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self.largest, self.processes = pid, 0, 0, 0
        self.cpu: dict[int, float] = {}
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while Path(f"/proc/{self.pid}").exists():
            tree = _tree(self.pid)
            sizes = [_rss(pid) for pid in tree]
            self.peak, self.largest = max(self.peak, sum(sizes)), max([self.largest, *sizes])
            self.processes = max(self.processes, len(sizes))
            self.cpu.update((pid, seconds) for pid in tree if (seconds := _cpu(pid)) is not None)
            time.sleep(SAMPLE)


def _tree(pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return [pid]
    return [pid, *(p for child in children for p in _tree(int(child)))]


def _rss(pid: int) -> int:
    """Resident bytes of `pid` (0 once it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    line = next((x for x in status.splitlines() if x.startswith("VmRSS:")), "VmRSS: 0 kB")
    return int(line.split()[1]) * 1024


def _cpu(pid: int) -> float | None:
    """User and system CPU seconds of `pid` so far (None once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed_import(folder: Path, name: str, warc: Path, workers: int | None) -> dict[str, float]:
    """`govmon import-warc` of `warc` into a fresh SQLite store: seconds, pages, peak memory of its tree."""
    command = [sys.executable, "-c", GOVMON, "--database", f"sqlite:///{folder / name}.sqlite3", "import-warc",
               "--quiet", "--json", *([] if workers is None else ["--workers", str(workers)]), str(warc)]
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watch = TreeWatch(child.pid)
    out, err = child.communicate()
    seconds = time.perf_counter() - start
    watch.thread.join()
    if child.returncode != 0:
        raise SystemExit(f"govmon import-warc failed ({child.returncode}): {err[-2000:]}")
    return {"seconds": seconds, "pages": json.loads(out)["pages"], "peak_mb": watch.peak / 2**20,
            "largest_mb": watch.largest / 2**20, "processes": watch.processes, "cpu": sum(watch.cpu.values()),
            "writer_cpu": watch.cpu.get(child.pid, 0.0)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=None, help="extraction processes (default: govmon's)")
    parser.add_argument("--one-process", action="store_true", help="also time an import with --workers 0")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        warc = folder / "bench.warc.gz"
        build_warc(warc, args.pages)
        wall, cpu = extraction_only(warc)
        full = timed_import(folder, "bench", warc, args.workers)
        one = timed_import(folder, "one", warc, 0) if args.one_process else None
    alone = args.pages / wall
    result = {"pages": args.pages, "imported": full["pages"], "extraction_only_pages_s": round(alone, 1),
              "import_pages_s": round(full["pages"] / full["seconds"], 1),
              "import_over_extraction": round(full["pages"] / full["seconds"] / alone, 2),
              "extraction_cpu_ms_page": round(1000 * cpu / args.pages, 2),
              "import_cpu_ms_page": round(1000 * full["cpu"] / args.pages, 2),
              "writer_cpu_ms_page": round(1000 * full["writer_cpu"] / args.pages, 2),
              "peak_rss_mb": round(full["peak_mb"]), "largest_process_mb": round(full["largest_mb"]),
              "processes": full["processes"]}
    if one is not None:
        result |= {"import_one_process_pages_s": round(one["pages"] / one["seconds"], 1),
                   "one_process_over_extraction": round(one["pages"] / one["seconds"] / alone, 2),
                   "one_process_peak_rss_mb": round(one["peak_mb"])}
    print(json.dumps(result) if args.json else "\n".join(f"{k:>28}: {v}" for k, v in result.items()))


if __name__ == "__main__":
    main()
