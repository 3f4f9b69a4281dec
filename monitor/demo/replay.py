"""A local HTTP server that replays recorded sites, for the demo, for tests and for users who mirror a site.

Recorded pages live in layer directories ``<layer>/<host>/<path>``; later layers override earlier ones
(the demo's day 2 over day 1). A directory path serves its ``index.html``; a URL with a query string is the
file ``<path>@<query>`` (``/?pageid=27160&docid=1`` → ``<host>/@pageid=27160&docid=1``). Every answer carries an ETag (the
SHA-256 of the bytes) and honours If-None-Match with 304, like a well-behaved CMS. Spiders reach it through
the host map setting (``GOVMON_HOST_MAP = {"*": server.base_url}``), never through code of their own.
"""
from __future__ import annotations

import hashlib
import mimetypes
import threading
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

__all__ = ["ReplayServer", "resolve"]


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


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.server.served.append(self.path)
        parts = urlsplit(self.path)
        host, _, path = parts.path.lstrip("/").partition("/")
        found = resolve(self.server.layers, host, "/" + path, parts.query)
        if found is None:
            self._send(404, b"<html><body><h1>404 Not Found</h1></body></html>", "text/html")
            return
        body = found.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        if self.headers.get("If-None-Match") == etag:
            self._send(304, b"", "", etag)
            return
        self._send(200, body, _content_type(found), etag)

    def _send(self, status: int, body: bytes, content_type: str, etag: str = "") -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        if etag:
            self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet by default
        if self.server.verbose:
            super().log_message(format, *args)


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
    served: list[str]


class ReplayServer:
    """Serve `layers` on 127.0.0.1 (a free port unless given) in a background thread; a context manager."""

    def __init__(self, layers: Sequence[Path], port: int = 0, verbose: bool = False) -> None:
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.layers, self._server.verbose = [Path(p) for p in layers], verbose
        self._server.served = []
        self._thread = threading.Thread(target=self._server.serve_forever, name="govmon-replay", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def served(self) -> list[str]:
        """The paths asked for so far (``/host/path?query``), in order."""
        return self._server.served

    def set_layers(self, layers: Sequence[Path]) -> None:
        self._server.layers = [Path(p) for p in layers]

    def __enter__(self) -> ReplayServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
