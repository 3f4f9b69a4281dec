"""Notifier tests: a local stand-in for chat APIs, and a guard that fails any test leaving a thread running
(servers must be stopped in teardown)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import apprise.apprise as apprise_core
import apprise.utils.http as apprise_http
import pytest

from receivers import serving


def _library_pool_threads() -> set[threading.Thread]:
    """Workers of Apprise's process-wide pools: created on first use, kept for reuse, never ours to stop."""
    pools = (
        getattr(apprise_core, "_shared_executor", None),
        getattr(apprise_core, "_coordinator_executor", None),
        getattr(apprise_http, "_DNS_POOL", None),
    )
    return {thread for pool in pools if pool is not None for thread in getattr(pool, "_threads", ())}


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    """Fail the test if it leaves a thread alive (servers must be stopped in teardown)."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 2.0
    ignored = before | _library_pool_threads()
    leaked = [t for t in threading.enumerate() if t not in ignored and t.is_alive()]
    while leaked and time.monotonic() < deadline:  # executor threads exit just after shutdown
        time.sleep(0.01)
        leaked = [t for t in leaked if t.is_alive()]
    assert not leaked, f"threads left running: {leaked}"


# --- a local stand-in for chat APIs: records requests, answers by path ------------------------------------


@dataclass
class ChatRequest:
    """One request as the stand-in saw it."""

    method: str
    path: str
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class ChatServer:
    """A 127.0.0.1 HTTP server answering `status` (with `headers`) and the first `answers` body whose key is
    in the path."""

    port: int
    answers: dict[str, bytes] = field(default_factory=dict)
    requests: list[ChatRequest] = field(default_factory=list)
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def answer(self, path: str) -> bytes:
        return next((body for key, body in self.answers.items() if key in path), b"{}")


def _chat_handler(box: list[ChatServer]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            server = box[0]
            length = int(self.headers.get("Content-Length") or 0)
            server.requests.append(ChatRequest(self.command, self.path, self.rfile.read(length)))
            body = server.answer(self.path)
            self.send_response(server.status)
            for name, value in server.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = _serve

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
            pass

    return Handler


@pytest.fixture()
def chat_server() -> Iterator[ChatServer]:
    """The stand-in on a random loopback port, stopped after the test."""
    box: list[ChatServer] = []
    server = HTTPServer(("127.0.0.1", 0), _chat_handler(box))
    box.append(ChatServer(port=server.server_address[1]))
    with serving(server, "chat-server"):
        yield box[0]
