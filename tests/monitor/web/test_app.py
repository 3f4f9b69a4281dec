"""The web view, feeds and JSON API over the demo's store (and a store with hostile strings), through the ASGI
app: what each page shows, where its links go, that filters filter, that the API speaks the CLI's JSON, that
conditional GET answers 304, that the token guards the API and that nothing scraped reaches the page as HTML."""
from __future__ import annotations

import json
from typing import Any

import feedparser
from fastapi.testclient import TestClient
from lxml import html as lxml_html
from typer.testing import CliRunner

from govmon.monitor.cli.main import app as cli
from govmon.monitor.config import Config
from govmon.monitor.web.app import create_app
from tests_support import article_item, ingest

OFFICIAL = "https://baochinhphu.vn/chinh-phu-sua-doi-bo-sung-cap-nhat-chuong-trinh-hanh-dong-thuc-hien-nghi-quyet-57-nq-tw-102250402075812364.htm"


def _page(client: TestClient, path: str) -> Any:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("text/html")
    return lxml_html.fromstring(response.text)


def _all(client: TestClient, path: str) -> list[dict[str, Any]]:
    items, cursor = [], None
    for _ in range(50):
        answer = client.get(path, params={"limit": 1, **({"cursor": cursor} if cursor else {})}).json()
        items += answer["items"]
        cursor = answer["next_cursor"]
        if not cursor:
            return items
    raise AssertionError("pagination never ended")


def test_home_lists_the_demo_alerts_newest_first_with_links(client):
    page = _page(client, "/")
    alerts = page.cssselect("article.alert")
    assert len(alerts) == 4
    kinds = [a.get("class").split("kind-")[1] for a in alerts]
    assert sorted(kinds) == ["article_changed", "document_amended", "new_article", "new_document"]
    links = {a.get("href") for a in page.cssselect("article.alert a")}
    assert "/documents/71/NQ-CP" in links and "/documents/03/NQ-CP" in links
    assert any(h.startswith("/announcements/") for h in links)
    feeds = page.xpath('//link[@rel="alternate"][@type="application/atom+xml"]/@href')
    assert "/feeds/alerts.atom" in feeds


def test_home_filters_by_kind_document_source_province_and_date(client):
    count = lambda query: len(_page(client, "/?" + query).cssselect("article.alert"))  # noqa: E731
    assert count("kind=document_amended") == 1
    assert count("document=03/NQ-CP") >= 1
    assert count("document=999/NQ-CP") == 0
    assert count("source=baochinhphu") >= 2
    assert count("province=Gia+Lai") == 0 or count("province=Gia+Lai") <= count("source=gialai")
    assert count("province=Nowhere") == 0
    assert count("since=2099-01-01") == 0 and count("until=2000-01-01") == 0
    assert client.get("/?since=yesterday").status_code == 400


def test_announcement_shows_every_copy_canonical_first(client):
    events = client.get("/api/events", params={"kind": "new_article"}).json()["items"]
    page = _page(client, f"/announcements/{events[0]['article_id']}")
    rows = page.cssselect("table")[0].cssselect("tbody tr")
    assert len(rows) == 3 and "gốc" in rows[0].text_content()
    assert rows[0].cssselect('a[href="%s"]' % OFFICIAL) or OFFICIAL in lxml_html.tostring(rows[0]).decode()


def test_diff_between_versions_inline_and_side_by_side(client):
    changed = client.get("/api/events", params={"kind": "article_changed"}).json()["items"][0]
    inline = _page(client, f"/announcements/{changed['article_id']}/diff")
    assert [d.text_content() for d in inline.cssselect("del")] and "1.200" in inline.cssselect("del")[0].text_content()
    assert any("1.250" in i.text_content() for i in inline.cssselect("ins"))
    side = _page(client, f"/announcements/{changed['article_id']}/diff?from=1&to=2&view=side")
    columns = side.cssselect(".side > div")
    assert len(columns) == 2 and columns[0].cssselect("del") and columns[1].cssselect("ins")
    assert client.get(f"/announcements/{changed['article_id']}/diff?from=1&to=9").status_code == 404


def test_document_page_states_status_and_draws_the_relation_graph(client):
    page = _page(client, "/documents/03/NQ-CP")
    status = page.cssselect("p.status")[0]
    assert "status-amended" in status.get("class") and "71/NQ-CP" in status.text_content()
    svg = page.xpath("//*[local-name()='svg']")
    assert svg, "the relation graph is drawn"
    hrefs = set(page.xpath("//*[local-name()='svg']//*[local-name()='a']/@href"))
    assert "/documents/71/NQ-CP" in hrefs
    assert "03/NQ-CP" in page.cssselect("h1")[0].text_content()
    about = page.cssselect("ul.carried")[0].cssselect("a")
    assert any(a.get("href", "").startswith("/announcements/") for a in about), "the announcements about it link in"
    assert client.get("/documents/404/NQ-CP").status_code == 404


def test_sources_page_shows_health_of_every_demo_source(client):
    page = _page(client, "/sources")
    text = page.text_content()
    for name in ("baochinhphu", "gialai", "vietnam_vn", "vietnamplus"):
        assert name in text
    assert page.cssselect("td.ok")


def test_search_without_diacritics_and_by_any_spelling_of_a_number(client):
    by_words = client.get("/api/search", params={"q": "chuong trinh hanh dong nghi quyet"}).json()["items"]
    assert any(r["kind"] == "announcement" for r in by_words)
    for spelling in ("13/2023/ND-CP", "13/2023/NĐ-CP", "nghị định 13/2023"):
        found = client.get("/api/search", params={"q": spelling}).json()["items"]
        assert found and found[0]["kind"] == "document" and "13/2023" in found[0]["id"], spelling
    assert client.get("/api/search", params={"q": "nghi quyet", "cursor": "bad"}).status_code == 400
    page = _page(client, "/search?q=nghi+quyet+57")
    assert page.cssselect("article.result")


