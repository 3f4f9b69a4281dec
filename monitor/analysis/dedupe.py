"""Repost clusters at scale: which articles are copies of one announcement, incrementally, in bounded memory.

Candidates come from MinHash LSH over word 3-gram shingles of the comparison form (our own vectorised
variant: numpy, 63 hash functions, 21 bands of 3); each candidate is verified on the estimated overlap of the
shingle sets (containment, so a truncated copy or one wrapped in aggregator chrome still matches) and then
passes the hard guards: two texts that state different figures or dates in the same context, cite
disjoint document numbers, or name different provinces are never one announcement, however similar —
an amendment is never swallowed as a duplicate, and a templated notice for another province stays apart.

Only each cluster's first member is indexed, with its signature, shingle count and guard facts (a few
hundred bytes), so memory grows with the number of announcements, not of copies.
"""
from __future__ import annotations

import json
import multiprocessing
import re
import zlib
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import islice
from typing import TypeVar

import numpy as np

from govmon.crawler.extract.dates import VN_TZ
from govmon.crawler.extract.normalize import comparison_form

__all__ = ["Facts", "Features", "facts_of", "features", "features_to_json", "features_from_json", "token_list", "compatible", "RepostIndex", "cluster_lines", "batched", "copy_rank", "PERMUTATIONS", "BANDS"]

T = TypeVar("T")
PERMUTATIONS, BANDS, ROWS = 63, 21, 3
CONTAINMENT = 0.6  # estimated share of the smaller text's shingles found in the other
VERIFIED = 16  # candidates checked against the hard guards, most overlapping first
PER_BAND = 64  # most recent clusters taken from one band bucket
_RNG = np.random.default_rng(20250402)
_A = _RNG.integers(1, 1 << 63, size=PERMUTATIONS, dtype=np.uint64) | np.uint64(1)  # odd multipliers
_B = _RNG.integers(0, 1 << 63, size=PERMUTATIONS, dtype=np.uint64)
_TOKEN = re.compile(r"\d+(?:[.,/]\d+)*|\w+")  # 1.200, 1/4/2025 and 71/nq-cp's number stay one token
_NUMBER = re.compile(r"\d+(?:[.,/]\d+)*")
# Sign-shaped tokens of the comparison form, for the guard only: docrefs.find_refs is exact but costs about
# ten times more, and a million texts must cluster in minutes; a guard needs "same numbers", not identities.
_SIGN = re.compile(r"\b\d+(?:/\d{4})?/[a-zđ]{1,6}(?:-[a-zđ0-9]{1,10})+|\b\d+-[a-zđ]{1,4}/[a-zđ]{1,4}\b")
_PROVINCES = (
    "hà nội|huế|lai châu|điện biên|sơn la|lạng sơn|quảng ninh|thanh hóa|nghệ an|hà tĩnh|cao bằng|tuyên quang|"
    "lào cai|thái nguyên|phú thọ|bắc ninh|hưng yên|hải phòng|ninh bình|quảng trị|đà nẵng|quảng ngãi|gia lai|"
    "khánh hòa|lâm đồng|đắk lắk|hồ chí minh|đồng nai|tây ninh|cần thơ|vĩnh long|đồng tháp|cà mau|an giang|"
    "hà giang|yên bái|bắc kạn|vĩnh phúc|hòa bình|bắc giang|thái bình|hải dương|hà nam|nam định|quảng bình|"
    "quảng nam|kon tum|bình định|ninh thuận|đắk nông|bình thuận|phú yên|bình dương|bà rịa|bình phước|long an|"
    "sóc trăng|hậu giang|bến tre|trà vinh|tiền giang|bạc liêu|kiên giang"
)
_PROVINCE = re.compile(rf"\b(?:{comparison_form(_PROVINCES)})\b")


@dataclass(frozen=True, slots=True)
class Facts:
    """What the hard guards compare: numbers by the two words before them, document signs, provinces.
    Tuples, not sets: a million of these must stay small; the guards build sets only for candidates."""

    figures: tuple[tuple[str, str], ...] = ()
    signs: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()


def facts_of(form: str, tokens: list[str]) -> Facts:
    signs = _SIGN.findall(form)
    figures = set()
    for i, token in enumerate(tokens):
        if _NUMBER.fullmatch(token) and i >= 2:
            figures.add((f"{tokens[i - 2]} {tokens[i - 1]}", token))
    return Facts(tuple(sorted(figures)), tuple(sorted(set(signs))), tuple(sorted(set(_PROVINCE.findall(form)))))


