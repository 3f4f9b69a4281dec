"""Data tables and regular expressions for `crawler.extract.docrefs` (DOCNUMBERS.md Part A and B).

Everything here is data: abbreviations, issuer codes, type words and the compiled patterns built from
them (the words that state relations are in `relation_lexicon`). All patterns run on the folded text
(see `folding.fold`).
"""
from __future__ import annotations

import re
from datetime import date

from govmon.crawler.extract.normalize import DASHES, INVISIBLES

__all__ = [
    "fold_chars", "INVISIBLE", "SEGMENT", "BLOCK", "SIGN", "TOKEN", "PREFIX", "TITLED", "PARTIAL", "DATE", "DATE_AFTER",
    "DATE_BEFORE", "PLACE_DATE", "ISSUE_DATE", "HEADING", "STANDARD", "URL", "SLUG",
    "ABBR_TYPES", "PARTY_TYPES", "WORD_TYPES", "HEADING_TYPES", "MIXED_CASE", "RESTORE_D",
    "BODIES", "LEGACY_BARE", "VTYPES", "VTYPES_LONGEST", "MONTHS", "is_known", "word_type", "canon_token",
    "split_glued", "iso_date", "BODY_TYPES", "body_types", "TYPE_WORD", "TITLE_WORD",
]

# --- folding: 1:1 character repairs (length-preserving), applied after NFC ---------------------------
_FOLD_MAP = {
    **{c: "-" for c in DASHES},
    **{c: "/" for c in "\u2215\uff0f\u2044\u29f8"},
    **{c: " " for c in "\u00a0\u2007\u202f\u2009\u200a\u2002\u2003\u3000"},
    "\u00d0": "\u0110",
    "\u00f0": "\u0111",
}
_FOLD_RE = re.compile("[" + "".join(_FOLD_MAP) + "]")


def fold_chars(text: str) -> str:
    """The 1:1 repairs (dashes, slashes, spaces, Ð→Đ); a regex pass, much faster than `str.translate`."""
    return _FOLD_RE.sub(lambda m: _FOLD_MAP[m.group()], text) if _FOLD_RE.search(text) else text


INVISIBLE = re.compile(f"[{INVISIBLES}]")
# A segment starts at an ASCII character (a safe NFC boundary) and runs over the non-ASCII after it.
SEGMENT = re.compile(r"[\x00-\x7f]+(?![^\x00-\x7f])|[\x00-\x7f]?[^\x00-\x7f]+")
# Blocks of up to ~256 characters, each ending before an ASCII character (so also a safe NFC boundary).
BLOCK = re.compile(r"[\s\S]{1,256}(?=[\x00-\x7f]|$)|[\s\S]+?(?=[\x00-\x7f]|$)")

# --- the sign itself (Part A.4), case-sensitive character classes -------------------------------------
_L = "A-Za-z\u0110\u0111\u01af\u01b0"
_TOK = rf"[{_L}][{_L}0-9]*"
_SEP = r"(?: ?[-/] ?|-[ \t]*\r?\n[ \t]*)"
_CODE = rf"{_TOK}(?:{_SEP}{_TOK})*"
SIGN = re.compile(
    rf"(?P<seq>[0-9](?<![\w/-][0-9])(?<![0-9][.,][0-9])[0-9]{{0,4}})(?:"
    rf"(?P<party> ?- ?(?P<ptype>{_TOK}) ?/ ?(?P<pbody>{_CODE}))"
    rf"|(?P<legacy>-(?P<lbody>{_TOK}))"
    rf"|(?: ?/{{1,2}} ?|_)(?:(?P<year>(?:19|20)[0-9]{{2}}) ?/ ?)?(?P<code>{_CODE}))(?!\w)"
)
TOKEN = re.compile(rf"[{_L}0-9]+")
SLUG = re.compile(r"(?<![0-9])([0-9]{1,5})[-_](?:((?:19|20)[0-9]{2})[-_])?([A-Za-z\u0110]+(?:-[A-Za-z0-9\u0110]+)*)")

