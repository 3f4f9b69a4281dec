r"""Extraction benchmark: quality of the generic path against trafilatura, speed of site rules against it.

1. Quality on the offline holdout shared/eval/extraction-benchmark, with its own metric (PROVENANCE.txt):
   4-gram shingles of `\w+` tokens, per-page TP/FP/FN normalised to sum 1, macro precision and recall, F1 of
   the means, exact-token accuracy, ± = bootstrap std. govmon's `extract_generic` (scored on its `text` field,
   the body as trafilatura returns it, and on lead + text) against `trafilatura.extract`, on the same decoded text; pages/s times the call only.
2. Speed on the recorded baochinhphu article pages: `extract_article` with the source's rule against
   `extract_generic`, alternated call by call, >= --min-seconds per side and page; ratio = generic / site
   total time, against the project's target (site-specific >= 5x faster). Details: bench/README.md.
"""
from __future__ import annotations

import argparse
import cProfile
import gzip
import json
import pstats
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import trafilatura

from govmon.crawler.extract.article import extract_article, extract_generic
from govmon.crawler.extract.html import decode
from govmon.crawler.extract.rules import ArticleRule
from govmon.crawler.extract.types import NotContent
from govmon.crawler.sources import load_sources

REPO = Path(__file__).resolve().parent.parent
DEFAULT_EVAL_DIR = REPO.parent / "shared" / "eval" / "extraction-benchmark"
DEMO_DIR = REPO / "monitor" / "demo" / "sites" / "day1" / "baochinhphu.vn"
CORPUS_PAGE = REPO.parent / "shared" / "corpus" / "baochinhphu.vn" / "meth04_baochinhphu_article.html"
SOURCE, SPEED_TARGET, NGRAM, BOOTSTRAP, WORST = "baochinhphu", 5.0, 4, 1000, 10
TOKEN = re.compile(r"\w+")
Extractor = Callable[[str, str], "str | None"]  # None: the page was refused as NotContent


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    html: str
    truth: str = ""


@dataclass(frozen=True)
class Score:
    tp: float
    fp: float
    fn: float
    exact: bool
    refused: bool  # the extractor raised NotContent (scored as empty output)

    def precision(self) -> float:
        return 1.0 if self.fp == self.fn == 0 else 0.0 if self.tp == self.fp == 0 else self.tp / (self.tp + self.fp)

    def recall(self) -> float:
        return 1.0 if self.fp == self.fn == 0 else 0.0 if self.tp == self.fn == 0 else self.tp / (self.tp + self.fn)

    def f1(self) -> float:
        return f1(self.precision(), self.recall())


def govmon_generic(html: str, url: str, with_lead: bool = True) -> str | None:
    try:
        article = extract_generic(html, url)
    except NotContent:
        return None
    return "\n\n".join(part for part in (article.lead if with_lead else "", article.text) if part)


def trafilatura_text(html: str, url: str, **options: Any) -> str:
    return trafilatura.extract(html, url=url, **options) or ""


EXTRACTORS: dict[str, Extractor] = {
    "govmon generic": partial(govmon_generic, with_lead=False),
    "govmon lead + text": govmon_generic,
    "trafilatura precision": partial(trafilatura_text, favor_precision=True, include_comments=False,
                                     include_tables=True),
    "trafilatura default": trafilatura_text,
}


def shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = TOKEN.findall(text)
    grams = (tuple(tokens[i:i + NGRAM]) for i in range(max(1, len(tokens) - NGRAM + 1)))
    return Counter(gram for gram in grams if gram)


def score(truth: str, output: str | None) -> Score:
    true, found = shingles(truth), shingles(output or "")
    tp, fp, fn = sum((true & found).values()), sum((found - true).values()), sum((true - found).values())
    total = tp + fp + fn or 1
    exact = TOKEN.findall(truth) == TOKEN.findall(output or "")
    return Score(tp / total, fp / total, fn / total, exact, output is None)


def f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def mean(values: Iterable[float]) -> float:
    return statistics.fmean(found) if (found := list(values)) else 0.0


def metrics(scores: Sequence[Score]) -> dict[str, float]:
    p = mean(s.precision() for s in scores if s.tp + s.fp > 0)
    r = mean(s.recall() for s in scores if s.tp + s.fn > 0)
    return {"precision": p, "recall": r, "f1": f1(p, r), "accuracy": mean(s.exact for s in scores)}


