"""The console channel: block format, Vietnamese kept, controls stripped, stdout/stderr."""

from __future__ import annotations

import io
import unicodedata
from contextlib import redirect_stderr, redirect_stdout

import pytest

from govmon.notifiers import Message, build
from govmon.notifiers.console import ConsoleNotifier, format_block


def test_block_has_header_indented_body_and_one_link_per_line() -> None:
    message = Message(
        "document_amended",
        "Nghị định 15/2020/NĐ-CP được sửa đổi",
        "Điều 3 thay đổi.\n\nKhoản 2 bị bãi bỏ.",
        url="https://chinhphu.vn/a",
        urls=("https://chinhphu.vn/b", "https://chinhphu.vn/a", ""),
    )

    assert format_block(message) == (
        "[document_amended] Nghị định 15/2020/NĐ-CP được sửa đổi\n"
        "  Điều 3 thay đổi.\n"
        "\n"
        "  Khoản 2 bị bãi bỏ.\n"
        "  https://chinhphu.vn/a\n"
        "  https://chinhphu.vn/b\n"
    )


def test_send_writes_the_block_to_stdout(capsys: pytest.CaptureFixture[str], message: Message) -> None:
    ConsoleNotifier().send(message)

    out, err = capsys.readouterr()
    assert out == format_block(message)
    assert err == ""


def test_explicit_stream_is_used() -> None:
    stream = io.StringIO()

    ConsoleNotifier(stream).send(Message("new_article", "Tin mới", "Nội dung"))

    assert stream.getvalue() == "[new_article] Tin mới\n  Nội dung\n"


@pytest.mark.parametrize(
    "text",
    [
        "Thông báo tuyển dụng công chức năm 2024 — Bộ Tài chính",
        "ĐẢNG CỘNG SẢN VIỆT NAM: Nghị quyết số 57-NQ/TW về đột phá khoa học",
        "Ủy ban nhân dân tỉnh Thừa Thiên Huế; Sở Tư pháp; Ưu tiên; ỹ ỷ ỵ ữ ợ",
    ],
)
@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_vietnamese_text_is_kept_byte_for_byte(text: str, form: str) -> None:
    text = unicodedata.normalize(form, text)  # type: ignore[arg-type]

    block = format_block(Message("new_article", text, text))

    assert block.splitlines() == [f"[new_article] {text}", f"  {text}"]


def test_crlf_injection_in_title_stays_on_one_line(message: Message) -> None:
    header, *rest = format_block(message).splitlines()

    assert header == "[new_document] Quyết định số 12/2024/QĐ-TTg Bcc: attacker@example.org"
    assert all(line == "" or line.startswith("  ") for line in rest)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Thông\x1b[31m báo\x1b[0m", "Thông[31m báo[0m"),  # ANSI escape loses its ESC
        ("Luật\u202eđất đai", "Luậtđất đai"),  # right-to-left override
        ("Công\u200bvăn\ufeff", "Côngvăn"),  # zero-width space, BOM
        ("a\x00b\x07c\x7fd\x85e", "abcd e"),  # NUL, BEL, DEL; NEL is a line break
        ("Dòng 1\u2028Dòng 2\rBcc: x@y\nTo: z", "Dòng 1 Dòng 2 Bcc: x@y To: z"),
        ("\t  Tiêu đề \t\n", "Tiêu đề"),
    ],
)
def test_control_characters_are_stripped_from_titles(title: str, expected: str) -> None:
    header = format_block(Message("new_article", title, "")).splitlines()[0]

    assert header == f"[new_article] {expected}"


def test_controls_in_body_and_links_are_stripped() -> None:
    message = Message("new_article", "t", "a\x1b[2Jb\r\nc\u202ed", url="https://x.vn/\x1b[1m1\r\nBcc: y")

    assert format_block(message).splitlines()[1:] == ["  a[2Jb", "  cd", "  https://x.vn/[1m1 Bcc: y"]


def test_body_cannot_forge_a_header_line() -> None:
    message = Message("new_article", "Thật", "ok\r\n[source_broken] Giả mạo\u2028[new_document] nữa")

    lines = format_block(message).splitlines()

    assert [line for line in lines if line.startswith("[")] == ["[new_article] Thật"]


def test_very_long_title_is_cut() -> None:
    header = format_block(Message("new_article", "Thông báo " * 1000, "")).splitlines()[0]

    assert len(header) == len("[new_article] ") + 200
    assert header.endswith("…")


def test_stderr_target_writes_to_stderr_only(capsys: pytest.CaptureFixture[str], message: Message) -> None:
    build("console://stderr").send(message)

    out, err = capsys.readouterr()
    assert out == ""
    assert err == format_block(message)


@pytest.mark.parametrize(("target", "stream"), [("console://stdout", "out"), ("console://stderr", "err")])
def test_stream_is_looked_up_at_send_time(target: str, stream: str, message: Message) -> None:
    notifier = build(target)  # built before the redirection, as a daemon does at start-up
    buffers = {"out": io.StringIO(), "err": io.StringIO()}

    with redirect_stdout(buffers["out"]), redirect_stderr(buffers["err"]):
        notifier.send(message)

    assert buffers[stream].getvalue() == format_block(message)
    assert sum(bool(b.getvalue()) for b in buffers.values()) == 1


@pytest.mark.parametrize(
    "target", ["console", "CONSOLE", "console://", "console://stdout", "console://STDERR", "console:///stderr/"]
)
def test_accepted_console_targets(target: str) -> None:
    assert isinstance(build(target), ConsoleNotifier)


@pytest.mark.parametrize("target", ["console://printer", "console://stdout/extra", "console://stderr?x=1", "console://-"])
def test_unknown_console_target_is_a_value_error(target: str) -> None:
    with pytest.raises(ValueError, match="stdout or stderr"):
        ConsoleNotifier.from_url(target)
    with pytest.raises(ValueError, match="stdout or stderr"):
        build(target)


def test_console_name_is_safe_to_log() -> None:
    assert build("console://stderr").name == "console"