# --- abbreviations (Decree 30/2020 Appendix III + legal normative tokens) ----------------------------
ABBR_TYPES = {
    "NQ": "nghị quyết", "QĐ": "quyết định", "NĐ": "nghị định", "TT": "thông tư", "TTLT": "thông tư liên tịch",
    "NQLT": "nghị quyết liên tịch", "CT": "chỉ thị", "QC": "quy chế", "QyĐ": "quy định", "TC": "thông cáo",
    "TB": "thông báo", "HD": "hướng dẫn", "CTr": "chương trình", "KH": "kế hoạch", "PA": "phương án",
    "ĐA": "đề án", "DA": "dự án", "BC": "báo cáo", "BB": "biên bản", "TTr": "tờ trình", "HĐ": "hợp đồng",
    "CĐ": "công điện", "BGN": "bản ghi nhớ", "BTT": "bản thỏa thuận", "GUQ": "giấy ủy quyền", "GM": "giấy mời",
    "GGT": "giấy giới thiệu", "GNP": "giấy nghỉ phép", "PG": "phiếu gửi", "PC": "phiếu chuyển",
    "PB": "phiếu báo", "VBHN": "văn bản hợp nhất", "L": "lệnh", "PL": "pháp lệnh", "KL": "kết luận",
    "GP": "giấy phép",
}
VTYPES = frozenset(ABBR_TYPES)
VTYPES_LONGEST = sorted(VTYPES, key=len, reverse=True)
PARTY_TYPES = {**ABBR_TYPES, "TT": "thông tri", "QĐi": "quy định", "CV": "công văn"}  # `36-L/CTN`: a lệnh
MIXED_CASE = {"TTG": "TTg", "CTR": "CTr", "TTR": "TTr", "QYĐ": "QyĐ", "QYD": "QyĐ", "QĐI": "QĐi", "QDI": "QĐi"}
# ASCII spellings whose abbreviation has Đ ("HD" hướng dẫn, "DA" dự án stay as they are), and TƯ → TW.
RESTORE_D = {
    "QD": "QĐ", "ND": "NĐ", "CD": "CĐ", "HDND": "HĐND", "BKHDT": "BKHĐT", "BGDDT": "BGDĐT", "BLDTBXH": "BLĐTBXH",
    "HDBT": "HĐBT", "HDNN": "HĐNN", "CDSQG": "CĐSQG", "HDBCQG": "HĐBCQG", "DU": "ĐU", "VPTD": "VPTĐ",
    "KQTD": "KQTĐ", "TLD": "TLĐ", "DHQG": "ĐHQG", "BTDKT": "BTĐKT", "BCD": "BCĐ",
    "DCTUBTWMTTQVN": "ĐCTUBTWMTTQVN", "TƯ": "TW",
}
BODIES = frozenset(
    "CP TTG VPCP TW VPTW CTN TANDTC VKSNDTC KTNN TTCP NHNN BTC BKHĐT BTTTT BKHCN BCT BNV BTP BYT BGDĐT BXD "
    "BGTVT BTNMT BNNPTNT BNNMT BLĐTBXH BQP BCA BNG BVHTTDL BDTTG UBDT UBND HĐND HĐBT HĐNN VPQH BCĐ BTGTW "
    "BTCTW UBKTTW BDVTW BKTTW BNCTW BTGDVTW ĐUCA ĐUQSTW TU HU ĐU QU TCHQ TCT BHXH TLĐ MTTQ UBTWMTTQVN "
    "ĐCTUBTWMTTQVN HĐBCQG ĐHQG KBNN TCTK VKSND TAND".split()
)
LEGACY_BARE = frozenset({"CP", "HĐBT", "TTg", "HĐNN", "CTN"})
_QH = re.compile(r"(?:UBTV)?QH[0-9]{1,2}")


