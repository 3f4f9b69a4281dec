"""Text of attached documents (signed PDFs, DOCX) so their numbers and relations are found like an
article's. Pure: bytes in, text out. The format is sniffed from the bytes, not trusted from the name.

Bounded before the parsers see the bytes (see `limits`): a file over `ATTACHMENT_MAX_BYTES` is refused;
a DOCX's zip is checked first — entry count, declared and actually unpacked sizes, packing ratio — so a
zip bomb is refused in milliseconds with no more memory than one read buffer; a PDF is read with pypdf's
own decompression and page-tree limits tightened, for its first `PDF_MAX_PAGES` pages. Whatever a broken
file makes pypdf or python-docx raise becomes NotContent("broken_file"), never a traceback.

>>> kind_of(b"%PDF-1.7 ...", "application/octet-stream")
'pdf'
>>> attachment_text(b"plain bytes", "x.bin")
Traceback (most recent call last):
...
govmon.crawler.extract.types.NotContent: unsupported: x.bin: not a PDF or DOCX file
"""
from __future__ import annotations

import base64
import importlib
import io
import zipfile
from contextlib import AbstractContextManager, nullcontext
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from govmon.crawler.extract.limits import (
    ATTACHMENT_MAX_BYTES,
    MIB,
    PDF_MAX_PAGES,
    PDF_STREAM_MAX_BYTES,
    TEXT_MAX_CHARS,
    ZIP_MAX_BYTES,
    ZIP_MAX_ENTRIES,
    ZIP_MAX_RATIO,
    refuse_over,
)
from govmon.crawler.extract.normalize import nfc
from govmon.crawler.extract.types import NotContent

__all__ = ["attachment_text", "attachment_item", "is_document_file", "kind_of", "check_zip", "EXTENSIONS", "MAX_PAGES"]

EXTENSIONS = (".pdf", ".docx", ".doc")
_TYPES = ("application/pdf", "application/msword", "officedocument.wordprocessingml")
MAX_PAGES = PDF_MAX_PAGES
_CHUNK = 64 * 1024
_PDF_LIMITS = {name: PDF_STREAM_MAX_BYTES for name in (
    "maximum_declared_stream_length", "array_based_stream_maximum_output_length", "zlib_maximum_output_length",
    "lzw_maximum_output_length", "run_length_maximum_output_length", "brotli_maximum_output_length")}
_PDF_LIMITS.update(page_tree_maximum_entries=20_000,  # pages: a decree with annexes has a few hundred
                   stream_parsing_work_maximum_count=200_000)  # tokens per content stream (a dense page: ~20,000)


def kind_of(body: bytes, name: str = "") -> str:
    """"pdf", "docx", "doc" (OLE, old Word) or "" by magic bytes."""
    if body.startswith(b"%PDF"):
        return "pdf"
    if body.startswith(b"PK\x03\x04") and b"word/" in body[:4096]:
        return "docx"
    if body.startswith(b"\xd0\xcf\x11\xe0"):
        return "doc"
    return ""


def parser(name: str) -> ModuleType:
    """pypdf or docx (python-docx), imported when a file of theirs is read: every crawl process loads this
    module, few read a file (0.13 CPU-s of each crawl's start)."""
    return importlib.import_module(name)


def _pdf_limits() -> AbstractContextManager[Any]:
    apply = getattr(parser("pypdf"), "apply_configuration", None)  # older pypdf keep their built-in limits
    return apply(**_PDF_LIMITS) if apply is not None else nullcontext()


def _pdf(body: bytes) -> tuple[str, str]:
    """(text of the first PDF_MAX_PAGES pages, at most TEXT_MAX_CHARS of it; a note when that was not all)."""
    with _pdf_limits():
        reader = parser("pypdf").PdfReader(io.BytesIO(body))
        pages, texts, size = len(reader.pages), [], 0
        for number in range(min(pages, PDF_MAX_PAGES)):
            texts.append((reader.pages[number].extract_text() or "").strip())
            size += len(texts[-1])
            if size > TEXT_MAX_CHARS:
                return "\n\n".join(texts)[:TEXT_MAX_CHARS], f"text of the first {number + 1} of {pages} pages read"
    note = f"text of the first {PDF_MAX_PAGES} of {pages} pages read" if pages > PDF_MAX_PAGES else ""
    return "\n\n".join(texts), note


