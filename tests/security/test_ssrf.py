"""Server-side request forgery, end to end: a canary listener on 127.0.0.1 must receive no connection from
any payload, through a real crawl (`python -m govmon.crawler.run`, and `govmon crawl` as a user runs it),
`govmon sources check`, an attachment link and a redirect from an allowed (host-mapped) replay page.
Each blocked fetch is a per-source problem of kind "blocked" that says why.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from security.netkit import (
    HOSTS,
    RESOLVE,
    ROOT,
    Answer,
    Canary,
    Site,
    crawl,
    html,
    problems,
    write_source,
)


def payloads(port: int) -> list[str]:
    return [f"http://{host}:{port}/p{i}" for i, host in enumerate(HOSTS)]


def test_the_canary_counts_what_reaches_it_through_an_allowed_crawl(tmp_path: Path) -> None:
    """The control: allowed explicitly, the same crawl does connect, so 0 hits elsewhere means blocked."""
    with Canary() as canary:
        write_source(tmp_path, name="probe", hosts=[], start_urls=[f"http://127.1:{canary.port}/p"])
        items, _ = crawl("probe", tmp_path, {"GOVMON_ALLOW_PRIVATE": ["127.0.0.0/8"], "RETRY_TIMES": 0})
    assert len(canary.hits) >= 1 and not problems(items, "blocked") and problems(items, "unreachable")


def test_a_crawl_connects_to_no_payload_and_reports_each_as_blocked(tmp_path: Path) -> None:
    with Canary() as canary:
        urls = payloads(canary.port)
        # hosts = []: no offsite filter in front of the guard, so the guard alone stands between
        write_source(tmp_path, name="probe", hosts=[], start_urls=urls[:-4],
                     list={"links": "a", "feeds": urls[-4:-2], "sitemaps": urls[-2:]})
        items, _ = crawl("probe", tmp_path, {"GOVMON_RESOLVE": RESOLVE})
    blocked = problems(items, "blocked")
    assert canary.hits == []
    assert len(blocked) == len(urls) == len(problems(items)), [(p["url"], p["detail"]) for p in problems(items)]
    assert all(p["detail"].startswith("blocked: private address ") for p in blocked)
    details = {p["url"].split("/")[-1]: p["detail"] for p in blocked}
    assert details["p0"] == "blocked: private address localhost (loopback)"
    assert details["p3"] == details["p5"] == "blocked: private address 127.0.0.1 (loopback)"
    assert details[f"p{HOSTS.index('public.example')}"] == \
        "blocked: private address 127.0.0.1 (loopback) for public.example"
    assert "169.254.169.254 (link-local)" in details[f"p{HOSTS.index('metadata.example')}"]
    print(f"\nSSRF payloads blocked {len(blocked)}/{len(urls)} through a crawl, {len(canary.hits)} canary hits")


def _cli_env(tmp_path: Path, crawl_table: str = "") -> dict[str, str]:
    config = tmp_path / "govmon.toml"
    config.write_text(f"[crawl]\nDOWNLOAD_DELAY = 0\nAUTOTHROTTLE_ENABLED = false\n{crawl_table}", encoding="utf-8")
    return {**os.environ, "GOVMON_DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite3'}",
            "GOVMON_USER_SOURCES": str(tmp_path / "sources"), "GOVMON_CONFIG": str(config)}


def _govmon(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "govmon.monitor", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)


def test_govmon_crawl_and_sources_check_of_a_private_source_say_why_and_never_connect(tmp_path: Path) -> None:
    env = _cli_env(tmp_path)
    with Canary() as canary:
        write_source(tmp_path / "sources", name="intranet", hosts=["127.0.0.1"],
                     start_urls=[f"http://127.0.0.1:{canary.port}/tin-tuc"])
        crawled = _govmon("crawl", "intranet", env=env)
        checked = _govmon("sources", "check", "intranet", env=env)
    assert canary.hits == []
    assert crawled.returncode != 0 and "blocked: private address 127.0.0.1 (loopback)" in crawled.stdout, crawled.stdout
    assert checked.returncode != 0 and "Traceback" not in checked.stderr
    assert "blocked: private address 127.0.0.1 (loopback)" in checked.stderr, checked.stderr


def test_allow_private_lets_an_intranet_portal_through(tmp_path: Path) -> None:
    """The operator's explicit allow_private (here a network) is the way to an intranet portal."""
    page = html('<h2><a href="/tin-tuc/bai-12345.htm">Tin</a></h2>')
    with Site({"/tin-tuc": page, "/tin-tuc/bai-12345.htm": page}) as site:
        write_source(tmp_path, name="intranet", hosts=["127.0.0.1"], start_urls=[f"{site.base_url}/tin-tuc"],
                     extends="portal")
        items, _ = crawl("intranet", tmp_path, {"GOVMON_ALLOW_PRIVATE": ["127.0.0.0/8"]})
    assert [i["type"] for i in items if i["type"] == "list"] == ["list"] and not problems(items, "blocked")
    assert "/tin-tuc" in site.paths()


