r"""Extraction benchmark: quality and speed of the generic path against trafilatura, the generic path on
Vietnamese pages, and the speed of site rules against it.

1. Quality on the offline holdout shared/eval/extraction-benchmark, with its own metric (PROVENANCE.txt):
   4-gram shingles of `\w+` tokens, per-page TP/FP/FN normalised to sum 1, macro precision and recall, F1 of
   the means, exact-token accuracy, ± = bootstrap std. govmon's `extract_generic` (scored on its `text` field,
   the body as trafilatura returns it, and on lead + text) against `trafilatura.extract`, on the same decoded
   text; the extractors alternate page by page, pages/s times the call only (best of --rounds), and each
   row's time is given as a ratio to trafilatura precision's (the settings govmon uses) in the same run.
2. Vietnamese pages (the benchmark has none): the site fixtures' articles (our own pages, expected fields
   in expected.json) and the real corpus article whose expected text the site rule reproduces (its
   text_sha256); pages that hold no article (the fixtures' list pages, the real corpus's list and vbpl tabs,
   tests/crawler/fixtures/not_articles) and what the generic path says of them; publication dates of the
   articles by govmon's rule (declared, else printed with the headline) against htmldate's, with their time.
3. Speed on the recorded baochinhphu article pages: `extract_article` with the source's rule against
   `extract_generic`, alternated call by call, >= --min-seconds per side and page; ratio = generic / site
   total time, against the project's target (site-specific >= 5x faster). Details: bench/README.md.
"""
from __future__ import annotations

import argparse
import cProfile
import gzip
import hashlib
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
from urllib.parse import urlsplit

import htmldate
import trafilatura

from govmon.crawler.extract.article import extract_article, extract_generic
from govmon.crawler.extract.dateline import printed_date
from govmon.crawler.extract.dates import parse_datetime, to_iso
from govmon.crawler.extract.html import decode
from govmon.crawler.extract.pagemeta import read_meta
from govmon.crawler.extract.rules import ArticleRule
from govmon.crawler.extract.types import Article, NotContent
from govmon.crawler.sources import load_sources
from govmon.monitor.demo.replay import resolve

REPO = Path(__file__).resolve().parent.parent
DEFAULT_EVAL_DIR = REPO.parent / "shared" / "eval" / "extraction-benchmark"
DEMO_DIR = REPO / "monitor" / "demo" / "sites" / "day1" / "baochinhphu.vn"
CORPUS_DIR = REPO.parent / "shared" / "corpus"
CORPUS_PAGE = CORPUS_DIR / "baochinhphu.vn" / "meth04_baochinhphu_article.html"
FIXTURES = REPO / "tests" / "crawler" / "fixtures"
# Real corpus pages that hold no article (shared/corpus/MANIFEST.tsv: a list, and vbpl.vn's tabs of a
# document that are not its text) and the URLs they were captured at.
CORPUS_NON_ARTICLES = {
    "baochinhphu.vn/meth04_baochinhphu_list_chinh-sach-moi.html": "https://baochinhphu.vn/chinh-sach-va-cuoc-song/chinh-sach-moi.htm",
    "vbpl.vn/minh0511_vbpl_luocdo_itemid32801_hienphap-2013_2023-09.html": "https://vbpl.vn/TW/Pages/vbpq-luocdo.aspx?ItemID=32801",
    "vbpl.vn/minh0511_vbpl_vanbanlienquan_itemid32801_hienphap-2013_2023-09.html":
        "https://vbpl.vn/TW/Pages/vbpq-vanbanlienquan.aspx?dvid=13&ItemID=32801",
    "vbpl.vn/minh0511_vbpl_thuoctinh_itemid96172_boluat-totunghinhsu-101-2015-qh13_2023-09.html":
        "https://vbpl.vn/TW/Pages/vbpq-thuoctinh.aspx?dvid=13&ItemID=96172",
}
# tests/crawler/fixtures/not_articles (README there): the URL each page stands for, and whether it is an article.
OWN_PAGES = {
    "search_script_results.html": ("https://quangtri.gov.vn/tim-kiem?keyword=chuyen+doi+so", False),
    "category_list.html": ("https://quangtri.gov.vn/tin-tuc", False),
    "login.html": ("https://qlvb.gialai.gov.vn/Account/Login?ReturnUrl=%2Fvanban%2Fden", False),
    "error_200.html": ("https://tintuc.vinhlong.gov.vn/chi-tiet-tin-tuc/id/1", False),
    "error_message_in_layout.html": ("https://mof.gov.vn/tin-tuc/bai-viet-1.html", False),
    "aspnet_runtime_error.html": ("https://quangbinh.gov.vn/3cms/loi.htm", False),
    "notice_with_attachment.html": ("https://quangtri.gov.vn/thong-bao/lich-tiep-cong-dan-thang-11-2025", True),
    "article_with_login_modal.html": ("https://hue.gov.vn/tin-tuc/ung-dung-phan-anh-hien-truong", True),
    "digest_article.html": ("https://baodientu.example.vn/diem-tin-3-11-2025.htm", True),
}
SOURCE, SPEED_TARGET, NGRAM, BOOTSTRAP, WORST = "baochinhphu", 5.0, 4, 1000, 10
TOKEN = re.compile(r"\w+")
Extractor = Callable[[str, str], "dict[str, str | None]"]  # row name -> output; None: refused as NotContent
BASELINE = "trafilatura precision"


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