def is_known(canon: str) -> bool:
    """Whether a canonical token is a known type abbreviation or issuer (QH15, UBTVQH14 included)."""
    up = canon.upper()
    return up in _KNOWN_UPPER or _QH.fullmatch(up) is not None


_KNOWN_UPPER = {t.upper() for t in (*VTYPES, *PARTY_TYPES, *BODIES)}


def canon_token(tok: str) -> str:
    """One sign token in canonical spelling: upper case, TTg/TTr/CTr/QyĐ, Đ restored (QD → QĐ)."""
    up = tok.upper()
    if up in MIXED_CASE:
        return MIXED_CASE[up]
    if up.startswith("BCD") and up[3:].isdigit():
        return "BCĐ" + up[3:]
    return RESTORE_D.get(up, up)


def split_glued(tok: str) -> list[str]:
    """`QĐTTg` → [`QĐ`, `TTg`] when a known type abbreviation is glued to a known issuer."""
    if is_known(tok):
        return [tok]
    for vt in VTYPES_LONGEST:
        rest = canon_token(tok[len(vt) :])
        if tok.upper().startswith(vt.upper()) and rest and is_known(rest):
            return [vt, rest]
    return [tok]


# --- type words (Part B "type") ----------------------------------------------------------------------
WORD_TYPES = {
    "nghị quyết liên tịch": "nghị quyết liên tịch", "nghị quyết": "nghị quyết", "nghị định": "nghị định",
    "quyết định": "quyết định", "thông tư liên tịch": "thông tư liên tịch", "thông tư": "thông tư",
    "chỉ thị": "chỉ thị", "công văn": "công văn", "công điện": "công điện", "thông báo": "thông báo",
    "thông cáo": "thông cáo", "kết luận": "kết luận", "bộ luật": "bộ luật", "luật": "luật",
    "pháp lệnh": "pháp lệnh", "lệnh": "lệnh", "kế hoạch": "kế hoạch", "hướng dẫn": "hướng dẫn",
    "quy định": "quy định", "quy chế": "quy chế", "chương trình hành động": "chương trình",
    "chương trình": "chương trình", "văn bản hợp nhất": "văn bản hợp nhất", "văn bản": "văn bản",
    "tờ trình": "tờ trình", "báo cáo": "báo cáo", "đề án": "đề án", "phương án": "phương án",
    "biên bản": "biên bản", "thông tri": "thông tri", "giấy mời": "giấy mời", "giấy phép": "giấy phép",
    "joint circular": "thông tư liên tịch", "joint resolution": "nghị quyết liên tịch",
    "resolution": "nghị quyết", "decree": "nghị định", "decision": "quyết định", "circular": "thông tư",
    "directive": "chỉ thị", "conclusion": "kết luận", "civil code": "bộ luật", "code": "bộ luật", "law": "luật",
    "ordinance": "pháp lệnh", "official letter": "công văn", "official dispatch": "dispatch",
    "official telegram": "dispatch", "dispatch": "dispatch", "notice": "thông báo", "plan": "kế hoạch",
    "guidance": "hướng dẫn", "guideline": "hướng dẫn", "regulation": "quy định", "report": "báo cáo",
    "consolidated document": "văn bản hợp nhất", "consolidated text": "văn bản hợp nhất",
    "program": "chương trình", "programme": "chương trình", "order": "lệnh", "submission": "tờ trình",
    "nq": "nghị quyết", "nđ": "nghị định", "qđ": "quyết định",
}
_WORD_ALT = "|".join(sorted((w.replace(" ", r"\s+") for w in WORD_TYPES), key=len, reverse=True))
_FULL_WORDS = "|".join(sorted((w.replace(" ", r"\s+") for w in WORD_TYPES if len(w) > 2), key=len, reverse=True))


def word_type(word: str) -> str:
    """Part B type name of a matched type word ("Nghị  Quyết" → "nghị quyết")."""
    return WORD_TYPES.get(" ".join(word.lower().split()), "công văn")


