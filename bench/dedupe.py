"""Repost clustering: quality on a labelled repost corpus and cost at scale, next to baselines in the same run.

Quality: from real announcement texts (the seeds when `../shared` is present, the demo's recorded articles,
our fixtures) the generator makes copies as sites make them — aggregator chrome added, headline changed,
truncated, paragraphs reordered, typos, NFD, old tone style — and hard negatives: the same text with other
figures, another province, another document number, and one-digit amendments. Pairwise precision and
recall of `monitor.analysis.dedupe.RepostIndex` and of a plain datasketch MinHashLSH (no guards).

Scale: synthetic announcements (three copies each) built from the same vocabulary; wall time and peak
resident memory of each size in a fresh child process; time(100k)/time(10k). rapidfuzz all-pairs on 1,000
articles shows why candidates matter.

    .venv/bin/python bench/dedupe.py [--sizes 10000 100000] [--full] [--json]

`--full` adds the one-million run (minutes). Targets: P ≥ 0.99, R ≥ 0.97, 1M ≤ 10 min and ≤ 1 GB,
time(100k)/time(10k) ≤ 11.

Borderline matches (`--borderline` runs this part alone; it runs first in every run): the MinHash
containment estimate is noisy near its threshold (0.6). Candidates whose estimate lies within BAND are
confirmed on the texts by a similarity — rapidfuzz's `fuzz.token_set_ratio`, `Indel.normalized_similarity`
or `LCSseq` containment on the folded token lists, or the exact shingle containment the estimate stands
for — and P/R and time compared with the index as it is, on the labelled corpus and on a stress set built to
sit near the threshold (copies with a fifth of their words reworded, excerpts inside large aggregator
chrome, heavy typos; and follow-up articles quoting half of an earlier one, which are other announcements).
"""
from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import resource
import subprocess
import sys
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from datasketch import MinHash, MinHashLSH
from rapidfuzz import fuzz
from rapidfuzz.distance import Indel, LCSseq

from govmon.crawler.extract.article import extract_article
from govmon.crawler.extract.normalize import comparison_form
from govmon.crawler.extract.types import NotContent, SelectorMismatch
from govmon.crawler.sources import load_sources
from govmon.monitor.analysis.dedupe import (
    CONTAINMENT,
    VERIFIED,
    Features,
    RepostIndex,
    _containments,
    _Entry,
    cluster_lines,
    compatible,
    features,
    shingles,
    token_list,
)

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CHROME = ("Same tag\n\nSame category\n\nComment (0)\n\nNo data", "Tin liên quan\n\nXem thêm các tin khác",
          "(Chinhphu.vn) -", "Chia sẻ: Facebook Zalo\n\nTheo dõi chúng tôi trên Google News")
PROVINCES = ("Gia Lai", "Đắk Lắk", "Quảng Ninh", "Nghệ An", "Cà Mau", "Lào Cai", "Đồng Nai", "Tây Ninh")
OLD_TONES = {"hòa": "hoà", "thủy": "thuỷ", "hóa": "hoá", "khỏe": "khoẻ", "úy": "uý", "tùy": "tuỳ"}


