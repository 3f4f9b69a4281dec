"""Word diffs and significance of article edits."""
from __future__ import annotations

from govmon.monitor.analysis.changes import is_significant, word_diff


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
