"""Structured word diffs for side-by-side and inline views: operations that give both texts back, words
matched as alerts match them, long unchanged runs foldable, and the record `govmon diff --json` prints."""
from __future__ import annotations

from datetime import datetime, timezone

from hypothesis import given
from hypothesis import strategies as st

from govmon.monitor.present.diffs import diff_ops, diff_record, version_text
from govmon.storage.models import Version

WORDS = st.sampled_from(["Nghị", "quyết", "71/NQ-CP", "1.200", "tỷ", "đồng.", "Hoà", "hòa", "THỦY", "a"])
TEXT = st.lists(st.tuples(WORDS, st.sampled_from([" ", "  ", "\n", "\n\n", "\t"])), max_size=30).map(
    lambda pairs: "".join(w + s for w, s in pairs))


@given(TEXT, TEXT)
def test_the_operations_give_both_texts_back(old, new):
    ops = diff_ops(old, new, context=2)
    assert "".join(o["old"] for o in ops) == old.lstrip() and "".join(o["new"] for o in ops) == new.lstrip()
    assert {o["op"] for o in ops} <= {"equal", "delete", "insert", "replace"}
    assert all(o["old"] == "" for o in ops if o["op"] == "insert") and all(o["new"] == "" for o in ops if o["op"] == "delete")


def test_each_kind_of_change_is_one_operation():
    ops = diff_ops("Tổng vốn 1.200 tỷ đồng, cấp bách", "Tổng vốn 1.250 tỷ đồng mới, cấp")
    assert [(o["op"], o["old"].strip(), o["new"].strip()) for o in ops] == [
        ("equal", "Tổng vốn", "Tổng vốn"), ("replace", "1.200", "1.250"), ("equal", "tỷ", "tỷ"),
        ("replace", "đồng,", "đồng mới,"), ("equal", "cấp", "cấp"), ("delete", "bách", "")]
    assert diff_ops("a b", "a x b")[1] == {"op": "insert", "old": "", "new": "x "}


def test_tone_style_and_case_are_no_change_but_each_side_keeps_its_spelling():
    assert diff_ops("Hoà bình và THỦY lợi", "hòa bình và thuỷ lợi") == [
        {"op": "equal", "old": "Hoà bình và THỦY lợi", "new": "hòa bình và thuỷ lợi", "head": "", "tail": "", "hidden": 0}]


def test_line_breaks_are_kept():
    ops = diff_ops("Điều 1.\n\nKhoản 1 cũ", "Điều 1.\n\nKhoản 1 mới")
    assert ops[0]["new"] == "Điều 1.\n\nKhoản 1 " and ops[-1] == {"op": "replace", "old": "cũ", "new": "mới"}


def _words(start: int, count: int) -> str:
    return " ".join(f"w{i}" for i in range(start, start + count))


def test_long_unchanged_runs_fold_keeping_the_words_next_to_each_change():
    old = f"{_words(0, 30)} cũ {_words(30, 30)} cũ {_words(60, 30)}"
    new = f"{_words(0, 30)} mới {_words(30, 30)} mới {_words(60, 30)}"
    first, _, middle, _, last = diff_ops(old, new, context=5)
    assert (first["head"], first["tail"], first["hidden"]) == ("", "w25 w26 w27 w28 w29 ", 25)
    assert (middle["head"], middle["tail"], middle["hidden"]) == ("w30 w31 w32 w33 w34 ", "w55 w56 w57 w58 w59 ", 20)
    assert (last["head"], last["tail"], last["hidden"]) == ("w60 w61 w62 w63 w64 ", "", 25)
    assert middle["new"] == _words(30, 30) + " "  # the whole run stays there, to unfold


def test_a_run_barely_longer_than_its_context_is_shown_whole():
    ops = diff_ops(f"cũ {_words(0, 12)} cũ", f"mới {_words(0, 12)} mới", context=5)
    assert ops[1]["op"] == "equal" and (ops[1]["hidden"], ops[1]["head"], ops[1]["tail"]) == (0, "", "")


def _version(text: str, hour: int) -> Version:
    return Version(article_id=1, seq=hour, content_hash=f"{hour:064x}", title="Bổ sung kinh phí", lead="",
                   text=text, fetched_at=datetime(2025, 4, 1, hour, tzinfo=timezone.utc))


def test_diff_record_has_both_versions_the_inline_text_and_the_operations():
    a, b = _version("Tổng vốn 1.200 tỷ đồng.", 1), _version("Tổng vốn 1.250 tỷ đồng.", 2)
    record = diff_record("https://baochinhphu.vn/a.htm", 1, a, 2, b)
    assert record["url"] == "https://baochinhphu.vn/a.htm"
    assert (record["from"]["number"], record["to"]["number"]) == (1, 2)
    assert record["from"]["fetched_at"] == "2025-04-01T08:00:00+07:00" and record["to"]["hash"] == f"{2:064x}"
    assert "[-1.200-] {+1.250+}" in record["diff"] and record["significant"] is True
    assert "".join(o["new"] for o in record["ops"]) == version_text(b)
    assert [o["op"] for o in record["ops"]] == ["equal", "replace", "equal"]


def test_a_punctuation_only_edit_is_not_significant():
    record = diff_record("u", 1, _version("Hà Nội , ngày 1", 1), 2, _version("Hà Nội ; ngày 1", 2))
    assert record["significant"] is False and [o["op"] for o in record["ops"]] == ["equal", "replace", "equal"]
