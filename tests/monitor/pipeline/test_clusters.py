"""Repost detection: near-verbatim copies join, different documents never do."""
from __future__ import annotations

from govmon.monitor.pipeline.clusters import Candidate, best_match, same_announcement

BODY = ("Chính phủ vừa ban hành Nghị quyết số 71/NQ-CP sửa đổi, bổ sung, cập nhật Chương trình hành động thực hiện "
        "Nghị quyết số 57-NQ/TW của Bộ Chính trị về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và "
        "chuyển đổi số quốc gia. Nghị quyết nêu rõ các nhiệm vụ trọng tâm, giao các bộ, ngành, địa phương tổ chức "
        "thực hiện và báo cáo kết quả định kỳ hằng quý.")


def test_repost_with_trimmed_sentence_and_other_case_is_same_announcement():
    official = Candidate(1, BODY, frozenset({"71/NQ-CP"}))
    repost = Candidate(2, BODY.upper().rsplit(" Nghị quyết nêu".upper(), 1)[0], frozenset({"71/NQ-CP"}))
    assert same_announcement(official, repost)


def test_same_template_about_another_document_is_not_a_repost():
    official = Candidate(1, BODY, frozenset({"71/NQ-CP"}))
    other = Candidate(2, BODY.replace("71/NQ-CP", "72/NQ-CP"), frozenset({"72/NQ-CP"}))
    assert not same_announcement(official, other)
    assert best_match(other, [official]) is None


def test_unrelated_text_is_not_matched():
    official = Candidate(1, BODY)
    other = Candidate(2, "Thủ tướng tiếp Đại sứ Nhật Bản tại trụ sở Chính phủ, trao đổi về hợp tác đầu tư.")
    assert best_match(other, [official]) is None