def _figures_agree(a: tuple[tuple[str, str], ...], b: tuple[tuple[str, str], ...]) -> bool:
    """Where both texts state numbers after the same two words, one text's numbers there are among the
    other's (a truncated copy states fewer); two different numbers in the same place — a one-digit
    amendment, another month, another decree — make two announcements."""
    mine: dict[str, set[str]] = defaultdict(set)
    theirs: dict[str, set[str]] = defaultdict(set)
    for context, value in a:
        mine[context].add(value)
    for context, value in b:
        theirs[context].add(value)
    return all(mine[c] <= theirs[c] or theirs[c] <= mine[c] for c in mine.keys() & theirs.keys())


def _nested(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """One set inside the other: a truncated copy names fewer, a copy in chrome may name more, but two
    announcements of different documents or provinces each name one the other does not."""
    return not a or not b or set(a) <= set(b) or set(b) <= set(a)


def compatible(a: Facts, b: Facts) -> bool:
    """The hard guards: False means never the same announcement.

    >>> one = facts_of("bổ sung kinh phí là 1.200 tỷ đồng theo nghị quyết 71/nq-cp",
    ...                "bổ sung kinh phí là 1.200 tỷ đồng theo nghị quyết 71/nq-cp".split())
    >>> two = facts_of("bổ sung kinh phí là 1.250 tỷ đồng theo nghị quyết 71/nq-cp",
    ...                "bổ sung kinh phí là 1.250 tỷ đồng theo nghị quyết 71/nq-cp".split())
    >>> compatible(one, one), compatible(one, two)
    (True, False)
    """
    if not _nested(a.signs, b.signs) or not _nested(a.provinces, b.provinces):
        return False
    return _figures_agree(a.figures, b.figures)


def _token_hashes(tokens: list[str]) -> np.ndarray:
    return np.fromiter((zlib.crc32(t.encode()) for t in tokens), dtype=np.uint64, count=len(tokens))


def shingles(tokens: list[str]) -> np.ndarray:
    """Unique 64-bit hashes of the word 3-grams (fewer than 3 words: the words themselves)."""
    h = _token_hashes(tokens)
    if len(h) >= 3:
        h = h[:-2] * np.uint64(0x9E3779B1) ^ h[1:-1] * np.uint64(0x85EBCA77) ^ h[2:]
    return np.unique(h)


def signature(hashes: np.ndarray) -> np.ndarray:
    """MinHash signature: for each hash function (multiply-shift: the high 32 bits of a·x + b mod 2^64, a
    odd), the minimum over the shingles. (a·x + b mod a prime near 2^61 on 32-bit x barely wraps and
    keeps the order of x — every function then picks the same smallest shingle.)"""
    if len(hashes) == 0:
        return np.full(PERMUTATIONS, np.iinfo(np.uint32).max, dtype=np.uint32)
    with np.errstate(over="ignore"):
        mixed = (np.outer(_A, hashes) + _B[:, None]) >> np.uint64(32)
    return mixed.min(axis=1).astype(np.uint32)


@dataclass(frozen=True)
class Features:
    """What the index keeps of a text (computed anywhere, e.g. in worker processes): a few hundred bytes."""

    signature: np.ndarray
    size: int
    facts: Facts


def features_to_json(found: Features) -> str:
    """A compact JSON form kept with each stored cluster, so the live index is rebuilt without the texts."""
    facts = found.facts
    return json.dumps({"sig": found.signature.astype(np.uint32).tobytes().hex(), "size": found.size,
                       "figures": facts.figures, "signs": facts.signs, "provinces": facts.provinces},
                      ensure_ascii=False)


def features_from_json(text: str) -> Features | None:
    try:
        data = json.loads(text)
        sig = np.frombuffer(bytes.fromhex(data["sig"]), dtype=np.uint32)
        facts = Facts(tuple(tuple(f) for f in data["figures"]), tuple(data["signs"]), tuple(data["provinces"]))
    except (ValueError, KeyError, TypeError):
        return None
    return Features(sig, int(data["size"]), facts) if len(sig) == PERMUTATIONS else None


def token_list(form: str) -> list[str]:
    """Words and whole numbers (1.200, 1/4/2025) of a comparison-form text."""
    return _TOKEN.findall(form)


def features(text: str) -> Features:
    form = comparison_form(text)
    tokens = token_list(form)
    hashes = shingles(tokens)
    return Features(signature(hashes), len(hashes), facts_of(form, tokens))


@dataclass(slots=True)
class _Entry:
    cluster: str
    size: int
    facts: Facts


@dataclass
class RepostIndex:
    """Assigns each added article to a cluster (a new one, or the cluster of a verified earlier copy)."""

    containment: float = CONTAINMENT
    bands: list[_BandTable] = field(default_factory=lambda: [_BandTable() for _ in range(BANDS)])
    entries: list[_Entry] = field(default_factory=list)
    signatures: np.ndarray = field(default_factory=lambda: np.zeros((1024, PERMUTATIONS), dtype=np.uint32))

    def add(self, key: str, text: str) -> str:
        """The cluster of `text` (named after the key of its first member)."""
        return self.add_features(key, features(text))

    def add_features(self, key: str, found: Features) -> str:
        match = self.find(found)
        if match is not None:
            return match
        self.insert(key, found)
        return key

    def find(self, found: Features, alive: Callable[[str], bool] | None = None) -> str | None:
        """The cluster a text with these features belongs to, if any (nothing is added); with `alive`, only
        among the clusters it accepts (a live index skips those that left its time window)."""
        match = self._match(found.signature, found.size, found.facts, alive)
        return match.cluster if match is not None else None

    def insert(self, key: str, found: Features) -> None:
        """Index a new cluster under `key`."""
        self._index(_Entry(key, found.size, found.facts), found.signature)

    def _candidates(self, sig: np.ndarray) -> Iterator[int]:
        """Clusters sharing a band with `sig`, the PER_BAND most recent of each band: a band shared by
        hundreds of clusters (a template's boilerplate) must not cost hundreds of lookups per article."""
        seen: set[int] = set()
        for band, table in enumerate(self.bands):
            for position in islice(table.get(_band_key(sig, band)), PER_BAND):
                if position not in seen:
                    seen.add(position)
                    yield position

    def _match(self, sig: np.ndarray, size: int, facts: Facts,
               alive: Callable[[str], bool] | None = None) -> _Entry | None:
        """The most overlapping candidate that passes the guards, trying at most VERIFIED of them: a
        templated bulletin republished daily (each issue its own cluster, figures differing) must not
        make every new issue check hundreds of old ones."""
        positions = np.fromiter(self._candidates(sig), dtype=np.int64)
        if not len(positions):
            return None
        sizes = np.fromiter((self.entries[p].size for p in positions), dtype=np.float64, count=len(positions))
        scores = _containments(sig, size, self.signatures[positions], sizes)
        order = np.lexsort((-positions, -scores))  # best overlap first; on ties the later cluster, as before
        for index in order[:VERIFIED]:
            if scores[index] < self.containment:
                return None
            entry = self.entries[int(positions[index])]
            if (alive is None or alive(entry.cluster)) and compatible(facts, entry.facts):
                return entry
        return None

    def _index(self, entry: _Entry, sig: np.ndarray) -> None:
        position = len(self.entries)
        self.entries.append(entry)
        if position == len(self.signatures):  # one contiguous array: no per-entry object overhead
            self.signatures = np.concatenate([self.signatures, np.zeros_like(self.signatures)])
        self.signatures[position] = sig
        for band, table in enumerate(self.bands):
            table.put(_band_key(sig, band), position)


def _band_key(sig: np.ndarray, band: int) -> int:
    """The rows of one band mixed into one non-zero 64-bit int."""
    a, b, c = sig[band * ROWS:(band + 1) * ROWS].tolist()
    return (((a * 0x9E3779B97F4A7C15) ^ (b * 0xC2B2AE3D27D4EB4F) ^ c) & 0xFFFFFFFFFFFFFFFF) | 1


class _BandTable:
    """An open-addressing hash table in numpy arrays: band key → the latest cluster with it, each cluster
    linking to the previous one with the same key (`previous`, four bytes per cluster). About sixteen bytes
    per cluster and band, where a dict of lists costs over a hundred — what keeps a million articles under
    1 GB. Clusters are added in position order, so `previous[position]` is that cluster's link."""

    def __init__(self, capacity: int = 1 << 12) -> None:
        self.keys = np.zeros(capacity, dtype=np.uint64)
        self.values = np.zeros(capacity, dtype=np.int32)
        self.previous = array("i")
        self.count = 0

    def _slot(self, key: int) -> int:
        mask = len(self.keys) - 1
        slot = (key >> 17) & mask
        while True:
            found = int(self.keys[slot])
            if found == 0 or found == key:
                return slot
            slot = (slot + 1) & mask

    def get(self, key: int) -> Iterator[int]:
        slot = self._slot(key)
        position = int(self.values[slot]) if int(self.keys[slot]) == key else -1
        while position != -1:
            yield position
            position = self.previous[position]

    def put(self, key: int, position: int) -> None:
        if (self.count + 1) * 10 > len(self.keys) * 7:  # load factor 0.7
            self._grow()
        slot = self._slot(key)
        if int(self.keys[slot]) == 0:
            self.keys[slot] = key
            self.count += 1
            self.previous.append(-1)
        else:
            self.previous.append(int(self.values[slot]))
        self.values[slot] = position

    def _grow(self) -> None:
        keys, values = self.keys, self.values
        self.keys = np.zeros(len(keys) * 2, dtype=np.uint64)
        self.values = np.zeros(len(keys) * 2, dtype=np.int32)
        for key, value in zip(keys[keys != 0].tolist(), values[keys != 0].tolist()):
            slot = self._slot(key)
            self.keys[slot], self.values[slot] = key, value


def _containments(sig: np.ndarray, size: int, others: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Estimated |A∩B| / min(|A|, |B|) of one signature against many (rows of `others`, set sizes
    `sizes`), from the MinHash Jaccard estimate and the set sizes, in one numpy pass."""
    jaccard = np.mean(others == sig, axis=1)
    smaller = np.minimum(float(size), sizes)
    shared = jaccard * (size + sizes) / (1 + jaccard)
    return np.divide(shared, smaller, out=np.zeros_like(shared), where=smaller > 0)


_UNKNOWN = datetime.max.replace(tzinfo=timezone.utc)


def copy_rank(published: datetime | None, official: bool, seen: datetime | None = None) -> tuple[datetime, bool]:
    """How the copies of one announcement are ordered, the first being the canonical one: the earliest
    published (else first seen; unknown last), an official source first on ties. Instants, never strings.

    >>> hanoi, utc = datetime.fromisoformat("2025-04-02T08:00+07:00"), datetime.fromisoformat("2025-04-02T02:00+00:00")
    >>> copy_rank(hanoi, False) < copy_rank(utc, True)  # 01:00 UTC is earlier, whatever the offsets say as text
    True
    >>> copy_rank(utc, True) < copy_rank(utc, False) < copy_rank(None, True)
    True
    """
    return published or seen or _UNKNOWN, not official


def _published(value: object) -> datetime | None:
    """An ISO time of a batch row (without an offset: Asia/Ho_Chi_Minh), or None when absent or unreadable."""
    try:
        moment = datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None
    return moment.replace(tzinfo=VN_TZ) if moment is not None and moment.tzinfo is None else moment


@dataclass(slots=True)
class _Canonical:
    key: str
    rank: tuple[datetime, bool]  # copy_rank: smaller is better


def _rank(row: dict[str, str], official: frozenset[str]) -> tuple[datetime, bool]:
    host = str(row.get("url", "")).split("/")[2] if "://" in str(row.get("url", "")) else ""
    is_official = str(row.get("source", "")) in official or host.endswith((".gov.vn", "chinhphu.vn"))
    return copy_rank(_published(row.get("published_at")), is_official)


def _text(row: dict[str, str]) -> str:
    return f"{row.get('title', '')}\n{row.get('text', '')}"


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of `size` items in order, the last one shorter (itertools.batched, which needs Python 3.12)."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def cluster_lines(rows: Iterable[dict[str, str]], official: frozenset[str] = frozenset(),
                  workers: int = 1) -> Iterator[dict[str, str]]:
    """`govmon dedupe --jsonl`: {"id", "url", "source", "title", "text", "published_at"} rows in, one
    {"id", "cluster", "canonical"} per row out, in input order, once all rows are read. The canonical copy is
    the earliest published, an official source first on ties. Features are computed `workers` processes at
    a time, a bounded batch at a time; memory holds the index (per cluster) and one (id, cluster) pair per
    row — never the texts."""
    index, members, canonical = RepostIndex(), [], {}
    pool = multiprocessing.get_context("spawn").Pool(workers) if workers > 1 else None
    try:
        for batch in batched(rows, 1024):
            texts = [_text(row) for row in batch]
            found = pool.map(features, texts, chunksize=64) if pool else [features(t) for t in texts]
            for row, feats in zip(batch, found):
                key = str(row["id"])
                cluster = index.add_features(key, feats)
                members.append((key, cluster))
                rank = _rank(row, official)
                if cluster not in canonical or rank < canonical[cluster].rank:
                    canonical[cluster] = _Canonical(key, rank)
    finally:
        if pool:
            pool.close()
            pool.join()
    for key, cluster in members:
        yield {"id": key, "cluster": cluster, "canonical": canonical[cluster].key}
