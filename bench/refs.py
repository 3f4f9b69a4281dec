"""Document-reference throughput: MB of text per second per core for govmon's recogniser
(`crawler.extract.docrefs.extract`: references, number-only mentions and relations), next to a plain
single-regex baseline run on the same text in the same process. The target is ≥ 5 MB/s.

Text: our own test cases, the demo's recorded pages and, when `../shared` is beside the repo, the seed
announcements and labelled passages, joined into article-sized texts (the unit the monitor analyses) and
repeated to about `--mb` megabytes. Run:

    .venv/bin/python bench/refs.py [--mb 4] [--json]
"""
from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from crawler.extract.docrefs import extract

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
BASELINE = re.compile(r"\d{1,4}(?:/\d{4})?/[A-ZĐ]{1,6}(?:-[A-ZĐ0-9]{1,8})+|\d{1,4}-[A-ZĐ]{1,4}/[A-ZĐ]{1,4}")


def _texts() -> Iterator[str]:
    for line in (ROOT / "tests" / "crawler" / "data" / "docrefs_cases.jsonl").read_text(encoding="utf-8").splitlines():
        yield json.loads(line)["text"]
    for path in sorted((ROOT / "monitor" / "demo" / "expected").glob("*.json")):
        yield from _strings(json.loads(path.read_text(encoding="utf-8")))
    if SHARED.is_dir():
        yield from (p.read_text(encoding="utf-8") for p in sorted((SHARED / "seeds").glob("*.txt")))
        for line in (SHARED / "docrefs-examples.jsonl").read_text(encoding="utf-8").splitlines():
            yield json.loads(line)["text"]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def corpus(megabytes: float, article_kb: float = 6.0) -> list[str]:
    """Article-sized texts (paragraphs joined to about `article_kb`, as the monitor calls the recogniser on
    whole articles), repeated until their UTF-8 size reaches `megabytes`."""
    base = [t for t in _texts() if t.strip()]
    size, texts, current = 0, [], []
    while size < megabytes * 1_000_000:
        for text in base:
            current.append(text)
            if sum(len(p) for p in current) >= article_kb * 1000:
                texts.append("\n\n".join(current))
                size += len(texts[-1].encode("utf-8"))
                current = []
    return texts


def throughput(function: Callable[[str], object], texts: list[str]) -> float:
    """MB/s of `function` over `texts` (one core, wall clock of the calls only)."""
    size = sum(len(t.encode("utf-8")) for t in texts) / 1_000_000
    start = time.perf_counter()
    for text in texts:
        function(text)
    return size / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=4.0, help="megabytes of text to process")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    texts = corpus(args.mb)
    extract(texts[0])  # warm-up: compile patterns outside the timing
    ours, baseline = throughput(extract, texts), throughput(BASELINE.findall, texts)
    result = {"megabytes": args.mb, "texts": len(texts), "govmon_mb_s": round(ours, 2),
              "baseline_regex_mb_s": round(baseline, 2), "ratio_to_baseline": round(ours / baseline, 3),
              "target_mb_s": 5.0, "target_met": ours >= 5.0}
    if args.json:
        print(json.dumps(result))
        return
    for key, value in result.items():
        print(f"{key:>22}: {value}")


if __name__ == "__main__":
    main()
