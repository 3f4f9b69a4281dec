"""Certificates are verified in a real crawl (a test CA trusted through SSL_CERT_FILE; a certificate for
another name, an expired one and one from an unknown CA are per-source problems of kind "tls" that say
why; a definition's tls_verify = false is the one way round), and Retry-After is honoured without
blocking the reactor: the retry waits, another site goes on meanwhile.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from security.netkit import (
    Answer,
    Certs,
    Site,
    crawl,
    html,
    make_certs,
    problems,
    write_source,
)

LIST = html('<h2><a href="/tin-tuc/bai-12345.htm">Tin</a></h2>')


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    return make_certs(tmp_path_factory.mktemp("certs"))


def _tls_crawl(tmp_path: Path, certs: Certs, which: str, tls_verify: bool = True) -> list[dict]:
    with Site({"/site.example/tin-tuc": LIST}, tls=certs.server(which)) as site:
        base = f"https://localhost:{site.port}"
        write_source(tmp_path, name="secure", hosts=["site.example"], start_urls=["https://site.example/tin-tuc"],
                     extends="portal", tls_verify=tls_verify)
        items, _ = crawl("secure", tmp_path, {"GOVMON_HOST_MAP": {"site.example": base}, "RETRY_TIMES": 2},
                         env={**os.environ, "SSL_CERT_FILE": str(certs.ca_file)})
        return items


def test_a_certificate_from_the_trusted_ca_for_the_right_name_passes(tmp_path: Path, certs: Certs) -> None:
    items = _tls_crawl(tmp_path, certs, "good")
    assert [i["url"] for i in items if i["type"] == "list"] == ["https://site.example/tin-tuc"]
    assert not problems(items, "tls")


@pytest.mark.parametrize(("which", "reason"), [("evil", "(wrong name)"), ("expired", "certificate has expired (expired)"),
                                               ("unknown", "(incomplete chain or unknown issuer)")])
def test_a_bad_certificate_is_a_tls_problem_that_says_why(tmp_path: Path, certs: Certs, which: str, reason: str) -> None:
    items = _tls_crawl(tmp_path, certs, which)
    found = problems(items)
    assert [p["kind"] for p in found] == ["tls"] and not [i for i in items if i["type"] == "list"], found
    assert found[0]["detail"].startswith("tls: certificate of localhost rejected: ") and reason in found[0]["detail"]
    assert "tls_verify = false" in found[0]["detail"]


def test_tls_verify_false_in_a_definition_accepts_that_portals_certificate(tmp_path: Path, certs: Certs) -> None:
    items = _tls_crawl(tmp_path, certs, "evil", tls_verify=False)
    assert [i["type"] for i in items if i["type"] == "list"] == ["list"] and not problems(items, "tls")


def test_the_crawl_configuration_cannot_switch_verification_off(tmp_path: Path, certs: Certs) -> None:
    with Site({"/site.example/tin-tuc": LIST}, tls=certs.server("evil")) as site:
        write_source(tmp_path, name="secure", hosts=["site.example"], start_urls=["https://site.example/tin-tuc"],
                     extends="portal")
        settings = {"GOVMON_HOST_MAP": {"site.example": f"https://localhost:{site.port}"},
                    "DOWNLOAD_VERIFY_CERTIFICATES": False, "DOWNLOADER_CLIENTCONTEXTFACTORY": "SENTINEL"}
        items, _ = crawl("secure", tmp_path, settings, env={**os.environ, "SSL_CERT_FILE": str(certs.ca_file)})
    assert [p["kind"] for p in problems(items)] == ["tls"]


def test_retry_after_delays_that_site_only_and_never_blocks_the_reactor(tmp_path: Path) -> None:
    """slow.example answers 429 + Retry-After: 3 once; fast.example answers its list page 0.3 s later and
    its articles right away. The retry comes after >= 3 s; fast.example's articles are fetched meanwhile."""
    busy = Answer(429, b"busy", {"Retry-After": "3"})
    slow = Site({"/slow.example/tin-tuc": lambda n: busy if n == 0 else LIST})
    fast = Site({"/fast.example/tin-tuc": Answer(200, LIST.body, delay=0.3),
                 **{f"/fast.example/tin-tuc/bai-1234{i}.htm": html(f"<h1>Bài {i}</h1><p>Nội dung bài {i}.</p>")
                    for i in range(3)}}, host="127.0.0.2")
    fast.routes["/fast.example/tin-tuc"].body = b''.join(
        f'<h2><a href="/tin-tuc/bai-1234{i}.htm">Bài {i}</a></h2>'.encode() for i in range(3))
    with slow, fast:
        write_source(tmp_path, name="pair", hosts=["slow.example", "fast.example"], extends="portal",
                     start_urls=["https://slow.example/tin-tuc", "https://fast.example/tin-tuc"],
                     list={"max_links": 3})
        host_map = {"slow.example": slow.base_url, "fast.example": fast.base_url}
        crawl("pair", tmp_path, {"GOVMON_HOST_MAP": host_map, "GOVMON_RETRY_AFTER_CAP": 30})
    asked = [h.at for h in slow.hits if h.path == "/slow.example/tin-tuc"]
    articles = [h.at for h in fast.hits if "bai-" in h.path]
    assert len(asked) == 2 and asked[1] - asked[0] >= 2.9, asked
    assert len(articles) == 3 and max(articles) < asked[0] + 1.5  # during the wait: the reactor ran on
    print(f"\nRetry-After: 3 → retried after {asked[1] - asked[0]:.2f} s; the other site's 3 articles "
          f"{max(articles) - asked[0]:.2f} s after the 429")
