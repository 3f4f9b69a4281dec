"""Extraction on the demo's recorded pages, checked against the expected JSON written beside them.

Each page is our own writing modelled on the real sites' structure (see monitor/demo/STORY.md); the
expectations say what a reader sees as the article and what is chrome that must not leak into it.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from govmon.crawler.extract.article import extract_article
from govmon.crawler.extract.docrefs import extract
from govmon.crawler.extract.listing import extract_links
from govmon.crawler.sources import load_sources
from govmon.monitor.demo.offline import DEMO_DIR
from govmon.monitor.demo.replay import resolve

EXPECTED = DEMO_DIR / "expected"
SOURCES = load_sources()


def _layers(day: str) -> list[Path]:
    return [DEMO_DIR / "sites" / "day1"] + ([DEMO_DIR / "sites" / "day2"] if day == "day2" else [])


def _page(url: str, day: str) -> str:
    parts = urlsplit(url)
    path = resolve(_layers(day), parts.hostname or "", parts.path)
    assert path is not None, f"{url} is not recorded for {day}"
    return path.read_text(encoding="utf-8")


def _articles() -> list[tuple[str, dict[str, Any]]]:
    data = json.loads((EXPECTED / "articles.json").read_text(encoding="utf-8"))
    return sorted(data.items())


@pytest.mark.parametrize(("key", "want"), _articles(), ids=lambda v: v if isinstance(v, str) else "")
def test_article_extraction_matches_expected(key: str, want: dict[str, Any]) -> None:
    url = key.split("#")[0]
    source = SOURCES[want["source"]]
    got = extract_article(_page(url, want["day"]), url, source.article, source.name, source.lang)
    assert (got.title, got.lead, got.published_at) == (want["title"], want["lead"], want["published_at"])
    assert got.author == want["author"]
    for passage in want["text_contains"]:
        assert passage in got.text
    for chrome in want["text_excludes"]:
        assert chrome not in got.text and chrome not in got.lead
    refs, _, relations = extract("\n\n".join((got.title, got.lead, got.text)))
    assert list(dict.fromkeys(r.id for r in refs)) == want["doc_ids"]
    assert {(r.from_id, r.rel, r.to_id) for r in relations} >= {(r["from"], r["rel"], r["to"]) for r in want["relations"]}


def _lists() -> list[tuple[str, str, list[str]]]:
    data = json.loads((EXPECTED / "lists.json").read_text(encoding="utf-8"))
    return [(url, day, links) for url, days in sorted(data.items()) for day, links in sorted(days.items())]


@pytest.mark.parametrize(("url", "day", "links"), _lists())
def test_list_pages_yield_their_articles_in_order(url: str, day: str, links: list[str]) -> None:
    source = next(s for s in SOURCES.values() if urlsplit(url).hostname in s.hosts)
    assert extract_links(_page(url, day), url, source.list) == links
