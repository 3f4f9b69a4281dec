"""`govmon extract` and `govmon sources list|check|add` as a user runs them (in-process through typer).
`sources check` fetches like a crawl: no private address however spelt (a canary listener counts any
connection), every redirect hop checked, connected to the checked address (DNS rebinding), TLS verified,
robots.txt obeyed, bounded in bytes and seconds. `sources add` writes TOML with a TOML library."""
from __future__ import annotations

import json
import socket
import tomllib
from pathlib import Path

import pytest
import tomli_w
from security.netkit import (
    HOSTS,
    RESOLVE,
    Answer,
    Canary,
    Site,
    html,
    make_certs,
    write_source,
)
from typer.testing import CliRunner

from govmon.crawler import safefetch
from govmon.crawler.sources import load_source
from govmon.monitor.cli.main import app
from govmon.monitor.demo.offline import DEMO_DIR
from govmon.monitor.demo.replay import ReplayServer

DAY1 = DEMO_DIR / "sites" / "day1"
PAGE = "chinh-phu-ban-hanh-chuong-trinh-hanh-dong-thuc-hien-nghi-quyet-57-nq-tw-102250109213015482.htm"
URL = f"https://baochinhphu.vn/{PAGE}"
runner = CliRunner()


def test_extract_prints_the_article_with_its_documents():
    result = runner.invoke(app, ["extract", str(DAY1 / "baochinhphu.vn" / PAGE), "--url", URL])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["source"] == "baochinhphu" and data["extractor"] == "site"
    assert data["published_at"].endswith("+07:00") and "Tham khảo thêm" not in data["text"]
    assert {"03/NQ-CP", "57-NQ/TW"} <= {r["id"] for r in data["doc_refs"]}


def test_extract_batch_reports_bad_lines_and_goes_on(tmp_path):
    lines = [{"path": str(DAY1 / "baochinhphu.vn" / PAGE), "url": URL}, {"path": str(tmp_path / "gone.html"), "url": URL}]
    result = runner.invoke(app, ["extract", "--jsonl"], input="\n".join(json.dumps(x) for x in lines) + "\nnot json\n")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 0 and len(rows) == 3
    assert rows[0]["path"] == lines[0]["path"] and rows[0]["title"]
    assert rows[1]["error"].startswith("cannot read") and rows[2]["error"].startswith("bad input line")


def test_extract_of_an_unreadable_file_is_one_line_and_exit_2(tmp_path):
    result = runner.invoke(app, ["extract", str(tmp_path / "missing.html"), "--url", URL])
    assert result.exit_code == 2 and "cannot read" in result.stderr and "Traceback" not in result.output


def test_extract_of_a_challenge_page_says_it_is_not_an_article(tmp_path):
    page = tmp_path / "c.html"
    page.write_text('<script>document.cookie="D0N=1"+"; path=/";window.location.reload(true);</script>')
    result = runner.invoke(app, ["extract", str(page), "--url", "https://chinhphu.vn/"])
    assert result.exit_code == 2 and "not an article" in result.stderr


def _config(tmp_path: Path, base_url: str) -> str:
    path = tmp_path / "govmon.toml"
    path.write_text(f'[crawl]\nGOVMON_HOST_MAP = {{ "*" = "{base_url}" }}\n', encoding="utf-8")
    return str(path)


def test_sources_check_shows_matching_selectors_on_a_replayed_site(tmp_path):
    with ReplayServer([DAY1]) as server:
        result = runner.invoke(app, ["--config", _config(tmp_path, server.base_url), "sources", "check", "baochinhphu"])
    assert result.exit_code == 0, result.output
    assert "ok links" in result.stdout and "ok title" in result.stdout and "FAIL" not in result.stdout


def test_sources_check_fails_loudly_on_a_redesigned_page(tmp_path):
    redesigned = tmp_path / "page.html"
    redesigned.write_text((DAY1 / "baochinhphu.vn" / PAGE).read_text(encoding="utf-8").replace("detail-content", "body-v2"))
    result = runner.invoke(app, ["sources", "check", "baochinhphu", "--file", str(redesigned)])
    assert result.exit_code == 1 and "FAIL body" in result.stdout


