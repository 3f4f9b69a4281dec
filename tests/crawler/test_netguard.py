"""crawler/netguard.py in-process: every spelling of a private address, what the policy allows (the host
map's exact targets, allow_private names and networks), the resolver's check of every DNS answer (a
rebinding name is refused the moment it answers privately), and how fetch failures are described."""
from __future__ import annotations

import ipaddress
import ssl
from pathlib import Path

import pytest
from scrapy.exceptions import CannotResolveHostError, IgnoreRequest
from security.netkit import Site, html, make_certs
from service_identity.exceptions import DNSMismatch, VerificationError
from service_identity.hazmat import DNS_ID
from twisted.internet.error import DNSLookupError

from govmon.crawler import netguard
from govmon.crawler.netguard import (
    Blocked,
    CertificateRejected,
    GuardedResolver,
    Policy,
    address_problem,
    describe,
    literal_ip,
    lookup,
    refusal,
    web_url_problem,
)

LOOPBACK = ["localhost", "127.0.0.1", "127.1", "2130706433", "0x7f000001", "0x7f.1", "017700000001", "0177.0.0.1",
            "127.0.0.1.", "[::ffff:127.0.0.1]", "[::1]", "[0:0:0:0:0:0:0:1]", "[::127.0.0.1]", "[2002:7f00:1::]",
            "[64:ff9b::7f00:1]", "sub.localhost"]
OTHER_PRIVATE = ["0", "0.0.0.0", "[::]", "169.254.169.254", "[fe80::1]", "100.64.0.1", "100.127.255.254",
                 "[::ffff:100.64.0.1]", "224.0.0.1", "[ff02::1]", "10.0.0.1", "172.16.0.1", "192.168.1.1", "[fc00::1]",
                 "[fd00:ec2::254]", "240.0.0.1", "255.255.255.255", "198.18.0.1", "192.88.99.1", "192.0.0.9",
                 "[2001:0:4136:e378:8000:63bf:3fff:fdd2]"]


@pytest.mark.parametrize("host", LOOPBACK + OTHER_PRIVATE)
def test_every_spelling_of_a_private_address_is_blocked(host: str) -> None:
    problem = Policy().url_problem(f"http://{host}:8080/admin")
    assert problem is not None and problem.startswith("blocked: private address "), problem


@pytest.mark.parametrize("host", LOOPBACK[1:-1])
def test_a_loopback_spelling_is_named_by_the_address_it_carries(host: str) -> None:
    assert "127.0.0.1" in Policy().url_problem(f"http://{host}/") or host in ("[::1]", "[0:0:0:0:0:0:0:1]")


def test_literal_forms_are_read_as_the_system_resolver_reads_them() -> None:
    assert {str(literal_ip(h)) for h in ("127.1", "2130706433", "0x7f000001", "0x7f.1", "017700000001")} == {"127.0.0.1"}
    assert literal_ip("deadbeef.example") is None and literal_ip("cafe.be") is None
    assert str(literal_ip("[::ffff:127.0.0.1]")) == "::ffff:7f00:1"


@pytest.mark.parametrize(("address", "category"), [("127.0.0.1", "loopback"), ("0.0.0.0", "unspecified"),
                                                    ("169.254.169.254", "link-local"), ("100.64.0.1", "shared CGNAT"),
                                                    ("224.0.0.1", "multicast"), ("10.1.2.3", "private"),
                                                    ("240.0.0.1", "reserved")])
def test_address_categories(address: str, category: str) -> None:
    assert address_problem(ipaddress.ip_address(address)) == f"private address {address} ({category})"


@pytest.mark.parametrize("address", ["203.113.131.1", "14.225.0.1", "2001:4860:4860::8888"])
def test_public_addresses_are_fine(address: str) -> None:
    assert address_problem(ipaddress.ip_address(address)) is None
    assert Policy().url_problem(f"https://[{address}]/" if ":" in address else f"https://{address}/") is None


@pytest.mark.parametrize(("url", "why"), [
    ("file:///etc/passwd", "scheme file: is not http or https"), ("gopher://127.0.0.1:25/", "scheme gopher"),
    ("ftp://portal.gov.vn/x", "scheme ftp"), ("data:text/html,hi", "scheme data"), ("//portal.gov.vn/", "scheme (none)"),
    ("http://INTERNAL:8888\\@portal.gov.vn/", "a backslash"), ("http://portal.gov.vn@127.0.0.1/", "user info"),
    ("http://portal.gov.vn:99999999/", "not a URL"), ("http:///path", "no host")])
def test_only_plain_web_urls(url: str, why: str) -> None:
    assert why in web_url_problem(url) and Policy().url_problem(url).startswith("blocked: ")


def test_the_host_map_allows_exactly_its_targets() -> None:
    policy = Policy.from_settings({"*": "http://127.0.0.1:8123/", "gov.vn": "http://localhost:9000"}, [])
    assert policy.url_problem("http://127.0.0.1:8123/baochinhphu.vn/a.htm") is None
    assert policy.url_problem("http://localhost:9000/x") is None
    assert policy.url_problem("http://127.0.0.1:8124/") == "blocked: private address 127.0.0.1 (loopback)"
    assert policy.url_problem("http://localhost:22/").startswith("blocked: localhost:22 is not the host map's")
    assert policy.answer_problem("localhost", [ipaddress.ip_address("127.0.0.1")]) is None  # its port: above


