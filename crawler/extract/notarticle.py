"""Pages that answer normally but hold no article: a list, a search page whose results load by script, a
login form, an error page dressed as HTML 200. Such a page is reported (`NotArticle`), never returned as an
article made of its menus and footer with a date taken from elsewhere on it.

Each rule reads what the page is, not what one site looks like:

- **error page**: its title or heading says so ("Có lỗi xảy ra", "Trang không tồn tại", "404", "Error") or
  its little text does, and it does not declare itself an article;
- **login page**: a password field, and either the URL or title says login ("dang-nhap", "Đăng nhập") or
  there is next to nothing else to read;
- **search page**: the page's own URL segment or title is a search ("tim-kiem", "Kết quả tìm kiếm") and it
  has a search box — whether its results are in the HTML or loaded by script, it is not an article;
- **list**: most of the text we would return sits in list items — headline links to other pages, or the
  summaries printed beside them (a category page, a "Tin khác" page, a document register);
- **no text**: nothing to read, and the page neither declares an article nor has a heading of its own.

A site's selectors are trusted to point at an article; `check_site_article` only refuses what they find
when it is an error page or empty.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

import lxml.html
from govmon.crawler.extract.pagemeta import PageMeta
from govmon.crawler.extract.types import NotArticle

__all__ = ["check_generic_article", "check_site_article", "list_share"]

SHORT_TEXT = 500  # characters: an error, login or search page has less text of its own than this
LIST_ITEMS, LIST_SHARE = 5, 0.6  # a list: at least this many item paragraphs, holding this share of the text
_ITEM_EXTRA = 300  # an item block holds its paragraph, a headline and a date: at most this much more text
_ITEM_DEPTH = 4  # parent levels searched for an item's headline link
_INDEX_PREFIX = 24  # characters of a paragraph's start used to find it in the tree
_MAX_PARAGRAPHS = 200  # paragraphs examined for list items (a longer list is a list by its first 200)

_ERROR = re.compile(
    r"(?:^|\W)(?:lỗi \d{3}|error \d{3}|\d{3} (?:error|not found|forbidden)|có lỗi(?: xảy ra)?|đã (?:xảy ra|có) lỗi|"
    r"không tìm thấy (?:trang|bài viết|nội dung|dữ liệu|tin)|(?:trang|bài viết|nội dung|tin|đường dẫn) "
    r"(?:này )?không tồn tại|(?:trang|bài viết|nội dung) (?:đã bị (?:xóa|xoá|gỡ)|không còn)|page not found|"
    r"not found|access denied|forbidden|server error|runtime error|an error (?:has )?occurred|bad request|"
    r"service unavailable|truy cập bị từ chối|không có quyền truy cập)(?:$|\W)", re.I)
_ERROR_TITLE = re.compile(r"^\s*(?:lỗi|error|\d{3})\s*$", re.I)
_LOGIN_WORDS = re.compile(r"đăng nhập|login|log in|sign in|signin", re.I)
_LOGIN_SEGMENTS = frozenset(("dang-nhap", "dangnhap", "login", "signin", "sign-in", "log-in", "logon"))
_SEARCH_TITLE = re.compile(r"^\s*(?:kết quả )?tìm kiếm(?: nâng cao)?\s*$|^\s*search(?: results?)?\s*$", re.I)
_SEARCH_SEGMENTS = frozenset(("tim-kiem", "timkiem", "tim_kiem", "ket-qua-tim-kiem", "search", "searchresults",
                              "search-results", "tra-cuu-van-ban", "tracuu"))
_SEARCH_INPUT_NAMES = re.compile(r"^(?:q|s|k|keywords?|tukhoa|tu_khoa|tu-khoa|txt_?search|txt_?keyword|search\w*|"
                                 r"\w*keyword\w*|\w*timkiem\w*|query|searchtext)$", re.I)


def _segment(url: str) -> str:
    """The page's own path segment, lower case, without its extension: '/Pages/tim-kiem.aspx' → 'tim-kiem'."""
    last = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    return last.rsplit(".", 1)[0].lower()


def _title_part(title: str) -> str:
    """The title without a site name after a separator: 'Tìm kiếm - Cổng TTĐT tỉnh X' → 'Tìm kiếm'."""
    return re.split(r"\s[|–—-]\s|\s::\s|\s»\s", title, maxsplit=1)[0].strip()


def _headings(tree: lxml.html.HtmlElement) -> list[str]:
    return [" ".join(h.text_content().split()) for h in tree.iterfind(".//h1")][:3]


def _error_page(tree: lxml.html.HtmlElement, meta: PageMeta, title: str, text: str) -> str:
    if meta.declares_article or len(text) >= SHORT_TEXT:
        return ""
    named = [t for t in (title, _title_part(title), *_headings(tree)) if t]
    if any(_ERROR_TITLE.match(t) or _ERROR.search(t) for t in named) or _ERROR.search(text):
        return "an error page (it says so: " + next((t for t in named if _ERROR.search(t)), text or title)[:80] + ")"
    return ""


