"""Apprise delivery to real local servers: json:// to http.server, mailto:// to aiosmtpd."""

from __future__ import annotations

import json
from typing import Any

import pytest

from govmon.notifiers import Message, TransientError, build
from govmon.notifiers.apprise_channel import KEY_HEADER, AppriseNotifier

TITLE = "Quyết định số 12/2024/QĐ-TTg Bcc: attacker@example.org"  # the `message` fixture's title, cleaned
BODY = (
    "Về việc ban hành quy chế\ncông bố thông tin điện tử.\n\n"
    "https://chinhphu.vn/van-ban/12\nhttps://vanban.chinhphu.vn/12.pdf"
)


def _json(request: Any) -> dict[str, Any]:
    return json.loads(request.body.decode("utf-8"))


# --- json:// ------------------------------------------------------------------


def test_json_post_carries_title_body_and_links(http_receiver: Any, message: Message) -> None:
    AppriseNotifier(http_receiver.url("/hook")).send(message)

    [request] = http_receiver.requests
    assert (request.method, request.path) == ("POST", "/hook")
    payload = _json(request)
    assert payload["title"] == TITLE
    assert payload["message"] == BODY


def test_json_key_header_carries_the_message_key(http_receiver: Any, message: Message) -> None:
    AppriseNotifier(http_receiver.url()).send(message)

    [request] = http_receiver.requests
    assert request.headers[KEY_HEADER] == "event-42"


def test_json_key_header_follows_each_message_and_keeps_user_headers(http_receiver: Any) -> None:
    notifier = AppriseNotifier(http_receiver.url("/hook?+Authorization=Bearer%20tok"))

    notifier.send(Message("new_article", "một", "1", key="event-1"))
    notifier.send(Message("new_article", "hai", "2", key="event-2"))
    notifier.send(Message("new_article", "ba", "3"))

    keys = [r.headers.get(KEY_HEADER) for r in http_receiver.requests]
    assert keys == ["event-1", "event-2", None]
    assert {r.headers["Authorization"] for r in http_receiver.requests} == {"Bearer tok"}


def test_json_key_header_cannot_inject_headers(http_receiver: Any) -> None:
    AppriseNotifier(http_receiver.url()).send(
        Message("new_article", "t", "b", key="event-7\r\nX-Injected: yes")
    )

    [request] = http_receiver.requests
    assert request.headers[KEY_HEADER] == "event-7 X-Injected: yes"
    assert "X-Injected" not in request.headers


def test_json_body_without_text_falls_back_to_title(http_receiver: Any) -> None:
    AppriseNotifier(http_receiver.url()).send(Message("source_broken", "Nguồn lỗi", "\x1b\r\n"))

    assert _json(http_receiver.requests[0])["message"] == "Nguồn lỗi"


@pytest.mark.parametrize("status", [500, 502, 503, 404])
def test_json_error_status_is_transient(http_receiver: Any, message: Message, status: int) -> None:
    http_receiver.status = status

    with pytest.raises(TransientError, match="failed delivery"):
        AppriseNotifier(http_receiver.url()).send(message)
    assert len(http_receiver.requests) == 1  # no hidden retry inside send()


def test_json_server_down_is_transient(closed_port: int, message: Message) -> None:
    with pytest.raises(TransientError) as info:
        AppriseNotifier(f"json://127.0.0.1:{closed_port}/hook").send(message)

    assert info.value.retry_after is None


def test_transient_error_message_hides_credentials(closed_port: int, message: Message) -> None:
    url = f"json://user:pw-Secret-91@127.0.0.1:{closed_port}/hook?+Authorization=Bearer%20tok-Secret-92"

    with pytest.raises(TransientError) as info:
        AppriseNotifier(url).send(message)

    assert "Secret" not in str(info.value)
    assert f"127.0.0.1:{closed_port}" in str(info.value)


def test_each_notifier_delivers_to_exactly_one_target(
    http_receiver: Any, other_http_receiver: Any, message: Message
) -> None:
    build(http_receiver.url("/one")).send(message)

    assert [r.path for r in http_receiver.requests] == ["/one"]
    assert other_http_receiver.requests == []


def test_a_list_of_urls_is_not_fanned_out(http_receiver: Any, other_http_receiver: Any, message: Message) -> None:
    urls = f"{http_receiver.url('/a')}, {other_http_receiver.url('/b')}"

    try:
        AppriseNotifier(urls).send(message)
    except ValueError:
        pass

    assert len(http_receiver.requests) + len(other_http_receiver.requests) <= 1


def test_failure_of_one_target_does_not_affect_another(
    http_receiver: Any, other_http_receiver: Any, message: Message
) -> None:
    http_receiver.status = 500
    broken, working = AppriseNotifier(http_receiver.url()), AppriseNotifier(other_http_receiver.url())

    with pytest.raises(TransientError):
        broken.send(message)
    working.send(message)

    assert len(other_http_receiver.requests) == 1


@pytest.mark.parametrize("url", ["json://", "mailto://", "tgram://", "json://user:pw-Secret-93@"])
def test_unusable_url_is_a_value_error_at_construction(url: str) -> None:
    with pytest.raises(ValueError, match="Apprise URL") as info:
        AppriseNotifier(url)

    assert "Secret" not in str(info.value)


# --- mailto:// ------------------------------------------------------------------


def test_mailto_delivers_utf8_subject_body_and_key(smtp_server: Any, message: Message) -> None:
    AppriseNotifier(smtp_server.url()).send(message)

    [envelope] = smtp_server.envelopes
    assert envelope.mail_from == "y@example.org"
    assert envelope.rcpt_tos == ["x@example.org"]
    assert smtp_server.logins == [b"govmon"]
    [mail] = smtp_server.messages()
    assert mail["Subject"] == TITLE
    assert mail["X-Govmon-Key"] == "event-42"
    assert mail["Bcc"] is None
    text = mail.get_body(preferencelist=("plain", "html"))
    assert text is not None
    assert text.get_content().replace("\r\n", "\n").strip() == BODY


def test_mailto_subject_is_encoded_not_raw_utf8(smtp_server: Any, message: Message) -> None:
    AppriseNotifier(smtp_server.url()).send(message)

    raw = smtp_server.envelopes[0].original_content
    subject_line = next(line for line in raw.splitlines() if line.startswith(b"Subject:"))
    assert subject_line.isascii()
    assert b"=?utf-8?" in subject_line.lower()
    assert not any(line.lower().startswith(b"bcc:") for line in raw.splitlines())


def test_mailto_wrong_password_is_transient_and_masked(smtp_server: Any, message: Message) -> None:
    with pytest.raises(TransientError) as info:
        AppriseNotifier(smtp_server.url(password="Wrong-Secret-94")).send(message)

    assert smtp_server.envelopes == []
    assert "Wrong-Secret-94" not in str(info.value)


def test_mailto_server_down_is_transient(closed_port: int, message: Message, no_fqdn_lookup: None) -> None:
    url = f"mailto://govmon:pw@127.0.0.1:{closed_port}?to=x@example.org&from=y@example.org&mode=insecure"

    with pytest.raises(TransientError):
        AppriseNotifier(url).send(message)