_FIRST = "".join(sorted({c for w in (*WORD_TYPES, "số", "ký", "no") for c in (w[0], w[0].upper())}))
PREFIX = re.compile(  # the lookahead lets the scanner skip positions that cannot start a type word or label
    rf"(?=[{_FIRST}]|$)(?:(?<!\w)(?P<tw>{_FULL_WORDS})(?P<sep>\s*:?\s*\(?\s*))?"
    r"(?:(?<!\w)(?P<label>số\s+hiệu|ký\s+hiệu|số|no\.?|number)\s*:?\s*)?$",
    re.I,
)
TITLE_WORD = re.compile(r"(?<!\w)(?:bộ\s+luật|luật|pháp\s+lệnh|law|code)(?!\w)", re.I)  # where a TITLED may start
TYPE_WORD = re.compile(rf"(?<!\w)(?P<tw>{_FULL_WORDS})(?!\w)", re.I)
TITLED = re.compile(r"(?<!\w)(?P<tw>bộ\s+luật|luật|pháp\s+lệnh|law|code)\s+(?P<title>[^\n,.;:()0-9]{2,90}?)\s*$", re.I)
_PARTIAL_WORDS = (
    "nghị quyết|nghị định|quyết định|thông tư liên tịch|thông tư|chỉ thị|công văn|công điện|kết luận|pháp lệnh"
    "|thông báo|resolution|decree|decision|joint circular|circular|directive|conclusion|official letter"
    "|official dispatch|official telegram|ordinance|nq|nđ|qđ"
)
_PARTIAL_FIRST = "".join(sorted({c for w in _PARTIAL_WORDS.split("|") for c in (w[0], w[0].upper())}))
PARTIAL = re.compile(  # the lookahead lets the scanner skip positions that cannot start a type word
    rf"(?=[{_PARTIAL_FIRST}])(?<!\w)(?P<tw>{_PARTIAL_WORDS.replace(' ', chr(92) + 's+')})"
    r"\s*(?:(?P<label>số|no\.?|number)\s*:?\s*)?(?P<num>[0-9]{1,5})"
    r"(?![0-9]|[.,][0-9]| ?[/_]| ?- ?\w|\s+(?:năm|tháng|tuần|giờ|phút|người|lần|điều)\b|%)",
    re.I,
)
# The types a sign without a type abbreviation can have, by its issuer (the first is the default): a QH sign
# is a law or a resolution of the National Assembly, never a công văn; `34/CP` (1990s) is a decree.
BODY_TYPES = {
    "QH": ("luật", "bộ luật", "nghị quyết"), "UBTVQH": ("nghị quyết", "pháp lệnh"), "CTN": ("lệnh",),
    "CP": ("nghị định",),
}
_BODY = re.compile(r"(UBTVQH|QH)[0-9]{0,2}|CTN|CP")


def body_types(tokens: list[str]) -> tuple[str, ...]:
    """The types BODY_TYPES allows for a sign that is its issuer alone (`QH13`, `UBTVQH14`, `CP`), else ().

    >>> body_types(["QH13"]), body_types(["UBTVQH14"]), body_types(["BTTTT", "CĐSQG"])
    (('luật', 'bộ luật', 'nghị quyết'), ('nghị quyết', 'pháp lệnh'), ())
    """
    found = _BODY.fullmatch(tokens[0]) if len(tokens) == 1 else None
    return BODY_TYPES[found.group(1) or found.group()] if found else ()


HEADING_TYPES = {
    "LUẬT": "luật", "BỘ LUẬT": "bộ luật", "PHÁP LỆNH": "pháp lệnh", "NGHỊ QUYẾT": "nghị quyết", "LỆNH": "lệnh",
    "LAW": "luật", "CODE": "bộ luật", "ORDINANCE": "pháp lệnh", "RESOLUTION": "nghị quyết",
}
HEADING = re.compile(r"^[ \t|]*(" + "|".join(HEADING_TYPES) + r")[ \t|]*$", re.M)

