"""Word diffs and significance of article edits."""
from __future__ import annotations

import difflib
import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from govmon.crawler.extract.normalize import comparison_form
from govmon.monitor.analysis.changes import _grouped, is_significant, word_diff, word_opcodes


def test_figure_and_sentence_change_show_in_the_diff():
    old = "Tổng vốn 1.200 tỷ đồng. Dự án hoàn thành năm 2026."
    new = "Tổng vốn 1.250 tỷ đồng. Dự án dự kiến hoàn thành trong năm 2027."
    diff = word_diff(old, new)
    assert "[-1.200-] {+1.250+}" in diff and "2027" in diff
    assert is_significant(old, new) and "[-2026.-] {+2027.+}" in diff and "{+dự kiến+}" in diff


def test_tone_style_and_case_are_not_changes():
    assert "[-" not in word_diff("Hoà bình và THỦY lợi", "hòa bình và thuỷ lợi")
    assert not is_significant("Hoà bình", "hòa bình")


def test_punctuation_only_is_not_significant():
    assert not is_significant("Hà Nội , ngày 1", "Hà Nội ; ngày 1")


def test_long_diffs_are_cut():
    old = " ".join(f"từ{i}" for i in range(500))
    new = " ".join(f"chữ{i}" for i in range(500))
    assert len(word_diff(old, new, limit=300)) <= 300


def _changed(codes):
    return sum((i2 - i1) + (j2 - j1) for tag, i1, i2, j1, j2 in codes if tag != "equal")


def test_the_fewest_words_change():
    # difflib's SequenceMatcher matched the first "năm" with the last and changed 4 words; 2 is the fewest
    assert _changed(word_opcodes("năm 2025 năm", "2025 mới năm")[2]) == 2
    assert "[-năm-] 2025 {+mới+} năm" == word_diff("năm 2025 năm", "2025 mới năm")


def test_neighbouring_deletions_and_insertions_are_one_replacement():
    assert word_opcodes("a b c", "a x c")[2] == [("equal", 0, 1, 0, 1), ("replace", 1, 2, 1, 2), ("equal", 2, 3, 2, 3)]
    assert word_opcodes("a b c", "a c")[2] == [("equal", 0, 1, 0, 1), ("delete", 1, 2, 1, 1), ("equal", 2, 3, 1, 2)]
    assert word_opcodes("", "a b")[2] == [("insert", 0, 0, 0, 2)] and word_opcodes("", "")[2] == []


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c", "Hoà", "hòa", "1.200", ","]), max_size=30),
       st.lists(st.sampled_from(["a", "b", "c", "Hoà", "hòa", "1.200", ","]), max_size=30))
def test_opcodes_cover_both_texts_and_change_no_more_than_difflib(old, new):
    a, b, codes = word_opcodes(" ".join(old), " ".join(new))
    ends = [(0, 0), *((c[2], c[4]) for c in codes)]  # each op starts where the previous one ended
    assert [(c[1], c[3]) for c in codes] == ends[:-1] and ends[-1] == (len(a), len(b))
    assert all(x[0] == "equal" or y[0] == "equal" for x, y in itertools.pairwise(codes))
    keys_a, keys_b = [comparison_form(w) for w in a], [comparison_form(w) for w in b]
    assert all(keys_a[i1:i2] == keys_b[j1:j2] for tag, i1, i2, j1, j2 in codes if tag == "equal")
    assert _changed(codes) <= _changed(difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False).get_opcodes())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from("abc"), max_size=40), st.lists(st.sampled_from("abc"), max_size=40), st.integers(0, 5))
def test_grouping_is_difflibs(old, new, context):
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    assert list(_grouped(matcher.get_opcodes(), context)) == list(matcher.get_grouped_opcodes(context))
