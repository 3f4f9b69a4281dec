"""Bytes to text to tree: decoding by BOM > HTTP header > <meta> > detection, then lxml parsing. A body
over `limits.PAGE_MAX_BYTES`, or a binary one (NUL bytes in a page not declared UTF-16/32), is refused
before any of that (NotContent "too_large" / "binary").

>>> decode("<meta charset=utf-8><p>Nghị quyết</p>".encode())[-14:]
'Nghị quyết</p>'
>>> decode("<p>Nghị quyết</p>".encode(), "text/html; charset=iso-8859-1") == "<p>Nghị quyết</p>"
True
"""
from __future__ import annotations

import codecs
import re

import lxml.html
from charset_normalizer import from_bytes
from lxml.etree import ParserError

from govmon.crawler.extract.limits import PAGE_MAX_BYTES, refuse_over
from govmon.crawler.extract.normalize import nfc
from govmon.crawler.extract.types import NotContent

__all__ = ["decode", "parse", "node_text", "block_texts"]

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)""", re.IGNORECASE)
_HEADER = re.compile(r"charset\s*=\s*[\"']?([\w-]+)", re.IGNORECASE)
_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "tr", "pre", "table", "ul", "ol",
           "section", "article", "figure", "figcaption", "header", "footer", "dd", "dt", "br", "hr"}


_CELLS = {"td", "th"}


def _declared(body: bytes, content_type: str) -> list[str]:
    header = _HEADER.search(content_type or "")
    meta = _META.search(body[:4096])
    return [m.group(1).decode() if isinstance(m.group(1), bytes) else m.group(1) for m in (header, meta) if m]


_CONTROL_BYTES = bytes(range(0, 9)) + bytes(range(14, 32))
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # never text in HTML, and refused by lxml


def _binary(body: bytes, content_type: str) -> bool:
    """Control bytes in over 5% of the first 4 KiB of a body that does not declare UTF-16/32: an image, an
    archive, a PDF served as a page — never text worth extracting (a stray NUL pasted into a title is not
    that, and is dropped by `decode`)."""
    sample = body[:4096]
    if len(sample) - len(sample.translate(None, _CONTROL_BYTES)) <= len(sample) // 20:
        return False
    return not any(e.lower().replace("-", "").startswith(("utf16", "utf32")) for e in _declared(body, content_type))


def _text(raw: str) -> str:
    """NFC text without the C0 control characters HTML never means (NUL, vertical tab, ...)."""
    return nfc(_CONTROLS.sub("", raw) if _CONTROLS.search(raw) else raw)


def decode(body: bytes, content_type: str = "") -> str:
    """Text of an HTML body in NFC: BOM, then valid UTF-8 (which a lying single-byte header cannot
    override, RELIABILITY.md A13), then the header and <meta> charsets, then detection. NotContent for
    a body over the page limit or a binary one.

    >>> decode(b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00\\x00\\rIHDR")
    Traceback (most recent call last):
    ...
    govmon.crawler.extract.types.NotContent: binary: the body is binary data, not a text page
    >>> decode("<title>Quyết\\x00 định\\x0b</title>".encode())
    '<title>Quyết định</title>'
    """
    refuse_over(len(body), PAGE_MAX_BYTES, "page")
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return _text(body[len(bom):].decode(encoding, errors="replace"))
    if _binary(body, content_type):
        raise NotContent("binary", "the body is binary data, not a text page")
    try:
        return _text(body.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    for encoding in _declared(body, content_type):
        try:
            return _text(body.decode(encoding))
        except (LookupError, UnicodeDecodeError):
            continue
    best = from_bytes(body).best()
    return _text(str(best) if best else body.decode("utf-8", errors="replace"))


def parse(text: str) -> lxml.html.HtmlElement:
    """An lxml tree; an empty, unparseable or oversized document is not content. (libxml2 keeps at most
    256 levels of nesting and 10 MB per text node, so a tree is as bounded as its text.)"""
    refuse_over(len(text), PAGE_MAX_BYTES, "page")
    if not text.strip():
        raise NotContent("empty", "the response body is empty")
    try:
        return lxml.html.document_fromstring(text)
    except (ParserError, ValueError) as exc:
        raise NotContent("unparseable", str(exc)) from exc


def node_text(node: lxml.html.HtmlElement) -> str:
    """Whitespace-collapsed text of one node."""
    return " ".join(node.text_content().split())


def block_texts(node: lxml.html.HtmlElement) -> list[str]:
    """The node's text as paragraphs: one entry per block-level element, inline text joined.

    >>> block_texts(parse("<div><p>Một <b>hai</b></p><table><tr><th>Số</th><td>71/NQ-CP</td></tr></table></div>"))
    ['Một hai', 'Số 71/NQ-CP']
    """
    paragraphs: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = " ".join("".join(current).split())
        if text:
            paragraphs.append(text)
        current.clear()

    def walk(element: lxml.html.HtmlElement) -> None:
        block = isinstance(element.tag, str) and element.tag in _BLOCKS
        if block:
            flush()
        if isinstance(element.tag, str) and element.tag in _CELLS:
            current.append(" ")  # table cells of one row stay one paragraph, but never run together
        if isinstance(element.tag, str) and element.text:
            current.append(element.text)
        for child in element:
            walk(child)
            if child.tail:
                current.append(child.tail)
        if block:
            flush()

    walk(node)
    flush()
    return paragraphs