# --- dates (Part B "date") -----------------------------------------------------------------------------
MONTHS = {
    m: i + 1
    for i, names in enumerate(
        ("january jan", "february feb", "march mar", "april apr", "may", "june jun", "july jul",
         "august aug", "september sep sept", "october oct", "november nov", "december dec")
    )
    for m in names.split()
}
_MON = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_Y = r"(?:19|20)[0-9]{2}"
_DATE = (
    rf"(?:(?P<d1>[0-9]{{1,2}})\s*[/.-]\s*(?P<m1>[0-9]{{1,2}})\s*[/.-]\s*(?P<y1>{_Y})"
    rf"|(?P<d2>[0-9]{{1,2}})\s+tháng\s+(?P<m2>[0-9]{{1,2}})\s*,?\s+năm\s+(?P<y2>{_Y})"
    rf"|(?P<n3>{_MON})\s+(?P<d3>[0-9]{{1,2}})(?:st|nd|rd|th)?\s*,?\s+(?P<y3>{_Y})"
    rf"|(?P<d4>[0-9]{{1,2}})(?:st|nd|rd|th)?\s+(?P<n4>{_MON})\s*,?\s+(?P<y4>{_Y}))(?![0-9])"
)
DATE = re.compile(_DATE, re.I)
_ISSUER = r"(?:(?:của|of)\s+(?:(?!hiệu\s+lực|từ|kể|ngày|về|on\b|dated)[^\d,.;()\n]){1,60}?\s+)?"
DATE_AFTER = re.compile(
    rf"\s*,?\s*\(?\s*{_ISSUER}(?:(?:đã\s+)?(?:được\s+)?(?:ban\s+hành|ký(?:\s+ban\s+hành)?|thông\s+qua)(?:\s+vào)?\s+)?"
    rf"(?:ngày|dated|of|issued\s+on|signed\s+on|promulgated\s+on|adopted\s+on)\s*:?\s*{_DATE}",
    re.I,
)
DATE_BEFORE = re.compile(
    rf"(?=[nNoO])(?<!\w)(?:ngày|on)\s+{_DATE}\s*,(?:(?![.;!?\n])[^0-9]){{0,120}}?"
    r"(?<!\w)(?:ban\s+hành|ký|issued|signed|promulgated|adopted)\s*$",
    re.I,
)
PLACE_DATE = re.compile(rf"(?:^|\|)[ \t]*[^\W\d][^\n,|\d]{{1,30}},\s*(?:ngày\s+)?{_DATE}", re.I | re.M)
ISSUE_DATE = re.compile(rf"(?:ngày\s+ban\s+hành|ngày\s+ký|issued\s+date|date\s+of\s+issue)\s*:?\s*{_DATE}", re.I)


def iso_date(m: re.Match[str] | None) -> str | None:
    """ISO date of a DATE match (day-first numerics, Vietnamese words or English month names)."""
    if m is None:
        return None
    for d, mo, y in (("d1", "m1", "y1"), ("d2", "m2", "y2"), ("d3", "n3", "y3"), ("d4", "n4", "y4")):
        if m.group(d):
            month = m.group(mo)
            num = int(month) if month.isdigit() else MONTHS.get(month.lower().rstrip("."), 0)
            try:
                return date(int(m.group(y)), num, int(m.group(d))).isoformat()
            except ValueError:
                return None
    return None


# --- what only looks like a sign (the words that state relations: `relation_lexicon`) ---------------------
# Standards (QCVN 01-1:2018/BYT) and form templates (Mẫu số 01/TK-TNCN) carry sign-like codes; not references.
STANDARD = re.compile(
    r"(?:(?:QCVN|TCVN|TCN|TCCS|ISO|IEC)[\s0-9.:-]*|(?<!\w)(?i:mẫu|biểu\s+mẫu|form)(?:\s+(?i:số))?\s*:?\s*)$"
)
URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
