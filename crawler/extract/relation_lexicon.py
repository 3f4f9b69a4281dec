"""The words that state a relation between numbered documents (DOCNUMBERS.md Part A.6 and Part B
"Relations"), as data: cue verbs and nouns, passive and coordination forms, the phrases that open an
implementation ("Thực hiện …, … ban hành"), mark a statement as intended rather than done ("dự thảo",
"draft"), refer back to a document ("Nghị định này", "this Decree") or name a legal basis ("Căn cứ").

Every pattern runs on folded text (see `folding.fold`). `LEX` holds the patterns that must also match text
that lost its diacritics; `ASCII` is the same lexicon unaccented, and `lexicon_for` picks one per span.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, fields

from govmon.crawler.extract.normalize import unaccent

__all__ = [
    "Lexicon", "LEX", "ASCII", "lexicon_for", "STRONG", "STOP", "EVIDENCE_STOP", "COORD", "SEPARATOR_END",
    "SOURCE_COORD", "NUMBER_LABEL", "LIST_MARKER", "DOC_HEADING", "REL_OF_GROUP", "TYPE_WORD_END", "TYPE_WORD_START",
]

_HOA = r"h(?:óa|oá)"
# One named group per relation; a verb of change (STRONG) outranks the nouns and verbs of implementation.
_CUES = (
    r"\b(?:(?P<guides>hướng\s+dẫn(?:\s+(?:việc\s+|tổ\s+chức\s+)?(?:thi\s+hành|thực\s+hiện|triển\s+khai)){0,2}"
    r"|quy\s+định\s+chi\s+tiết|guid\w*\s+the\s+implementation|provid\w*\s+guidance|guid(?:e|es|ed|ing)"
    r"|detail(?:s|ed|ing))"
    r"|(?P<programme>chương\s+trình\s+hành\s+động|kế\s+hoạch(?:\s+chi\s+tiết)?\s+triển\s+khai|action\s+program\w*"
    r"|program\w*\s+of\s+action)"
    rf"|(?P<implements>triển\s+khai\s+thực\s+hiện|thực\s+hiện|triển\s+khai|thể\s+chế\s+{_HOA}|cụ\s+thể\s+{_HOA}"
    rf"|hiện\s+thực\s+{_HOA}|implement\w*|institutionali[sz]\w*|in\s+reali[sz]ation\s+of|reali[sz](?:e|es|ing)"
    r"|carr(?:y|ies|ying)\s+out)"
    r"|(?P<amends>sửa\s+đổi|bổ\s+sung|cập\s+nhật|amend\w*|supplement\w*|modif(?:y|ies|ied|ying))"
    r"|(?P<replaces>thay\s+thế|thay\s+cho|replac\w*|supersed\w*)"
    r"|(?P<repeals>bãi\s+bỏ|hủy\s+bỏ|huỷ\s+bỏ|chấm\s+dứt\s+hiệu\s+lực|repeal\w*|annul\w*|abolish\w*|rescind\w*)"
    r"|(?P<corrects>đính\s+chính|correct(?:s|ed|ing|ion)?)"
    r"|(?P<consolidates>hợp\s+nhất|consolidat\w*)"
    r"|(?P<expires>hết\s+hiệu\s+lực|ceas\w*\s+to\s+(?:be\s+effective|have\s+effect|be\s+in\s+force)))\b"
)
REL_OF_GROUP = {"programme": "implements", "expires": "repeals"}
STRONG = frozenset({"amends", "replaces", "repeals", "expires", "corrects"})  # outrank a noun cue in the same gap

# Statements a document does not (yet) make: drafts, bills, proposals, plans and requests to amend.
_INTENT_ANY = r"dự\s+thảo|góp\s+ý|lấy\s+ý\s+kiến|xin\s+ý\s+kiến|tham\s+vấn|draft\w*|comments?\s+on|consult\w*"
_INTENT = (
    rf"(?<!\w)(?:{_INTENT_ANY}|dự\s+án\s+(?:bộ\s+)?(?:luật|pháp\s+lệnh|nghị\s+quyết|nghị\s+định)|đề\s+xuất"
    r"|đề\s+nghị|kiến\s+nghị|soạn\s+thảo|nghiên\s+cứu|rà\s+soát|dự\s+kiến|chuẩn\s+bị|cần(?:\s+phải)?"
    r"|xây\s+dựng\s+(?:dự\s+thảo|luật|pháp\s+lệnh|nghị\s+định|nghị\s+quyết|thông\s+tư|quyết\s+định|văn\s+bản|quy\s+định)"
    r"|(?:có|lên|về)\s+kế\s+hoạch|kế\s+hoạch\s*$|bill|propos\w*|plan(?:s|ned|ning)?\s+to|would|should|need(?:s|ed)?\s+to"
    r"|projects?\s+(?:to|of|on|for)|develop(?:s|ed|ing)?\s+(?:a\s+|an\s+|the\s+)?(?:new\s+)?(?:law|decree|circular|resolution"
    r"|decision|ordinance|regulation)"
    r"|(?:is|are|was|were)\s+(?:drafting|preparing|considering))(?!\w)"
)


@dataclass(frozen=True)
class Lexicon:
    """The patterns that must match with or without diacritics; `unaccented` gives the ASCII twin."""

    cues: re.Pattern[str]
    basis: re.Pattern[str]  # "Căn cứ": the legal basis of the document being written
    basis_line: re.Pattern[str]  # after its line break, the line so far opens "Căn cứ"
    expiry_tail: re.Pattern[str]  # "hết hiệu lực kể từ ngày [B có hiệu lực]"
    passive_after: re.Pattern[str]  # "… bởi B", "… by B"
    passive_before: re.Pattern[str]  # "được / bị …" before the cue
    passive_agent: re.Pattern[str]  # "được sửa đổi tại / theo / bằng B"
    passive_prep: re.Pattern[str]  # "amended under / in / pursuant to B" after an English participle
    agent_tail: re.Pattern[str]  # all a passive's tail may hold before its agent: "bởi", "tại khoản 2 Điều 1"
    intent: re.Pattern[str]  # drafts, proposals, plans to amend
    intent_draft: re.Pattern[str]  # the narrower draft markers (the only ones that make an implementation intended)
    front: re.Pattern[str]  # "Thực hiện B, … ban hành A" opens the sentence
    front_tail: re.Pattern[str]
    into_life: re.Pattern[str]  # "đưa B vào cuộc sống": what must follow B when "đưa" introduced it
    issues: re.Pattern[str]  # "… ban hành A": the verb right before the implementing document
    issued_with: re.Pattern[str]  # "… thực hiện B …, ban hành kèm theo A"
    review: re.Pattern[str]  # "kết quả / tình hình / sơ kết … thực hiện B": a report on an implementation
    adjunct: re.Pattern[str]  # "Theo / Tại / Thực hiện A, …": A opens the sentence as an adjunct, not its subject
    effective_lead: re.Pattern[str]  # "Kể từ ngày A có hiệu lực, B hết hiệu lực": before A
    effective_gap: re.Pattern[str]  # … between A and B
    effective_end: re.Pattern[str]  # … after B
    imperative: re.Pattern[str]  # "Điều 2. Bãi bỏ khoản 3 Điều 5 Thông tư B": an article's verb of change
    anaphor: re.Pattern[str]  # "Nghị định này", "this Decree", "Thông tư nêu trên"

    def unaccented(self) -> Lexicon:
        return Lexicon(*(re.compile(unaccent(getattr(self, f.name).pattern), getattr(self, f.name).flags)
                         for f in fields(self)))


_I = re.I
_TYPES_VI = (
    r"nghị\s+quyết\s+liên\s+tịch|thông\s+tư\s+liên\s+tịch|nghị\s+quyết|nghị\s+định|quyết\s+định|thông\s+tư"
    r"|chỉ\s+thị|pháp\s+lệnh|bộ\s+luật|luật|kế\s+hoạch|chương\s+trình|hướng\s+dẫn|công\s+văn|công\s+điện"
    r"|kết\s+luận|quy\s+định|quy\s+chế|thông\s+báo|văn\s+bản|đề\s+án"
)
_TYPES_EN = (
    r"joint\s+circular|resolution|decree|decision|circular|directive|ordinance|law|code|plan|program(?:me)?"
    r"|guidance|official\s+(?:letter|dispatch|telegram)|conclusion|regulation"
)
_ANAPHOR_FIRST = "".join(sorted({c for w in re.findall(r"\w+", _TYPES_VI + "|" + _TYPES_EN + "|this|said|the|ban|hereby|promulgate")
                                  for c in (w[0].lower(), w[0].upper())}))
LEX = Lexicon(
    cues=re.compile(_CUES, _I),
    basis=re.compile(r"\bcăn\s+cứ\b", _I),
    basis_line=re.compile(r"\n[ \t•*+-]*(?:căn\s+cứ|pursuant\s+to|based\s+on)\b[^\n]*$", _I),
    expiry_tail=re.compile(
        r"\s*(?:thi\s+hành\s+)?(?:kể\s+)?từ\s+ngày\s*|\s*(?:from|on|as\s+of)\s+the\s+(?:effective\s+)?date\s*"
        r"(?:of|on\s+which|when)?\s*", _I),
    passive_after=re.compile(r"\s*(?:bởi|by)\b", _I),
    passive_before=re.compile(r"\b(?:được|bị)\b[^.;]{0,20}$", _I),
    passive_agent=re.compile(r"\s*(?:tại|theo|bằng)\b", _I),
    passive_prep=re.compile(r"\s*(?:under|in|pursuant\s+to|according\s+to|through|via)\b", _I),
    agent_tail=re.compile(
        r"\s*(?:bởi|by|tại|theo|bằng|under|in|pursuant\s+to|according\s+to|through|via)\s*:?\s*"
        r"(?:(?:the\s+)?(?:[A-ZĐ][\w’']*\s+){1,5}(?:through|via|in|with|under)\s+)?"
        r"(?:(?:khoản|điểm|điều|mục|chương|phụ\s+lục|clause|point|article|section|chapter|appendix)\s+[0-9a-zđ.]+"
        r"\s*,?\s*(?:và\s+|and\s+)?)*(?:(?:của|of)\s+)?(?:the\s+)?(?:[\w’']+[’']s\s+)?"
        r"(?:các\s+văn\s+bản\s+sau(?:\s+đây)?|the\s+following(?:\s+documents?)?)?\s*:?\s*",
        _I),
    intent=re.compile(_INTENT, _I),
    intent_draft=re.compile(rf"(?<!\w)(?:{_INTENT_ANY})(?!\w)", _I),
    front=re.compile(
        r"\s*(?:(?:để|nhằm|nhằm\s+mục\s+đích)\s+)?(?:tiếp\s+tục\s+)?(?:triển\s+khai\s+)?(?:thực\s+hiện|triển\s+khai"
        r"|(?:kịp\s+thời\s+|sớm\s+|nhanh\s+chóng\s+)?đưa"
        rf"|cụ\s+thể\s+{_HOA}|thể\s+chế\s+{_HOA}|to\s+implement|implementing|in\s+implementation\s+of"
        r"|in\s+reali[sz]ation\s+of|to\s+reali[sz]e)(?:\s+(?:có\s+hiệu\s+quả|hiệu\s+quả|nghiêm\s+túc|effectively))?\s*",
        _I),
    front_tail=re.compile(
        rf"(?:thực\s+hiện|triển\s+khai|cụ\s+thể\s+{_HOA}|thể\s+chế\s+{_HOA}|implement\w*|implementation\s+of"
        r"|reali[sz]ation\s+of|reali[sz]e|đưa)(?:\s+(?:có\s+hiệu\s+quả|hiệu\s+quả|nghiêm\s+túc|effectively))?\s*$", _I),
    into_life=re.compile(  # "đưa B vào cuộc sống" (bring B into life): after B and its date or issuer
        r"\s*(?:\(?\s*ngày\s[^,()]{1,30}\)?\s*)?,?\s*(?:của\s+[^,.;()]{1,60}?\s*)?vào\s+(?:thực\s+tiễn\s+)?cuộc\s+sống",
        _I),
    issues=re.compile(
        r"(?<!\w)(?:ban\s+hành|có|ký|phát\s+hành|gửi|issued|promulgated|signed|adopted|sent|released)"
        r"(?:\s+(?:the|ban\s+hành))?\s*$", _I),
    issued_with=re.compile(
        r"(?:ban\s+hành\s+kèm\s+theo|issued\s+(?:together\s+)?with|(?:attached|annexed)\s+to)\W*(?:\w+\W+){0,3}$",
        _I),
    review=re.compile(
        r"(?<!\w)(?:kết\s+quả|tình\s+hình|sơ\s+kết|tổng\s+kết|đánh\s+giá|kiểm\s+tra|giám\s+sát|báo\s+cáo|tiến\s+độ"
        r"|results?\s+of|reviews?\s+of|review(?:ing|ed)?|report(?:s|ed|ing)?\s+on|progress\s+(?:of|in|on)"
        r"|assess\w*\s+of|evaluat\w*\s+of|inspect\w*\s+of|supervis\w*\s+of)"
        r"(?:\s+(?:[0-9]+\s+năm|việc|công\s+tác|kết\s+quả|tình\s+hình|the|its))*\s*$",
        _I),
    adjunct=re.compile(
        r"\s*(?:theo|tại|trong|với|according\s+to|under|in|as\s+per)"
        r"(?:\s+(?:quy\s+định\s+(?:tại|của)|nội\s+dung|the\s+provisions\s+of))?\s*",
        _I),
    effective_lead=re.compile(
        r"\s*(?:[0-9]{1,2}\.\s*)?(?:kể\s+)?từ\s+ngày\s*|\s*(?:[0-9]{1,2}\.\s*)?(?:from|as\s+of|on)\s+the\s+"
        r"(?:effective\s+date|date\s+of\s+effect)\s+of\s*",
        _I),
    effective_gap=re.compile(r"\s*(?:có\s+hiệu\s+lực(?:\s+thi\s+hành)?|takes?\s+effect)?\s*,\s*(?:thì\s+)?", _I),
    effective_end=re.compile(
        r"[^.;\n]{0,80}?\b(?:(?:sẽ\s+|bị\s+)?hết\s+hiệu\s+lực|bị\s+bãi\s+bỏ|ceases?\s+to\s+(?:be\s+effective|have\s+effect"
        r"|be\s+in\s+force)|(?:is|are|shall\s+be)\s+(?:annulled|repealed|replaced)|expires?)\b",
        _I),
    imperative=re.compile(
        r"\s*(?:(?:điều|article)\s+[0-9]+[a-zđ]?\s*[.:]\s*)?(?:[0-9]{1,2}\.\s*|[a-zđ]\)\s*)?(?:to\s+)?"
        r"(?P<verb>(?P<amends>sửa\s+đổi(?:,?\s+bổ\s+sung)?|bổ\s+sung|amend(?:ing)?(?:\s+and\s+supplement(?:ing)?)?)"
        r"|(?P<replaces>thay\s+thế|replac(?:e|ing))|(?P<repeals>bãi\s+bỏ|(?:annul|repeal|abolish)(?:ing)?)"
        r"|(?P<corrects>đính\s+chính|correct(?:ing)?))\b(?!\s*(?:bởi|by|under)\b)[^.;\n]{0,80}$",
        _I),
    anaphor=re.compile(
        rf"(?=[{_ANAPHOR_FIRST}])(?<!\w)(?:(?P<vi>{_TYPES_VI})\s+(?P<where>này|nêu\s+trên|nói\s+trên|trên\s+đây|đã\s+dẫn)"
        rf"|(?P<en_where>this|the\s+said|said|the\s+above|the\s+present)\s+(?P<en>{_TYPES_EN})"
        rf"|(?P<pw>ban\s+hành|(?:hereby\s+)?promulgates?)\s+(?:the\s+)?(?P<pv>{_TYPES_VI}|{_TYPES_EN})"
        r"(?=\s+(?:sửa|bổ|thay|bãi|hủy|huỷ|hướng|quy\s+định\s+chi|amend|supplement|replac|repeal|guid|detail)))(?!\w)",
        _I),
)
ASCII = LEX.unaccented()


def lexicon_for(span: str) -> Lexicon:
    """The accented lexicon, or its ASCII twin for text without any diacritics."""
    return ASCII if span.isascii() else LEX


# --- shape words (the same with or without diacritics) ----------------------------------------------------
STOP = re.compile(r"(?<!No)(?<!no)[.!?;](?=\s)|\n[ \t]*\n")
EVIDENCE_STOP = re.compile(r"(?<!No)(?<!no)[.!?;](?=\s)|\n")
_DATE_PART = r"\(?\s*(?:ngày|ngay|dated|of)\s+[^()\n;]{1,30}?\)?"
COORD = re.compile(rf"\s*(?:{_DATE_PART})?\s*(?:,|;|và|va|and|hoặc|hoac|or)\s*(?:các\s+|cac\s+|the\s+)?", _I)
SOURCE_COORD = re.compile(
    rf"\s*(?:{_DATE_PART})?\s*(?:(?:của|cua|of)\s+[^,;.()\n/]{{1,60}}?\s*)?(?:,|và|va|and)\s*(?:các\s+|cac\s+|the\s+)?",
    _I)
SEPARATOR_END = re.compile(r"(?:,|;|\bvà|\bva|\band|\bhoặc|\bor)\s*(?:các\s+|cac\s+|the\s+)?$", _I)
NUMBER_LABEL = re.compile(r"(?:^|\s)(?:số|so|no\.?|number)\s*:?\s*$", _I)  # "Số: " ending a header line
LIST_MARKER = re.compile(r"\n[ \t]*(?:\(?[0-9]{1,2}[.)]|\(?[a-zđ][.)]|[-•*+–])[ \t]+", _I)
DOC_HEADING = re.compile(
    r"^[ \t|]*(?:NGHỊ\s+ĐỊNH|QUYẾT\s+ĐỊNH|THÔNG\s+TƯ(?:\s+LIÊN\s+TỊCH)?|NGHỊ\s+QUYẾT|CHỈ\s+THỊ|BỘ\s+LUẬT|LUẬT"
    r"|PHÁP\s+LỆNH|LỆNH|KẾ\s+HOẠCH|HƯỚNG\s+DẪN|QUY\s+CHẾ|QUY\s+ĐỊNH|CHƯƠNG\s+TRÌNH|KẾT\s+LUẬN|CÔNG\s+ĐIỆN"
    r"|DECREE|DECISION|CIRCULAR|RESOLUTION|DIRECTIVE|LAW|ORDINANCE|PLAN)[ \t|]*$",
    re.M,
)
TYPE_WORD_END = re.compile(rf"(?<!\w)(?:{_TYPES_VI}|{_TYPES_EN})\s*$", re.I)  # "… và Nghị định " before a cue
TYPE_WORD_START = re.compile(rf"(?:{_TYPES_VI}|{_TYPES_EN})\b", re.I)  # a reference that names its own type
