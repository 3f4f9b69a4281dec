"""Reading WARC files as hostile input: records are streamed, never read whole. A record that is truncated,
lacks its target URI or date, carries an unreadable date, or is over its kind's size limit
(`crawler.extract.limits`; a payload's Content-Encoding is undone a buffer at a time, so a gzip bomb stops at
the limit) is skipped with its reason; a file that stops being readable is skipped from there on."""
from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import brotli
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser

from govmon.crawler.extract.attachments import is_document_file
from govmon.crawler.extract.limits import (
    ATTACHMENT_MAX_BYTES,
    PAGE_MAX_BYTES,
    megabytes,
)

__all__ = ["Page", "Capture", "Skipped", "warc_pages", "warc_captures", "responses", "is_html"]

Page = tuple[str, str, bytes, str]  # url, capture time (ISO, UTC), body, content type
_CHUNK = 64 * 1024
_HEADROOM = 64 * 1024  # HTTP headers and chunk framing on top of a payload within its limit
_HTTP = StatusAndHeadersParser(["HTTP/"], verify=False)
_NO_URI = "(no target URI)"


@dataclass(frozen=True)
class Skipped:
    """A WARC record that is not imported — or, with the file's name as `url`, the rest of a file — and why."""

    url: str
    why: str


Capture = Page | Skipped


def warc_pages(path: Path) -> Iterator[Page]:
    """(url, capture time ISO, body, content type) of each readable HTML response record of a WARC file."""
    yield from (c for c in warc_captures(path) if not isinstance(c, Skipped) and is_html(c[3]))


def warc_captures(path: Path) -> Iterator[Capture]:
    """The pages and document files of a WARC file, and a `Skipped` for each record that cannot be imported
    (and for the rest of a file that stops being readable)."""
    try:
        with path.open("rb") as stream:
            yield from responses(stream, str(path))
    except OSError as exc:
        yield Skipped(str(path), f"cannot read the file: {exc}")


def is_html(kind: str) -> bool:
    return "html" in kind.lower()


def responses(stream: BinaryIO, origin: str) -> Iterator[Capture]:
    """The 200 responses of a WARC that are pages or document files (images, scripts and the like are
    passed over without reading their bodies), record by record: a record that cannot be read is skipped,
    and when the file itself stops making sense, the rest of it."""
    records = iter(ArchiveIterator(stream, no_record_parse=True))  # HTTP headers: ours, per record (_capture)
    while True:
        try:
            record = next(records)
        except StopIteration:
            return
        except Exception as exc:  # noqa: BLE001 - warcio raises many types on hostile bytes; the rest is unreadable
            yield Skipped(origin, f"unreadable from byte {stream.tell()} on: {_why(exc)}")
            return
        capture = _capture(record)
        if capture is not None:
            yield capture


def _why(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc)[:200]}"


def _capture(record: Any) -> Capture | None:
    """A page or document file of one response record, Skipped with the reason, or None (not wanted: not
    a response, another scheme's record, not a 200, neither a page nor a document file)."""
    url = (record.rec_headers.get_header("WARC-Target-URI") or "").strip().strip("<>")
    if record.rec_type != "response" or (url and not url.lower().startswith(("http:", "https:"))):
        return None
    try:
        http = _HTTP.parse(_Head(record.raw_stream))
    except Exception as exc:  # noqa: BLE001 - whatever the header parser makes of hostile bytes
        return Skipped(url or _NO_URI, f"unreadable HTTP headers: {_why(exc)}")
    kind = http.get_header("Content-Type") or ""
    if http.get_statuscode() != "200" or not (is_html(kind) or is_document_file(url, kind)):
        return None
    captured, undated = _capture_time(record.rec_headers.get_header("WARC-Date"))
    why = _target_problem(url) or undated
    if why:
        return Skipped(url or _NO_URI, why)
    return _payload(record, http, url, captured, kind)


class _Head:
    """The start of a record's block for the HTTP header parser: at most `_HEADROOM` bytes of it, so a
    header "line" of a gigabyte is cut instead of read."""

    def __init__(self, raw: Any) -> None:
        self.raw, self.left = raw, _HEADROOM

    def readline(self, size: int = -1) -> bytes:
        line = self.raw.readline(self.left) if self.left > 0 else b""
        self.left -= len(line)
        return line


def _target_problem(url: str) -> str:
    if not url:
        return "no WARC-Target-URI"
    try:
        parts = urlsplit(url)
        good = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        good = False
    return "" if good else "WARC-Target-URI is not an http(s) URL"


