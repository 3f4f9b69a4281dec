"""The SMTP channel against a real SMTP server in the test process (aiosmtpd)."""
from __future__ import annotations

from typing import Any

import pytest

from govmon.notifiers import build, mask
from govmon.notifiers.base import Message, PermanentError, TransientError

PASSWORD = "s3cretSMTPpw42"


def _url(port: int, password: str = PASSWORD) -> str:
    return f"smtp://govmon:{password}@127.0.0.1:{port}?to=desk@example.org,law@example.org&from=bot@example.org&tls=no"


def _message() -> Message:
    return Message("new_document", "Nghị quyết 71/NQ-CP\r\nBcc: spy@example.org", "Nội dung <script>alert(1)</script>",
                   url="https://baochinhphu.vn/a.htm", key="govmon-event-42")


def test_delivers_plain_and_html_with_a_stable_message_id(smtp_server: Any) -> None:
    build(_url(smtp_server.port)).send(_message())
    (email,) = smtp_server.messages()
    assert email["Subject"] == "Nghị quyết 71/NQ-CP Bcc: spy@example.org" and email["Bcc"] is None
    assert email["Message-ID"] == "<govmon-event-42@govmon>"
    assert sorted(smtp_server.envelopes[0].rcpt_tos) == ["desk@example.org", "law@example.org"]
    html = email.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "https://baochinhphu.vn/a.htm" in email.get_body(("plain",)).get_content()


@pytest.mark.parametrize(("reply", "error"), [("451 4.3.0 Try again later", TransientError),
                                              ("421 4.7.0 Too busy", TransientError),
                                              ("550 5.1.1 Mailbox unavailable", PermanentError)])
def test_server_answers_map_to_transient_or_permanent(smtp_server: Any, reply: str, error: type) -> None:
    smtp_server.reply = reply
    with pytest.raises(error):
        build(_url(smtp_server.port)).send(_message())


def test_refused_login_is_permanent_and_the_password_never_shows(smtp_server: Any) -> None:
    with pytest.raises(PermanentError) as caught:
        build(_url(smtp_server.port, "wrong-password")).send(_message())
    assert "wrong-password" not in str(caught.value) and "wrong-password" not in mask(_url(1, "wrong-password"))


def test_server_down_is_transient(closed_port: int, no_fqdn_lookup: None) -> None:
    with pytest.raises(TransientError):
        build(_url(closed_port)).send(_message())
