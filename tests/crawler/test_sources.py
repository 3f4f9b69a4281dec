"""Every source definition against its recorded fixtures, field by field.

Layout (see tests/crawler/fixtures/README.md): ``fixtures/<source>/site/<host>/<path>`` is a replay layer
of the source's pages; ``fixtures/<source>/expected.json`` says what each page must yield:

    {"articles": {URL: {"title": ..., "lead": ..., "published_at": ..., "text": ..., ...}},
     "lists":    {URL: {"links": [...], "next": URL or null}},
     "feeds":    {URL: [...links]},
     "corpus":   {URL: "<path under shared/corpus>"}}      # real pages read at run time, skipped if absent

Every field given is compared exactly; ``text_contains`` / ``text_excludes`` / ``text_sha256`` serve real
pages whose text we must not copy. A crawl test replays each source's fixtures through the real spider (in
a child process, as the monitor runs it) and checks that discovery reaches every expected article.
"""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import SHARED

from govmon.crawler.extract.article import extract_article
from govmon.crawler.extract.docrefs import find_refs
from govmon.crawler.extract.listing import (
    extract_links,
    feed_links,
    next_page_url,
    page_params,
)
from govmon.crawler.sources import Source, SourceError, load_sources
from govmon.monitor.demo.replay import ReplayServer, resolve

FIXTURES = Path(__file__).with_name("fixtures")
SOURCES = load_sources()
DIRECT = ("title", "lead", "published_at", "modified_at", "author", "lang", "canonical_url", "category", "text")


def _expected() -> dict[str, dict[str, Any]]:
    return {d.name: json.loads((d / "expected.json").read_text(encoding="utf-8"))
            for d in sorted(FIXTURES.iterdir()) if (d / "expected.json").is_file()}


EXPECTED = _expected()


def _cases(section: str) -> list[tuple[str, str, Any]]:
    return [(name, url, want) for name, data in EXPECTED.items() for url, want in data.get(section, {}).items()]


def _body(name: str, url: str) -> bytes:
    corpus = EXPECTED[name].get("corpus", {}).get(url)
    if corpus:
        path = SHARED / "corpus" / corpus
        if not path.is_file():
            pytest.skip(f"real page {corpus} not available (shared/ is absent)")
        return path.read_bytes()
    parts = urlsplit(url)
    found = resolve([FIXTURES / name / "site"], parts.hostname or "", parts.path, parts.query)
    assert found is not None, f"no fixture for {url}"
    return found.read_bytes()


def _text(name: str, url: str) -> str:
    return _body(name, url).decode("utf-8")


def _source(name: str) -> Source:
    assert name in SOURCES, f"fixtures/{name} has no source definition of that name"
    return SOURCES[name]


def test_every_source_has_fixtures():
    """Issue 3: each source (portals: each platform) is backed by recorded pages."""
    platforms = {SOURCES[n].extends for n in EXPECTED if n in SOURCES and SOURCES[n].extends}
    missing = [s.name for s in SOURCES.values() if s.name not in EXPECTED and not (s.extends and s.extends in platforms)]
    assert missing == []


@pytest.mark.parametrize(("name", "url", "want"), _cases("articles"), ids=lambda v: v if isinstance(v, str) else "")
def test_article(name: str, url: str, want: dict[str, Any]) -> None:
    source = _source(name)
    got = extract_article(_text(name, url), url, source.article, source.name, source.lang).to_json()
    for field in DIRECT:
        if field in want:
            assert got[field] == want[field], field
    if "attachments" in want:
        assert [(a["url"], a["name"]) for a in got["attachments"]] == [(a["url"], a["name"]) for a in want["attachments"]]
    _check_text(got["text"], want)
    if "doc_ids" in want:
        ids = [r.id for r in find_refs("\n\n".join((got["title"], got["lead"], got["text"])))]
        assert list(dict.fromkeys(ids)) == want["doc_ids"]


