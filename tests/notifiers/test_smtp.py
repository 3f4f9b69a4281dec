"""The SMTP channel against a real SMTP server in the test process (aiosmtpd), with and without TLS."""
from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from govmon.notifiers import build, mask
from govmon.notifiers.base import Message, PermanentError, TransientError
from govmon.notifiers.smtp import SmtpNotifier

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


# --- TLS is required ------------------------------------------------------------------------------

SERVER_NAME = "127.0.0.1"


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by its own key (files: cert, key)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SERVER_NAME)])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(SERVER_NAME))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@dataclass
class TlsSmtp:
    port: int
    cert: Path
    logins: list[bytes] = field(default_factory=list)
    envelopes: list[Any] = field(default_factory=list)


@pytest.fixture()
def tls_smtp(tmp_path: Path, no_fqdn_lookup: None) -> Iterator[TlsSmtp]:
    """aiosmtpd offering STARTTLS with a self-signed certificate; AUTH only after STARTTLS."""
    cert, key = _self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    with socket.socket() as probe:
        probe.bind((SERVER_NAME, 0))
        server = TlsSmtp(port=probe.getsockname()[1], cert=cert)

    class Handler:
        async def handle_DATA(self, smtp: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            server.envelopes.append(envelope)
            return "250 OK"

    def authenticate(smtp: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        server.logins.append(data.login)
        return AuthResult(success=data.password == PASSWORD.encode(), handled=False)

    controller = Controller(Handler(), hostname=SERVER_NAME, port=server.port, server_hostname="govmon-test",
                            tls_context=context, require_starttls=True, authenticator=authenticate)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


def _direct(port: int, context: ssl.SSLContext | None = None) -> SmtpNotifier:
    return SmtpNotifier(SERVER_NAME, port, "govmon", PASSWORD, "bot@example.org", ["desk@example.org"],
                        tls_context=context)


def test_a_server_without_starttls_is_refused_before_auth(smtp_server: Any) -> None:
    url = f"smtp://govmon:{PASSWORD}@127.0.0.1:{smtp_server.port}?to=desk@example.org"
    with pytest.raises(PermanentError) as caught:
        build(url).send(_message())

    assert str(caught.value).endswith(
        "server offers no STARTTLS; refusing to send credentials in clear; add tls=no to opt out")
    assert smtp_server.logins == [] and smtp_server.envelopes == []


def test_tls_no_is_the_explicit_opt_out(smtp_server: Any) -> None:
    build(_url(smtp_server.port)).send(_message())

    assert smtp_server.logins == [b"govmon"] and len(smtp_server.envelopes) == 1


def test_starttls_with_a_trusted_certificate_delivers(tls_smtp: TlsSmtp) -> None:
    _direct(tls_smtp.port, ssl.create_default_context(cafile=str(tls_smtp.cert))).send(_message())

    assert tls_smtp.logins == [b"govmon"] and len(tls_smtp.envelopes) == 1


def test_an_untrusted_certificate_is_permanent_and_nothing_is_sent(tls_smtp: TlsSmtp) -> None:
    with pytest.raises(PermanentError, match="TLS certificate not trusted"):
        _direct(tls_smtp.port).send(_message())  # the system trust store does not know the test certificate

    assert tls_smtp.logins == [] and tls_smtp.envelopes == []


@pytest.mark.parametrize(("url", "problem"), [
    ("smtp://u:p@host?to=a@example.org&tls=maybe", "must be yes or no"),
    ("smtps://u:p@host?to=a@example.org&tls=no", "contradicts"),
    ("smtp://u:p@host", r"needs a host and \?to="),
    ("smtp://govmon:Pass-Secret-3/?to=a@example.org", "invalid port"),  # the '@host' forgotten
])
def test_url_mistakes_are_value_errors_at_build(url: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem) as caught:
        build(url)
    assert "Secret" not in str(caught.value)