def with_bootstrap(scores: Sequence[Score]) -> dict[str, float]:
    rng = random.Random(0)
    samples = [metrics([scores[rng.randrange(len(scores))] for _ in scores]) for _ in range(BOOTSTRAP)]
    result = metrics(scores)
    return result | {f"{key}_std": statistics.stdev(s[key] for s in samples) for key in list(result)}


def load_benchmark(eval_dir: Path, limit: int | None) -> list[Page]:
    truth = json.loads((eval_dir / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key in sorted(truth)[:limit]:
        html = decode(gzip.decompress((eval_dir / "html" / f"{key}.html.gz").read_bytes()))
        pages.append(Page(f"{key}.html.gz", truth[key].get("url", ""), html, truth[key].get("articleBody", "")))
    return pages


def run_extractor(extract: Extractor, pages: Sequence[Page]) -> tuple[dict[str, Any], list[Score]]:
    extract(pages[0].html, pages[0].url)  # warm-up: lazy imports and caches stay out of the timing
    scores, seconds = [], 0.0
    for page in pages:
        start = time.perf_counter()
        output = extract(page.html, page.url)
        seconds += time.perf_counter() - start
        scores.append(score(page.truth, output))
    counts = {"empty": sum(s.tp + s.fp == 0 for s in scores), "not_content": sum(s.refused for s in scores)}
    return with_bootstrap(scores) | counts | {"seconds": seconds, "pages_per_s": len(pages) / seconds}, scores


def quality(eval_dir: Path, limit: int | None) -> dict[str, Any]:
    if not (eval_dir / "ground-truth.json").is_file():
        return {"skipped": f"benchmark not found at {eval_dir}"}
    pages = load_benchmark(eval_dir, limit)
    results, scores = {}, {}
    for name, extract in EXTRACTORS.items():
        results[name], scores[name] = run_extractor(extract, pages)
    pairs = sorted(zip(pages, scores["govmon generic"], scores["trafilatura precision"]),
                   key=lambda pgt: pgt[1].f1() - pgt[2].f1())
    worst = [{"file": p.name, "url": p.url, "govmon_f1": g.f1(), "trafilatura_f1": t.f1(),
              "govmon_not_content": g.refused} for p, g, t in pairs[:WORST]]
    return {"eval_dir": str(eval_dir), "pages": len(pages), "govmon_body": "text (the article body field; the lead is a separate field)",
            "extractors": results, "worst": worst}


def speed_pages() -> list[Page]:
    allow = re.compile(load_sources()[SOURCE].list.allow)
    paths = [p for p in sorted(DEMO_DIR.glob("*.htm")) if allow.search(f"https://baochinhphu.vn/{p.name}")]
    paths += [CORPUS_PAGE] if CORPUS_PAGE.is_file() else []
    return [Page(p.name, f"https://baochinhphu.vn/{p.name}", decode(p.read_bytes())) for p in paths]


def paired_ms(calls: Sequence[Callable[[], object]], min_seconds: float) -> list[float]:
    """Mean ms per call of each callable, alternated call by call (machine load hits all alike) until each
    has run for at least `min_seconds`; one warm-up call each, where a broken site rule fails loudly."""
    for call in calls:
        call()
    totals, rounds = [0.0] * len(calls), 0
    while min(totals) < min_seconds:
        for i, call in enumerate(calls):
            start = time.perf_counter()
            call()
            totals[i] += time.perf_counter() - start
        rounds += 1
    return [total * 1000 / rounds for total in totals]


def speed_row(page: Page, rule: ArticleRule, min_seconds: float) -> dict[str, Any]:
    site, generic = paired_ms([lambda: extract_article(page.html, page.url, rule, source=SOURCE),
                               lambda: extract_generic(page.html, page.url)], min_seconds)
    return {"file": page.name, "site_ms": site, "generic_ms": generic, "ratio": generic / site}


def speed(pages: Sequence[Page], rule: ArticleRule, min_seconds: float) -> dict[str, Any]:
    if not pages:
        return {"skipped": f"no {SOURCE} article pages under {DEMO_DIR}"}
    rows = [speed_row(page, rule, min_seconds) for page in pages]
    site_ms, generic_ms = sum(r["site_ms"] for r in rows), sum(r["generic_ms"] for r in rows)
    return {"pages": rows, "site_ms": site_ms, "generic_ms": generic_ms, "ratio": generic_ms / site_ms,
            "target": SPEED_TARGET, "target_met": generic_ms / site_ms >= SPEED_TARGET}


def profile_site(pages: Sequence[Page], rule: ArticleRule, rounds: int = 20) -> None:
    """cProfile the site-specific path; top 20 by cumulative time on stderr, so --json output stays clean."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(rounds):
        for page in pages:
            extract_article(page.html, page.url, rule, source=SOURCE)
    profiler.disable()
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(20)


def print_quality(q: dict[str, Any]) -> None:
    if "skipped" in q:
        print(f"Quality: skipped: {q['skipped']}")
        return
    print(f"Quality on {q['pages']} pages of {q['eval_dir']}")
    print("(4-gram shingle P/R/F1, macro over pages, ± bootstrap std; 'govmon generic' = the `text` field, the body\n"
          "as trafilatura's output is; 'govmon lead + text' adds the sapo govmon keeps as a separate `lead` field)\n")
    print(f"{'extractor':<23}{'precision':>15}{'recall':>15}{'F1':>15}{'accuracy':>10}{'empty':>7}{'refused':>9}"
          f"{'pages/s':>9}")
    for name, m in q["extractors"].items():
        cells = "".join(f"{m[k]:>8.3f} ±{m[k + '_std']:.3f}" for k in ("precision", "recall", "f1"))
        print(f"{name:<23}{cells}{m['accuracy']:>10.3f}{m['empty']:>7}{m['not_content']:>9}{m['pages_per_s']:>9.1f}")
    print("\nPages where govmon's F1 is furthest below trafilatura precision's (a yardstick, do not tune on them):")
    print(f"{'file':<74}{'govmon':>7}{'trafil.':>8}")
    for w in q["worst"]:
        note = "  (govmon: NotContent)" if w["govmon_not_content"] else ""
        print(f"{w['file']:<74}{w['govmon_f1']:>7.3f}{w['trafilatura_f1']:>8.3f}{note}")


def print_speed(s: dict[str, Any], min_seconds: float) -> None:
    if "skipped" in s:
        print(f"\nSpeed: skipped: {s['skipped']}")
        return
    print(f"\nSpeed on {len(s['pages'])} {SOURCE} article pages (alternated, >= {min_seconds:g} s per side/page)\n")
    print(f"{'page':<56}{'site ms':>9}{'generic ms':>12}{'ratio':>8}")
    for r in s["pages"]:
        print(f"{r['file'][:55]:<56}{r['site_ms']:>9.2f}{r['generic_ms']:>12.2f}{r['ratio']:>7.1f}x")
    print(f"{'all pages (sum)':<56}{s['site_ms']:>9.2f}{s['generic_ms']:>12.2f}{s['ratio']:>7.1f}x")
    print(f"site-specific >= {s['target']:g}x faster than generic: target met: "
          f"{'yes' if s['target_met'] else 'no'} ({s['ratio']:.1f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval-dir", type=Path, default=DEFAULT_EVAL_DIR, help="benchmark directory")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N benchmark pages")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--min-seconds", type=float, default=1.0, help="timed repetitions per side and page")
    parser.add_argument("--profile", action="store_true", help="cProfile the site-specific path (to stderr)")
    args = parser.parse_args()
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    started, rule, pages = time.perf_counter(), load_sources()[SOURCE].article, speed_pages()
    if rule is None:
        parser.error(f"source {SOURCE} has no [article] rule")
    report: dict[str, Any] = {"quality": quality(args.eval_dir.resolve(), args.limit),
                              "speed": speed(pages, rule, args.min_seconds)}
    if args.profile and pages:
        profile_site(pages, rule)
    report["run_seconds"] = time.perf_counter() - started
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return
    print_quality(report["quality"])
    print_speed(report["speed"], args.min_seconds)
    print(f"\nrun time {report['run_seconds']:.1f} s")


if __name__ == "__main__":
    main()
