"""The Zalo channel against a local HTTP endpoint standing in for the Zalo Bot API."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from govmon.notifiers import build, mask
from govmon.notifiers._retry import MAX_RETRY_AFTER
from govmon.notifiers.base import Message, PermanentError, TransientError
from govmon.notifiers.zalo import LIMIT

TOKEN = "3141592653:SECRETzaloTOKEN"


def _url(port: int) -> str:
    return f"zalo://{TOKEN}@8765432101?base=http://127.0.0.1:{port}"


def test_sends_plain_text_within_the_limit_to_the_bot_api(http_receiver):
    message = Message("new_document", "Nghị quyết\r\nBcc: x@y", "Nội dung " * 600, url="https://baochinhphu.vn/a.htm",
                      key="govmon-event-7")
    build(_url(http_receiver.port)).send(message)
    (request,) = http_receiver.requests
    body = json.loads(request.body)
    assert request.path == f"/bot{TOKEN}/sendMessage" and body["chat_id"] == "8765432101"
    assert len(body["text"]) <= LIMIT and body["text"].startswith("Nghị quyết Bcc: x@y")
    assert body["text"].endswith("https://baochinhphu.vn/a.htm")
    assert request.headers.get("X-Idempotency-Key") == "govmon-event-7"


@pytest.mark.parametrize(("status", "error"), [(500, TransientError), (429, TransientError), (401, PermanentError),
                                                (400, PermanentError)])
def test_failures_are_transient_or_permanent(http_receiver, status, error):
    http_receiver.status = status
    with pytest.raises(error):
        build(_url(http_receiver.port)).send(Message("new_article", "t", "b"))


def test_unreachable_api_is_transient(closed_port):
    with pytest.raises(TransientError):
        build(_url(closed_port)).send(Message("new_article", "t", "b"))


def test_the_token_never_shows():
    notifier = build(_url(1))
    assert "SECRET" not in notifier.name and "SECRET" not in mask(_url(1))


# --- Retry-After hints are bounded ------------------------------------------------------------------


@pytest.mark.parametrize(("header", "expected"), [
    ("120", 120.0),
    ("1e12", MAX_RETRY_AFTER),  # crashed the outbox back-off (OverflowError) before
    ("inf", MAX_RETRY_AFTER),
    ("nan", None),
    ("-30", None),
    ("0", None),
    ("soon", None),
    ("9" * 400, None),
    ("Wed, 21 Oct 2015 07:28:00 GMT", None),  # a date already past
])
def test_retry_after_header_is_validated_and_capped(chat_server, header, expected):
    chat_server.status, chat_server.headers = 429, {"Retry-After": header}
    with pytest.raises(TransientError) as caught:
        build(_url(chat_server.port)).send(Message("new_article", "t", "b"))
    assert caught.value.retry_after == expected
    timedelta(seconds=caught.value.retry_after or 0)  # usable by the outbox's back-off


def test_a_future_http_date_counts_down_capped_at_an_hour(chat_server):
    chat_server.status = 429
    later = datetime.now(timezone.utc) + timedelta(days=400)
    chat_server.headers = {"Retry-After": format_datetime(later, usegmt=True)}
    with pytest.raises(TransientError) as caught:
        build(_url(chat_server.port)).send(Message("new_article", "t", "b"))
    assert caught.value.retry_after == MAX_RETRY_AFTER


@pytest.mark.parametrize(("body", "expected"), [
    (b'{"ok": false, "error_code": 429, "parameters": {"retry_after": 7}}', 7.0),
    (b'{"ok": false, "parameters": {"retry_after": 1e300}}', MAX_RETRY_AFTER),
    (b'{"ok": false, "parameters": {"retry_after": "x"}}', None),
    (b'{"ok": false, "parameters": [1]}', None),
    (b"[]", None),
])
def test_retry_after_in_the_body_is_validated_too(chat_server, body, expected):
    chat_server.status, chat_server.answers["/sendMessage"] = 429, body
    with pytest.raises(TransientError) as caught:
        build(_url(chat_server.port)).send(Message("new_article", "t", "b"))
    assert caught.value.retry_after == expected


@pytest.mark.parametrize("hint", [1e12, float("inf"), float("nan"), -1.0, True, "60"])
def test_transient_errors_keep_only_usable_hints(hint):
    assert TransientError("x", hint).retry_after in (None, MAX_RETRY_AFTER)


@pytest.mark.parametrize("base", ["http://bot-api.example.org", "ftp://127.0.0.1", "file:///etc/passwd", "https://"])
def test_the_token_is_only_sent_over_https_or_to_this_machine(base):
    with pytest.raises(ValueError, match="https"):
        build(f"zalo://{TOKEN}@1?base={base}")
