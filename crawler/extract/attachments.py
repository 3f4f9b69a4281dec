"""Text of attached documents (signed PDFs, DOCX) so their numbers and relations are found like an
article's. Pure: bytes in, text out. The format is sniffed from the bytes, not trusted from the name.

>>> kind_of(b"%PDF-1.7 ...", "application/octet-stream")
'pdf'
>>> attachment_text(b"plain bytes", "x.bin")
Traceback (most recent call last):
...
crawler.extract.types.NotContent: unsupported: x.bin: not a PDF or DOCX file
"""
from __future__ import annotations

import io
import zipfile

import docx
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from crawler.extract.normalize import nfc
from crawler.extract.types import NotContent

__all__ = ["attachment_text", "kind_of", "EXTENSIONS"]

EXTENSIONS = (".pdf", ".docx", ".doc")
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
