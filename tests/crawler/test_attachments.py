"""Reading attached documents: PDF text layers and DOCX, sniffed by their bytes; unreadable files are
reported with a reason, never passed off as empty text (bombs and oversized files: test_limits.py)."""
from __future__ import annotations

import base64
from pathlib import Path

import pytest

from govmon.crawler.extract.attachments import attachment_item, attachment_text, kind_of
from govmon.crawler.extract.types import NotContent

FILES = Path(__file__).parent / "fixtures" / "vanban" / "site" / "datafiles.chinhphu.vn" / "cpp" / "files" / "vbpq" / "2025" / "4"


def test_pdf_text_layer_is_read():
    text = attachment_text((FILES / "71-nq-cp.signed.pdf").read_bytes(), "71-nq-cp.signed.pdf")
    assert "So: 71/NQ-CP" in text and "Nghi quyet so 03/NQ-CP" in text


def test_docx_paragraphs_are_read_in_nfc():
    text = attachment_text((FILES / "12-2025-tt-bkhcn.docx").read_bytes(), "x.docx")
    assert text.split("\n\n")[1] == "Số: 12/2025/TT-BKHCN"


@pytest.mark.parametrize(("body", "kind"), [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "unsupported"),  # old binary Word
    (b"<html>not found</html>", "unsupported"),  # an error page served under a .pdf name
    (b"%PDF-1.4\n%broken", "broken_file"),
])
def test_unreadable_files_say_why(body: bytes, kind: str):
    with pytest.raises(NotContent) as caught:
        attachment_text(body, "file.pdf")
    assert caught.value.kind == kind


def test_kind_is_sniffed_not_taken_from_the_name():
    assert kind_of((FILES / "12-2025-tt-bkhcn.docx").read_bytes(), "misnamed.pdf") == "docx"


def test_whatever_a_parser_raises_on_a_broken_file_is_a_clear_broken_file(monkeypatch) -> None:
    def confused(*args, **kwargs):
        raise IndexError("list index out of range")  # what pypdf raises on some damaged xref tables

    monkeypatch.setattr("pypdf.PdfReader", confused)
    with pytest.raises(NotContent, match="broken_file: x.pdf: IndexError: list index out of range"):
        attachment_text(b"%PDF-1.7\n...", "x.pdf")


def test_a_file_over_the_attachment_limit_is_refused_before_parsing(monkeypatch) -> None:
    monkeypatch.setattr("pypdf.PdfReader", lambda *a: pytest.fail("parsed"))
    with pytest.raises(NotContent, match="too_large: big.pdf of 21 MB, over the 20 MB limit"):
        attachment_text(b"%PDF-1.7\n" + bytes(21 * 1024 * 1024 - 9), "big.pdf")


def test_an_item_keeps_the_file_and_says_why_its_text_is_missing() -> None:
    item = attachment_item("https://x.vn/a.doc", b"\xd0\xcf\x11\xe0" + bytes(60), "https://x.vn/a.htm", "a.doc")
    assert (item["text"], item["problem"]) == ("", "unsupported: a.doc: old binary Word (.doc) text is not extracted")
    assert base64.b64decode(item["body_b64"]).startswith(b"\xd0\xcf\x11\xe0")