def test_allow_private_names_and_networks() -> None:
    policy = Policy.from_settings({}, ["intranet.local", "10.20.0.0/16", "fd00::/8"])
    private = [ipaddress.ip_address("10.20.1.1")]
    assert policy.url_problem("http://intranet.local:8080/") is None and policy.url_problem("http://10.20.3.4/") is None
    assert policy.url_problem("http://[fd00::5]/") is None
    assert policy.url_problem("http://10.21.0.1/").startswith("blocked: private address 10.21.0.1")
    assert policy.answer_problem("INTRANET.local.", [ipaddress.ip_address("127.0.0.1")]) is None
    assert policy.answer_problem("portal.example", private) is None
    assert policy.answer_problem("portal.example", [ipaddress.ip_address("10.99.0.1")]) is not None


def test_a_name_is_refused_when_any_of_its_records_is_private() -> None:
    answers = [ipaddress.ip_address(a) for a in ("93.184.216.34", "127.0.0.1")]
    assert Policy().answer_problem("mixed.example", answers) == \
        "blocked: private address 127.0.0.1 (loopback) for mixed.example"
    assert Policy().answer_problem("public.example", answers[:1]) is None


def test_static_answers_come_first() -> None:
    assert lookup("Portal.Example.", {"portal.example": ["203.0.113.7", "10.0.0.1"]}) == \
        [ipaddress.ip_address("203.0.113.7"), ipaddress.ip_address("10.0.0.1")]
    assert lookup("localhost", {}) and all(ip.is_loopback for ip in lookup("localhost", {}))


class _NoReactor:
    """The resolver below answers from its cache only: no thread, no reactor needed."""


def test_the_resolver_checks_every_answer_so_a_rebinding_name_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    cache = {"rebind.example": [ipaddress.ip_address("127.0.0.2")]}
    monkeypatch.setattr(netguard, "dnscache", cache)
    resolver = GuardedResolver(_NoReactor(), 10, 5.0, Policy.from_settings({}, ["127.0.0.2/32"]))
    results: list[object] = []
    resolver.getHostByName("rebind.example").addBoth(results.append)
    cache["rebind.example"] = [ipaddress.ip_address("127.0.0.1")]  # the name now answers privately
    resolver.getHostByName("rebind.example").addBoth(results.append)
    assert results[0] == "127.0.0.2"
    assert isinstance(results[1].value, DNSLookupError)  # Twisted then ends the attempt: nothing connects
    why = "blocked: private address 127.0.0.1 (loopback) for rebind.example"
    assert refusal("https://rebind.example/a") == why
    assert describe(CannotResolveHostError("no results for hostname lookup: rebind.example")) == ("blocked", why)


def test_blocked_is_never_retried_by_scrapy_and_never_a_traceback() -> None:
    error = Blocked("blocked: private address 10.0.0.1 (private)")
    assert isinstance(error, IgnoreRequest) and describe(error) == ("blocked", str(error))
    assert describe(ConnectionRefusedError("Connection refused")) == ("unreachable", "Connection refused")


def test_certificate_failures_are_tls_problems_with_the_reason() -> None:
    mismatch = VerificationError(errors=[DNSMismatch(mismatched_id=DNS_ID("portal.gov.vn"))])
    assert describe(mismatch)[0] == "tls" and "(wrong name)" in describe(mismatch)[1]
    expired = ssl.SSLCertVerificationError(1, "certificate verify failed")
    expired.verify_code, expired.verify_message = 10, "certificate has expired"
    wrapped = ConnectionError("handshake failed")
    wrapped.__cause__ = expired
    assert describe(wrapped) == ("tls", describe(expired)[1]) and "certificate has expired (expired)" in describe(expired)[1]
    assert describe(CertificateRejected("tls: certificate of x rejected: y")) == ("tls", "tls: certificate of x rejected: y")


def test_the_reason_of_a_failed_handshake_comes_from_a_second_look(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """OpenSSL tells Twisted only 'certificate verify failed'; tls_reason asks Python's ssl, at the address
    the resolver allowed for that host."""
    certs = make_certs(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(certs.ca_file))
    monkeypatch.setitem(netguard._RESOLVED, "good.example", "127.0.0.1")
    reasons = {}
    for which in ("expired", "unknown", "good"):
        with Site({"/": html("x")}, tls=certs.server(which)) as site:
            reasons[which] = netguard.tls_reason("good.example", None, site.port)
    assert "certificate has expired (expired)" in reasons["expired"]
    assert "unable to get local issuer certificate (incomplete chain or unknown issuer)" in reasons["unknown"]
    assert "certificate verify failed (rejected)" in reasons["good"]  # nothing wrong on a second look
    assert netguard.tls_reason("never-resolved.example", None, 1).endswith("tls_verify = false in its definition")