def govmon_generic(html: str, url: str) -> dict[str, str | None]:
    """One extraction, scored twice: its `text` field, and the lead + text."""
    try:
        article = extract_generic(html, url)
    except NotContent:
        return {"govmon generic": None, "govmon lead + text": None}
    return {"govmon generic": article.text, "govmon lead + text": with_lead(article)}


def with_lead(article: Article) -> str:
    return "\n\n".join(part for part in (article.lead, article.text) if part)


def trafilatura_text(row: str, html: str, url: str, **options: Any) -> dict[str, str | None]:
    return {row: trafilatura.extract(html, url=url, **options) or ""}


EXTRACTORS: dict[str, Extractor] = {
    "govmon": govmon_generic,
    BASELINE: partial(trafilatura_text, BASELINE, favor_precision=True, include_comments=False, include_tables=True),
    "trafilatura default": partial(trafilatura_text, "trafilatura default"),
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


def timed(extract: Extractor, page: Page, rounds: int) -> tuple[dict[str, str | None], float]:
    """The extractor's output and its best time over `rounds` calls (the least disturbed by other work)."""
    best, output = float("inf"), {}
    for _ in range(rounds):
        start = time.perf_counter()
        output = extract(page.html, page.url)
        best = min(best, time.perf_counter() - start)
    return output, best


def run_all(pages: Sequence[Page], rounds: int) -> tuple[dict[str, list[Score]], dict[str, float]]:
    """Every extractor on every page, alternating page by page (the order rotates), so the machine's load
    weighs on all alike; one warm-up call each keeps lazy imports and caches out of the timing."""
    names = list(EXTRACTORS)
    for name in names:
        EXTRACTORS[name](pages[0].html, pages[0].url)
    scores: dict[str, list[Score]] = {}
    seconds: dict[str, float] = {}
    for i, page in enumerate(pages):
        for name in names[i % len(names):] + names[:i % len(names)]:
            outputs, took = timed(EXTRACTORS[name], page, rounds)
            for row, output in outputs.items():
                scores.setdefault(row, []).append(score(page.truth, output))
                seconds[row] = seconds.get(row, 0.0) + took
    return scores, seconds


def row_summary(scores: Sequence[Score], seconds: float, baseline: float) -> dict[str, Any]:
    counts = {"empty": sum(s.tp + s.fp == 0 for s in scores), "not_content": sum(s.refused for s in scores)}
    return with_bootstrap(scores) | counts | {"seconds": seconds, "pages_per_s": len(scores) / seconds,
                                              "time_ratio": seconds / baseline}


def quality(eval_dir: Path, limit: int | None, rounds: int = 1) -> dict[str, Any]:
    if not (eval_dir / "ground-truth.json").is_file():
        return {"skipped": f"benchmark not found at {eval_dir}"}
    pages = load_benchmark(eval_dir, limit)
    scores, seconds = run_all(pages, rounds)
    results = {row: row_summary(scores[row], seconds[row], seconds[BASELINE]) for row in scores}
    pairs = sorted(zip(pages, scores["govmon generic"], scores[BASELINE]), key=lambda pgt: pgt[1].f1() - pgt[2].f1())
    worst = [{"file": p.name, "url": p.url, "govmon_f1": g.f1(), "trafilatura_f1": t.f1(),
              "govmon_not_content": g.refused} for p, g, t in pairs[:WORST]]
    return {"eval_dir": str(eval_dir), "pages": len(pages), "rounds": rounds,
            "govmon_body": "text (the article body field; the lead is a separate field)",
            "extractors": results, "worst": worst}


@dataclass(frozen=True)
class VnArticle:
    source: str
    url: str
    html: str
    want: dict[str, Any]  # expected.json's fields, with "text" filled in for a real page (see vn_articles)
    real: bool


def fixture_text(source: str, url: str) -> str:
    parts = urlsplit(url)
    found = resolve([FIXTURES / source / "site"], parts.hostname or "", parts.path, parts.query)
    if found is None:
        raise FileNotFoundError(f"no fixture for {url}")
    return decode(found.read_bytes())


def expected_files() -> list[tuple[str, dict[str, Any]]]:
    files = sorted(FIXTURES.glob("*/expected.json"))
    return [(f.parent.name, json.loads(f.read_text(encoding="utf-8"))) for f in files]


def real_text(source: str, url: str, html: str, want: dict[str, Any]) -> str:
    """The text of a real page as its site rule reads it, used as ground truth only when it is the text the
    fixture's text_sha256 says a reader sees (checked here, so a drifted rule cannot become the truth)."""
    text = extract_article(html, url, load_sources()[source].article, source).text
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != want.get("text_sha256"):
        raise ValueError(f"{url}: the site rule's text no longer matches expected.json's text_sha256")
    return text


def vn_articles() -> list[VnArticle]:
    """The site fixtures' articles (constructed: expected text in expected.json) and the real corpus ones
    (text = the site rule's, verified by text_sha256); a real page missing from shared/ is left out."""
    found = []
    for source, data in expected_files():
        for url, want in data.get("articles", {}).items():
            corpus = data.get("corpus", {}).get(url)
            if corpus and not (CORPUS_DIR / corpus).is_file():
                continue
            html = decode((CORPUS_DIR / corpus).read_bytes()) if corpus else fixture_text(source, url)
            truth = real_text(source, url, html, want) if corpus else want["text"]
            found.append(VnArticle(source, url, html, want | {"text": truth}, bool(corpus)))
    return found


def vn_row(pages: Sequence[VnArticle]) -> dict[str, Any]:
    """F1 of `text` against the expected text and of lead + text against the expected lead + text; title and
    publication time exactly as expected; refusals."""
    text, both, title, published, refused = [], [], 0, 0, 0
    for page in pages:
        try:
            article = extract_generic(page.html, page.url)
        except NotContent:
            refused += 1
            text.append(score(page.want["text"], None))
            both.append(score(page.want["text"], None))
            continue
        text.append(score(page.want["text"], article.text))
        expected = "\n\n".join(p for p in (page.want.get("lead", ""), page.want["text"]) if p)
        both.append(score(expected, with_lead(article)))
        title += article.title == page.want.get("title")
        published += article.published_at == page.want.get("published_at")
    return {"pages": len(pages), "text_f1": metrics(text)["f1"], "lead_text_f1": metrics(both)["f1"],
            "text": metrics(text), "title_exact": title, "published_exact": published, "refused": refused}


def non_article_pages() -> list[tuple[str, str, str, bool]]:
    """(group, url, html, is an article) of the pages that hold no article, and of our short articles."""
    pages = [("fixture lists (constructed)", url, fixture_text(source, url), False)
             for source, data in expected_files() for url in data.get("lists", {})
             if url not in data.get("corpus", {})]
    pages += [("corpus (real)", url, decode((CORPUS_DIR / path).read_bytes()), False)
              for path, url in CORPUS_NON_ARTICLES.items() if (CORPUS_DIR / path).is_file()]
    own = FIXTURES / "not_articles"
    pages += [("not_articles (constructed)", url, (own / name).read_text(encoding="utf-8"), is_article)
              for name, (url, is_article) in OWN_PAGES.items()]
    return pages


def verdict(html: str, url: str) -> str:
    """'article' or the refusal's message."""
    try:
        extract_generic(html, url)
    except NotContent as exc:
        return str(exc)
    return "article"


def non_articles() -> dict[str, Any]:
    rows = [{"group": g, "url": u, "article": a, "verdict": verdict(h, u)} for g, u, h, a in non_article_pages()]
    groups: dict[str, dict[str, int]] = {}
    for row in rows:
        key = f"{row['group']}, {'articles' if row['article'] else 'non-articles'}"
        counts = groups.setdefault(key, {"pages": 0, "refused": 0})
        counts["pages"] += 1
        counts["refused"] += row["verdict"] != "article"
    return {"groups": groups, "pages": rows}


def govmon_date(html: str) -> str | None:
    """govmon's publication time of a page of unknown layout: declared, else printed with the headline."""
    tree = trafilatura.load_html(html)
    meta = read_meta(tree)
    return to_iso(parse_datetime(meta.published, ("%Y-%m-%d",)) or printed_date(tree, meta.title))


def htmldate_date(html: str, extensive: bool) -> str | None:
    found = htmldate.find_date(trafilatura.load_html(html), extensive_search=extensive, original_date=True,
                               outputformat="%Y-%m-%dT%H:%M:%S")
    return to_iso(parse_datetime(found, ("%Y-%m-%d",)))


DATERS: dict[str, Callable[[str], "str | None"]] = {
    "govmon (declared, else by the headline)": govmon_date,
    "htmldate fast": partial(htmldate_date, extensive=False),
    "htmldate extensive": partial(htmldate_date, extensive=True),
}


def date_row(dater: Callable[[str], "str | None"], pages: Sequence[VnArticle], bench: Sequence[Page]) -> dict[str, Any]:
    counts = {"exact": 0, "same_day": 0, "wrong": 0, "none": 0}
    start = time.perf_counter()
    for page in pages:
        got, want = dater(page.html), page.want.get("published_at")
        counts["none" if got is None else "exact" if got == want else "same_day" if got[:10] == str(want)[:10]
               else "wrong"] += 1
    vn_ms = (time.perf_counter() - start) * 1000 / max(len(pages), 1)
    start = time.perf_counter()
    for page in bench:
        dater(page.html)
    bench_ms = (time.perf_counter() - start) * 1000 / max(len(bench), 1)
    return counts | {"vn_ms_per_page": vn_ms, "benchmark_ms_per_page": bench_ms}


def vietnamese(eval_dir: Path, limit: int | None) -> dict[str, Any]:
    """Part 2 (see the module docstring)."""
    pages = vn_articles()
    bench = load_benchmark(eval_dir, limit) if (eval_dir / "ground-truth.json").is_file() else []
    articles = {"site fixtures (constructed)": vn_row([p for p in pages if not p.real]),
                "corpus (real)": vn_row([p for p in pages if p.real])}
    return {"articles": articles, "non_articles": non_articles(),
            "dates": {name: date_row(dater, [p for p in pages if p.want.get("published_at")], bench)
                      for name, dater in DATERS.items()}}


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
    print(f"(extractors alternate page by page; time = best of {q['rounds']} call(s) per page)")
    print("(4-gram shingle P/R/F1, macro over pages, ± bootstrap std; 'govmon generic' = the `text` field, the body\n"
          "as trafilatura's output is; 'govmon lead + text' adds the sapo govmon keeps as a separate `lead` field;\n"
          f"'x time' = the row's extraction time over {BASELINE}'s in this run)\n")
    print(f"{'extractor':<23}{'precision':>15}{'recall':>15}{'F1':>15}{'accuracy':>10}{'empty':>7}{'refused':>9}"
          f"{'pages/s':>9}{'x time':>8}")
    for name, m in q["extractors"].items():
        cells = "".join(f"{m[k]:>8.3f} ±{m[k + '_std']:.3f}" for k in ("precision", "recall", "f1"))
        print(f"{name:<23}{cells}{m['accuracy']:>10.3f}{m['empty']:>7}{m['not_content']:>9}{m['pages_per_s']:>9.1f}"
              f"{m['time_ratio']:>8.2f}")
    print("\nPages where govmon's F1 is furthest below trafilatura precision's (a yardstick, do not tune on them):")
    print(f"{'file':<74}{'govmon':>7}{'trafil.':>8}")
    for w in q["worst"]:
        note = "  (govmon: NotContent)" if w["govmon_not_content"] else ""
        print(f"{w['file']:<74}{w['govmon_f1']:>7.3f}{w['trafilatura_f1']:>8.3f}{note}")


def print_vietnamese(v: dict[str, Any]) -> None:
    print("\nVietnamese pages (generic extractor; F1 = the same 4-gram shingle metric)\n")
    print(f"{'articles':<34}{'pages':>6}{'text F1':>9}{'lead+text F1':>14}{'title =':>9}{'published =':>13}"
          f"{'refused':>9}")
    for name, r in v["articles"].items():
        print(f"{name:<34}{r['pages']:>6}{r['text_f1']:>9.3f}{r['lead_text_f1']:>14.3f}{r['title_exact']:>9}"
              f"{r['published_exact']:>13}{r['refused']:>9}")
    print(f"\n{'pages that hold no article (and our short articles)':<62}{'pages':>6}{'refused':>9}")
    for name, counts in v["non_articles"]["groups"].items():
        print(f"{name:<62}{counts['pages']:>6}{counts['refused']:>9}")
    for row in v["non_articles"]["pages"]:
        if row["group"] != "fixture lists (constructed)":
            print(f"  {row['url'][:70]:<72}{row['verdict'][:70]}")
    print(f"\n{'publication date of the articles':<42}{'exact':>7}{'day only':>10}{'wrong':>7}{'none':>6}"
          f"{'ms/page VN':>12}{'ms/page bench':>15}")
    for name, r in v["dates"].items():
        print(f"{name:<42}{r['exact']:>7}{r['same_day']:>10}{r['wrong']:>7}{r['none']:>6}{r['vn_ms_per_page']:>12.2f}"
              f"{r['benchmark_ms_per_page']:>15.2f}")


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
    parser.add_argument("--rounds", type=int, default=1, help="timed calls per extractor and page (best kept)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--min-seconds", type=float, default=1.0, help="timed repetitions per side and page")
    parser.add_argument("--profile", action="store_true", help="cProfile the site-specific path (to stderr)")
    args = parser.parse_args()
    if args.limit is not None and args.limit < 1 or args.rounds < 1:
        parser.error("--limit and --rounds must be at least 1")
    started, rule, pages = time.perf_counter(), load_sources()[SOURCE].article, speed_pages()
    if rule is None:
        parser.error(f"source {SOURCE} has no [article] rule")
    eval_dir = args.eval_dir.resolve()
    report: dict[str, Any] = {"quality": quality(eval_dir, args.limit, args.rounds),
                              "vietnamese": vietnamese(eval_dir, args.limit),
                              "speed": speed(pages, rule, args.min_seconds)}
    if args.profile and pages:
        profile_site(pages, rule)
    report["run_seconds"] = time.perf_counter() - started
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return
    print_quality(report["quality"])
    print_vietnamese(report["vietnamese"])
    print_speed(report["speed"], args.min_seconds)
    print(f"\nrun time {report['run_seconds']:.1f} s")


if __name__ == "__main__":
    main()
