"""What govmon's fetches may connect to: the web, never its own host or network (server-side request
forgery), over http(s) only, with verified certificates. Shared by the crawl (Scrapy's resolver and a
downloader middleware) and by the direct fetches of `govmon sources check`.

A `Policy` says what is allowed although private: the host map's targets (exactly their host and port) and
the configuration's ``allow_private`` entries (host names, or networks in CIDR form). Everything else must be
a globally routable unicast address, however the URL spells it (``127.1``, ``2130706433``, ``0x7f.1``,
``[::ffff:127.0.0.1]``) and whatever a name resolves to: `GuardedResolver` checks every DNS answer, and
Twisted connects to the address it returned, so a name cannot change its answer between check and connect.

A fetch that is refused raises `Blocked`; `describe` turns any fetch failure into the (kind, detail) of a
per-source problem ("blocked", "tls", "unreachable", ...), so a user reads why, never a traceback.

>>> Policy().url_problem("http://0x7f.1:8080/admin")
'blocked: private address 127.0.0.1 (loopback)'
>>> Policy().url_problem("file:///etc/passwd")
'blocked: scheme file: is not http or https (file:///etc/passwd)'
>>> Policy.from_settings({"*": "http://127.0.0.1:8123"}, ["10.0.0.0/8"]).url_problem("http://127.0.0.1:8123/x")
"""
from __future__ import annotations

import ipaddress
import re
import socket
import ssl
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Union
from urllib.parse import urlsplit

from OpenSSL import SSL
from scrapy.exceptions import CannotResolveHostError, IgnoreRequest
from scrapy.resolver import CachingThreadedResolver, dnscache
from scrapy.utils.datatypes import LocalCache
from service_identity.exceptions import VerificationError
from twisted.internet import defer, threads
from twisted.internet.error import DNSLookupError

__all__ = ["Blocked", "CertificateRejected", "Policy", "GuardedResolver", "address_problem", "literal_ip",
           "web_url_problem", "lookup", "refusal", "resolved", "tls_failure", "tls_reason", "describe"]

IP = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]
WEB = ("http", "https")
_REFUSED: LocalCache[str, str] = LocalCache(1000)  # host → why the resolver refused it (named by the middleware)
_RESOLVED: LocalCache[str, str] = LocalCache(1000)  # host → the address the resolver allowed (TLS diagnosis)


class Blocked(ConnectionRefusedError, IgnoreRequest):
    """A fetch govmon refuses to make: a private, loopback, link-local, multicast, unspecified or reserved
    address (however the URL spells it), or a scheme other than http and https. An IgnoreRequest too, so
    Scrapy never retries it and its robots.txt middleware does not log it as an error."""


class CertificateRejected(ConnectionError):
    """A server certificate that failed verification (expired, wrong name, unknown issuer ...)."""


class _Refused(DNSLookupError):
    """The resolver's refusal: a lookup error, so Twisted ends the connection attempt without logging."""


def literal_ip(host: str) -> IP | None:
    """The address a host spells literally, in any form the system resolver accepts (``127.1``,
    ``2130706433``, ``0x7f.1``, ``017700000001``, ``[::1]``), or None for a name.

    >>> [str(literal_ip(h)) for h in ("127.1", "2130706433", "0x7f000001", "0", "[::ffff:127.0.0.1]")]
    ['127.0.0.1', '127.0.0.1', '127.0.0.1', '0.0.0.0', '::ffff:7f00:1']
    >>> literal_ip("cafe.be") is None
    True
    """
    text = host.strip("[]").rstrip(".")
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if not re.fullmatch(r"(?i)[0-9a-fx.]+", text) or not re.search(r"\d", text):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(text))
    except OSError:
        return None


