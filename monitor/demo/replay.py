"""A local HTTP server that replays recorded sites, for the demo, for tests and for users who mirror a site.

Recorded pages live in layer directories ``<layer>/<host>/<path>``; later layers override earlier ones
(the demo's day 2 over day 1). A directory path serves its ``index.html``; a URL with a query string is the
file ``<path>@<query>`` (``/?pageid=27160&docid=1`` → ``<host>/@pageid=27160&docid=1``). Every answer carries an
ETag (the SHA-256 of the bytes) and a Last-Modified (the file's time) and honours If-None-Match, else
If-Modified-Since, with 304, like a well-behaved CMS (`validators=False`: neither, like many portals' dynamic
pages). Spiders reach it through the host map setting (``GOVMON_HOST_MAP = {"*": server.base_url}``), never
through code of their own. Each answer is logged with its status, the bytes sent and the CPU time it took.
"""
from __future__ import annotations

import hashlib
import mimetypes
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

__all__ = ["Answer", "ReplayServer", "resolve"]


@dataclass(frozen=True)
class Answer:
    """One answer of the server: the path asked for, the status, the bytes sent (headers and body) and the
    CPU seconds the handler thread spent on it."""

    path: str
    status: int
    sent: int
    cpu: float


def resolve(layers: Sequence[Path], host: str, path: str, query: str = "") -> Path | None:
    """The file that answers `host` + `path` (+ `query`): the last layer holding it wins; directories →
    index.html; a query string is part of the file name after "@" (``/?docid=7`` → ``@docid=7``)."""
    relative = unquote(path).lstrip("/")
    for layer in reversed(layers):
        root = (layer / host).resolve()
        candidate = (root / relative).resolve()
        if not candidate.is_relative_to(root):
            return None
        if query:
            candidate = candidate / f"@{unquote(query)}" if candidate.is_dir() else candidate.with_name(
                f"{candidate.name}@{unquote(query)}")
        elif candidate.is_dir():
            candidate = candidate / "index.html"
        if candidate.is_file():
            return candidate
    return None


class _Counting:
    """A response stream that counts the bytes written through it."""

    def __init__(self, raw: Any) -> None:
        self.raw, self.count = raw, 0

    def write(self, data: bytes) -> int:
        self.count += len(data)
        return self.raw.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.wfile = _Counting(self.wfile)  # type: ignore[assignment]

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.server.served.append(self.path)
        start, before = time.thread_time(), self.wfile.count  # type: ignore[attr-defined]
        status = self._answer()
        sent = self.wfile.count - before  # type: ignore[attr-defined]
        self.server.answers.append(Answer(self.path, status, sent, time.thread_time() - start))

    def _answer(self) -> int:
        parts = urlsplit(self.path)
        host, _, path = parts.path.lstrip("/").partition("/")
        found = resolve(self.server.layers, host, "/" + path, parts.query)
        if found is None:
            return self._send(404, b"<html><body><h1>404 Not Found</h1></body></html>", "text/html")
        body = found.read_bytes()
        if not self.server.validators:
            return self._send(200, body, _content_type(found))
        validators = {"ETag": '"' + hashlib.sha256(body).hexdigest()[:32] + '"',
                      "Last-Modified": formatdate(int(found.stat().st_mtime), usegmt=True)}
        if self._unchanged(validators["ETag"], int(found.stat().st_mtime)):
            return self._send(304, b"", "", validators)
        return self._send(200, body, _content_type(found), validators)

    def _unchanged(self, etag: str, mtime: int) -> bool:
        """If-None-Match decides when the request has it; else If-Modified-Since (RFC 9110 §13.2.2)."""
        if self.headers.get("If-None-Match") is not None:
            return self.headers["If-None-Match"] == etag
        since = _http_time(self.headers.get("If-Modified-Since", ""))
        return since is not None and mtime <= since

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> int:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return status

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet by default
        if self.server.verbose:
            super().log_message(format, *args)


def _http_time(value: str) -> int | None:
    """Seconds since the epoch of an HTTP date; None when it is not one."""
    try:
        return int(parsedate_to_datetime(value).timestamp()) if value else None
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _content_type(path: Path) -> str:
    if path.name == "robots.txt":
        return "text/plain; charset=utf-8"
    guessed = mimetypes.guess_type(path.name)[0]
    if guessed and not guessed.startswith("text/"):
        return guessed
    return "text/html; charset=utf-8"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    layers: list[Path]
    verbose: bool
    validators: bool
    served: list[str]
    answers: list[Answer]


class ReplayServer:
    """Serve `layers` on 127.0.0.1 (a free port unless given) in a background thread; a context manager.
    `validators=False`: answers carry no ETag or Last-Modified and never 304."""

    def __init__(self, layers: Sequence[Path], port: int = 0, verbose: bool = False, validators: bool = True) -> None:
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.layers, self._server.verbose = [Path(p) for p in layers], verbose
        self._server.validators = validators
        self._server.served, self._server.answers = [], []
        self._thread = threading.Thread(target=self._server.serve_forever, name="govmon-replay", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def served(self) -> list[str]:
        """The paths asked for so far (``/host/path?query``), in order."""
        return self._server.served

    @property
    def answers(self) -> list[Answer]:
        """Every answer so far (path, status, bytes sent, CPU seconds), in order."""
        return self._server.answers

    def set_layers(self, layers: Sequence[Path]) -> None:
        self._server.layers = [Path(p) for p in layers]

    def __enter__(self) -> ReplayServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
