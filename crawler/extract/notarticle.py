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

import itertools
import re
from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple
from urllib.parse import urlsplit

import lxml.html
from govmon.crawler.extract.pagemeta import PageMeta
from govmon.crawler.extract.types import NotArticle

__all__ = ["check_generic_article", "check_site_article", "not_own", "Share"]

SHORT_TEXT = 500  # characters: an error, login or search page has less text of its own than this
NOT_OWN_SHARE = 0.6  # share of the text in list items and chrome above which a page has no text of its own
LIST_ITEMS = 2  # ... and with at least this many list items, it is a list
_ITEM_EXTRA = 300  # an item block holds its paragraph, a headline and a date: at most this much more text
_ITEM_DEPTH = 4  # parent levels searched for an item's headline link
_INDEX_PREFIX, _LONG_PREFIX = 24, 64  # characters of a paragraph's start used to find it in the tree
_MAX_PARAGRAPHS = 200  # paragraphs examined for list items (a longer list is a list by its first 200)
_FILES = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".rtf", ".zip", ".rar", ".7z")
_BAR_SEPARATORS = re.compile(r"\s*[\[\]|/·•»«]+\s*")
_NAME_WORDS = re.compile(r"[\s_-]+")
_NAV_WORDS = frozenset(("nav", "navbar", "navigation", "navi", "topnav", "subnav"))
_CHROME_PREFIXES = ("footer", "menu", "breadcrumb", "copyright")

_ERROR = re.compile(  # an error message, as portals and servers word it
    r"có lỗi(?: xảy ra)?|đã (?:xảy ra|có) lỗi|lỗi hệ thống|không tìm thấy (?:trang|bài viết|nội dung|dữ liệu|tin|"
    r"đường dẫn|kết quả)|(?:trang|bài viết|nội dung|tin|tin bài|đường dẫn|dữ liệu)(?: bạn (?:yêu cầu|tìm|truy cập|"
    r"tìm kiếm))?(?: này)? (?:không tồn tại|đã bị (?:xóa|xoá|gỡ bỏ|gỡ)|không còn tồn tại)|truy cập bị từ chối|"
    r"(?:bạn )?không có quyền truy cập|page not found|the page you requested|an error (?:has )?occurred|"
    r"server error in|runtime error|internal server error|access denied|service unavailable|bad request|"
    r"\b\d{3} (?:not found|forbidden)", re.I)
_CODE = re.compile(r"^\W*(?:(?:lỗi|error|http|thông báo lỗi)\W*)?(?:\d{3})?\W*$", re.I)  # "404", "Lỗi 404"
_ERROR_BODY = 200  # characters: the whole text of an error page is its message, a line or two
_TITLE_EXTRA = 20  # characters a title may hold beside its error message ("404 - ", a site's short name)
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


def _says_error(name: str) -> bool:
    """A title or heading that is an error message: a code ("404", "Lỗi 500") or a message with little
    else ("Không tìm thấy trang"); a headline that mentions one ("Khắc phục lỗi trang không tồn tại trên
    Cổng dịch vụ công") is longer than that.

    >>> [_says_error(t) for t in ("Lỗi 404", "404 - Trang không tồn tại", "Có lỗi xảy ra", "Error")]
    [True, True, True, True]
    >>> _says_error("Khắc phục tình trạng trang không tồn tại trên Cổng dịch vụ công quốc gia")
    False
    """
    name = name.strip()
    if any(c.isalnum() for c in name) and _CODE.match(name):
        return True
    found = _ERROR.search(name)
    return found is not None and len(name) - len(found.group(0)) <= _TITLE_EXTRA


def _error_page(tree: lxml.html.HtmlElement, meta: PageMeta, title: str, text: str) -> str:
    if meta.declares_article or len(text) >= SHORT_TEXT:
        return ""
    named = [t for t in (_title_part(title), title, *_headings(tree)) if t]
    said = next((t for t in named if _says_error(t)), "")
    if not said and len(text) < _ERROR_BODY and (found := _ERROR.search(text)):
        said = found.group(0)
    return f"an error page that says: {said[:80]}" if said else ""


def _login_page(tree: lxml.html.HtmlElement, meta: PageMeta, url: str, title: str, text: str) -> str:
    if meta.declares_article or not tree.xpath("boolean(//input[translate(@type, 'PASWORD', 'pasword') = 'password'])"):
        return ""
    says_login = _segment(url) in _LOGIN_SEGMENTS or bool(_LOGIN_WORDS.search(_title_part(title)))
    return "a login page with a password form" if says_login or len(text) < SHORT_TEXT else ""


