"""Reading attached documents: PDF text layers and DOCX, sniffed by their bytes; unreadable files are
reported with a reason, never passed off as empty text."""
from __future__ import annotations

from pathlib import Path

import pytest

from govmon.crawler.extract.attachments import attachment_text, kind_of
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
