"""Local receivers for alert delivery tests: a recording HTTP endpoint, an aiosmtpd server, a closed port.

Registered for the whole suite by tests/conftest.py (`pytest_plugins`). Everything listens on 127.0.0.1
only and is torn down after each test.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope

from govmon.notifiers.base import Message

LOCALHOST = "127.0.0.1"
SMTP_USER, SMTP_PASSWORD = "govmon", "s3cretSMTPpw42"  # smtplib AUTH is ASCII-only


@pytest.fixture()
def message() -> Message:
    """A Vietnamese alert whose title tries a header injection."""
    return Message(
        kind="new_document",
        title="Quyết định số 12/2024/QĐ-TTg\r\nBcc: attacker@example.org",
        body="Về việc ban hành quy chế\ncông bố thông tin điện tử.",
        url="https://chinhphu.vn/van-ban/12",
        urls=("https://vanban.chinhphu.vn/12.pdf",),
        key="event-42",
    )


# --- HTTP -------------------------------------------------------------------


@dataclass
class Received:
    """One request as the fake endpoint saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class HttpReceiver:
    """A local HTTP endpoint that records every request and answers with `status`, after `delay` seconds
    (a slow receiver); requests are served in parallel."""

    port: int
    status: int = 200
    delay: float = 0.0
    requests: list[Received] = field(default_factory=list)

    def url(self, path: str = "/hook", scheme: str = "json") -> str:
        return f"{scheme}://{LOCALHOST}:{self.port}{path}"


def _handler_for(receiver_box: list[HttpReceiver]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _record(self) -> None:
            receiver = receiver_box[0]
            length = int(self.headers.get("Content-Length") or 0)
            received = Received(self.command, self.path, dict(self.headers.items()), self.rfile.read(length))
            time.sleep(receiver.delay)
            receiver.requests.append(received)
            self.send_response(receiver.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_POST = do_GET = do_PUT = _record

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
            pass

    return Handler


@contextmanager
def serving(server: Any, name: str) -> Iterator[None]:
    """Run an http.server in a thread for the block, then stop it and close its socket."""
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name=name, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def _serve_http(name: str) -> Iterator[HttpReceiver]:
    box: list[HttpReceiver] = []
    server = ThreadingHTTPServer((LOCALHOST, 0), _handler_for(box))
    box.append(HttpReceiver(port=server.server_address[1]))
    with serving(server, name):
        yield box[0]


@pytest.fixture()
def http_receiver() -> Iterator[HttpReceiver]:
    """A recording HTTP server on a random 127.0.0.1 port, stopped after the test."""
    with _serve_http("http-receiver") as receiver:
        yield receiver


@pytest.fixture()
def other_http_receiver() -> Iterator[HttpReceiver]:
    """A second, independent recording server (for 'exactly one target' checks)."""
    with _serve_http("other-http-receiver") as receiver:
        yield receiver


@pytest.fixture()
def closed_port() -> Iterator[int]:
    """A 127.0.0.1 port that refuses connections: bound (so nobody else takes it) but not listening."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((LOCALHOST, 0))
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


@pytest.fixture()
def silent_server() -> Iterator[str]:
    """A TCP port that accepts connections and never answers: a hung government portal."""
    listener = socket.socket()
    listener.bind((LOCALHOST, 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://{LOCALHOST}:{listener.getsockname()[1]}"
    stop.set()
    thread.join(2)
    for connection in held:
        connection.close()
    listener.close()


# --- SMTP -------------------------------------------------------------------


@dataclass
class SmtpReceiver:
    """A local aiosmtpd server; `envelopes` holds every accepted message."""

    port: int
    envelopes: list[Envelope] = field(default_factory=list)
    logins: list[bytes] = field(default_factory=list)
    reply: str = ""  # set to e.g. "451 4.3.0 Try again later" to refuse messages with that answer

    def url(self, user: str = SMTP_USER, password: str = SMTP_PASSWORD) -> str:
        """A plain-SMTP (no SSL, no STARTTLS) mailto:// URL for this server."""
        return (
            f"mailto://{user}:{password}@{LOCALHOST}:{self.port}"
            "?to=x@example.org&from=y@example.org&mode=insecure"
        )

    def messages(self) -> list[EmailMessage]:
        parsed = [message_from_bytes(e.original_content or b"", policy=policy.default) for e in self.envelopes]
        return [m for m in parsed if isinstance(m, EmailMessage)]


class _RecordingHandler:
    def __init__(self, receiver: SmtpReceiver) -> None:
        self._receiver = receiver

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:  # noqa: N802
        if self._receiver.reply:
            return self._receiver.reply
        self._receiver.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOCALHOST, 0))
        return int(sock.getsockname()[1])


@pytest.fixture()
def no_fqdn_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    """smtplib says EHLO with socket.getfqdn(), a reverse DNS lookup: keep it off the network."""
    monkeypatch.setattr(socket, "getfqdn", lambda name="": "localhost")


@pytest.fixture()
def smtp_server(no_fqdn_lookup: None) -> Iterator[SmtpReceiver]:
    """aiosmtpd on a free 127.0.0.1 port with plain AUTH (no TLS), stopped after the test."""
    receiver = SmtpReceiver(port=_free_port())

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        receiver.logins.append(auth_data.login)
        ok = auth_data.login == SMTP_USER.encode() and auth_data.password == SMTP_PASSWORD.encode()
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 235/535

    controller = Controller(
        _RecordingHandler(receiver),
        hostname=LOCALHOST,
        port=receiver.port,
        server_hostname="govmon-test",  # skip aiosmtpd's own getfqdn()
        authenticator=authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield receiver
    finally:
        controller.stop()