def _embedded(ip: IP) -> Iterator[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (mapped, 6to4, Teredo, NAT64, IPv4-compatible)."""
    if isinstance(ip, ipaddress.IPv4Address):
        return
    for v4 in (ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())):
        if v4 is not None:
            yield v4
    compatible = ip in ipaddress.ip_network("::/96") and int(ip) > 1  # ::a.b.c.d, not :: or ::1
    if compatible or ip in ipaddress.ip_network("64:ff9b::/96") or ip in ipaddress.ip_network("64:ff9b:1::/48"):
        yield ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)


_SPECIAL = tuple(ipaddress.ip_network(n) for n in ("192.0.0.0/24", "192.88.99.0/24"))  # Python calls them global


def _category(ip: IP) -> str | None:
    checks = (("loopback", ip.is_loopback), ("unspecified", ip.is_unspecified), ("link-local", ip.is_link_local),
              ("multicast", ip.is_multicast), ("shared CGNAT", ip in ipaddress.ip_network("100.64.0.0/10")),
              ("reserved", ip.is_reserved), ("private", ip.is_private),
              ("special-purpose", any(ip.version == n.version and ip in n for n in _SPECIAL)),
              ("site-local", getattr(ip, "is_site_local", False)), ("not global", not ip.is_global))
    return next((name for name, hit in checks if hit), None)


def address_problem(ip: IP) -> str | None:
    """Why govmon must not connect to `ip`, or None for a globally routable unicast address.

    >>> address_problem(ipaddress.ip_address("169.254.169.254"))
    'private address 169.254.169.254 (link-local)'
    >>> address_problem(ipaddress.ip_address("2002:7f00:1::"))
    'private address 2002:7f00:1:: (carries 127.0.0.1: loopback)'
    >>> address_problem(ipaddress.ip_address("203.113.131.1")) is None
    True
    """
    for v4 in _embedded(ip):
        inner = _category(v4)
        if inner and v4 != ip:
            return f"private address {ip} (carries {v4}: {inner})"
    category = _category(ip)
    return f"private address {ip} ({category})" if category else None


def web_url_problem(url: str) -> str | None:
    """Why `url` is not a plain web URL: http(s), a host, no user info, no backslash; None if it is one."""
    if "\\" in url:
        return f"a backslash in {url[:200]}"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError as exc:
        return f"not a URL ({exc}): {url[:200]}"
    if parts.scheme.lower() not in WEB:
        return f"scheme {parts.scheme or '(none)'}: is not http or https ({url[:200]})"
    if "@" in parts.netloc:
        return f"user info (@) in the host part of {url[:200]}"
    return None if parts.hostname else f"no host in {url[:200]}"


def _host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return (parts.hostname or "").rstrip("."), parts.port or (443 if parts.scheme.lower() == "https" else 80)


@dataclass(frozen=True)
class Policy:
    """What may be reached although private: exact origins (the host map's targets), host names and
    networks (``allow_private``); everything else only at globally routable addresses."""

    origins: frozenset[tuple[str, int]] = frozenset()
    names: frozenset[str] = frozenset()
    networks: tuple[Network, ...] = ()

    @classmethod
    def from_settings(cls, host_map: Mapping[str, str], allow_private: Iterable[str]) -> Policy:
        origins = frozenset(_host_port(base) for base in host_map.values() if base)
        entries = [str(e).strip().lower() for e in allow_private if str(e).strip()]
        networks = tuple(n for n in map(_network, entries) if n is not None)
        return cls(origins, frozenset(e.rstrip(".") for e in entries if _network(e) is None), networks)

    @property
    def target_hosts(self) -> frozenset[str]:
        return frozenset(host for host, _ in self.origins)

    def url_problem(self, url: str) -> str | None:
        """Why a fetch of `url` is refused ("blocked: ..."), or None. Names are left to the resolver."""
        problem = web_url_problem(url)
        if problem:
            return f"blocked: {problem}"
        host, port = _host_port(url)
        if (host, port) in self.origins or host in self.names:
            return None
        ip = literal_ip(host)
        if ip is not None:
            return None if self._in_networks(ip) or not address_problem(ip) else _blocked(ip, host)
        if host in self.target_hosts:  # a name the resolver lets through for the host map: on its port only
            return f"blocked: {host}:{port} is not the host map's {host} (only its port is allowed)"
        return "blocked: private address localhost (loopback)" if _localhost(host) else None

    def answer_problem(self, host: str, answers: Iterable[IP]) -> str | None:
        """Why the DNS answers for `host` must not be used (any one of them), or None."""
        host = host.lower().rstrip(".")
        if host in self.names or host in self.target_hosts:
            return None
        return next((_blocked(ip, host) for ip in answers if not self._in_networks(ip) and address_problem(ip)),
                    None)

    def check_url(self, url: str) -> None:
        problem = self.url_problem(url)
        if problem:
            raise Blocked(problem)

    def _in_networks(self, ip: IP) -> bool:
        return any(ip.version == n.version and ip in n for n in self.networks)


def _network(entry: str) -> Network | None:
    try:
        return ipaddress.ip_network(entry.strip("[]"), strict=False)
    except ValueError:
        return None


def _localhost(host: str) -> bool:
    return host == "localhost" or host.endswith(".localhost")


def _blocked(ip: IP, host: str) -> str:
    literal = literal_ip(host)
    named = "" if literal is not None else f" for {host}"
    return f"blocked: {address_problem(ip)}{named}"


def lookup(host: str, static: Mapping[str, Any] | None = None) -> list[IP]:
    """Every address of `host` (static answers first: `GOVMON_RESOLVE`, like /etc/hosts); OSError if none."""
    answer = (static or {}).get(host.lower().rstrip("."))
    if answer:
        return [ipaddress.ip_address(a) for a in ([answer] if isinstance(answer, str) else answer)]
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos))


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, looking up every address of a name and refusing it when any is private
    (unless the policy allows it). Twisted connects to the address returned here, never to another."""

    def __init__(self, reactor: Any, cache_size: int, timeout: float, policy: Policy,
                 static: Mapping[str, Any] | None = None) -> None:
        super().__init__(reactor, cache_size, timeout)
        self.policy, self.static = policy, {k.lower(): v for k, v in (static or {}).items()}

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> GuardedResolver:
        settings = crawler.settings
        size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        policy = Policy.from_settings(settings.getdict("GOVMON_HOST_MAP"), settings.getlist("GOVMON_ALLOW_PRIVATE"))
        return cls(reactor, size, settings.getfloat("DNS_TIMEOUT"), policy, settings.getdict("GOVMON_RESOLVE"))

    def getHostByName(self, name: str, timeout: Any = ()) -> defer.Deferred[str]:  # noqa: N802 - Twisted's API
        key = name.lower()
        if key in dnscache:
            answers: defer.Deferred[list[IP]] = defer.succeed(dnscache[key])
        else:
            answers = threads.deferToThreadPool(self.reactor, self.reactor.getThreadPool(), lookup, name, self.static)
            answers.addTimeout(self.timeout, self.reactor)
            answers.addCallbacks(self._remember, self._lookup_failed, callbackArgs=(key,), errbackArgs=(name,))
        return answers.addCallback(self._checked, name)

    def _remember(self, answers: list[IP], key: str) -> list[IP]:
        if dnscache.limit:
            dnscache[key] = answers
        return answers

    @staticmethod
    def _lookup_failed(failure: Any, name: str) -> None:
        raise DNSLookupError(f"address {name!r} not found: {failure.getErrorMessage()}")

    def _checked(self, answers: list[IP], name: str) -> str:
        problem = self.policy.answer_problem(name, answers)
        if problem:
            _REFUSED[name.lower().rstrip(".")] = problem
            raise _Refused(problem)
        usable = [str(ip) for ip in answers if ip.version == 4]  # Twisted's simple resolvers speak IPv4
        if not usable:
            raise DNSLookupError(f"no IPv4 address for {name!r}")
        _RESOLVED[name.lower().rstrip(".")] = usable[0]
        return usable[0]


def refusal(url: str) -> str | None:
    """Why the resolver refused the host of `url` in this process, if it did."""
    return _REFUSED.get(_host_port(url)[0].lower())


def resolved(host: str) -> str | None:
    """The address the resolver last allowed for `host` (or the host itself when it is an address)."""
    return host if literal_ip(host) is not None else _RESOLVED.get(host.lower().rstrip("."))


def _causes(error: BaseException, depth: int = 0) -> Iterator[BaseException]:
    """The error, its causes and the reasons it wraps (Twisted's ResponseNeverReceived), bounded."""
    yield error
    if depth >= 6:
        return
    inner = [error.__cause__, error.__context__, *(getattr(r, "value", None) for r in getattr(error, "reasons", []) or [])]
    for cause in inner:
        if isinstance(cause, BaseException):
            yield from _causes(cause, depth + 1)


def tls_failure(error: BaseException) -> BaseException | None:
    """The certificate verification failure inside a fetch error, if that is what it is."""
    for cause in _causes(error):
        if isinstance(cause, (VerificationError, ssl.SSLCertVerificationError, CertificateRejected)):
            return cause
        if isinstance(cause, SSL.Error) and "certificate verify failed" in str(cause):
            return cause
    return None


_TLS_LABELS = {9: "not yet valid", 10: "expired", 62: "wrong name", 18: "self-signed", 19: "self-signed chain",
               2: "incomplete chain or unknown issuer", 20: "incomplete chain or unknown issuer",
               21: "incomplete chain or unknown issuer"}


def tls_reason(host: str, cause: BaseException | None = None, port: int = 443, timeout: float = 5.0) -> str:
    """One line on why the certificate of `host` was rejected. OpenSSL tells Twisted only "verify failed":
    unless `cause` says more, the reason comes from one handshake with Python's ssl to the address the
    resolver allowed for `host` (never another)."""
    if cause is None or (isinstance(cause, SSL.Error) and not isinstance(cause, VerificationError)):
        cause = _diagnose(host, port, timeout) or cause
    return _tls_line(cause, f" of {host}")


def _tls_line(cause: BaseException | None, of: str = "") -> str:
    if isinstance(cause, VerificationError):
        message, label = "it is issued for another name", "wrong name"
    elif isinstance(cause, ssl.SSLCertVerificationError):
        message, label = str(cause.verify_message), _TLS_LABELS.get(cause.verify_code, "rejected")
    else:
        message, label = "certificate verify failed", "rejected"
    return f"tls: certificate{of} rejected: {message} ({label}); a portal known to serve a broken " \
           "certificate can be given tls_verify = false in its definition"


def _diagnose(host: str, port: int, timeout: float) -> BaseException | None:
    address = resolved(host)
    if address is None:
        return None
    context = ssl.create_default_context()
    try:
        with socket.create_connection((address, port), timeout) as raw, \
                context.wrap_socket(raw, server_hostname=host.strip("[]")):
            return None
    except (OSError, ValueError) as exc:
        return exc


def describe(error: BaseException) -> tuple[str, str]:
    """The problem kind and a one-line detail of a failed fetch."""
    if isinstance(error, Blocked):
        return "blocked", str(error)
    cause = tls_failure(error)
    if cause is not None:
        return "tls", str(cause) if isinstance(cause, CertificateRejected) else _tls_line(cause)
    refused = _refused_lookup(error)
    return ("blocked", refused) if refused else ("unreachable", str(error) or repr(error))


def _refused_lookup(error: BaseException) -> str | None:
    """A lookup failure of a host the resolver refused (Twisted reports only "no results for ...: host")."""
    for cause in _causes(error):
        if isinstance(cause, _Refused):
            return str(cause)
        text = str(cause).rstrip("'\"")
        if isinstance(cause, (DNSLookupError, CannotResolveHostError)):
            return next((why for host, why in _REFUSED.items() if text.endswith(f": {host}")), None)
    return None
