"""Word diffs of versions: rapidfuzz's Indel opcodes (what `monitor.analysis.changes` uses) against difflib's
SequenceMatcher (what it used before), on the same word sequences, in the same run.

Pairs of versions, as `govmon diff` and alerts compare them (title, lead and text):
- real edits: the demo's recorded articles whose day-2 page says something else than day 1's;
- successive versions: each announcement text (the seeds in `../shared`, the demo's articles) edited six
  times in a row, one edit each as sites make them — a figure changed, a sentence added, a paragraph removed,
  a paragraph rewritten, two paragraphs swapped, a few typos fixed, a paragraph reworded;
- long pages: the full text of the longest real pages (vbpl.vn's Constitution, the benchmark's longest
  articles), edited the same ways.

Per engine: seconds (each pair's best of `--rounds`, the engines alternating), changed words (deleted plus
inserted, fewer is better), change runs (separate changed passages: fewer is less fragmented), hunks of
`word_diff`, and how many pairs give the same opcodes. ``opcodes`` times the matching alone on the same keys;
``word_diff`` the whole inline diff as each version of `changes.py` makes it.

    .venv/bin/python bench/diffs.py [--rounds 5] [--json]
"""
from __future__ import annotations

import argparse
import difflib
import json
import random
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Indel

from govmon.crawler.extract.article import extract_article, extract_generic
from govmon.crawler.extract.html import decode
from govmon.crawler.extract.normalize import comparison_form
from govmon.crawler.extract.types import NotContent, SelectorMismatch
from govmon.crawler.sources import load_sources
from govmon.monitor.analysis import changes

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEMO = ROOT / "monitor" / "demo" / "sites"
Pair = tuple[str, str, str]  # (kind, old, new)
Opcodes = Callable[[list[str], list[str]], list[changes.Opcode]]


# --- the two engines ------------------------------------------------------------------------------------
def difflib_opcodes(old: list[str], new: list[str]) -> list[changes.Opcode]:
    """What changes.py did before: difflib over each word's comparison form."""
    keys_old, keys_new = [comparison_form(t) for t in old], [comparison_form(t) for t in new]
    return difflib.SequenceMatcher(None, keys_old, keys_new, autojunk=False).get_opcodes()


def difflib_word_diff(old: str, new: str, limit: int = 600, max_hunks: int = 5) -> str:
    """changes.word_diff as it was, difflib's grouping included."""
    a, b = changes._tokens(old), changes._tokens(new)
    keys_old, keys_new = [comparison_form(t) for t in a], [comparison_form(t) for t in b]
    matcher = difflib.SequenceMatcher(None, keys_old, keys_new, autojunk=False)
    groups = list(matcher.get_grouped_opcodes(changes._CONTEXT))
    hunks = [changes._hunk(a, b, group) for group in groups[:max_hunks]]
    if len(groups) > max_hunks:
        hunks.append(f"(+{len(groups) - max_hunks} thay đổi khác)")
    text = "\n".join(hunks)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def core_difflib(keys_old: list[int], keys_new: list[int]) -> Any:
    return difflib.SequenceMatcher(None, keys_old, keys_new, autojunk=False).get_opcodes()


def core_indel(keys_old: list[int], keys_new: list[int]) -> Any:
    return Indel.opcodes(keys_old, keys_new)


ENGINES: dict[str, tuple[Opcodes, Callable[[str, str, int, int], str]]] = {
    "difflib": (difflib_opcodes, difflib_word_diff), "indel": (changes._opcodes, changes.word_diff)}


# --- pairs ------------------------------------------------------------------------------------------
def demo_articles() -> dict[str, dict[str, str]]:
    """day → url → title, lead and text of each recorded article page the sources' rules read."""
    sources, found = load_sources(), {}
    for day in ("day1", "day2"):
        found[day] = {}
        for page in sorted(p for p in (DEMO / day).glob("*/**/*") if p.is_file() and p.suffix not in (".rss", ".xml")):
            host = page.relative_to(DEMO / day).parts[0]
            source = next((s for s in sources.values() if host in s.hosts and s.article), None)
            url = f"https://{page.relative_to(DEMO / day)}"
            try:
                article = extract_article(decode(page.read_bytes()), url, source.article if source else None)
            except (SelectorMismatch, NotContent):
                continue
            if len(article.text) > 300:
                found[day][url] = f"{article.title}\n{article.lead}\n{article.text}"
    return found


