"""Document-number recogniser: the shared yardstick, our own cases, field conventions and properties.

The yardstick (shared/docrefs-examples.jsonl and shared/docrefs-more-examples.jsonl, 78 labelled real
passages) is read at run time and never copied into the repo; the test is skipped when the files are
absent. Conventions: shared/design/DOCNUMBERS.md Part B. Relation wording families: test_relations.py.
"""
from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govmon.crawler.extract.docrefs import (
    canonical_id,
    extract,
    find_partial_refs,
    find_refs,
    find_relations,
)
from govmon.crawler.extract.types import DocRef

HERE = Path(__file__).resolve().parent
CASES = HERE / "data" / "docrefs_cases.jsonl"
SHARED = next((p / "shared" for p in HERE.parents if (p / "shared/docrefs-examples.jsonl").exists()), None)
EXAMPLE_FILES = ("docrefs-examples.jsonl", "docrefs-more-examples.jsonl")


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _triples(rels: list[Any]) -> set[tuple[str, str, str]]:
    return {(r["from"], r["rel"], r["to"]) if isinstance(r, dict) else (r.from_id, r.rel, r.to_id) for r in rels}


class _PR:
    """Micro-averaged precision/recall over per-passage sets."""

    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0

    def add(self, pred: set[Any], gold: set[Any]) -> None:
        self.tp += len(pred & gold)
        self.fp += len(pred - gold)
        self.fn += len(gold - pred)

    @property
    def p(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def r(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def __str__(self) -> str:
        return f"P={self.p:.3f} R={self.r:.3f} (tp={self.tp} fp={self.fp} fn={self.fn})"


# --- 1. the shared yardstick ------------------------------------------------------------------------
def _examples() -> list[dict[str, Any]]:
    """Every labelled passage of the shared example files that are present."""
    if SHARED is None:
        return []
    return [rec for name in EXAMPLE_FILES if (SHARED / name).exists() for rec in _jsonl(SHARED / name)]


def test_examples_yardstick(capsys: pytest.CaptureFixture[str]) -> None:
    records = _examples()
    if not records:
        pytest.skip("shared/docrefs-examples.jsonl not found")
    ids, typed, rels, partial = _PR(), _PR(), _PR(), _PR()
    kinds: dict[str, _PR] = {}
    for rec in records:
        refs, parts, found = extract(rec["text"])
        ids.add({r.id for r in refs}, {g["id"] for g in rec["refs"]})
        typed.add({(r.id, r.type) for r in refs}, {(g["id"], g["type"]) for g in rec["refs"]})
        rels.add(_triples(found), _triples(rec["relations"]))
        for kind in {t[1] for t in _triples(found) | _triples(rec["relations"])}:
            kinds.setdefault(kind, _PR()).add({t for t in _triples(found) if t[1] == kind},
                                              {t for t in _triples(rec["relations"]) if t[1] == kind})
        partial.add({(p.raw, p.number) for p in parts}, {(g["raw"], g["number"]) for g in rec["partial_refs"]})
    with capsys.disabled():
        print(f"\n[docrefs yardstick: {len(records)} passages] ids {ids} | ids+type {typed} | relations {rels} | "
              f"partial {partial}\n  " + " | ".join(f"{kind} {kinds[kind]}" for kind in sorted(kinds)))
    assert ids.p >= 0.98 and ids.r >= 0.98, f"ids {ids}"
    assert rels.p >= 0.95 and rels.r >= 0.9, f"relations {rels}"


# --- 2. our own cases -------------------------------------------------------------------------------
@pytest.mark.parametrize("case", _jsonl(CASES), ids=lambda c: c["text"][:40])
def test_own_cases(case: dict[str, Any]) -> None:
    refs, _, rels = extract(case["text"])
    assert [r.id for r in refs] == case["ids"]
    assert _triples(rels) == _triples(case["relations"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Căn cứ Nghị định số 13/2023/NĐ-CP ngày 17 tháng 4 năm 2023 của Chính phủ",
            DocRef("Nghị định số 13/2023/NĐ-CP", "nghị định", "13", 2023, "NĐ-CP", "13/2023/NĐ-CP", "2023-04-17"),
        ),
        (
            "Decision No. 598/QD-TTG dated June 03, 2020",
            DocRef("Decision No. 598/QD-TTG", "quyết định", "598", None, "QĐ-TTg", "598/QĐ-TTg", "2020-06-03"),
        ),
        (
            "Thủ tướng có Công văn (số 73/TTg-CN) gửi các bộ",
            DocRef("số 73/TTg-CN", "công văn", "73", None, "TTg-CN", "73/TTg-CN", None),
        ),
        (
            "Official Telegram No. 12/CD-TTg",
            DocRef("Official Telegram No. 12/CD-TTg", "công điện", "12", None, "CĐ-TTg", "12/CĐ-TTg", None),
        ),
        (
            "Ngày 9/1/2025, Chính phủ ban hành Nghị quyết 03/NQ-CP",
            DocRef("Nghị quyết 03/NQ-CP", "nghị quyết", "03", None, "NQ-CP", "03/NQ-CP", "2025-01-09"),
        ),
        (
            "Số: 18/2025/QH15\n\nHà Nội, ngày 19 tháng 2 năm 2025\n\nLUẬT",
            DocRef("Số: 18/2025/QH15", "luật", "18", 2025, "QH15", "18/2025/QH15", "2025-02-19"),
        ),
        (
            "Văn bản 71-HD/BTGTW của Ban Tuyên giáo",
            DocRef("Văn bản 71-HD/BTGTW", "hướng dẫn", "71", None, "HD/BTGTW", "71-HD/BTGTW", None),
        ),
        (
            "Công điện 480/CT-TTg",
            DocRef("Công điện 480/CT-TTg", "công điện", "480", None, "CT-TTg", "480/CT-TTg", None),
        ),
    ],
)
def test_fields_follow_part_b(text: str, expected: DocRef) -> None:
    (ref,) = find_refs(text)
    assert ref == expected
    assert text[ref.start : ref.end] == ref.raw


def test_effective_dates_and_undated_days_give_no_date() -> None:
    refs = find_refs("Nghị định 13/2023/NĐ-CP có hiệu lực từ ngày 1/7/2023; Công điện 92/CĐ-TTg ngày 26/9")
    assert [r.date for r in refs] == [None, None]


def test_partial_refs() -> None:
    text = "Nghị quyết 57 và Công điện số 173; Decision No. 942; chỉ thị 16; Nghị quyết 128/NQ-CP; Luật Đất đai 2024"
    found = [(p.raw, p.type, p.number) for p in find_partial_refs(text)]
    assert found == [
        ("Nghị quyết 57", "nghị quyết", "57"),
        ("Công điện số 173", "công điện", "173"),
        ("Decision No. 942", "quyết định", "942"),
        ("chỉ thị 16", "chỉ thị", "16"),
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13/2023/NĐ-CP", "13/2023/NĐ-CP"),
        ("Nghị quyết số 03/NQ-CP", "03/NQ-CP"),
        ("  57-nq/tw ", "57-NQ/TW"),
        ("57/NQ-TW", "57-NQ/TW"),
        ("13 / 2023 / NÐ – CP", "13/2023/NĐ-CP"),
        ("1234/BTC", "1234/BTC"),
        ("nghi-dinh-138-2020-ND-CP-194910-d1.html", "138/2020/NĐ-CP"),
        ("Quyết_định_05-2025-QĐ-TTg", "05/2025/QĐ-TTg"),
        ("03/NQ-CP và 04/NQ-CP", None),
        ("22/12/2024", None),
        ("COVID-19", None),
        ("Nghị quyết 57", None),
        ("", None),
    ],
)
def test_canonical_id(raw: str, expected: str | None) -> None:
    assert canonical_id(raw) == expected