def test_api_events_speak_the_cli_json_and_paginate(client, demo_store):
    url = demo_store.url.render_as_string(hide_password=False)
    shown = CliRunner().invoke(cli, ["--database", url, "events", "--json"])
    cli_rows = {row["id"]: row for row in map(json.loads, shown.stdout.splitlines())}
    api_rows = _all(client, "/api/events")
    assert sorted(r["id"] for r in api_rows) == sorted(cli_rows) and len(api_rows) == 4
    for row in api_rows:
        assert {k: v for k, v in row.items() if k != "article_id"} == cli_rows[row["id"]]
    assert [r["id"] for r in api_rows] == sorted((r["id"] for r in api_rows), reverse=True)
    assert client.get("/api/events", params={"cursor": "garbage"}).status_code == 400


def test_api_documents_announcements_sources_and_openapi(client):
    shown = client.get("/api/documents/03/NQ-CP").json()[0]
    assert shown["document"]["id"] == "03/NQ-CP" and shown["document"]["status"]["state"] == "amended"
    assert any(r["rel"] == "amends" and r["from"] == "71/NQ-CP" for r in shown["relations"])
    assert len(_all(client, "/api/documents")) >= 5
    announcements = _all(client, "/api/announcements")
    assert len({a["id"] for a in announcements}) == len(announcements) >= 5
    one = client.get(f"/api/announcements/{announcements[0]['id']}").json()
    assert one["versions"] and one["copies"]
    assert {s["name"] for s in client.get("/api/sources").json()} >= {"baochinhphu", "gialai"}
    spec = client.get("/api/openapi.json").json()
    assert {"/api/events", "/api/search", "/api/documents/{document_id}", "/api/sources"} <= set(spec["paths"])


def test_feeds_are_atom_with_conditional_get(client):
    feed = client.get("/feeds/alerts.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(feed.content)
    assert not parsed.bozo and parsed.version == "atom10" and len(parsed.entries) == 4
    again = client.get("/feeds/alerts.atom", headers={"If-None-Match": feed.headers["etag"]})
    assert again.status_code == 304 and not again.content
    head = client.head("/feeds/alerts.atom")
    assert head.status_code == 200 and head.headers["etag"] == feed.headers["etag"]
    since = client.get("/feeds/alerts.atom", headers={"If-Modified-Since": feed.headers["last-modified"]})
    assert since.status_code == 304
    amended = feedparser.parse(client.get("/feeds/documents/03/NQ-CP.atom").content)
    assert any("71/NQ-CP" in e.title for e in amended.entries)
    assert len(feedparser.parse(client.get("/feeds/kinds/new_document.atom").content).entries) == 1
    assert feedparser.parse(client.get("/feeds/subscriptions/console.atom").content).entries
    assert client.get("/feeds/kinds/nothing.atom").status_code == 404
    assert client.get("/feeds/subscriptions/secret.atom").status_code == 404


def test_every_response_forbids_scripts(client):
    for path in ("/", "/documents/03/NQ-CP", "/api/events", "/feeds/alerts.atom"):
        policy = client.get(path).headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src" not in policy


def test_api_token_guards_the_api_but_not_the_pages(demo_store):
    with TestClient(create_app(demo_store, Config(), token="s3cret-token")) as guarded:
        assert guarded.get("/api/events").status_code == 401
        assert guarded.get("/api/events", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert guarded.get("/api/events", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
        assert guarded.get("/").status_code == 200
        assert "s3cret-token" not in guarded.get("/").text


HOSTILE = '<script>alert("x")</script> "><img src=x onerror=alert(1)> Nghị quyết 12/NQ-CP'


def test_scraped_strings_are_shown_as_text(empty_store):
    ingest(empty_store, article_item("https://baochinhphu.vn/a.htm", "Bài đầu tiên về kế hoạch.", "Bài đầu"))
    item = article_item("https://baochinhphu.vn/b.htm", "Chính phủ ban hành Nghị quyết 12/NQ-CP. " + HOSTILE, HOSTILE)
    item["article"]["url"] = item["url"] = "https://baochinhphu.vn/b.htm"
    ingest(empty_store, item)
    with TestClient(create_app(empty_store, Config())) as client:
        for path in ("/", "/search?q=nghi+quyet", "/announcements/2", "/documents/12/NQ-CP"):
            body = client.get(path).text
            assert "<script>alert" not in body and "<img src=x" not in body, path
        home = lxml_html.fromstring(client.get("/").text)
        assert any(HOSTILE.split(" Nghị")[0] in h.text_content() for h in home.cssselect("article.alert h2"))
        assert not home.xpath("//script") and not home.xpath("//img")
        feed = feedparser.parse(client.get("/feeds/alerts.atom").content)
        assert not feed.bozo and any("<script>" in e.title for e in feed.entries)


def test_links_to_scraped_urls_are_http_only(empty_store):
    ingest(empty_store, article_item("https://baochinhphu.vn/a.htm", "Bài đầu tiên về kế hoạch.", "Bài đầu"))
    with TestClient(create_app(empty_store, Config())) as client:
        page = lxml_html.fromstring(client.get("/announcements/1").text)
        targets = [h for h in page.xpath("//a/@href") if not h.startswith(("/", "?", "#"))]
        assert targets and all(h.startswith(("http://", "https://")) for h in targets)
