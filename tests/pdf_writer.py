"""Minimal PDF writers for tests, fixtures and benchmarks — our own bytes, reproducible: one Helvetica page
whose text layer holds given lines (`pdf`), a document of thousands of pages (`many_pages`), and one page
whose packed content stream inflates to a given size (`stream_bomb`); `document` writes any list of objects."""
from __future__ import annotations

import zlib

__all__ = ["pdf", "document", "many_pages", "stream_bomb"]

_MIB = 1024 * 1024
_TRANG = b"BT /F1 12 Tf 20 20 Td (Trang) Tj ET"
_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def document(objects: list[bytes]) -> bytes:
    """A PDF of `objects` (numbered from 1, the first the catalog), with its cross-reference table."""
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def pdf(lines: list[str]) -> bytes:
    """A minimal valid PDF (Helvetica, one page) whose text layer holds `lines`."""
    stream = ("BT /F1 11 Tf 60 780 Td 14 TL " + " ".join(f"({line}) '" for line in lines) + " ET").encode("latin-1")
    return document([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        _FONT,
    ])


def many_pages(count: int) -> bytes:
    """`count` pages sharing one content stream that prints "Trang" (a PDF of thousands of pages)."""
    kids = b" ".join(b"%d 0 R" % (5 + n) for n in range(count))
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Contents 3 0 R /Resources << /Font << /F1 4 0 R >> >> >>"
    head = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count),
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(_TRANG), _TRANG), _FONT]
    return document(head + [page] * count)


def stream_bomb(size: int = 64 * _MIB) -> bytes:
    """One page whose content stream of text operators inflates to about `size` bytes."""
    block, pack = (_TRANG + b"\n") * (_MIB // 36), zlib.compressobj(6)
    packed = b"".join(pack.compress(block) for _ in range(max(1, size // len(block)))) + pack.flush()
    return document([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                     b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] /Contents 4 0 R"
                     b" /Resources << /Font << /F1 5 0 R >> >> >>",
                     b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(packed), packed), _FONT])
