"""Text of attached documents (signed PDFs, DOCX) so their numbers and relations are found like an
article's. Pure: bytes in, text out. The format is sniffed from the bytes, not trusted from the name.

>>> kind_of(b"%PDF-1.7 ...", "application/octet-stream")
'pdf'
>>> attachment_text(b"plain bytes", "x.bin")
Traceback (most recent call last):
...
govmon.crawler.extract.types.NotContent: unsupported: x.bin: not a PDF or DOCX file
"""
from __future__ import annotations

import base64
import io
import zipfile
from typing import Any
from urllib.parse import urlsplit

import docx
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from govmon.crawler.extract.normalize import nfc
from govmon.crawler.extract.types import NotContent

__all__ = ["attachment_text", "attachment_item", "is_document_file", "kind_of", "EXTENSIONS"]

EXTENSIONS = (".pdf", ".docx", ".doc")
_TYPES = ("application/pdf", "application/msword", "officedocument.wordprocessingml")
MAX_PAGES = 200


def kind_of(body: bytes, name: str = "") -> str:
    """"pdf", "docx", "doc" (OLE, old Word) or "" by magic bytes."""
    if body.startswith(b"%PDF"):
        return "pdf"
    if body.startswith(b"PK\x03\x04") and b"word/" in body[:4096]:
        return "docx"
    if body.startswith(b"\xd0\xcf\x11\xe0"):
        return "doc"
    return ""


def _pdf(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return "\n\n".join((page.extract_text() or "").strip() for page in reader.pages[:MAX_PAGES])


def _docx(body: bytes) -> str:
    document = docx.Document(io.BytesIO(body))
    return "\n\n".join(p.text.strip() for p in document.paragraphs if p.text.strip())


def attachment_text(body: bytes, name: str = "") -> str:
    """The text of a PDF or DOCX attachment in NFC; NotContent when it has none we can read (a scanned PDF
    without a text layer, an old binary .doc, a broken file) — the file is still kept, only untexted."""
    kind = kind_of(body, name)
    if kind == "doc":
        raise NotContent("unsupported", f"{name}: old binary Word (.doc) text is not extracted")
    if kind not in ("pdf", "docx"):
        raise NotContent("unsupported", f"{name}: not a PDF or DOCX file")
    try:
        text = _pdf(body) if kind == "pdf" else _docx(body)
    except (PdfReadError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise NotContent("broken_file", f"{name}: {exc}") from exc
    if not text.strip():
        raise NotContent("no_text", f"{name}: no text layer (scanned document?)")
    return nfc(text)


def is_document_file(url: str, content_type: str = "") -> bool:
    """A PDF or Word file, by the URL's path or the content type.

    >>> is_document_file("https://datafiles.chinhphu.vn/a/71-nq-cp.signed.PDF"), is_document_file("https://x.vn/a.htm")
    (True, False)
    """
    return urlsplit(url).path.lower().endswith(EXTENSIONS) or any(t in content_type.lower() for t in _TYPES)


def attachment_item(url: str, body: bytes, article_url: str, name: str = "", content_type: str = "") -> dict[str, Any]:
    """The `attachment` item the monitor stores: the file (base64) and whatever text it has; a file without
    readable text keeps its problem and is still stored, never dropped."""
    text, trouble = "", ""
    try:
        text = attachment_text(body, name or url)
    except NotContent as exc:
        trouble = str(exc)
    return {"type": "attachment", "url": url, "article_url": article_url, "name": name, "content_type": content_type,
            "body_b64": base64.b64encode(body).decode("ascii"), "text": text, "problem": trouble}