def test_sources_check_json_gives_each_page_and_selector(tmp_path):
    with ReplayServer([DAY1]) as server:
        result = runner.invoke(app, ["--config", _config(tmp_path, server.base_url), "sources", "check", "baochinhphu", "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert (shown["source"], shown["ok"], [p["page"] for p in shown["pages"]]) == ("baochinhphu", True, ["list", "article"])
    listed = {c["name"]: c for c in shown["pages"][0]["checks"]}
    assert listed["links"]["ok"] and listed["links"]["found"] > 0 and listed["links"]["selector"]
    assert shown["pages"][1]["url"].startswith("https://baochinhphu.vn/")


def test_sources_check_json_marks_what_fails_and_exits_1(tmp_path):
    redesigned = tmp_path / "page.html"
    redesigned.write_text((DAY1 / "baochinhphu.vn" / PAGE).read_text(encoding="utf-8").replace("detail-content", "body-v2"))
    result = runner.invoke(app, ["sources", "check", "baochinhphu", "--file", str(redesigned), "--json"])
    assert result.exit_code == 1 and "do not match" in result.stderr
    shown = json.loads(result.stdout)
    checks = {c["name"]: c for c in shown["pages"][0]["checks"]}
    assert shown["ok"] is False and shown["pages"][0]["page"] == "article" and checks["body"]["ok"] is False


def _user(tmp_path: Path, crawl: dict | None = None, **source: object) -> str:
    """A config whose [crawl] table is `crawl`, with one user source definition in its source_dirs."""
    write_source(tmp_path / "defs", **{"title": "probe", "hosts": ["portal.example"], **source})
    config = tmp_path / "govmon.toml"
    config.write_text(tomli_w.dumps({"source_dirs": [str(tmp_path / "defs")], "crawl": crawl or {}}), encoding="utf-8")
    return str(config)


def _check(config: str, *args: str):
    return runner.invoke(app, ["--config", config, "sources", "check", *args])


def test_sources_check_connects_to_no_payload_and_says_why(tmp_path):
    with Canary() as canary:
        config = _user(tmp_path, {"GOVMON_RESOLVE": RESOLVE}, name="probe", start_urls=["https://portal.example/"])
        results = [_check(config, "probe", "--url", f"http://{host}:{canary.port}/p") for host in HOSTS]
    refused = [r for r in results if r.exit_code == 2 and "blocked: private address" in r.stderr]
    assert canary.hits == [] and len(refused) == len(HOSTS), [r.stderr for r in results if r not in refused]
    assert all("Traceback" not in r.output for r in results)
    print(f"\nSSRF payloads blocked {len(refused)}/{len(HOSTS)} through sources check, {len(canary.hits)} canary hits")


def test_sources_check_refuses_a_redirect_to_a_private_address(tmp_path):
    with Canary() as canary:
        moved = {"/portal.example/robots.txt": Answer(404),
                 "/portal.example/": Answer(302, headers={"Location": f"http://[::ffff:127.0.0.1]:{canary.port}/"}),
                 "/portal.example/f": Answer(301, headers={"Location": "file:///etc/passwd"})}
        with Site(moved) as site:
            config = _user(tmp_path, {"GOVMON_HOST_MAP": {"*": site.base_url}}, name="probe",
                           start_urls=["https://portal.example/"])
            hop = _check(config, "probe")
            scheme = _check(config, "probe", "--url", "https://portal.example/f")
    assert canary.hits == [] and "/portal.example/" in site.paths()
    assert hop.exit_code == 2 and "blocked: private address ::ffff:7f00:1 (carries 127.0.0.1: loopback)" in hop.stderr
    assert scheme.exit_code == 2 and "blocked: scheme file" in scheme.stderr


def test_sources_check_connects_to_the_address_it_checked(tmp_path, monkeypatch):
    """DNS rebinding: rebind.example answers an allowed address first, the canary's afterwards. Each hop
    looks the name up once and connects to that answer, so the canary never hears from us."""
    real, lookups = socket.getaddrinfo, []

    def rebinding(host, *args, **kwargs):
        if host != "rebind.example":
            return real(host, *args, **kwargs)
        lookups.append(host)
        return real("127.0.0.2" if len(lookups) == 1 else "127.0.0.1", *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    with Canary() as canary:
        with Site({"/robots.txt": Answer(200, b"User-agent: *\nAllow: /\n", {"Content-Type": "text/plain"})},
                  host="127.0.0.2", port=canary.port) as site:
            config = _user(tmp_path, {"GOVMON_ALLOW_PRIVATE": ["127.0.0.2/32"]}, name="probe", hosts=["rebind.example"],
                           start_urls=[f"http://rebind.example:{canary.port}/tin-tuc"])
            result = _check(config, "probe")
    assert site.paths() == ["/robots.txt"] and site.hits[0].headers["Host"] == f"rebind.example:{canary.port}"
    assert canary.hits == [] and lookups == ["rebind.example"] * 2
    assert result.exit_code == 2 and "blocked: private address 127.0.0.1 (loopback) for rebind.example" in result.stderr


def test_sources_check_obeys_robots_txt(tmp_path):
    robots = Answer(200, b"User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"})
    with Site({"/portal.example/robots.txt": robots, "/portal.example/private/list": html("x")}) as site:
        config = _user(tmp_path, {"GOVMON_HOST_MAP": {"*": site.base_url}}, name="probe",
                       start_urls=["https://portal.example/private/list"])
        result = _check(config, "probe")
    assert result.exit_code == 2
    assert "robots.txt of portal.example disallows https://portal.example/private/list" in result.stderr
    assert site.paths() == ["/portal.example/robots.txt"]


def test_sources_check_is_bounded_in_size_and_time(tmp_path, monkeypatch):
    routes = {"/portal.example/big": html("x" * 4096), "/portal.example/slow": Answer(200, b"x", delay=1.5)}
    monkeypatch.setattr(safefetch, "MAX_PAGE", 1024)
    monkeypatch.setattr(safefetch, "TIMEOUT", safefetch.httpx.Timeout(0.5))
    with Site(routes) as site:
        config = _user(tmp_path, {"GOVMON_HOST_MAP": {"*": site.base_url}}, name="probe",
                       start_urls=["https://portal.example/big"])
        big = _check(config, "probe")
        slow = _check(config, "probe", "--url", "https://portal.example/slow")
    assert big.exit_code == 2 and "cannot fetch https://portal.example/big: larger than 1 KB" in big.stderr
    assert slow.exit_code == 2 and "cannot fetch https://portal.example/slow: " in slow.stderr
    assert "Traceback" not in big.output + slow.output


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return make_certs(tmp_path_factory.mktemp("certs"))


LIST_PAGE = html('<h2><a href="/tin-tuc/bai-12345.htm">Tin</a></h2>')


@pytest.mark.parametrize(("which", "outcome"), [("good", ""), ("evil", "(wrong name)"), ("expired", "(expired)"),
                                                ("unknown", "(incomplete chain or unknown issuer)")])
def test_sources_check_verifies_certificates_by_the_sites_name(tmp_path, monkeypatch, certs, which, outcome):
    """good.example resolves (statically) to 127.0.0.1, which the config allows; the fetch connects to that
    address and checks the certificate against good.example (SNI), not against the address."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certs.ca_file))
    with Site({"/tin-tuc": LIST_PAGE, "/robots.txt": Answer(404)}, tls=certs.server(which)) as site:
        crawl = {"GOVMON_RESOLVE": {"good.example": "127.0.0.1"}, "GOVMON_ALLOW_PRIVATE": ["127.0.0.1"]}
        page = f"https://good.example:{site.port}/tin-tuc"
        config = _user(tmp_path, crawl, name="probe", hosts=["good.example"], extends="portal", start_urls=[page])
        result = _check(config, "probe", "--article", page)
    if not outcome:
        assert result.exit_code == 0 and "ok links" in result.stdout, result.output
        assert site.hits[-1].headers["Host"] == f"good.example:{site.port}"
        return
    assert result.exit_code == 2 and "tls: certificate of good.example rejected: " in result.stderr
    assert outcome in result.stderr and "Traceback" not in result.output


def test_sources_check_honours_tls_verify_false(tmp_path, monkeypatch, certs):
    monkeypatch.setenv("SSL_CERT_FILE", str(certs.ca_file))
    with Site({"/portal.example/tin-tuc": LIST_PAGE}, tls=certs.server("evil")) as site:
        crawl = {"GOVMON_HOST_MAP": {"*": f"https://localhost:{site.port}"}}
        lax = _user(tmp_path, crawl, name="probe", extends="portal", tls_verify=False,
                    start_urls=["https://portal.example/tin-tuc"])
        strict = _user(tmp_path / "v", crawl, name="probe", extends="portal", start_urls=["https://portal.example/tin-tuc"])
        lax_result = _check(lax, "probe", "--article", "https://portal.example/tin-tuc")
        strict_result = _check(strict, "probe")
    assert lax_result.exit_code == 0, lax_result.output
    assert strict_result.exit_code == 2 and "(wrong name)" in strict_result.stderr


def test_sources_list_shows_which_sources_skip_certificate_checks(tmp_path):
    config = _user(tmp_path, name="broken_chain", tls_verify=False, start_urls=["https://portal.example/"])
    result = runner.invoke(app, ["--config", config, "sources", "list"], env={"COLUMNS": "250"})
    lines = result.stdout.splitlines()
    assert result.exit_code == 0
    assert "not verified" in next(line for line in lines if "broken_chain" in line)
    assert "not verified" not in next(line for line in lines if "baochinhphu " in line)


HOSTILE = ['Cổng "thông tin" tỉnh', "hai\ndòng", '"]\n[article]\nx = 1', "a'''b", "\\u0000 \\", "\t[list]\nlinks = 'a'"]


@pytest.mark.parametrize("title", HOSTILE)
def test_sources_add_writes_a_title_as_data_never_as_toml(tmp_path, title):
    result = runner.invoke(app, ["sources", "add", "quangngai_test", "--url", "https://quangngai.gov.vn/tin-tuc",
                                 "--title", title, "--province", 'Quảng "Ngãi"', "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = tmp_path / "quangngai_test.toml"
    data = tomllib.loads(written.read_text(encoding="utf-8"))
    assert data["title"] == title and data["province"] == 'Quảng "Ngãi"'
    assert set(data) == {"name", "title", "kind", "province", "official", "hosts", "start_urls", "extends",
                         "interval_minutes", "download_delay", "concurrency"}
    assert load_source(written).title == title


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://INTERNAL:8888\\@portal.gov.vn/", "ftp://x.gov.vn/",
                                 "http://portal.gov.vn@127.0.0.1/", "not a url"])
def test_sources_add_accepts_only_a_web_url(tmp_path, url):
    result = runner.invoke(app, ["sources", "add", "bad_url", "--url", url, "--dir", str(tmp_path)])
    assert result.exit_code == 2 and "--url: " in result.stderr and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/", "http://0x7f.1/",
                                 "http://127.0.0.1#@portal.gov.vn/", "http://localhost/tin-tuc"])
def test_sources_add_refuses_a_private_address_unless_allowed(tmp_path, url):
    refused = runner.invoke(app, ["sources", "add", "intranet", "--url", url, "--dir", str(tmp_path)])
    assert refused.exit_code == 2 and "blocked: private address" in refused.stderr and "allow_private" in refused.stderr
    config = tmp_path / "govmon.toml"
    config.write_text('allow_private = ["169.254.0.0/16", "fd00::/8", "127.0.0.0/8", "localhost"]\n')
    allowed = runner.invoke(app, ["--config", str(config), "sources", "add", "intranet", "--url", url, "--dir", str(tmp_path)])
    assert allowed.exit_code == 0, allowed.output