def _capture_time(raw: str | None) -> tuple[str, str]:
    """(the capture time as ISO 8601 in UTC, "") or ("", why there is none).

    >>> _capture_time("2025-04-03T01:00:00Z"), _capture_time("03/04/2025")
    (('2025-04-03T01:00:00+00:00', ''), ('', "unreadable WARC-Date '03/04/2025'"))
    """
    if not raw:
        return "", "no WARC-Date"
    try:
        moment = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
        return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(timezone.utc).isoformat(), ""
    except (ValueError, OverflowError):  # not ISO 8601, or out of datetime's range once in UTC
        return "", f"unreadable WARC-Date {raw[:40]!r}"


def _payload(record: Any, http: StatusAndHeaders, url: str, captured: str, kind: str) -> Capture:
    """The record's HTTP payload, de-chunked and its Content-Encoding undone 64 KiB at a time, up to the
    limit of its kind; Skipped when it is over the limit (declared or unpacked), truncated, or undecodable."""
    limit = PAGE_MAX_BYTES if is_html(kind) else ATTACHMENT_MAX_BYTES
    over = Skipped(url, f"record over {megabytes(limit)}")
    if _declared_length(record) > limit + _HEADROOM:  # the raw block alone is over: never read it
        return over
    try:
        raw = _dechunked(record.raw_stream, http).read()
        truncated = _truncated(record.raw_stream)
        body = None if truncated else _unpacked(raw, http.get_header("Content-Encoding") or "", limit)
    except Exception as exc:  # noqa: BLE001 - a broken chunked or compressed payload raises whatever its decoder does
        return Skipped(url, f"unreadable payload: {_why(exc)}")
    if truncated:
        return Skipped(url, "record truncated (the file ends inside it)")
    return over if body is None else (url, captured, body, kind)


def _declared_length(record: Any) -> int:
    try:
        return int(record.rec_headers.get_header("Content-Length") or 0)
    except ValueError:
        return 0


def _dechunked(raw: Any, http: StatusAndHeaders) -> Any:
    """The payload stream, de-chunked when it says so (warcio's reader: its reads are bounded by the
    record's declared length, checked before)."""
    if (http.get_header("Transfer-Encoding") or "").lower() == "chunked":
        return ChunkedDataReader(raw)
    return raw


def _truncated(raw: Any) -> bool:
    """Whether the record's block ends before its declared Content-Length (the file was cut)."""
    while getattr(raw, "limit", 0) > 0:
        if not raw.read(_CHUNK):
            return True
    return False


def _unpacked(raw: bytes, encoding: str, limit: int) -> bytes | None:
    """`raw` with its Content-Encoding (gzip, deflate, br) undone, or None once that passes `limit`: a gzip
    bomb costs `limit` bytes, not what it unpacks to.

    >>> _unpacked(zlib.compress(bytes(10_000)), "deflate", 100) is None, _unpacked(b"abc", "", 100)
    (True, b'abc')
    """
    pieces, size = [], 0
    for piece in _pieces(raw, encoding.strip().lower()):
        size += len(piece)
        if size > limit:
            return None
        pieces.append(piece)
    return b"".join(pieces)


def _pieces(raw: bytes, encoding: str) -> Iterator[bytes]:
    if encoding in ("", "identity"):
        yield raw
    elif encoding in ("gzip", "x-gzip", "deflate"):
        yield from _inflated(raw, 31 if "gzip" in encoding else 15)
    elif encoding == "br":
        yield from _unbrotli(raw)
    else:
        raise ValueError(f"unsupported Content-Encoding {encoding[:40]!r}")


def _inflated(raw: bytes, wbits: int) -> Iterator[bytes]:
    """zlib's output `_CHUNK` bytes at a time (a deflate body without its zlib header is read as raw deflate)."""
    unpack = zlib.decompressobj(wbits)
    try:
        piece = unpack.decompress(raw, _CHUNK)
    except zlib.error:
        if wbits != 15:
            raise
        unpack = zlib.decompressobj(-15)
        piece = unpack.decompress(raw, _CHUNK)
    while True:
        yield piece
        if unpack.eof:
            return
        piece = unpack.decompress(unpack.unconsumed_tail, _CHUNK)
        if not piece and not unpack.unconsumed_tail and not unpack.eof:
            raise zlib.error("the compressed payload ends early")


def _unbrotli(raw: bytes) -> Iterator[bytes]:
    unpack = brotli.Decompressor()
    piece = unpack.process(raw, output_buffer_limit=_CHUNK)
    while True:
        yield piece
        if unpack.is_finished():
            return
        piece = unpack.process(b"", output_buffer_limit=_CHUNK)
        if not piece:
            raise ValueError("the brotli payload ends early")


