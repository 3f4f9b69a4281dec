"""Recognise answers that are not content: anti-bot challenges, F5/IIS "Object Moved" pages, soft 404s,
maintenance pages. They are source-health problems, never article text and never a version.

>>> check_content('<script>document.cookie="D0N=ab12"+"; path=/";window.location.reload(true);</script>')
Traceback (most recent call last):
...
govmon.crawler.extract.types.NotContent: challenge: cookie challenge (script sets a cookie and reloads)
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from govmon.crawler.extract.types import NotContent

__all__ = ["check_content", "challenge_cookie", "visible_text"]

_RULES: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("cookie", "cookie challenge (script sets a cookie and reloads)",
     re.compile(r"document\.cookie\s*=[^<]{0,400}?location\.reload", re.I)),
    ("challenge", "F5 BIG-IP bot defence script", re.compile(r"id=[\"']?f5_cspm|TSPD|window\[\"bobcmn\"\]", re.I)),
    ("moved", "\"Object Moved\" / \"Document Moved\" page", re.compile(r"<title>\s*(?:Object|Document) Moved", re.I)),
    ("soft_404", "the site says the page does not exist",
     re.compile(r"Trang không tồn tại|Không tìm thấy trang|page not found|404 - File or directory not found", re.I)),
    ("maintenance", "maintenance page", re.compile(r"đang bảo trì|under maintenance|hệ thống đang nâng cấp", re.I)),
    ("captcha", "captcha page", re.compile(r"g-recaptcha|hcaptcha|cf-challenge|Checking your browser", re.I)),
)
_ANY = re.compile("|".join(f"(?P<r{i}>{pattern.pattern})" for i, (_, _, pattern) in enumerate(_RULES)), re.I)
_WORDS = ("document.cookie", "f5_cspm", "tspd", "bobcmn", "moved", "tồn tại", "không tìm thấy", "not found",
          "bảo trì", "maintenance", "nâng cấp", "captcha", "cf-challenge", "checking your browser")
_SMALL_PAGE = 3000
_COOKIE_CHALLENGE = re.compile(
    r"""document\.cookie\s*=\s*["']([A-Za-z0-9_]+)=([^"';]*)["'].*?location\.reload""", re.S | re.I)


def challenge_cookie(text: str) -> tuple[str, str] | None:
    """The (name, value) a script-only cookie challenge asks the client to set before reloading, if the page
    is such a challenge (chinhphu.vn, SITES.md §2); a client that sets it and asks again gets the content.

    >>> challenge_cookie('<script>document.cookie="D0N=ab12"+"; path=/";window.location.reload(true);</script>')
    ('D0N', 'ab12')
    >>> challenge_cookie("<p>Bài viết về document.cookie</p>") is None
    True
    """
    if len(text) > _SMALL_PAGE:
        return None
    match = _COOKIE_CHALLENGE.search(text)
    return (match.group(1), match.group(2)) if match else None


def check_content(text: str) -> None:
    """Raise NotContent if `text` (a decoded page) is a known non-content answer.

    Only pages with little visible text are judged: challenge, error and maintenance pages are small, and
    an article that quotes "Trang không tồn tại" or carries a captcha in its comment form stays content.
    """
    if not text.strip():
        raise NotContent("empty", "the response body is empty")
    head = text[:20000].lower()
    if not any(word in head for word in _WORDS):  # plain substring tests first: most pages stop here
        return
    hit = _ANY.search(head)
    if hit and _small(text):
        kind, detail, _ = _RULES[int(str(hit.lastgroup)[1:])]
        raise NotContent("challenge" if kind == "cookie" else kind, detail)


def _small(text: str) -> bool:
    """Little visible text in the whole page (real pages quote these phrases, embed captchas in comment
    forms and run cookie scripts; challenge, error and maintenance pages have next to nothing to read).
    Counted only until it is not little: an article is not read to its end to learn that.

    >>> _small("<script>" + "x" * 5000 + "</script><p>Trang không tồn tại</p>"), _small("<p>" + "chữ " * 2000)
    (True, False)
    """
    if len(text) <= _SMALL_PAGE:
        return True
    seen = 0
    for chunk in _chunks(text):
        seen += len(" ".join(_TAG.sub(" ", chunk).split())) + 1
        if seen > _SMALL_PAGE + 1:
            return False
    return True


def visible_text(text: str) -> str:
    """What a reader could see of an HTML string: scripts, styles and tags dropped, spaces collapsed
    (entities are left as written)."""
    return " ".join(_visible(text).split())


_HIDDEN = re.compile(r"<(script|style)\b", re.I)
_CLOSE = {"script": re.compile(r"</script", re.I), "style": re.compile(r"</style", re.I)}
_TAG = re.compile(r"<[^<>]*>")  # stops at the next "<": linear even on "<<<<…" without any ">"


def _chunks(text: str) -> Iterator[str]:
    """The stretches of `text` between scripts and styles, in one pass: an unclosed <script> hides the rest
    of the page (as in a browser) instead of being searched for its end from every later "<script"."""
    start = 0
    while (found := _HIDDEN.search(text, start)) is not None:
        yield text[start:found.start()]
        close = _CLOSE[found.group(1).lower()].search(text, found.end())
        end = text.find(">", close.start()) if close else -1
        start = len(text) if end < 0 else end + 1
    yield text[start:]


def _visible(text: str) -> str:
    """The text without scripts, styles and tags.

    >>> _visible("a<script>x</script>b<style>y</style>c<p>d") .split()
    ['a', 'b', 'c', 'd']
    >>> _visible("a<script>" + "<script>" * 3 + "never closed").split()
    ['a']
    """
    return _TAG.sub(" ", " ".join(_chunks(text)))
