"""HTML parsers on real pages: lxml.html (what govmon uses) against BeautifulSoup with the lxml and
html.parser back ends, in the same run.

Pages: the Vietnamese pages of `../shared/corpus` and the 181 pages of `../shared/eval/extraction-benchmark`,
decoded once by `crawler.extract.html.decode` (so every parser gets the same text). For each page the three
parsers run in turn (A, B, C, A, B, C, ...), `--rounds` times; a page's time is its best round. Two tasks:
``parse`` (text to tree) and ``parse+text`` (the tree's whole text, what an extractor reads).

    .venv/bin/python bench/parsers.py [--rounds 3] [--json]

BeautifulSoup is a comparison baseline only (the `bench` extra installs it); govmon imports it nowhere.
"""
from __future__ import annotations

import argparse
import gzip
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import lxml.html
from bs4 import BeautifulSoup

from govmon.crawler.extract.html import decode

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
Parser = Callable[[str], Any]

PARSE: dict[str, Parser] = {
    "lxml.html": lxml.html.document_fromstring,
    "bs4+lxml": lambda text: BeautifulSoup(text, "lxml"),
    "bs4+html.parser": lambda text: BeautifulSoup(text, "html.parser"),
}
PARSE_TEXT: dict[str, Parser] = {
    "lxml.html": lambda text: lxml.html.document_fromstring(text).text_content(),
    "bs4+lxml": lambda text: BeautifulSoup(text, "lxml").get_text(),
    "bs4+html.parser": lambda text: BeautifulSoup(text, "html.parser").get_text(),
}


def corpus_pages() -> list[str]:
    """The real Vietnamese pages of ../shared/corpus (HTML only)."""
    files = sorted(p for p in (SHARED / "corpus").glob("*/*") if p.suffix in (".html", ".htm"))
    return [decode(p.read_bytes()) for p in files]


def benchmark_pages() -> list[str]:
    files = sorted((SHARED / "eval" / "extraction-benchmark" / "html").glob("*.html.gz"))
    return [decode(gzip.decompress(p.read_bytes())) for p in files]


def _seconds(parser: Parser, text: str) -> float:
    start = time.perf_counter()
    parser(text)
    return time.perf_counter() - start


def timed(pages: list[str], parsers: dict[str, Parser], rounds: int) -> dict[str, float]:
    """Seconds per parser over all pages: each page's best of `rounds`, the parsers alternating."""
    best = {name: [float("inf")] * len(pages) for name in parsers}
    for _ in range(rounds):
        for n, text in enumerate(pages):
            for name, parser in parsers.items():
                best[name][n] = min(best[name][n], _seconds(parser, text))
    return {name: sum(values) for name, values in best.items()}


def report(pages: list[str], parsers: dict[str, Parser], rounds: int) -> dict[str, Any]:
    seconds = timed(pages, parsers, rounds)
    base = seconds["lxml.html"]
    return {name: {"ms_per_page": round(1000 * s / len(pages), 2), "x_lxml": round(s / base, 2)}
            for name, s in seconds.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not SHARED.is_dir():
        print(f"skipped: {SHARED} not found")
        return
    result: dict[str, Any] = {}
    for name, pages in (("corpus", corpus_pages()), ("benchmark", benchmark_pages())):
        megabytes = sum(len(p.encode()) for p in pages) / 1e6
        result[name] = {"pages": len(pages), "megabytes": round(megabytes, 1),
                        "parse": report(pages, PARSE, args.rounds),
                        "parse+text": report(pages, PARSE_TEXT, args.rounds)}
    print(json.dumps(result, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
