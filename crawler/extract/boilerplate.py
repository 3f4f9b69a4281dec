"""The cleanup both extraction paths end in: boilerplate blocks cut ("Same tag", "Tin liên quan", …), photo
credits and byline markers such as "(Chinhphu.vn) - " removed, repeats of the title or lead dropped.

The generic path also drops the chrome lines that a site's `drop` selectors remove on known layouts but
that a main-text extractor lets through, each rule a line Vietnamese news and government pages print
around their articles:

- a "see also" line inside the body, a link title after a cue ("Xem thêm: …", ">> Đọc thêm: …",
  "Related: …"): the article never reads on from it;
- a share, print, social or app bar ("Chia sẻ", "In bài viết", "Facebook", "Tải ứng dụng:"), a view counter
  ("Lượt xem: 1.234");
- a date line, the header's "Thứ Năm, 09/10/2025 15:40" printed again in the body (the date is a field);
- a tag line ("Từ khóa: …", "Tags: …");
and cuts at the heading of a box that follows articles ("Tin khác", "Các tin khác", "Đọc nhiều", "Bình luận").
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from govmon.crawler.extract.normalize import clean_text, comparison_form

__all__ = ["BOILERPLATE_MARKERS", "FOLLOWING_BOXES", "strip_byline", "clean_paragraphs", "without_lead",
           "drop_chrome_lines"]

BOILERPLATE_MARKERS = (
    "Same tag", "Same category", "Same author", "Comment (0)", "No data", "Tham khảo thêm", "Tin liên quan",
    "Cùng chuyên mục", "Tin cùng chuyên mục", "Bài viết liên quan", "Xem thêm", "Related news", "Read more",
)
# Headings of the boxes Vietnamese portals and papers put after an article (other news of the section, most
# read, comments), and their English editions' — generic path only: a site's rules say where its body ends.
FOLLOWING_BOXES = (
    "Tin khác", "Các tin khác", "Tin tức khác", "Bài viết khác", "Các bài viết khác", "Tin mới", "Tin mới nhất",
    "Tin mới hơn", "Tin cũ hơn", "Tin đã đưa", "Các tin đã đưa", "Tin nổi bật", "Đọc nhiều", "Tin đọc nhiều",
    "Xem nhiều", "Tin xem nhiều", "Cùng chủ đề", "Tin cùng chủ đề", "Bài cùng chủ đề", "Tin cùng sự kiện",
    "Có thể bạn quan tâm", "Đừng bỏ lỡ", "Bình luận", "Ý kiến bạn đọc", "Gửi bình luận", "Gửi ý kiến",
    "Từ khóa", "Từ khoá", "Tags", "Thẻ", "Other news", "More news", "Related articles", "Related stories",
    "Most read", "Most viewed", "Latest news", "You may also like", "Comments", "Leave a comment",
)
_BYLINE = re.compile(r"^\((?:[\w.+/ -]{2,40})\)\s*[-–—]\s*")
_CREDIT = re.compile(r"^(?:\(?\s*(?:Ảnh|Photo|Nguồn ảnh|Video|Clip)\s*:[^.]{0,80}\)?\.?|[\w ]{0,60}- Ảnh \d+\.?)$",
                     re.I)
_SEE_ALSO = re.compile(
    r"^(?:>+\s*|»\s*)?(?:xem thêm|đọc thêm|tin liên quan|bài liên quan|tham khảo thêm|có thể bạn quan tâm|"
    r"mời (?:bạn |quý vị )?(?:đọc|xem)|related|read more|read also|also read|see also|see more)\b\s*[:>»]", re.I)
_NOT_LETTER = re.compile(r"[\W_]+")  # what is not a letter or digit: spaces, punctuation, tone and other marks
_TAG_LINE = re.compile(r"^(?:từ khóa|từ khoá|tags?|thẻ|keywords?)\s*:", re.I)
_BAR_WORDS = frozenset(("chia sẻ", "chia sẻ bài viết", "share", "share this", "share this article", "in", "in bài",
                        "in bài viết", "in trang", "bản in", "print", "email", "gửi email", "gửi bài viết",
                        "lưu bài viết", "lưu", "facebook", "twitter", "zalo", "tweet", "linkedin", "copy link",
                        "sao chép liên kết", "quay lại", "về đầu trang", "lên đầu trang", "back to top",
                        "tải ứng dụng", "tải app"))
_COUNTER = re.compile(r"^(?:số )?(?:lượt xem|lượt đọc|views?|lượt thích|likes?)\s*:?\s*[\d.,]+$", re.I)
_DATE_TOKEN = re.compile(
    r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2}(?:T[\d:.+]+)?|\d{1,2}[:h]\d{2}(?::\d{2})?|"
    r"\b(?:thứ (?:hai|ba|tư|năm|sáu|bảy)|chủ nhật|ngày|cập nhật|đăng lúc|ngày đăng|đăng ngày|lúc|gmt ?\+ ?7|"
    r"sa|ch|am|pm|updated|published|posted)\b", re.I)


def strip_byline(text: str, patterns: Sequence[str] = ()) -> str:
    """Remove a leading byline marker such as "(Chinhphu.vn) - " or "(TTXVN/Vietnam+) – "."""
    for pattern in patterns:
        text = re.sub(pattern, "", text)
    return _BYLINE.sub("", text, count=1)


def _skeleton(text: str) -> str:
    """The first letters and digits without any marks: equal for two texts that may be the same paragraph
    in another tone style or case, and cheap (the full comparison form is the costly step)."""
    return _NOT_LETTER.sub("", unicodedata.normalize("NFD", text[:64].casefold()))[:24]


@lru_cache(maxsize=256)
def _forms(texts: tuple[str, ...]) -> frozenset[str]:
    return frozenset(comparison_form(t) for t in texts if t)


def clean_paragraphs(paragraphs: Sequence[str], markers: Sequence[str], skip: Sequence[str] = ()) -> list[str]:
    """Cut at the first boilerplate marker; drop credit lines and repeats of the title or lead. Only a
    paragraph short enough to be a marker, the title or the lead is put in comparison form (the slow part)."""
    stops, skips = _forms((*BOILERPLATE_MARKERS, *markers)), _forms(tuple(skip))
    longest_stop = max((len(s) for s in stops), default=0) + 16
    skeletons, lengths = {_skeleton(s) for s in skip if s}, [len(s) for s in skip if s]
    kept: list[str] = []
    for paragraph in (clean_text(p) for p in paragraphs):
        near = any(abs(len(paragraph) - n) <= n // 4 + 8 for n in lengths)  # the title again is as long
        maybe = len(paragraph) <= longest_stop or (near and _skeleton(paragraph) in skeletons)
        form = comparison_form(paragraph) if maybe else ""
        if form and form in stops:
            break
        if paragraph and not (form and form in skips) and not _CREDIT.match(paragraph):
            kept.append(paragraph)
    return kept


def without_lead(paragraphs: list[str], lead: str, prefixes: Sequence[str] = ()) -> list[str]:
    """The body with the byline marker stripped from its first paragraph, and that paragraph dropped when
    it is only the lead again ("(Chinhphu.vn) - <lead>" printed inside the body)."""
    if not paragraphs:
        return paragraphs
    first = strip_byline(paragraphs[0], prefixes)
    if lead and comparison_form(first) == comparison_form(lead):
        return paragraphs[1:]
    return [first, *paragraphs[1:]]


def _chrome(line: str) -> bool:
    """A line of page chrome rather than of the article (see the module docstring).

    >>> [_chrome(s) for s in (">> Xem thêm: Hà Nội công bố quy hoạch", "Chia sẻ", "Lượt xem: 1.234",
    ...                       "Thứ Năm, 09/10/2025 15:40", "Từ khóa: chuyển đổi số, dữ liệu")]
    [True, True, True, True, True]
    >>> [_chrome(s) for s in ("Xem thêm các quy định tại Điều 5.", "Ngày 09/10/2025, UBND tỉnh họp.")]
    [False, False]
    """
    if len(line) > 200:
        return False
    folded = line.casefold().strip(" .:|-–—·•")
    return (folded in _BAR_WORDS or bool(_SEE_ALSO.match(line) or _TAG_LINE.match(line) or _COUNTER.match(folded))
            or _date_only(line))


def _date_only(line: str) -> bool:
    """A date and time with at most their labels ("Cập nhật: 10:30 15/03/2025"), nothing else to read."""
    if len(line) > 60 or not any(c.isdigit() for c in line):
        return False
    rest = _DATE_TOKEN.sub(" ", line)
    return not any(c.isalnum() for c in rest) and bool(re.search(r"\d[/.-]\d|\d{4}-\d", line))


def drop_chrome_lines(paragraphs: Sequence[str]) -> list[str]:
    """The paragraphs up to the first heading of a following box, without chrome lines.

    >>> drop_chrome_lines(["Chia sẻ", "UBND tỉnh ban hành kế hoạch.", "Các tin khác", "Tin A"])
    ['UBND tỉnh ban hành kế hoạch.']
    """
    stops = _forms(FOLLOWING_BOXES)
    kept: list[str] = []
    for paragraph in paragraphs:
        if len(paragraph) <= 40 and comparison_form(paragraph.strip(" :")) in stops:
            break
        if not _chrome(paragraph):
            kept.append(paragraph)
    return kept