def _unpacked(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, budget: int) -> int:
    """The bytes `entry` really unpacks to, counted a buffer at a time and never past `budget`."""
    size = 0
    with archive.open(entry) as member:
        while chunk := member.read(_CHUNK):
            size += len(chunk)
            if size > budget:
                break
    return size


def _ratio_ok(entry: zipfile.ZipInfo) -> bool:
    return entry.file_size <= MIB or entry.file_size <= ZIP_MAX_RATIO * max(entry.compress_size, 1)


def check_zip(body: bytes, name: str = "") -> None:
    """Refuse a zip (DOCX) with too many entries, too much to unpack (as declared, or as actually
    unpacked: declared sizes can lie) or a packing ratio only a zip bomb has; before any parser opens it."""
    if body.count(b"PK\x01\x02") > ZIP_MAX_ENTRIES:  # central directory records, counted before zipfile reads them
        raise NotContent("too_large", f"{name}: zip of over {ZIP_MAX_ENTRIES:,} entries")
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        entries = archive.infolist()
        declared = sum(e.file_size for e in entries)
        refuse_over(declared, ZIP_MAX_BYTES, f"{name}: zip unpacking")
        packed = next((e for e in entries if not _ratio_ok(e)), None)
        if packed is not None:
            raise NotContent("too_large", f"{name}: zip entry {packed.filename!r} packed {packed.file_size // max(packed.compress_size, 1)}:1, over {ZIP_MAX_RATIO}:1")
        actual = 0
        for entry in entries:
            actual += _unpacked(archive, entry, ZIP_MAX_BYTES - actual)
            refuse_over(actual, ZIP_MAX_BYTES, f"{name}: zip unpacking")


def _docx(body: bytes, name: str) -> tuple[str, str]:
    check_zip(body, name)
    document = parser("docx").Document(io.BytesIO(body))
    text = "\n\n".join(p.text.strip() for p in document.paragraphs if p.text.strip())
    if len(text) > TEXT_MAX_CHARS:
        return text[:TEXT_MAX_CHARS], f"the first {TEXT_MAX_CHARS:,} of {len(text):,} characters read"
    return text, ""


def _read(body: bytes, name: str) -> tuple[str, str]:
    """(NFC text, note) of a PDF or DOCX; NotContent when it has none we can read."""
    refuse_over(len(body), ATTACHMENT_MAX_BYTES, name or "file")
    kind = kind_of(body, name)
    if kind == "doc":
        raise NotContent("unsupported", f"{name}: old binary Word (.doc) text is not extracted")
    if kind not in ("pdf", "docx"):
        raise NotContent("unsupported", f"{name}: not a PDF or DOCX file")
    try:
        text, note = _pdf(body) if kind == "pdf" else _docx(body, name)
    except (NotContent, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf and python-docx raise any type on hostile bytes
        raise NotContent("broken_file", f"{name}: {type(exc).__name__}: {str(exc)[:200]}") from exc
    if not text.strip():
        raise NotContent("no_text", f"{name}: no text layer (scanned document?)")
    return nfc(text), note


def attachment_text(body: bytes, name: str = "") -> str:
    """The text of a PDF or DOCX attachment in NFC; NotContent when it has none we can read (a scanned PDF
    without a text layer, an old binary .doc, a broken file, one over the limits) — the file is still kept,
    only untexted."""
    return _read(body, name)[0]


def is_document_file(url: str, content_type: str = "") -> bool:
    """A PDF or Word file, by the URL's path or the content type.

    >>> is_document_file("https://datafiles.chinhphu.vn/a/71-nq-cp.signed.PDF"), is_document_file("https://x.vn/a.htm")
    (True, False)
    """
    return urlsplit(url).path.lower().endswith(EXTENSIONS) or any(t in content_type.lower() for t in _TYPES)


def attachment_item(url: str, body: bytes, article_url: str, name: str = "", content_type: str = "") -> dict[str, Any]:
    """The `attachment` item the monitor stores: the file (base64) and whatever text it has; a file without
    readable text keeps its problem and is still stored, never dropped; text read only in part keeps a note
    in `problem` too. (Callers refuse bodies over ATTACHMENT_MAX_BYTES before they get here.)"""
    text, trouble = "", ""
    try:
        text, trouble = _read(body, name or url)
    except NotContent as exc:
        trouble = str(exc)
    return {"type": "attachment", "url": url, "article_url": article_url, "name": name, "content_type": content_type,
            "body_b64": base64.b64encode(body).decode("ascii"), "text": text, "problem": trouble}