def _search_box(tree: lxml.html.HtmlElement) -> bool:
    for field in tree.iter("input"):
        kind, name = (field.get("type") or "text").lower(), field.get("name") or field.get("id") or ""
        if kind == "search" or (kind == "text" and _SEARCH_INPUT_NAMES.match(name)):
            return True
    return False


def _search_page(tree: lxml.html.HtmlElement, url: str, title: str) -> str:
    says_search = _segment(url) in _SEARCH_SEGMENTS or bool(_SEARCH_TITLE.match(_title_part(title)))
    return "a search page: its results are not an article" if says_search and _search_box(tree) else ""


class _Index(NamedTuple):
    starts: dict[str, lxml.html.HtmlElement]  # a text's first 64 characters (all of a shorter one), and first 24
    links: frozenset[str]  # the text of every link


def _text_index(tree: lxml.html.HtmlElement) -> _Index:
    """The element holding each text of the page, by its start; links by their whole text too (a short
    paragraph such as a menu item or a page number is found by it)."""
    starts: dict[str, lxml.html.HtmlElement] = {}
    for text in tree.xpath(f".//text()[string-length(normalize-space(.)) >= {_INDEX_PREFIX}]"):
        holder = text.getparent()
        if holder is None or holder.tag in ("script", "style"):
            continue
        start = " ".join(text.split())
        for key in (start[:_LONG_PREFIX], start[:_INDEX_PREFIX]):
            starts.setdefault(key, holder.getparent() if text.is_tail else holder)
    links = [(" ".join(link.text_content().split()), link) for link in tree.iterfind(".//a[@href]")]
    for text, link in links:
        for key in (text[:_LONG_PREFIX], text[:_INDEX_PREFIX]):
            starts.setdefault(key, link)
    return _Index(starts, frozenset(text for text, _ in links if text))


def _element(index: _Index, paragraph: str) -> lxml.html.HtmlElement | None:
    """The element a paragraph starts in, by its first 64 characters (all of a shorter one), else its first
    24 (summaries of one list often share their first words: "(Chinhphu.vn) - Bộ trưởng …"). A list item's
    "- " is not its text; a table row ("| 71/NQ-CP | 01/04/2025 | Nghị quyết … |") is found by its longest
    cell, as its row."""
    if paragraph.startswith("|"):
        cell = max(paragraph.strip("| ").split(" | "), key=len)
        found = _element(index, cell)
        row = None if found is None else next(found.iterancestors("tr"), None)
        return row if row is not None else found
    start = " ".join(paragraph.removeprefix("- ").split())
    found = index.starts.get(start[:_LONG_PREFIX])
    return found if found is not None else index.starts.get(start[:_INDEX_PREFIX])


def _link_bar(paragraph: str, links: frozenset[str]) -> bool:
    """A line made only of links: "[ Lược đồ ] [ Thuộc tính ] [ Bản in ]", "Trang chủ | Giới thiệu"."""
    if len(paragraph) > 120:
        return False
    parts = [p for p in _BAR_SEPARATORS.split(paragraph) if p]
    return len(parts) >= 2 and all(p in links for p in parts)


def _headline(link: lxml.html.HtmlElement) -> bool:
    """A link to another page whose text reads as a headline or a document's name (three words or more);
    a link to a file is an attachment of the article, not a headline."""
    href = (link.get("href") or "").strip()
    words = len(link.text_content().split()) or len((link.get("title") or "").split())
    path = urlsplit(href).path.lower()
    return (bool(href) and not href.startswith(("#", "javascript:", "mailto:", "tel:")) and words >= 3
            and not path.endswith(_FILES))


def _item(element: lxml.html.HtmlElement, length: int, holders: Counter[lxml.html.HtmlElement]
          ) -> lxml.html.HtmlElement | None:
    """The headline link of the list item a paragraph belongs to: the link it is the text of, or the one in
    a small block holding the paragraph (a summary beside its title) and no other paragraph of ours — a
    block holding two is an article's body, however short. A link inside the paragraph counts only when it
    is most of it (a paragraph that names a document by a link is still an article's), or when the
    paragraph is a table row (a register's row links to its document)."""
    node: lxml.html.HtmlElement | None = element
    own = 0 if element.tag == "a" else 1
    for _ in range(_ITEM_DEPTH):
        if node is None or not isinstance(node.tag, str) or node.tag == "body":
            return None
        if node.tag == "a" and _headline(node):
            return node
        if holders[node] > own or node.xpath("string-length(normalize-space())") > length + _ITEM_EXTRA:
            return None
        headline = next((a for a in node.iter("a") if _headline(a) and _names_item(a, element, length)), None)
        if headline is not None:
            return headline
        node = node.getparent()
    return None


