"""Document-reference throughput and quality: MB of text per second per core for govmon's recogniser
(`crawler.extract.docrefs.extract`: references, number-only mentions and relations), next to a plain
single-regex baseline run on the same text in the same process (the target is ≥ 5 MB/s); and, when
`../shared` is beside the repo, precision and recall on its labelled passages (`docrefs-examples.jsonl`
and `docrefs-more-examples.jsonl`): references by id, relations overall and per relation kind.

Two corpora, each repeated to about `--mb` megabytes: whole announcements (the unit the monitor analyses:
the demo's recorded articles and, when `../shared` is beside the repo, the seed announcements) and short
passages dense with references (our test cases and the labelled examples) — the worst case. Run:

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

from govmon.crawler.extract.article import extract_article
from govmon.crawler.extract.docrefs import extract
from govmon.crawler.extract.types import NotContent, SelectorMismatch
from govmon.crawler.sources import Source, load_sources

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
EXAMPLES = ("docrefs-examples.jsonl", "docrefs-more-examples.jsonl")
BASELINE = re.compile(r"\d{1,4}(?:/\d{4})?/[A-ZĐ]{1,6}(?:-[A-ZĐ0-9]{1,8})+|\d{1,4}-[A-ZĐ]{1,4}/[A-ZĐ]{1,4}")


def _passages() -> Iterator[str]:
    """Short passages dense with references: our test cases and, when present, the labelled examples."""
    for line in (ROOT / "tests" / "crawler" / "data" / "docrefs_cases.jsonl").read_text(encoding="utf-8").splitlines():
        yield json.loads(line)["text"]
    yield from (record["text"] for record in _labelled())


def _labelled() -> list[dict[str, Any]]:
    """The labelled passages of `../shared` (both example files, when present)."""
    files = [SHARED / name for name in EXAMPLES if (SHARED / name).is_file()]
    return [json.loads(line) for path in files for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _announcements() -> Iterator[str]:
    """Whole announcements as the monitor reads them: the seed announcements when `../shared` is there
    (with their aggregator chrome), and the demo's recorded articles, extracted."""
    if SHARED.is_dir():
        yield from (p.read_text(encoding="utf-8") for p in sorted((SHARED / "seeds").glob("*.txt")))
    sources = load_sources()
    for page in sorted((ROOT / "monitor" / "demo" / "sites" / "day1").glob("*/*")):
        source = next((s for s in sources.values() if page.parent.name in s.hosts), None)
        if source is not None and page.is_file():
            yield from _article_text(page, source)


def _article_text(page: Path, source: Source) -> Iterator[str]:
    try:
        article = extract_article(page.read_text(encoding="utf-8"), f"https://{page.parent.name}/{page.name}",
                                  source.article, source.name)
    except (SelectorMismatch, NotContent):
        return
    yield "\n\n".join((article.title, article.lead, article.text))


def corpus(texts: list[str], megabytes: float) -> list[str]:
    """`texts` repeated until their UTF-8 size reaches `megabytes`."""
    size, out = 0, []
    while size < megabytes * 1_000_000:
        for text in texts:
            out.append(text)
            size += len(text.encode("utf-8"))
    return out


def throughput(function: Callable[[str], object], texts: list[str], runs: int = 3) -> float:
    """MB/s of `function` over `texts`: the best of `runs` passes, in CPU time of this process (one core;
    other work on the machine slows a wall clock far more than it does this)."""
    size = sum(len(t.encode("utf-8")) for t in texts) / 1_000_000
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        for text in texts:
            function(text)
        best = min(best, time.process_time() - start)
    return size / max(best, 1e-9)


def measure(texts: list[str]) -> dict[str, Any]:
    ours, baseline = throughput(extract, texts), throughput(BASELINE.findall, texts)
    return {"texts": len(texts), "govmon_mb_s": round(ours, 2), "baseline_regex_mb_s": round(baseline, 2),
            "ratio_to_baseline": round(ours / baseline, 3)}


def _score(tp: int, fp: int, fn: int) -> dict[str, Any]:
    return {"precision": round(tp / (tp + fp), 3) if tp + fp else 1.0,
            "recall": round(tp / (tp + fn), 3) if tp + fn else 1.0, "tp": tp, "fp": fp, "fn": fn}


def quality(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Micro-averaged precision and recall over `records` (labelled passages): references by id, relations
    as (from, rel, to), and relations per kind."""
    counts: dict[str, list[int]] = {}
    for record in records:
        refs, _, relations = extract(record["text"])
        pairs = [("references", {r.id for r in refs}, {g["id"] for g in record["refs"]})]
        found = {(r.from_id, r.rel, r.to_id) for r in relations}
        gold = {(g["from"], g["rel"], g["to"]) for g in record["relations"]}
        pairs.append(("relations", found, gold))
        pairs += [(f"relations:{kind}", {t for t in found if t[1] == kind}, {t for t in gold if t[1] == kind})
                  for kind in {t[1] for t in found | gold}]
        for name, got, want in pairs:
            row = counts.setdefault(name, [0, 0, 0])
            row[0], row[1], row[2] = row[0] + len(got & want), row[1] + len(got - want), row[2] + len(want - got)
    return {"passages": len(records), **{name: _score(*row) for name, row in sorted(counts.items())}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=4.0, help="megabytes of text per corpus")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    extract("Nghị quyết số 71/NQ-CP")  # warm-up: compile patterns outside the timing
    result: dict[str, Any] = {
        "announcements": measure(corpus([t for t in _announcements() if t.strip()], args.mb)),
        "dense_passages": measure(corpus([t for t in _passages() if t.strip()], args.mb)),
    }
    result["target_mb_s"] = 5.0
    result["target_met"] = result["announcements"]["govmon_mb_s"] >= 5.0
    labelled = _labelled()
    result["quality"] = quality(labelled) if labelled else None
    if args.json:
        print(json.dumps(result))
        return
    for name in ("announcements", "dense_passages"):
        row = result[name]
        print(f"{name:>15}: govmon {row['govmon_mb_s']:6.2f} MB/s   single regex {row['baseline_regex_mb_s']:6.2f} MB/s"
              f"   ratio {row['ratio_to_baseline']:.3f}   ({row['texts']} texts)")
    print(f"target >= 5 MB/s on announcements: {'met' if result['target_met'] else 'not met'}")
    _print_quality(result["quality"])


def _print_quality(found: dict[str, Any] | None) -> None:
    if found is None:
        print("quality: ../shared not found (no labelled passages)")
        return
    print(f"quality on {found['passages']} labelled passages (precision / recall, tp fp fn):")
    for name, row in found.items():
        if name != "passages":
            print(f"{name:>25}: P {row['precision']:.3f}  R {row['recall']:.3f}   {row['tp']} {row['fp']} {row['fn']}")


if __name__ == "__main__":
    main()
