"""Repost detection on the live path (the MinHash index with its hard guards): near-verbatim copies join,
different documents never do."""
from __future__ import annotations

from govmon.monitor.analysis.dedupe import RepostIndex, features

BODY = ("Chính phủ vừa ban hành Nghị quyết số 71/NQ-CP sửa đổi, bổ sung, cập nhật Chương trình hành động thực hiện "
        "Nghị quyết số 57-NQ/TW của Bộ Chính trị về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và "
        "chuyển đổi số quốc gia. Nghị quyết nêu rõ các nhiệm vụ trọng tâm, giao các bộ, ngành, địa phương tổ chức "
        "thực hiện và báo cáo kết quả định kỳ hằng quý.")


def _clusters(*texts: str) -> list[str]:
    index = RepostIndex()
    return [index.add_features(str(n), features(text)) for n, text in enumerate(texts, 1)]


def test_repost_with_trimmed_sentence_and_other_case_is_same_announcement():
    repost = BODY.upper().rsplit(" Nghị quyết nêu".upper(), 1)[0]
    assert _clusters(BODY, repost) == ["1", "1"]


def test_same_template_about_another_document_is_not_a_repost():
    assert _clusters(BODY, BODY.replace("71/NQ-CP", "72/NQ-CP")) == ["1", "2"]


def test_unrelated_text_is_not_matched():
    other = "Thủ tướng tiếp Đại sứ Nhật Bản tại trụ sở Chính phủ, trao đổi về hợp tác đầu tư."
    assert _clusters(BODY, other) == ["1", "2"]
