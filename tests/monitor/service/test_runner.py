"""Crawls in child processes, as `govmon run` does them: a redesigned site is reported broken (once), a
hung crawl is killed at the wall-clock limit, and the store stays consistent either way."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from govmon.crawler.extract.fingerprint import url_key
from govmon.crawler.sources import load_sources
from govmon.monitor.config import Config
from govmon.monitor.demo.offline import DEMO_DIR, demo_config
from govmon.monitor.demo.replay import ReplayServer
from govmon.monitor.pipeline.ingest import Ingestor
from govmon.monitor.service.runner import (
    KNOWN_DAYS,
    Walk,
    _spec,
    _walk_spec,
    crawl_source,
)
from govmon.storage import repository as repo
from govmon.storage.db import session_scope
from govmon.storage.models import utcnow
from tests_support import FIXTURES

DAY1 = DEMO_DIR / "sites" / "day1"
PAGE = "chinh-phu-ban-hanh-chuong-trinh-hanh-dong-thuc-hien-nghi-quyet-57-nq-tw-102250109213015482.htm"


def _redesigned(tmp_path: Path) -> Path:
    """A layer in which one article moved to markup the source definition does not know."""
    original = (DAY1 / "baochinhphu.vn" / PAGE).read_text(encoding="utf-8")
    page = tmp_path / "redesign" / "baochinhphu.vn" / PAGE
    page.parent.mkdir(parents=True)
    page.write_text(original.replace("detail-content", "article-body-v2"), encoding="utf-8")
    return tmp_path / "redesign"


def _crawl(engine, layers: list[Path], config: Config | None = None):
    config = config or demo_config(Config())
    source = load_sources()["baochinhphu"]
    with ReplayServer(layers) as server:
        return crawl_source(engine, config, source, {"GOVMON_HOST_MAP": {"*": server.base_url}})


def _kinds(engine) -> list[str]:
    with session_scope(engine) as s:
        return [e.kind for e in repo.events(s)]


def test_redesigned_page_is_one_source_broken_alert_not_an_empty_article(engine, tmp_path):
    layers = [DAY1, _redesigned(tmp_path)]
    first = _crawl(engine, layers)
    assert first.status == "broken"
    assert [p["kind"] for p in first.tally.problems] == ["layout"]
    assert _crawl(engine, layers).status == "broken"
    assert _kinds(engine) == ["source_broken"]  # announced even on the baseline pass, and only once
    with session_scope(engine) as s:
        article = repo.article_by_url(s, f"https://baochinhphu.vn/{PAGE}")
        versions = repo.versions_of(s, article.id) if article else []
        assert all(v.text.strip() for v in versions)


def test_recovered_source_can_break_again_and_is_announced_again(engine, tmp_path):
    layers = [DAY1, _redesigned(tmp_path)]
    _crawl(engine, layers)
    assert _crawl(engine, [DAY1]).status == "ok"
    _crawl(engine, layers)
    assert _kinds(engine) == ["source_broken", "source_recovered", "source_broken"]


def test_a_crawl_past_its_wall_clock_limit_is_killed_and_reported(engine):
    config = replace(demo_config(Config()), crawl_timeout=0.3)
    report = _crawl(engine, [DAY1], config)
    assert (report.status, report.message) == ("failed", "timed out")
    with session_scope(engine) as s:
        source = repo.source_by_name(s, "baochinhphu")
        assert source.last_status == "failed" and source.baseline_at is None


def test_ctrl_c_mid_crawl_keeps_what_was_stored_and_the_next_run_completes(engine, monkeypatch):
    handled: list[str] = []
    real_handle = Ingestor.handle

    def interrupted_after_three(self, item):
        if len(handled) == 3:
            raise KeyboardInterrupt
        handled.append(item.get("type", ""))
        real_handle(self, item)

    monkeypatch.setattr(Ingestor, "handle", interrupted_after_three)
    with pytest.raises(KeyboardInterrupt):
        _crawl(engine, [DAY1])
    monkeypatch.setattr(Ingestor, "handle", real_handle)
    with session_scope(engine) as s:
        source = repo.source_by_name(s, "baochinhphu")
        assert source.last_status == "interrupted" and source.baseline_at is None
        stored = len(repo.known_pages(s, source))
    assert stored == handled.count("article")
    report = _crawl(engine, [DAY1])
    assert report.status == "ok" and report.tally.articles_new == 7 - stored
    assert _kinds(engine) == []  # the interrupted pass did not end the baseline


def test_attachments_are_stored_by_content_and_their_documents_read(engine, _blob_dir):
    fixture = FIXTURES / "vanban" / "site"
    source = load_sources()["vanban"]
    with ReplayServer([fixture]) as server:
        report = crawl_source(engine, demo_config(Config()), source, {"GOVMON_HOST_MAP": {"*": server.base_url}})
    assert report.status == "ok"
    with session_scope(engine) as s:
        article = repo.article_by_url(s, "https://vanban.chinhphu.vn/?docid=213001&pageid=27160")
        (pdf,) = repo.files_of(s, article.id)
        assert (_blob_dir / pdf.sha256[:2] / pdf.sha256[2:4] / pdf.sha256).read_bytes()[:5] == b"%PDF-"
        assert "71/NQ-CP" in pdf.text and pdf.problem == ""
        roles = dict(repo.article_documents(s, article.id))
        assert (roles["71/NQ-CP"], roles["57-NQ/TW"]) == ("subject", "cites")  # its own "Số ký hiệu"
        amended = repo.documents_by_id(s, "03/NQ-CP")[0]
        assert [(r.rel, r.evidence[:20]) for r in repo.relations_of(s, amended)] == [("amends", "So: 71/NQ-CP\nNGHI QU")]


def test_a_crawl_spec_carries_validators_of_recent_articles_and_keys_for_walks(engine, tmp_path):
    source = load_sources()["baochinhphu"]
    with session_scope(engine) as s:
        row = repo.ensure_source(s, "baochinhphu")
        s.flush()
        for n in range(3):
            article, _ = repo.add_article(s, row, f"https://baochinhphu.vn/{n}.htm", etag=f'"{n}"')
            article.last_seen_at = utcnow() - timedelta(days=KNOWN_DAYS * 2 if n == 0 else 1)
            s.add(article)
    spec = _spec(engine, Config(), source, None)
    assert sorted(spec["known"]) == ["https://baochinhphu.vn/1.htm", "https://baochinhphu.vn/2.htm"]
    _walk_spec(spec, engine, source, Walk())
    assert sorted(spec["walk"]["seen"]) == sorted(url_key(f"https://baochinhphu.vn/{n}.htm") for n in range(3))
    assert all("baochinhphu" not in key for key in spec["walk"]["seen"])