def _check_text(text: str, want: dict[str, Any]) -> None:
    for passage in want.get("text_contains", []):
        assert passage in text
    for chrome in want.get("text_excludes", []):
        assert chrome not in text
    if "text_sha256" in want:
        assert hashlib.sha256(text.encode("utf-8")).hexdigest() == want["text_sha256"]


@pytest.mark.parametrize(("name", "url", "want"), _cases("lists"), ids=lambda v: v if isinstance(v, str) else "")
def test_list_page(name: str, url: str, want: dict[str, Any]) -> None:
    rule, text = _source(name).list, _text(name, url)
    assert extract_links(text, url, rule) == want["links"]
    assert next_page_url(text, url, rule, 1, page_params(text, rule)) == want.get("next")


@pytest.mark.parametrize(("name", "url", "want"), _cases("feeds"), ids=lambda v: v if isinstance(v, str) else "")
def test_feed(name: str, url: str, want: list[str]) -> None:
    assert feed_links(_body(name, url), url, _source(name).list) == want


def _crawl(name: str) -> list[dict[str, Any]]:
    settings = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "RETRY_TIMES": 0, "LOG_LEVEL": "ERROR",
                "CONCURRENT_REQUESTS_PER_DOMAIN": 8}
    with ReplayServer([FIXTURES / name / "site"]) as server:
        spec = {"source": name, "settings": {**settings, "GOVMON_HOST_MAP": {"*": server.base_url}}}
        done = subprocess.run([sys.executable, "-m", "govmon.crawler.run"], input=json.dumps(spec), capture_output=True,
                              text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


@pytest.mark.parametrize("name", [n for n, d in EXPECTED.items() if d.get("crawl", True) and not d.get("corpus")])
def test_crawl_reaches_every_recorded_article(name: str) -> None:
    items = _crawl(name)
    fetched = {i["url"] for i in items if i["type"] == "article"}
    assert not [i for i in items if i["type"] == "problem"]
    assert set(EXPECTED[name].get("articles", {})) <= fetched


@pytest.mark.parametrize(("key", "value"), [("start_urls", "file:///etc/passwd"), ("start_urls", "http://x@127.0.0.1/"),
                                            ("start_urls", "http://INTERNAL:8888\\@portal.gov.vn/"),
                                            ("feeds", "gopher://portal.gov.vn/rss"), ("sitemaps", "ftp://portal.gov.vn/s.xml")])
def test_a_definition_may_name_only_web_urls(tmp_path: Path, key: str, value: str) -> None:
    table = f"start_urls = ['{value}']" if key == "start_urls" else f"start_urls = []\n[list]\n{key} = ['{value}']"
    (tmp_path / "bad.toml").write_text(f"name = 'bad'\ntitle = 'x'\nkind = 'news'\nhosts = ['portal.gov.vn']\n{table}\n")
    with pytest.raises(SourceError) as caught:
        load_sources(tmp_path)
    assert str(caught.value).startswith(f"{tmp_path / 'bad.toml'}: {key}: ") and "\n" not in str(caught.value)


def test_tls_verify_is_per_source_true_by_default_and_shown_in_the_summary(tmp_path: Path) -> None:
    head = "title = 'x'\nkind = 'news'\nhosts = ['portal.gov.vn']\nstart_urls = ['https://portal.gov.vn/']\n"
    (tmp_path / "broken_chain.toml").write_text(f"name = 'broken_chain'\n{head}tls_verify = false\n")
    (tmp_path / "wrong.toml").write_text(f"name = 'wrong'\n{head}tls_verify = 'no'\n")
    with pytest.raises(SourceError, match="tls_verify must be true or false"):
        load_sources(tmp_path)
    (tmp_path / "wrong.toml").unlink()
    sources = load_sources(tmp_path)
    assert sources["broken_chain"].summary()["tls_verify"] is False and sources["baochinhphu"].tls_verify is True