def test_relations_carry_evidence_and_accept_given_refs() -> None:
    text = "Mở đầu. Nghị quyết số 71/NQ-CP sửa đổi Nghị quyết số 03/NQ-CP. Câu khác."
    (rel,) = find_relations(text, find_refs(text))
    assert (rel.from_id, rel.rel, rel.to_id) == ("71/NQ-CP", "amends", "03/NQ-CP")
    assert rel.evidence == "Nghị quyết số 71/NQ-CP sửa đổi Nghị quyết số 03/NQ-CP."
    assert find_relations(text, []) == []


def test_a_relation_reaches_every_coordinated_reference_and_stops_at_the_first_other() -> None:
    text = ("Nghị định 13/2023/NĐ-CP thay thế Nghị định 52/2013/NĐ-CP, Nghị định 47/2020/NĐ-CP và Nghị định "
            "85/2021/NĐ-CP. Theo Nghị quyết 03/NQ-CP, Nghị định 13/2023/NĐ-CP có hiệu lực.")
    assert [(r.from_id, r.rel, r.to_id) for r in find_relations(text)] == [
        ("13/2023/NĐ-CP", "replaces", "52/2013/NĐ-CP"), ("13/2023/NĐ-CP", "replaces", "47/2020/NĐ-CP"),
        ("13/2023/NĐ-CP", "replaces", "85/2021/NĐ-CP")]