ARTICLE = """<h1>Quyết định 12/QĐ-UBND</h1><div class="body"><p>Nội dung quyết định.</p></div>
<div class="files">{links}</div>"""


def _replay_source(tmp_path: Path, name: str, start: list[str]) -> None:
    write_source(tmp_path, name=name, hosts=[], start_urls=start,
                 list={"links": "h2 a", "min_links": 1},
                 article={"title": "h1", "body": "div.body", "attachments": "div.files a[href]"})


def test_an_attachment_link_to_a_private_address_is_blocked(tmp_path: Path) -> None:
    with Canary() as canary:
        links = "".join(f'<a href="{u.replace("/p", "/doc")}.pdf">tệp</a>' for u in payloads(canary.port)[:-4])
        routes = {"/portal.example/list": html('<h2><a href="/bai-12345.htm">Quyết định</a></h2>'),
                  "/portal.example/bai-12345.htm": html(ARTICLE.format(links=links + '<a href="file:///etc/passwd.pdf">x</a>'))}
        with Site(routes) as site:
            _replay_source(tmp_path, "attach", ["https://portal.example/list"])
            items, _ = crawl("attach", tmp_path, {"GOVMON_HOST_MAP": {"portal.example": site.base_url},
                                                  "GOVMON_RESOLVE": RESOLVE})
    assert [i["type"] for i in items].count("article") == 1 and canary.hits == []
    blocked = problems(items, "blocked")
    assert len(blocked) == len(HOSTS) - 4 + 1, [(p["url"], p["detail"]) for p in problems(items)]
    assert any("scheme file" in p["detail"] for p in blocked)
    print(f"\nattachment payloads blocked {len(blocked)}/{len(HOSTS) - 4 + 1}, {len(canary.hits)} canary hits")


def test_a_redirect_from_an_allowed_replay_page_to_a_private_address_is_blocked(tmp_path: Path) -> None:
    with Canary() as canary:
        targets = [*payloads(canary.port)[:-4], "file:///etc/passwd", f"http://public.example:{canary.port}/"]
        routes = {f"/portal.example/r{i}": Answer(302, headers={"Location": t}) for i, t in enumerate(targets)}
        with Site(routes) as site:
            _replay_source(tmp_path, "moved", [f"https://portal.example/r{i}" for i in range(len(targets))])
            items, _ = crawl("moved", tmp_path, {"GOVMON_HOST_MAP": {"portal.example": site.base_url},
                                                 "GOVMON_RESOLVE": RESOLVE})
        asked = sorted(p for p in site.paths() if p != "/robots.txt")
    assert asked == sorted(f"/portal.example/r{i}" for i in range(len(targets)))  # each redirect was served
    blocked = problems(items, "blocked")
    assert canary.hits == []
    assert len(blocked) == len(targets) == len(problems(items)), [(p["url"], p["detail"]) for p in problems(items)]
    assert "blocked: redirect: scheme file: is not http or https (file:///etc/passwd)" in [p["detail"] for p in blocked]
    print(f"\nredirect payloads blocked {len(blocked)}/{len(targets)}, {len(canary.hits)} canary hits")


def test_a_definition_naming_a_file_url_is_refused_when_loaded(tmp_path: Path) -> None:
    """(Every other non-web spelling: tests/crawler/test_sources.py, in-process.)"""
    env = _cli_env(tmp_path)
    write_source(tmp_path / "sources", name="bad", hosts=["portal.gov.vn"], start_urls=["file:///etc/passwd"])
    listed = _govmon("sources", "list", env=env)
    assert listed.returncode == 2 and "Traceback" not in listed.stderr
    assert "start_urls: file:///etc/passwd is not an http(s) URL" in listed.stderr
    assert len(listed.stderr.strip().splitlines()) == 1, listed.stderr
