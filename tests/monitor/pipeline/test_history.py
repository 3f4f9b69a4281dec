"""An article's history is what the site said, in time order, whatever order captures arrive in; and a page
that is no longer the article (an error page in the portal's chrome) never becomes its text."""
from __future__ import annotations

from typer.testing import CliRunner

from govmon.crawler.sources import load_sources
from govmon.monitor.cli.main import app
from govmon.monitor.pipeline.export import export_articles
from govmon.monitor.pipeline.ingest import Ingestor
from govmon.storage import repository as repo
from govmon.storage.db import session_scope
from tests_support import CONSOLE, article_item, ingest

URL = "https://baochinhphu.vn/ke-hoach-du-lieu-102250331165208733.htm"
OLD = ("Kế hoạch triển khai Luật Dữ liệu giao Bộ Công an chủ trì, thời hạn hoàn thành trong quý II năm 2024, "
       "kinh phí do ngân sách trung ương bảo đảm theo phân cấp hiện hành.")
NEW = OLD.replace("quý II năm 2024", "quý IV năm 2025")
LATER = NEW.replace("Bộ Công an", "Bộ Khoa học và Công nghệ")


def _capture(text: str, title: str, when: str, **extra) -> dict:
    item = article_item(URL, text, title)
    item["fetched_at"] = when
    item["article"].update(extra)
    return item


def _import(engine, *items) -> None:
    ingestor = Ingestor(engine, load_sources()["baochinhphu"], CONSOLE, quiet=True)
    for item in items:
        ingestor.handle(item)
    ingestor.finish()


def _history(engine) -> tuple[str, list[str]]:
    with session_scope(engine) as s:
        article = repo.article_by_url(s, URL)
        return article.title, [v.text for v in repo.versions_of(s, article.id)]


def _events(engine) -> list[tuple[str, dict]]:
    with session_scope(engine) as s:
        return [(e.kind, e.payload) for e in repo.events(s)]


def test_captures_imported_newest_first_leave_the_newest_as_the_latest(engine):
    ingest(engine, article_item("https://baochinhphu.vn/khac-102250331165208700.htm", "Phiên họp.", "Họp"))  # baseline
    _import(engine, _capture(NEW, "Kế hoạch (2025)", "2025-03-31T10:00:00+00:00"),
            _capture(OLD, "Kế hoạch (2024)", "2024-03-31T10:00:00+07:00"))
    assert _history(engine) == ("Kế hoạch (2025)", [OLD, NEW])  # the 2024 capture filled the past
    assert _events(engine) == []
    ingest(engine, article_item(URL, NEW, "Kế hoạch (2025)"))  # the next live crawl: nothing changed since 2025
    assert _events(engine) == []
    ingest(engine, article_item(URL, LATER, "Kế hoạch (2026)"))
    (kind, payload), = _events(engine)
    assert kind == "article_changed" and "Bộ {+Khoa học và+} Công [-an-] {+nghệ+}" in payload["diff"]
    assert "2024" not in payload["diff"]  # compared with 2025's text, not the 2024 capture's


def test_every_reader_sees_the_same_order(engine):
    _import(engine, _capture(NEW, "Kế hoạch (2025)", "2025-03-31T10:00:00+00:00"),
            _capture(OLD, "Kế hoạch (2024)", "2024-03-31T10:00:00+00:00"))
    database = ["--database", engine.url.render_as_string(hide_password=False)]
    listed = CliRunner().invoke(app, [*database, "versions", URL], env={"COLUMNS": "200"})
    assert listed.exit_code == 0 and listed.output.index("2024-03-31") < listed.output.index("2025-03-31")
    diff = CliRunner().invoke(app, [*database, "diff", URL])
    assert diff.exit_code == 0 and "version 1 → 2" in diff.output and "quý [-II-] {+IV+} năm [-2024,-]" in diff.output
    (row,) = list(export_articles(engine))
    assert [v["fetched_at"][:4] for v in row["versions"]] == ["2024", "2025"]


def test_a_capture_that_says_what_its_neighbour_says_adds_nothing(engine):
    first = _capture(OLD, "Kế hoạch", "2024-03-31T10:00:00+00:00")
    _import(engine, _capture(OLD, "Kế hoạch", "2025-03-31T10:00:00+00:00"), first, first)
    assert _history(engine)[1] == [OLD]


def test_a_known_article_replaced_by_an_error_page_in_chrome_is_a_problem_not_a_version(engine):
    ingest(engine, article_item("https://baochinhphu.vn/khac-102250331165208700.htm", "Phiên họp.", "Họp"))
    ingest(engine, article_item(URL, NEW, "Kế hoạch triển khai Luật Dữ liệu"))
    before = _events(engine)  # new_article
    error_page = article_item(URL, "Trang chủ Tin tức Chính sách Liên hệ. Bài viết đã được gỡ bỏ theo yêu cầu. "
                                   "Bản quyền thuộc Cổng Thông tin điện tử Chính phủ.", "Cổng TTĐT Chính phủ")
    error_page["article"]["extractor"] = "generic"
    report = ingest(engine, error_page)
    assert _history(engine) == ("Kế hoạch triển khai Luật Dữ liệu", [NEW]) and _events(engine) == before
    assert [p["kind"] for p in report.tally.problems] == ["suspect_text"]
    redesigned = article_item(URL, f"Tin mới. {LATER} Chia sẻ bài viết.", "Kế hoạch triển khai Luật Dữ liệu")
    redesigned["article"]["extractor"] = "generic"
    ingest(engine, redesigned)  # the same article under a new layout is still the article
    assert len(_history(engine)[1]) == 2 and [k for k, _ in _events(engine)] == ["new_article", "article_changed"]


def test_a_version_hashed_by_an_older_normaliser_is_not_a_false_change(engine):
    """The comparison form learnt to fold full-width digits; texts stored before still compare equal."""
    ingest(engine, article_item("https://baochinhphu.vn/khac-102250331165208700.htm", "Phiên họp.", "Họp"))
    text = OLD.replace("2024", "２０２４")  # as a portal typed it
    ingest(engine, article_item(URL, text, "Kế hoạch"))
    with session_scope(engine) as s:  # what an older govmon stored: another hash for the same words
        (version,) = repo.versions_of(s, repo.article_by_url(s, URL).id)
        version.content_hash = "0" * 64
        s.add(version)
    before = _events(engine)
    ingest(engine, article_item(URL, text, "Kế hoạch"))
    ingest(engine, article_item(URL, OLD, "Kế hoạch"))  # full-width or ASCII: the same text
    assert len(_history(engine)[1]) == 1 and _events(engine) == before