def base_texts() -> list[str]:
    """Real announcement texts to vary: seeds (shared/), the demo's recorded articles, our fixtures."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((SHARED / "seeds").glob("*.txt"))] if SHARED.is_dir() else []
    sources = load_sources()
    pages = [*(ROOT / "monitor" / "demo" / "sites" / "day1").glob("*/*"), *(ROOT / "tests" / "crawler" / "fixtures").glob("*/site/*/*")]
    for page in sorted(p for p in pages if p.is_file() and p.suffix not in (".pdf", ".docx", ".rss", ".xml")):
        source = next((s for s in sources.values() if page.parent.name in s.hosts and s.article), None)
        if source is None:
            continue
        try:
            article = extract_article(page.read_text(encoding="utf-8"), f"https://{page.parent.name}/{page.name}",
                                      source.article, source.name)
        except (SelectorMismatch, NotContent, UnicodeDecodeError):
            continue
        if len(article.text) > 400:
            texts.append(f"{article.title}\n\n{article.lead}\n\n{article.text}")
    return _distinct(list(dict.fromkeys(texts)))


def _distinct(texts: list[str]) -> list[str]:
    """Drop texts that are themselves reposts of an earlier one (the demo records reposts on purpose)."""
    kept: list[tuple[str, set[str]]] = []
    for text in texts:
        words = comparison_form(text).split()
        grams = {" ".join(words[i:i + 3]) for i in range(max(1, len(words) - 2))}
        if all(len(grams & other) < 0.3 * min(len(grams), len(other)) for _, other in kept):
            kept.append((text, grams))
    return [text for text, _ in kept]


# --- copies a site would make -------------------------------------------------------------------------
def _paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]


def with_chrome(text: str, rng: random.Random) -> str:
    return f"{rng.choice(CHROME)}\n\n{text}\n\n{rng.choice(CHROME)}"


def new_headline(text: str, rng: random.Random) -> str:
    first, _, rest = text.strip().partition("\n")
    return f"{rng.choice(['Toàn văn:', 'Tin mới:', 'Chính phủ:'])} {first[:60]}\n{rest}"


def truncated(text: str, rng: random.Random) -> str:
    parts = _paragraphs(text)
    return "\n\n".join(parts[: max(2, int(len(parts) * rng.uniform(0.6, 0.9)))])


def reordered(text: str, rng: random.Random) -> str:
    parts = _paragraphs(text)
    head, body = parts[:1], parts[1:]
    if len(body) > 2:
        i = rng.randrange(len(body) - 1)
        body[i], body[i + 1] = body[i + 1], body[i]
    return "\n\n".join(head + body)


def typos(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(max(1, len(chars) // 400)):
        i = rng.randrange(len(chars) - 1)
        if chars[i].isalpha() and chars[i + 1].isalpha():
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars)


def nfd(text: str, rng: random.Random) -> str:
    return unicodedata.normalize("NFD", text)


def old_tones(text: str, rng: random.Random) -> str:
    for new, old in OLD_TONES.items():
        text = text.replace(new, old)
    return text


COPIES: tuple[Callable[[str, random.Random], str], ...] = (with_chrome, new_headline, truncated, reordered, typos, nfd, old_tones)


# --- hard negatives: another announcement that looks the same ---------------------------------------------
def other_figures(text: str, rng: random.Random) -> str | None:
    digits = [i for i, c in enumerate(text) if c.isdigit()]
    if len(digits) < 3:
        return None
    chars = list(text)
    for i in rng.sample(digits, max(2, len(digits) // 3)):
        chars[i] = str((int(chars[i]) + rng.randint(1, 8)) % 10)
    return "".join(chars)


def one_digit(text: str, rng: random.Random) -> str | None:
    numbers = [i for i, c in enumerate(text) if c.isdigit() and i > 2 and text[i - 1] in ".," and text[i - 2].isdigit()]
    if not numbers:
        return None
    i = rng.choice(numbers)
    return text[:i] + str((int(text[i]) + 5) % 10) + text[i + 1:]


def other_province(text: str, rng: random.Random) -> str | None:
    """The same notice for another province (only for texts that name one)."""
    found = [p for p in PROVINCES if p in text]
    if not found:
        return None
    target = rng.choice([p for p in PROVINCES if p not in found])
    return text.replace(found[0], target)


def other_document(text: str, rng: random.Random) -> str | None:
    match = re.search(r"\b(\d{1,4})(/(?:\d{4}/)?[A-ZĐ]{1,5}-[A-ZĐa-z]{1,8}|-NQ/TW)", text)
    if not match:
        return None
    number = str(int(match.group(1)) + rng.randint(1, 40))
    return text.replace(match.group(0), number + match.group(2))


NEGATIVES = (other_figures, one_digit, other_province, other_document)


def labelled_corpus(seed: int = 7) -> list[tuple[str, str, str]]:
    """(id, truth, text) rows: each base text, its copies (same truth) and its hard negatives (own truth)."""
    rng, rows = random.Random(seed), []
    for n, base in enumerate(base_texts()):
        rows.append((f"b{n}", f"b{n}", base))
        for k, copy in enumerate(COPIES):
            rows.append((f"b{n}c{k}", f"b{n}", copy(base, rng)))
        rows.append((f"b{n}cc", f"b{n}", truncated(with_chrome(nfd(base, rng), rng), rng)))
        for k, negative in enumerate(NEGATIVES):
            text = negative(base, rng)
            if text and text != base:
                rows.append((f"b{n}n{k}", f"b{n}n{k}", text))
    rng.shuffle(rows)
    return rows


def pairwise(rows: list[tuple[str, str, str]], predicted: dict[str, str]) -> dict[str, float]:
    """Pairwise precision/recall: a pair is positive when both rows share a truth / a predicted cluster."""
    tp = fp = fn = 0
    for (a, ta, _), (b, tb, _) in itertools.combinations(rows, 2):
        same, said = ta == tb, predicted[a] == predicted[b]
        tp, fp, fn = tp + (same and said), fp + (said and not same), fn + (same and not said)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "pairs_true": tp + fn, "false_pos": fp,
            "false_neg": fn}


def govmon_clusters(rows: list[tuple[str, str, str]]) -> dict[str, str]:
    index = RepostIndex()
    return {key: index.add(key, text) for key, _, text in rows}


def datasketch_clusters(rows: list[tuple[str, str, str]], threshold: float = 0.5) -> dict[str, str]:
    """The plain pipeline: MinHash of word 3-grams, MinHashLSH, first match wins, no guards."""
    lsh, clusters = MinHashLSH(threshold=threshold, num_perm=64), {}
    for key, _, text in rows:
        words = comparison_form(text).split()
        signature = MinHash(num_perm=64)
        signature.update_batch([" ".join(words[i:i + 3]).encode() for i in range(max(1, len(words) - 2))])
        found = lsh.query(signature)
        clusters[key] = clusters[found[0]] if found else key
        lsh.insert(key, signature)
    return clusters


# --- borderline matches: a similarity on the texts where the estimate is unsure ------------------------
BAND = (0.45, 0.75)


@dataclass
class Folded:
    """What a confirmation compares: the folded tokens and their shingles."""

    tokens: list[str]
    shingles: np.ndarray


def folded(text: str) -> Folded:
    tokens = token_list(comparison_form(text))
    return Folded(tokens, shingles(tokens))


def exact_containment(a: Folded, b: Folded) -> bool:
    smaller = min(len(a.shingles), len(b.shingles))
    return smaller > 0 and len(np.intersect1d(a.shingles, b.shingles, assume_unique=True)) >= CONTAINMENT * smaller


def lcs_containment(a: Folded, b: Folded) -> bool:
    smaller = min(len(a.tokens), len(b.tokens))
    return smaller > 0 and LCSseq.similarity(a.tokens, b.tokens) >= CONTAINMENT * smaller


def indel_similarity(a: Folded, b: Folded) -> bool:
    return Indel.normalized_similarity(a.tokens, b.tokens) >= 0.5


def token_set(a: Folded, b: Folded) -> bool:
    return fuzz.token_set_ratio(" ".join(a.tokens), " ".join(b.tokens)) >= 90


CONFIRMS: dict[str, Callable[[Folded, Folded], bool]] = {
    "exact shingle containment": exact_containment, "rapidfuzz LCSseq containment": lcs_containment,
    "rapidfuzz Indel.normalized_similarity": indel_similarity, "rapidfuzz token_set_ratio": token_set}


@dataclass
class ConfirmedIndex(RepostIndex):
    """RepostIndex whose candidates with an estimate within `band` are confirmed on the texts by `confirm`
    (the first member's text is kept per cluster: what the live index avoids keeping)."""

    confirm: Callable[[Folded, Folded], bool] | None = None
    band: tuple[float, float] = BAND
    texts: dict[str, Folded] = field(default_factory=dict)
    current: Folded | None = None

    def add(self, key: str, text: str) -> str:
        self.current = folded(text)
        cluster = self.add_features(key, features(text))
        if cluster == key:
            self.texts[key] = self.current
        return cluster

    def _match(self, sig: np.ndarray, size: int, facts: Any, alive: Any = None) -> _Entry | None:
        positions = np.fromiter(self._candidates(sig), dtype=np.int64)
        if not len(positions):
            return None
        sizes = np.fromiter((self.entries[p].size for p in positions), dtype=np.float64, count=len(positions))
        scores = _containments(sig, size, self.signatures[positions], sizes)
        for index in np.lexsort((-positions, -scores))[:VERIFIED]:
            if scores[index] < self.band[0]:
                return None
            entry = self.entries[int(positions[index])]
            if self._confirmed(float(scores[index]), entry) and compatible(facts, entry.facts):
                return entry
        return None

    def _confirmed(self, score: float, entry: _Entry) -> bool:
        if score >= self.band[1]:
            return True
        assert self.confirm is not None and self.current is not None
        return self.confirm(self.current, self.texts[entry.cluster])


def reworded(text: str, rng: random.Random, others: list[str]) -> str:
    """An eighth to a fifth of the words replaced by other words of the text (a rewrite that keeps the story)."""
    words = text.split(" ")
    for i in rng.sample(range(len(words)), int(len(words) * rng.uniform(1 / 8, 1 / 5))):
        words[i] = rng.choice(words)
    return " ".join(words)


def excerpt_in_chrome(text: str, rng: random.Random, others: list[str]) -> str:
    """The first paragraphs inside an aggregator page: menus, related headlines, footer."""
    parts = _paragraphs(text)
    chrome = "\n\n".join(rng.choice(CHROME) for _ in range(2))
    headlines = "\n".join(_paragraphs(rng.choice(others))[0][:80] for _ in range(rng.randint(1, 3)))
    return f"{chrome}\n\n" + "\n\n".join(parts[: max(2, len(parts) // 2)]) + f"\n\n{headlines}\n\n{chrome}"


def heavy_typos(text: str, rng: random.Random, others: list[str]) -> str:
    chars = list(text)
    for _ in range(max(1, len(chars) // rng.randint(12, 30))):
        i = rng.randrange(len(chars) - 1)
        if chars[i].isalpha() and chars[i + 1].isalpha():
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
    return "".join(chars)


def follow_up(text: str, rng: random.Random, others: list[str]) -> str:
    """Another announcement that quotes half of an earlier one and adds as much of its own."""
    parts, other = _paragraphs(text), _paragraphs(rng.choice([b for b in others if b != text] or [text]))
    return "\n\n".join(parts[: max(1, len(parts) // 2)] + other[len(other) // 2:])


def stress_corpus(seed: int = 5) -> list[tuple[str, str, str]]:
    """(id, truth, text): each base text, three near-threshold copies, one follow-up (its own truth)."""
    rng, rows, bases = random.Random(seed), [], base_texts()
    for n, base in enumerate(bases):
        rows.append((f"b{n}", f"b{n}", base))
        for k, copy in enumerate((reworded, excerpt_in_chrome, heavy_typos)):
            rows.append((f"b{n}c{k}", f"b{n}", copy(base, rng, bases)))
        rows.append((f"b{n}f", f"b{n}f", follow_up(base, rng, bases)))
    rng.shuffle(rows)
    return rows


def confirmed_clusters(rows: list[tuple[str, str, str]], confirm: Callable[[Folded, Folded], bool] | None) -> dict[str, str]:
    index = ConfirmedIndex(confirm=confirm, band=BAND if confirm else (CONTAINMENT, CONTAINMENT))
    return {key: index.add(key, text) for key, _, text in rows}


def borderline(rows: list[tuple[str, str, str]], rounds: int = 3) -> dict[str, Any]:
    """P/R and seconds (best of `rounds`, the engines alternating) of the index as it is and with each
    confirmation; `in_band`: candidates whose estimate fell within the band (what a confirmation sees)."""
    engines: dict[str, Callable[[Folded, Folded], bool] | None] = {"as it is": None, **CONFIRMS}
    best, found = dict.fromkeys(engines, float("inf")), {}
    for _ in range(rounds):
        for name, confirm in engines.items():
            start = time.perf_counter()
            found[name] = confirmed_clusters(rows, confirm)
            best[name] = min(best[name], time.perf_counter() - start)
    result = {name: {**pairwise(rows, found[name]), "seconds": round(best[name], 3),
                     "x_as_it_is": round(best[name] / best["as it is"], 2)} for name in engines}
    return {"rows": len(rows), "in_band": in_band(rows), **result}


def in_band(rows: list[tuple[str, str, str]]) -> int:
    """Candidates (of the VERIFIED best) whose estimate lies within the band, over the whole corpus."""
    index, count = RepostIndex(), 0
    for key, _, text in rows:
        found: Features = features(text)
        positions = np.fromiter(index._candidates(found.signature), dtype=np.int64)
        if len(positions):
            sizes = np.array([index.entries[p].size for p in positions], dtype=np.float64)
            scores = _containments(found.signature, found.size, index.signatures[positions], sizes)
            count += int(np.sum((scores >= BAND[0]) & (scores < BAND[1])))
        index.add_features(key, found)
    return count


# --- scale --------------------------------------------------------------------------------------------
def synthetic(count: int, seed: int = 11) -> Iterator[tuple[str, str]]:
    """`count` articles: announcements of ~250 words from the real vocabulary, three copies each."""
    rng = random.Random(seed)
    words = [w for text in base_texts() for w in text.split() if w.isalpha()] or ["nghị", "quyết", "chính", "phủ"]
    for n in range(0, count, 3):
        text = " ".join(rng.choice(words) for _ in range(250)) + f" Văn bản số {n}/NQ-CP."
        for k in range(min(3, count - n)):
            yield f"s{n + k}", (text if k == 0 else with_chrome(text, rng) if k == 1 else truncated(text.replace(". ", ".\n\n"), rng))


def run_scale(count: int, engine: str) -> dict[str, Any]:
    start = time.perf_counter()
    if engine == "govmon":
        rows = ({"id": key, "text": text} for key, text in synthetic(count))
        clusters = len({line["cluster"] for line in cluster_lines(rows, workers=2)})
    else:
        rows = [(key, key, text) for key, text in synthetic(count)]
        clusters = len(set(datasketch_clusters(rows).values()))
    seconds = time.perf_counter() - start
    peak_mb = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024
    return {"articles": count, "engine": engine, "seconds": round(seconds, 2), "peak_rss_mb": round(peak_mb),
            "clusters": clusters}


def scale_in_child(count: int, engine: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--child", str(count), engine], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    return json.loads(done.stdout)


def all_pairs_seconds(count: int) -> float:
    texts = [comparison_form(text)[:3000] for _, text in synthetic(count)]
    start = time.perf_counter()
    for a, b in itertools.combinations(texts, 2):
        fuzz.ratio(a, b, score_cutoff=80)
    return round(time.perf_counter() - start, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--full", action="store_true", help="also cluster one million articles")
    parser.add_argument("--borderline", action="store_true", help="only the borderline comparison")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_scale(int(args.child[0]), args.child[1])))
        return
    rows = labelled_corpus()
    result: dict[str, Any] = {"borderline": {"band": BAND, "labelled": borderline(rows), "stress": borderline(stress_corpus())}}
    if not args.borderline:
        result.update(quality_and_scale(rows, args.sizes, args.full))
    print(json.dumps(result, indent=None if args.json else 2, ensure_ascii=False))


def quality_and_scale(rows: list[tuple[str, str, str]], sizes: list[int], full: bool) -> dict[str, Any]:
    result: dict[str, Any] = {
        "labelled_rows": len(rows),
        "quality": {"govmon": pairwise(rows, govmon_clusters(rows)), "datasketch_plain": pairwise(rows, datasketch_clusters(rows))},
        "scale": [scale_in_child(n, "govmon") for n in [*sizes, *([1_000_000] if full else [])]],
        "scale_datasketch": [scale_in_child(sizes[0], "datasketch")] if sizes else [],
        "rapidfuzz_all_pairs_seconds_1000": all_pairs_seconds(1000),
    }
    seconds = {row["articles"]: row["seconds"] for row in result["scale"]}
    if 10_000 in seconds and 100_000 in seconds:
        result["time_100k_over_10k"] = round(seconds[100_000] / seconds[10_000], 2)
    return result


if __name__ == "__main__":
    main()
