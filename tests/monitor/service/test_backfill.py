"""Backfill against a recorded paginated archive (the vanban fixture: two list pages, three documents dated
2025-04-01, 2025-03-28 and, on page 2, 2025-01-09): exact date bounds, resumable, re-runs add nothing.
And walks of several chains (start URLs, feeds): "past since" is decided per chain, from the last article
of a list page, and a walk takes what the store has (`walk["seen"]` keys) for known."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from typer.testing import CliRunner

from govmon.crawler.extract.fingerprint import url_key
from govmon.crawler.extract.rules import ArticleRule, ListRule
from govmon.crawler.sources import Source, load_sources
from govmon.crawler.spiders.portal import SourceSpider
from govmon.monitor.cli.common import parse_day
from govmon.monitor.cli.main import app
from govmon.monitor.config import Config
from govmon.monitor.demo.replay import ReplayServer
from govmon.monitor.service.runner import Walk, crawl_source, walk_checkpoint
from govmon.monitor.service.walks import Checkpoint, walks_dir
from govmon.storage import repository as repo
from govmon.storage.db import make_engine, session_scope
from govmon.storage.migrate import upgrade
from tests_support import FIXTURES

SITE = FIXTURES / "vanban" / "site"
runner = CliRunner()


@pytest.fixture()
def replay():
    with ReplayServer([SITE]) as server:
        yield server


def _backfill(tmp_path: Path, replay, database: str, *args: str) -> list[dict]:
    config = tmp_path / "govmon.toml"
    config.write_text(f'[crawl]\nDOWNLOAD_DELAY = 0\nAUTOTHROTTLE_ENABLED = false\n'
                      f'GOVMON_HOST_MAP = {{ "*" = "{replay.base_url}" }}\n', encoding="utf-8")
    result = runner.invoke(app, ["--config", str(config), "--database", database, "backfill", "vanban", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _stored(database: str) -> dict[str, int]:
    with session_scope(make_engine(database)) as s:
        rows = repo.export_rows(s)
        return {a.url: len(repo.versions_of(s, a.id)) for a, _ in rows}


def _database(tmp_path: Path, name: str) -> str:
    url = f"sqlite:///{tmp_path / name}"
    upgrade(make_engine(url))
    return url


def test_since_is_exact_and_a_second_run_adds_nothing(tmp_path, replay):
    database = _database(tmp_path, "a.sqlite3")
    (first,) = _backfill(tmp_path, replay, database, "--since", "2025-03-01")
    assert (first["new"], first["outside"]) == (2, 1)
    assert sorted(_stored(database)) == ["https://vanban.chinhphu.vn/?docid=212987&pageid=27160",
                                         "https://vanban.chinhphu.vn/?docid=213001&pageid=27160"]
    (again,) = _backfill(tmp_path, replay, database, "--since", "2025-03-01")
    assert (again["new"], again["known"]) == (0, 2)
    with session_scope(make_engine(database)) as s:
        assert repo.events(s) == []  # a backfill is a quiet baseline


def test_until_bound_is_exact(tmp_path, replay):
    database = _database(tmp_path, "b.sqlite3")
    _backfill(tmp_path, replay, database, "--since", "2025-01-01", "--until", "2025-03-31")
    assert sorted(_stored(database)) == ["https://vanban.chinhphu.vn/?docid=211540&pageid=27160",
                                         "https://vanban.chinhphu.vn/?docid=212987&pageid=27160"]


def test_an_interrupted_backfill_resumed_gives_the_same_store_as_an_uninterrupted_one(tmp_path, replay):
    whole, pieces = _database(tmp_path, "whole.sqlite3"), _database(tmp_path, "pieces.sqlite3")
    _backfill(tmp_path, replay, whole, "--since", "2025-01-01")
    assert not walks_dir().exists() or list(walks_dir().iterdir()) == []  # a walk that reached its end
    (stopped,) = _backfill(tmp_path, replay, pieces, "--since", "2025-01-01", "--max-pages", "1")  # after page 1
    assert stopped["resume_at"] == [2] and len(list(walks_dir().iterdir())) == 1
    replay.served.clear()
    (resumed,) = _backfill(tmp_path, replay, pieces, "--since", "2025-01-01")
    assert resumed["resume_at"] == []
    assert not any(path.endswith("?mode=0&pageid=41852") for path in replay.served)  # page 1 not walked again
    assert any("page=2" in path for path in replay.served)
    assert _stored(pieces) == _stored(whole) and len(_stored(whole)) == 3
    assert list(walks_dir().iterdir()) == []


def test_ctrl_c_mid_walk_resumes_at_the_first_list_page_not_fully_handled(tmp_path, replay):
    whole, pieces = _database(tmp_path, "whole.sqlite3"), _database(tmp_path, "pieces.sqlite3")
    _backfill(tmp_path, replay, whole, "--since", "2025-01-01")
    config = replace(Config(), crawl={"DOWNLOAD_DELAY": 0, "GOVMON_HOST_MAP": {"*": replay.base_url}})

    def ctrl_c_at_the_first_article(item: dict, tally) -> None:
        if item["type"] == "article":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        crawl_source(make_engine(pieces), config, load_sources()["vanban"],
                     walk=Walk(parse_day("2025-01-01"), None, 50, False, ctrl_c_at_the_first_article))
    (saved,) = walks_dir().iterdir()
    (point,) = json.loads(saved.read_text())["points"].values()
    assert point["page"] == 1  # a page-1 document was not stored: resume there, not after it
    _backfill(tmp_path, replay, pieces, "--since", "2025-01-01")
    assert _stored(pieces) == _stored(whole)


def test_backfill_reads_the_monthly_sitemaps_of_its_window(tmp_path):
    fixture = FIXTURES / "vietnamplus" / "site"
    page = "thu-tuong-yeu-cau-tap-trung-phong-chay-chua-chay-rung-cao-diem-mua-kho-post1030215.vnp"
    extra = tmp_path / "archive" / "www.vietnamplus.vn"
    (extra / "sitemaps").mkdir(parents=True)
    hidden = "https://www.vietnamplus.vn/ban-luu-tru-chi-co-trong-sitemap-post1030999.vnp"  # on no list page
    (extra / "ban-luu-tru-chi-co-trong-sitemap-post1030999.vnp").write_bytes((fixture / "www.vietnamplus.vn" / page).read_bytes())
    (extra / "sitemaps" / "news-2025-5.xml").write_text(
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{hidden}</loc>'
        '<lastmod>2025-05-08</lastmod></url></urlset>', encoding="utf-8")
    database = _database(tmp_path, "s.sqlite3")
    with ReplayServer([fixture, tmp_path / "archive"]) as server:
        config = tmp_path / "govmon.toml"
        config.write_text(f'[crawl]\nDOWNLOAD_DELAY = 0\nGOVMON_HOST_MAP = {{ "*" = "{server.base_url}" }}\n')
        result = runner.invoke(app, ["--config", str(config), "--database", database, "backfill", "vietnamplus",
                                     "--since", "2025-05-01", "--until", "2025-05-31", "--json"])
    assert result.exit_code == 0, result.output
    assert hidden in _stored(database)


def test_ctrl_c_on_the_command_reports_where_the_next_run_continues(tmp_path, replay):
    database = _database(tmp_path, "cli.sqlite3")
    config = tmp_path / "slow.toml"
    config.write_text(f'[crawl]\nDOWNLOAD_DELAY = 1\nAUTOTHROTTLE_ENABLED = false\n'
                      f'GOVMON_HOST_MAP = {{ "*" = "{replay.base_url}" }}\n', encoding="utf-8")
    command = [sys.executable, "-c", "from govmon.monitor.cli.main import app; app()", "--config", str(config), "--database", database,
               "backfill", "vanban", "--since", "2025-01-01"]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env={**os.environ, "COLUMNS": "200"})
    deadline = time.monotonic() + 60
    while not any("docid" in path for path in replay.served) and time.monotonic() < deadline:
        time.sleep(0.05)
    child.send_signal(signal.SIGINT)
    _, stderr = child.communicate(timeout=60)
    assert child.returncode == 130, stderr[-2000:]
    assert "interrupted: what was stored stays; the same command continues (vanban at list page" in stderr
    assert len(list(walks_dir().iterdir())) == 1


# --- "past since" per chain, and what a walk takes for known (spider callbacks driven directly) --------

HOST = "https://two.gov.vn"
CHAIN_A, CHAIN_B, FEED = f"{HOST}/a", f"{HOST}/b", f"{HOST}/rss"
TWO = Source(name="two", title="Two lists", kind="news", hosts=("two.gov.vn",), start_urls=(CHAIN_A, CHAIN_B),
             list=ListRule(links="a.item", next_page="a.next", max_pages=3, feeds=(FEED,)),
             article=ArticleRule(title="h1", body="div.body", published="span.date", date_formats=("%d/%m/%Y",)))
SINCE = "2025-03-01T00:00:00+07:00"


def _list_page(links: list[str], next_page: str | None) -> bytes:
    items = "".join(f'<a class="item" href="{link}">{link}</a>' for link in links)
    more = f'<a class="next" href="{next_page}">sau</a>' if next_page else ""
    return f"<html><body>{items}{more}</body></html>".encode()


def _article_page(day: str) -> bytes:
    return (f"<html><body><h1>Tin ngày {day}</h1><span class='date'>{day}</span>"
            f"<div class='body'><p>Nội dung của tin ngày {day}.</p></div></body></html>").encode()


def _respond(request: Request, body: bytes) -> HtmlResponse:
    return HtmlResponse(url=request.url, body=body, encoding="utf-8", request=request)


def _start(url: str) -> Request:
    return Request(url, meta={"page": 1, "walked": 1, "chain": url})


class Walker:
    """A walk of TWO whose pages and articles are served from `site` (path -> body), callbacks in our order."""

    def __init__(self, site: dict[str, bytes], **walk) -> None:
        self.site, self.items, self.requests = site, [], []
        self.spider = SourceSpider(TWO, walk={"max_pages": 3, "since": SINCE, **walk})

    def run(self, request: Request, callback) -> list[Request]:
        """Parse one response; keep the items, return the requests it made."""
        out = list(callback(_respond(request, self.site[request.url.removeprefix(HOST)])))
        self.items += [x for x in out if isinstance(x, dict)]
        made = [x for x in out if isinstance(x, Request)]
        self.requests += made
        return made

    def articles(self, requests: list[Request]) -> None:
        for request in requests:
            if request.callback == self.spider.parse_article:
                self.run(request, self.spider.parse_article)

    def next_page(self, requests: list[Request]) -> Request | None:
        return next((r for r in requests if r.callback == self.spider.parse_list), None)

    def lists(self, chain: str) -> list[dict]:
        return [i for i in self.items if i["type"] == "list" and i.get("chain") == chain]


def _two_chains() -> dict[str, bytes]:
    """Chain A: a pinned old item on top of page 1, its page 2 ends with an old article, page 3 is all old.
    Chain B: four pages of recent articles (more than max_pages)."""
    site = {"/a": _list_page(["/pinned", "/a1", "/a2"], "/a?p=2"), "/a?p=2": _list_page(["/a3", "/a4-old"], "/a?p=3"),
            "/a?p=3": _list_page(["/a5-old"], None), "/pinned": _article_page("02/01/2020"),
            "/a1": _article_page("20/04/2025"), "/a2": _article_page("19/04/2025"), "/a3": _article_page("15/03/2025"),
            "/a4-old": _article_page("20/02/2025"), "/a5-old": _article_page("10/02/2025")}
    for page in range(1, 5):
        path = "/b" if page == 1 else f"/b?p={page}"
        site[path] = _list_page([f"/b{page}x", f"/b{page}y"], f"/b?p={page + 1}")
        site[f"/b{page}x"], site[f"/b{page}y"] = _article_page(f"2{page}/04/2025"), _article_page(f"1{page}/04/2025")
    return site


def test_a_pinned_old_item_stops_no_chain_and_each_chain_ends_on_its_own_pages(tmp_path):
    walker = Walker(_two_chains())
    spider = walker.spider
    a, b = _start(CHAIN_A), _start(CHAIN_B)
    for _ in range(3):  # list page, then its articles (the walk's priorities), chains interleaved
        made_a = walker.run(a, spider.parse_list) if a else []
        made_b = walker.run(b, spider.parse_list) if b else []
        walker.articles(made_a + made_b)
        a, b = walker.next_page(made_a), walker.next_page(made_b)
    assert [p["page"] for p in walker.lists(CHAIN_B)] == [1, 2, 3]  # B walked to max_pages ...
    assert walker.lists(CHAIN_B)[-1]["next"]["url"] == f"{HOST}/b?p=4"  # ... and knows where it stopped
    assert spider.past == {CHAIN_A}  # A's page 2 ended with an old article: A, and only A, is past since
    assert walker.lists(CHAIN_A)[1]["next"] is not None  # the pinned item on page 1 did not end A there
    last_a = walker.lists(CHAIN_A)[-1]
    assert (last_a["page"], last_a["links"], last_a["next"], last_a["past_since"]) == (3, [], None, True)
    assert not any(r.url.endswith("/a5-old") for r in walker.requests)  # nothing of A's page 3 fetched
    checkpoint = Checkpoint(tmp_path / "walk.json")
    for item in walker.items:
        checkpoint.observe(item)
    checkpoint.save()
    assert json.loads((tmp_path / "walk.json").read_text())["points"] == {
        CHAIN_B: {"url": f"{HOST}/b?p=4", "page": 4, "page_params": {}}}  # A ended; B continues at page 4


def test_old_articles_of_a_feed_stop_no_list_chain():
    site = {**_two_chains(), "/rss": (b'<rss><channel><item><link>https://two.gov.vn/f-old</link></item>'
                                      b'</channel></rss>'), "/f-old": _article_page("01/01/2024")}
    walker = Walker(site)
    walker.articles(walker.run(Request(FEED, meta={"chain": FEED}), walker.spider.parse_feed))
    assert walker.spider.past == {FEED}
    assert walker.next_page(walker.run(_start(CHAIN_A), walker.spider.parse_list)) is not None


def test_a_walk_takes_the_keys_of_stored_articles_for_known_and_a_monitoring_pass_fetches_them():
    site = {"/a": _list_page(["/old-stored", "/recent-stored", "/new"], None)}
    walker = Walker(site, seen=[url_key(f"{HOST}/old-stored")])
    walker.spider.known = {f"{HOST}/recent-stored": {"etag": '"e1"', "last_modified": "", "extractor": "site"}}
    requested = [r.url for r in walker.run(_start(CHAIN_A), walker.spider.parse_list)]
    assert [i["url"] for i in walker.items if i["type"] == "known"] == [f"{HOST}/old-stored", f"{HOST}/recent-stored"]
    assert requested == [f"{HOST}/new"]
    monitoring = SourceSpider(TWO, known=walker.spider.known)
    made = [r for r in monitoring.parse_list(_respond(_start(CHAIN_A), site["/a"])) if isinstance(r, Request)]
    assert [r.url for r in made] == [f"{HOST}/old-stored", f"{HOST}/recent-stored", f"{HOST}/new"]
    assert made[1].headers.get("If-None-Match") == b'"e1"' and not made[0].headers.get("If-None-Match")


def test_a_backfill_walks_each_chain_to_its_own_end_and_the_checkpoint_keeps_both(tmp_path):
    """The same two chains through a real crawl (child process, replay server): B is walked to max_pages
    although A starts with a pinned old item; the checkpoint drops A (ended) and keeps B at page 4."""
    site, sources = tmp_path / "site" / "two.gov.vn", tmp_path / "sources"
    site.mkdir(parents=True)
    sources.mkdir()
    for path, body in _two_chains().items():
        (site / path.lstrip("/").replace("?", "@")).write_bytes(body)
    (sources / "two.toml").write_text(
        'name = "two"\ntitle = "Two lists"\nkind = "news"\nhosts = ["two.gov.vn"]\n'
        f'start_urls = ["{CHAIN_A}", "{CHAIN_B}"]\n[list]\nlinks = "a.item"\nnext_page = "a.next"\n'
        '[article]\ntitle = "h1"\nbody = "div.body"\npublished = "span.date"\ndate_formats = ["%d/%m/%Y"]\n',
        encoding="utf-8")
    database = _database(tmp_path, "two.sqlite3")
    with ReplayServer([tmp_path / "site"]) as server:
        config = replace(Config(), source_dirs=(sources,), crawl={
            "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "GOVMON_HOST_MAP": {"*": server.base_url}})
        walk = Walk(parse_day("2025-03-01"), None, 3)
        report = crawl_source(make_engine(database), config, load_sources(sources)["two"], walk=walk)
    assert report.status == "ok", report.message
    recent_b = {f"{HOST}/b{page}{x}" for page in (1, 2, 3) for x in "xy"}
    assert set(_stored(database)) == {f"{HOST}/a1", f"{HOST}/a2", f"{HOST}/a3", *recent_b}
    assert walk_checkpoint(make_engine(database), "two", walk).points == {
        CHAIN_B: {"url": f"{HOST}/b?p=4", "page": 4, "page_params": {}}}