# --- 3. properties ----------------------------------------------------------------------------------
FRAGMENTS = [
    "Nghị quyết số 03/NQ-CP", "Nghị định 13/2023/NĐ-CP", "57-NQ/TW", "Luật số 60/2020/QH14", "Decree 13/2023/ND-CP",
    "NÐ-CP", "13 / 2023 / NĐ–CP", "ngày 9/1/2025", "ngày 17 tháng 4 năm 2023", "sửa đổi, bổ sung", "thực hiện",
    "Đề án", "đồng/m3", "COVID-19", "3/5", "12/2023", "Số:", "\u00ad", "\u200b", "\u00a0", "\n", " ", ", ", ". ",
    "Thủ tướng Chính phủ", "ủy ban nhân dân", "qđ-ttg", "Ư", "ư", "\u0301", "\u0323", "\u031b", "/", "-", "–",
]
VI_TEXT = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=25).map("".join)


def _swap_d(text: str) -> str:
    return text.replace("Đ", "Ð").replace("đ", "ð")


def _check_offsets(text: str) -> None:
    refs, parts, _ = extract(text)
    assert all(text[r.start : r.end] == r.raw for r in refs)
    assert all(p.raw in text for p in parts)


@given(st.text())
def test_never_raises_on_arbitrary_text(text: str) -> None:
    extract(text)
    canonical_id(text)


@settings(max_examples=300)
@given(st.one_of(VI_TEXT, st.text()))
def test_ids_stable_under_nfd_and_eth(text: str) -> None:
    ids = [r.id for r in find_refs(text)]
    assert [r.id for r in find_refs(unicodedata.normalize("NFD", text))] == ids
    assert [r.id for r in find_refs(unicodedata.normalize("NFC", text))] == ids
    assert [r.id for r in find_refs(_swap_d(text))] == ids


@settings(max_examples=300)
@given(st.one_of(VI_TEXT, st.text()))
def test_offsets_slice_raw_back(text: str) -> None:
    for variant in (text, unicodedata.normalize("NFD", text), _swap_d(text)):
        _check_offsets(variant)


_NUMBERS = st.integers(min_value=0, max_value=9999)
_LEADS = st.sampled_from(["", "ngày ", "Ngày ", "tỷ lệ ", "đạt ", "số ", "khoảng ", "lúc ", "tỷ số ", "On ", "phiếu "])
_TAILS = st.sampled_from(["", ".", " tỷ đồng.", " phiếu tán thành", " (UTC+7)", "%", " người"])


@settings(max_examples=400)
@given(_LEADS, _NUMBERS, _NUMBERS, st.one_of(st.none(), st.integers(min_value=1900, max_value=2100)), _TAILS)
def test_dates_fractions_and_counts_are_never_references(lead: str, a: int, b: int, year: int | None, tail: str) -> None:
    number = f"{a}/{b}" + (f"/{year}" if year else "")
    for text in (f"{lead}{number}{tail}", f"{lead}{a}:{b}{tail}", f"{lead}{a}.{b:03d}{tail}", f"{lead}{a}-{b}{tail}"):
        assert find_refs(text) == [], text