def real_pairs(articles: dict[str, dict[str, str]]) -> list[Pair]:
    one, two = articles["day1"], articles["day2"]
    return [("real edit", one[url], two[url]) for url in sorted(one.keys() & two.keys()) if one[url] != two[url]]


def long_texts() -> list[str]:
    """The longest real texts: vbpl.vn's full text of the Constitution and the benchmark's longest articles."""
    texts = []
    for page in sorted((SHARED / "corpus" / "vbpl.vn").glob("*toanvan*.html")):
        texts.append(extract_generic(decode(page.read_bytes()), "https://vbpl.vn/").text)
    truth = SHARED / "eval" / "extraction-benchmark" / "ground-truth.json"
    if truth.is_file():
        bodies = sorted((v["articleBody"] for v in json.loads(truth.read_text(encoding="utf-8")).values()), key=len)
        texts += bodies[-3:]
    return [t for t in texts if len(t) > 5000]


def _paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n+", text) if p.strip()]


def figure(text: str, rng: random.Random) -> str:
    spots = [m.start() for m in re.finditer(r"\d", text)]
    if not spots:
        return text + " (cập nhật 2025)"
    i = rng.choice(spots)
    return text[:i] + str((int(text[i]) + rng.randint(1, 8)) % 10) + text[i + 1:]


def sentence_added(text: str, rng: random.Random) -> str:
    parts = _paragraphs(text)
    i = rng.randrange(len(parts))
    parts[i] += " Thời gian thực hiện dự kiến kéo dài đến hết quý IV năm 2025 theo kế hoạch đã được phê duyệt."
    return "\n".join(parts)


def paragraph_removed(text: str, rng: random.Random) -> str:
    parts = _paragraphs(text)
    if len(parts) > 2:
        del parts[rng.randrange(1, len(parts))]
    return "\n".join(parts)


def paragraph_rewritten(text: str, rng: random.Random) -> str:
    """A paragraph replaced by another one written anew (here: another paragraph of the text, shuffled)."""
    parts = _paragraphs(text)
    i, j = rng.randrange(len(parts)), rng.randrange(len(parts))
    words = parts[j].split()
    rng.shuffle(words)
    parts[i] = " ".join(words)
    return "\n".join(parts)


def swapped(text: str, rng: random.Random) -> str:
    parts = _paragraphs(text)
    if len(parts) > 3:
        i = rng.randrange(1, len(parts) - 1)
        parts[i], parts[i + 1] = parts[i + 1], parts[i]
    return "\n".join(parts)