def _login_page(tree: lxml.html.HtmlElement, meta: PageMeta, url: str, title: str, text: str) -> str:
    if meta.declares_article or not tree.xpath("boolean(//input[translate(@type, 'PASWORD', 'pasword') = 'password'])"):
        return ""
    says_login = _segment(url) in _LOGIN_SEGMENTS or bool(_LOGIN_WORDS.search(_title_part(title)))
    return "a login page (a password form)" if says_login or len(text) < SHORT_TEXT else ""


def _search_box(tree: lxml.html.HtmlElement) -> bool:
    for field in tree.iter("input"):
        kind, name = (field.get("type") or "text").lower(), field.get("name") or field.get("id") or ""
        if kind == "search" or (kind == "text" and _SEARCH_INPUT_NAMES.match(name)):
            return True
    return False


def _search_page(tree: lxml.html.HtmlElement, url: str, title: str) -> str:
    says_search = _segment(url) in _SEARCH_SEGMENTS or bool(_SEARCH_TITLE.match(_title_part(title)))
    return "a search page (its results are not an article)" if says_search and _search_box(tree) else ""


def _text_index(tree: lxml.html.HtmlElement) -> dict[str, lxml.html.HtmlElement]:
    """The element holding each text of the body that is long enough to find a paragraph by its start."""
    index: dict[str, lxml.html.HtmlElement] = {}
    for text in tree.xpath(f"//body//text()[string-length(normalize-space(.)) >= {_INDEX_PREFIX}]"):
        holder = text.getparent()
        if holder is None or holder.tag in ("script", "style"):
            continue
        if text.is_tail:
            holder = holder.getparent()
        index.setdefault(" ".join(text.split())[:_INDEX_PREFIX], holder)
    return index


def _headline(link: lxml.html.HtmlElement) -> bool:
    """A link to another page whose text reads as a headline or a document's name (three words or more)."""
    href = (link.get("href") or "").strip()
    words = len(link.text_content().split()) or len((link.get("title") or "").split())
    return bool(href) and not href.startswith(("#", "javascript:", "mailto:", "tel:")) and words >= 3


def _in_item(element: lxml.html.HtmlElement, length: int) -> bool:
    """Whether a paragraph is a list item: a headline link itself, or in a small block with one (a summary
    beside its title). A link inside the paragraph counts only when it is most of it (a paragraph that
    names a document by a link is still an article's)."""
    node: lxml.html.HtmlElement | None = element
    for _ in range(_ITEM_DEPTH):
        if node is None or not isinstance(node.tag, str) or node.tag == "body":
            return False
        if node.tag == "a" and _headline(node):
            return True
        if len(node.text_content()) > length + _ITEM_EXTRA:
            return False
        if any(_headline(a) for a in node.iter("a") if not _inside(a, element) or
               len(a.text_content()) >= 0.7 * length):
            return True
        node = node.getparent()
    return False


def _inside(link: lxml.html.HtmlElement, element: lxml.html.HtmlElement) -> bool:
    return any(parent is element for parent in link.iterancestors()) or link is element


def list_share(tree: lxml.html.HtmlElement, paragraphs: Sequence[str]) -> tuple[int, float]:
    """(number of item paragraphs, their share of the characters) of the paragraphs we would return."""
    index, items, chars = _text_index(tree), 0, 0
    shown = paragraphs[:_MAX_PARAGRAPHS]
    for paragraph in shown:
        element = index.get(" ".join(paragraph.split())[:_INDEX_PREFIX])
        if element is not None and _in_item(element, len(paragraph)):
            items, chars = items + 1, chars + len(paragraph)
    total = sum(len(p) for p in shown) or 1
    return items, chars / total


def _list_page(tree: lxml.html.HtmlElement, paragraphs: Sequence[str]) -> str:
    if len(paragraphs) < LIST_ITEMS:
        return ""
    items, share = list_share(tree, paragraphs)
    if items >= LIST_ITEMS and share >= LIST_SHARE:
        return f"a list ({items} of its {len(paragraphs)} paragraphs are headline links or their summaries)"
    return ""


def _no_text(tree: lxml.html.HtmlElement, meta: PageMeta, paragraphs: Sequence[str]) -> str:
    """Menus, links and a footer but nothing of its own (a page with no text at all is only empty)."""
    if paragraphs or meta.declares_article or _headings(tree) or not tree.xpath("boolean(normalize-space(//body))"):
        return ""
    return "no text of its own (only menus, links and footer)"


def check_generic_article(tree: lxml.html.HtmlElement, meta: PageMeta, url: str, title: str,
                          paragraphs: Sequence[str]) -> None:
    """Raise NotArticle when the page is not an article (the rules of the module docstring), in order."""
    text = "\n".join(paragraphs)
    reason = (_error_page(tree, meta, title, text) or _login_page(tree, meta, url, title, text)
              or _search_page(tree, url, title) or _list_page(tree, paragraphs) or _no_text(tree, meta, paragraphs))
    if reason:
        raise NotArticle(reason)


def check_site_article(tree: lxml.html.HtmlElement, title: str, text: str, attachments: int) -> None:
    """What a site's selectors found is refused only when it is an error page (title, heading or short body
    say so) or holds nothing at all (no title, no text, no file)."""
    reason = _error_page(tree, PageMeta(), title, text)
    if not reason and not (title or text or attachments):
        reason = "the article's title and body are empty"
    if reason:
        raise NotArticle(reason)
