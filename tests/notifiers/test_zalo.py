"""The Zalo channel against a local HTTP endpoint standing in for the Zalo Bot API."""
from __future__ import annotations

import json

import pytest

from govmon.notifiers import build, mask
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