def _holders(elements: Sequence[lxml.html.HtmlElement | None]) -> Counter[lxml.html.HtmlElement]:
    """How many of our (non-link) paragraphs each element near them holds. (Elements, not their id()s, are
    the keys: lxml makes a new proxy object on each access, and an unused one's id is soon reused.)"""
    counts: Counter[lxml.html.HtmlElement] = Counter()
    for element in dict.fromkeys(elements):  # a paragraph printed twice (two boxes of one list) is one
        if element is not None and element.tag != "a":
            counts.update(itertools.islice(element.iterancestors(), _ITEM_DEPTH))
            counts[element] += 1
    return counts


def _names_item(link: lxml.html.HtmlElement, element: lxml.html.HtmlElement, length: int) -> bool:
    return element.tag == "tr" or not _inside(link, element) or len(link.text_content()) >= 0.7 * length


def _inside(link: lxml.html.HtmlElement, element: lxml.html.HtmlElement) -> bool:
    return any(parent is element for parent in link.iterancestors()) or link is element


def _chrome(element: lxml.html.HtmlElement, length: int) -> bool:
    """Text in the page's chrome: a link's whole text (a menu item, a page number), or in a footer, nav or
    aside, or in a block whose class or id names a footer, menu, navigation, breadcrumb or copyright
    (looked for up to the enclosing article, main or body: a page's outer wrappers name everything)."""
    if element.tag == "a":
        return len(element.text_content().strip()) >= 0.9 * length
    for node in (element, *element.iterancestors()):
        if node.tag in ("article", "main", "body", "html"):
            return False
        if node.tag in ("footer", "nav", "aside") or _chrome_name(f"{node.get('class') or ''} {node.get('id') or ''}"):
            return True
    return False


def _chrome_name(names: str) -> bool:
    """'footerPane', 'site-footer', 'main-menu', 'dnn_FooterPane', 'breadcrumb-bar', 'nav': chrome names."""
    words = _NAME_WORDS.split(names.lower())
    return any(w in _NAV_WORDS or w.startswith(_CHROME_PREFIXES) for w in words)


class Share(NamedTuple):
    items: int  # list items among the paragraphs
    listed: float  # share of the characters in list items
    chrome: float  # share in menus, page numbers, footer


def not_own(tree: lxml.html.HtmlElement, paragraphs: Sequence[str]) -> Share:
    """What of the paragraphs we would return is not the page's own: list items (headline links, the
    summaries beside them) and chrome (menus, page numbers, footer)."""
    shown = paragraphs[:_MAX_PARAGRAPHS]
    index = _text_index(tree)
    elements = [_element(index, p) for p in shown]
    holders, items, listed, chrome = _holders(elements), set(), 0, 0
    for paragraph, element in zip(shown, elements):
        item = None if element is None else _item(element, len(paragraph), holders)
        if item is not None:
            items.add(item)
            listed += len(paragraph)
        elif _link_bar(paragraph, index.links) or (element is not None and _chrome(element, len(paragraph))):
            chrome += len(paragraph)
    total = sum(len(p) for p in shown) or 1
    return Share(len(items), listed / total, chrome / total)


def _list_or_chrome(tree: lxml.html.HtmlElement, meta: PageMeta, paragraphs: Sequence[str]) -> str:
    """Judged only on pages that do not declare an article: a digest that declares itself one ("Điểm tin",
    ten summaries with their links) is an article."""
    if not paragraphs or meta.declares_article:
        return ""
    share = not_own(tree, paragraphs)
    if share.items >= LIST_ITEMS and share.listed + share.chrome >= NOT_OWN_SHARE:
        return f"a list of {share.items} items: headline links to other pages or the summaries beside them"
    if share.chrome >= NOT_OWN_SHARE:
        return "no text of its own, only menus, links and footer"
    return ""


def _no_text(tree: lxml.html.HtmlElement, meta: PageMeta, paragraphs: Sequence[str]) -> str:
    """Menus, links and a footer but nothing of its own (a page with no text at all is only empty)."""
    if paragraphs or meta.declares_article or _headings(tree):
        return ""
    body = tree.find("body")
    if not (body if body is not None else tree).text_content().strip():
        return ""
    return "no text of its own, only menus, links and footer"


def check_generic_article(tree: lxml.html.HtmlElement, meta: PageMeta, url: str, title: str,
                          paragraphs: Sequence[str]) -> None:
    """Raise NotArticle when the page is not an article (the rules of the module docstring), in order."""
    text = "\n".join(paragraphs)
    reason = (_error_page(tree, meta, title, text) or _login_page(tree, meta, url, title, text)
              or _search_page(tree, url, title) or _list_or_chrome(tree, meta, paragraphs)
              or _no_text(tree, meta, paragraphs))
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
