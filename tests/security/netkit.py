"""Loopback instruments for the network-guard tests: a canary listener that counts every connection made
to it, a small scripted HTTP(S) site, a test certificate authority (cryptography) and a crawl in a child
process exactly as the monitor runs it. Everything listens on loopback only.
"""
from __future__ import annotations

import datetime as dt
import json
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import tomli_w
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ROOT = Path(__file__).resolve().parents[2]

# How a URL can spell the canary (127.0.0.1) or another private address; names resolve through the static
# answers below (GOVMON_RESOLVE), as a public-looking name whose DNS points inside would.
HOSTS = ["localhost", "LOCALHOST", "127.0.0.1", "127.1", "2130706433", "0x7f000001", "0x7f.1", "017700000001",
         "0177.0.0.1", "0", "0.0.0.0", "127.0.0.1.", "[::1]", "[::ffff:127.0.0.1]", "[0:0:0:0:0:ffff:7f00:1]",
         "[::127.0.0.1]", "[2002:7f00:1::]", "[64:ff9b::127.0.0.1]", "169.254.169.254", "100.64.0.1",
         "224.0.0.1", "10.0.0.1", "192.168.1.1", "172.16.0.1", "240.0.0.1", "[fe80::1]", "[fc00::1]",
         "public.example", "metadata.example", "mixed.example", "sub.localhost"]
RESOLVE = {"public.example": "127.0.0.1", "metadata.example": "169.254.169.254",
           "mixed.example": ["93.184.216.34", "127.0.0.1"]}  # one public record does not make it safe


class Canary:
    """Listens on 127.0.0.1 (and ::1 on the same port when the host has IPv6) and counts connections."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        self._sockets = [self._listen(socket.AF_INET, "127.0.0.1", 0)]
        self.port = self._sockets[0].getsockname()[1]
        try:
            self._sockets.append(self._listen(socket.AF_INET6, "::1", self.port))
        except OSError:
            pass
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._accept, args=(s,), daemon=True) for s in self._sockets]

    @staticmethod
    def _listen(family: int, host: str, port: int) -> socket.socket:
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.bind((host, port))
        sock.listen(64)
        sock.settimeout(0.1)
        return sock

    def _accept(self, sock: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                conn, peer = sock.accept()
            except (TimeoutError, OSError):
                continue
            self.hits.append(str(peer[0]))
            conn.close()

    def __enter__(self) -> Canary:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        time.sleep(0.2)  # a connection on its way still counts
        self._stop.set()
        for thread in self._threads:
            thread.join()
        for sock in self._sockets:
            sock.close()


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


Route = Callable[[int], Answer]  # n-th request (0-based) to the path → the answer


@dataclass
class Hit:
    path: str
    at: float
    headers: dict[str, str]


class Site:
    """A scripted HTTP(S) site on a loopback address: path → Answer (or a function of the request count);
    every request is recorded with its monotonic time."""

    def __init__(self, routes: dict[str, Answer | Route], host: str = "127.0.0.1", port: int = 0,
                 tls: ssl.SSLContext | None = None) -> None:
        self.routes, self.hits = routes, []
        self._server = ThreadingHTTPServer((host, port), _handler(self))
        self._server.daemon_threads = True
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        scheme = "https" if tls else "http"
        self.base_url = f"{scheme}://{host}:{self.port}"

    def answer(self, path: str) -> Answer:
        route = self.routes.get(path.split("?")[0])
        if route is None:
            return Answer(404, b"not found")
        return route if isinstance(route, Answer) else route(sum(h.path == path for h in self.hits) - 1)

    def paths(self) -> list[str]:
        return [h.path for h in self.hits]

    def __enter__(self) -> Site:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            site.hits.append(Hit(self.path, time.monotonic(), dict(self.headers)))
            answer = site.answer(self.path)
            time.sleep(answer.delay)
            self.send_response(answer.status)
            for name, value in {"Content-Type": "text/html; charset=utf-8", **answer.headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


def html(body: str) -> Answer:
    return Answer(200, f"<html><head><title>t</title></head><body>{body}</body></html>".encode())


# --- certificates --------------------------------------------------------------------------------------

_NOW = dt.datetime.now(dt.timezone.utc)


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _ca(name: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key, subject = _key(), x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(_NOW - dt.timedelta(days=1))
            .not_valid_after(_NOW + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .sign(key, hashes.SHA256()))
    return key, cert


def _leaf(ca: tuple[Any, x509.Certificate], names: list[str], days: tuple[int, int] = (-1, 30)) -> bytes:
    key = _key()
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
            .issuer_name(ca[1].subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(_NOW + dt.timedelta(days=days[0])).not_valid_after(_NOW + dt.timedelta(days=days[1]))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(ca[0], hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM) + key_pem


@dataclass
class Certs:
    """A test CA (trusted through SSL_CERT_FILE) and server certificates: good (localhost, good.example),
    evil (CN=evil.example), expired, and one from an unknown CA."""

    ca_file: Path
    pems: dict[str, Path]

    def server(self, name: str) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.pems[name])
        return context


def make_certs(directory: Path) -> Certs:
    ca, stranger = _ca("govmon test CA"), _ca("somebody else's CA")
    leaves = {"good": _leaf(ca, ["localhost", "good.example"]), "evil": _leaf(ca, ["evil.example"]),
              "expired": _leaf(ca, ["localhost", "good.example"], (-30, -2)),
              "unknown": _leaf(stranger, ["localhost", "good.example"])}
    pems = {}
    for name, pem in leaves.items():
        pems[name] = directory / f"{name}.pem"
        pems[name].write_bytes(pem)
    ca_file = directory / "ca.pem"
    ca_file.write_bytes(ca[1].public_bytes(serialization.Encoding.PEM))
    return Certs(ca_file, pems)


# --- crawls --------------------------------------------------------------------------------------------

QUICK = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "LOG_LEVEL": "INFO", "CONCURRENT_REQUESTS_PER_DOMAIN": 4,
         "DOWNLOAD_TIMEOUT": 20}


def write_source(directory: Path, **definition: Any) -> Path:
    """A user source definition (TOML) in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{definition['name']}.toml"
    path.write_text(tomli_w.dumps({"title": definition["name"], "kind": "news", **definition}), encoding="utf-8")
    return path


def crawl(name: str, source_dir: Path, settings: dict[str, Any] | None = None,
          env: dict[str, str] | None = None, timeout: float = 120) -> tuple[list[dict[str, Any]], str]:
    """(items, stderr) of `python -m govmon.crawler.run` on one user source."""
    spec = {"source": name, "source_dirs": [str(source_dir)], "settings": {**QUICK, **(settings or {})}}
    done = subprocess.run([sys.executable, "-m", "govmon.crawler.run"], input=json.dumps(spec), capture_output=True,
                          text=True, timeout=timeout, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()], done.stderr


def problems(items: list[dict[str, Any]], kind: str | None = None) -> list[dict[str, Any]]:
    return [i for i in items if i["type"] == "problem" and (kind is None or i["kind"] == kind)]