def typos_fixed(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    for i in rng.sample(range(len(words)), min(len(words), 6)):
        words[i] = words[i][::-1] if len(words[i]) > 3 else words[i]
    return " ".join(words)


def reworded(text: str, rng: random.Random) -> str:
    """A third of one paragraph's words replaced by other words of the text."""
    parts, vocabulary = _paragraphs(text), text.split()
    i = max(range(len(parts)), key=lambda k: (len(parts[k]) > 200, rng.random()))
    words = parts[i].split()
    for k in rng.sample(range(len(words)), len(words) // 3):
        words[k] = rng.choice(vocabulary)
    parts[i] = " ".join(words)
    return "\n".join(parts)


EDITS = (figure, sentence_added, paragraph_removed, paragraph_rewritten, swapped, typos_fixed, reworded)


def successive(kind: str, text: str, rng: random.Random, versions: int = 6) -> list[Pair]:
    """`versions` edits in a row, one pair per step."""
    pairs = []
    for _ in range(versions):
        edit = rng.choice(EDITS)
        new = edit(text, rng)
        if new != text:
            pairs.append((f"{kind}: {edit.__name__}", text, new))
        text = new
    return pairs


def all_pairs(seed: int = 3) -> list[Pair]:
    rng, articles = random.Random(seed), demo_articles()
    seeds = [p.read_text(encoding="utf-8") for p in sorted((SHARED / "seeds").glob("*.txt"))] if SHARED.is_dir() else []
    bases = seeds + sorted(articles["day1"].values())
    pairs = real_pairs(articles)
    for text in bases:
        pairs += successive("version", text, rng)
    for text in long_texts() if SHARED.is_dir() else []:
        pairs += successive("long page", text, rng, 3)
    return pairs


# --- measures -------------------------------------------------------------------------------------------
def quality(pairs: list[Pair], engine: str) -> dict[str, Any]:
    opcodes, word_diff = ENGINES[engine]
    changed = runs = hunks = 0
    for _, old, new in pairs:
        a, b = changes._tokens(old), changes._tokens(new)
        for tag, i1, i2, j1, j2 in opcodes(a, b):
            if tag != "equal":
                changed, runs = changed + (i2 - i1) + (j2 - j1), runs + 1
        hunks += len(word_diff(old, new, 10**9, 10**9).splitlines())
    return {"changed_words": changed, "change_runs": runs, "hunks": hunks}


def _ids(old: list[str], new: list[str]) -> tuple[list[int], list[int]]:
    ids: dict[str, int] = {}
    return ([ids.setdefault(comparison_form(t), len(ids)) for t in old],
            [ids.setdefault(comparison_form(t), len(ids)) for t in new])


def timed(calls: dict[str, Callable[[], Any]], rounds: int) -> dict[str, float]:
    best = dict.fromkeys(calls, float("inf"))
    for _ in range(rounds):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def _calls(old: str, new: str) -> dict[str, Callable[[], Any]]:
    keys = _ids(changes._tokens(old), changes._tokens(new))
    return {"opcodes difflib": lambda: core_difflib(*keys), "opcodes indel": lambda: core_indel(*keys),
            "word_diff difflib": lambda: difflib_word_diff(old, new), "word_diff indel": lambda: changes.word_diff(old, new)}


def speed(pairs: list[Pair], rounds: int) -> dict[str, Any]:
    """Seconds over all pairs: the matching alone (same integer keys) and the whole word_diff."""
    totals = {"opcodes difflib": 0.0, "opcodes indel": 0.0, "word_diff difflib": 0.0, "word_diff indel": 0.0}
    for _, old, new in pairs:
        for name, seconds in timed(_calls(old, new), rounds).items():
            totals[name] += seconds
    return {"seconds": {k: round(v, 4) for k, v in totals.items()},
            "opcodes_indel_over_difflib": round(totals["opcodes indel"] / totals["opcodes difflib"], 3),
            "word_diff_indel_over_difflib": round(totals["word_diff indel"] / totals["word_diff difflib"], 3)}


def group(pairs: list[Pair], rounds: int) -> dict[str, Any]:
    words = sum(len(old.split()) + len(new.split()) for _, old, new in pairs) // (2 * max(1, len(pairs)))
    same = sum(difflib_opcodes(changes._tokens(o), changes._tokens(n)) == changes._opcodes(changes._tokens(o), changes._tokens(n))
               for _, o, n in pairs)
    return {"pairs": len(pairs), "mean_words": words, "same_opcodes": same,
            "difflib": quality(pairs, "difflib"), "indel": quality(pairs, "indel"), **speed(pairs, rounds)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    pairs = all_pairs()
    kinds = {"real edits": [p for p in pairs if p[0] == "real edit"],
             "successive versions": [p for p in pairs if p[0].startswith("version")],
             "long pages": [p for p in pairs if p[0].startswith("long page")]}
    result = {name: group(chosen, args.rounds) for name, chosen in kinds.items() if chosen}
    result["all"] = group(pairs, args.rounds)
    print(json.dumps(result, indent=None if args.json else 2, ensure_ascii=False))


if __name__ == "__main__":
    main()
