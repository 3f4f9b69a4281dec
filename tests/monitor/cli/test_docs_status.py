"""`govmon docs show` says a document's status with what made it so (the demo's 03/NQ-CP: partly amended by 71/NQ-CP,
issued 2025-04-01), and `govmon docs verify` asks vbpl.vn through the guarded fetch path — here a loopback site
standing in for vbpl.vn behind the host map, serving pages written in vbpl.vn's image."""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy.engine import Engine
from tests_support import article_item, ingest
from typer.testing import CliRunner

from govmon.monitor.cli.main import app
from govmon.monitor.config import Config
from govmon.monitor.demo.offline import demo_config, run_demo
from govmon.storage import repository as repo
from govmon.storage.db import make_engine, session_scope
from govmon.storage.migrate import upgrade
from govmon.storage.repository import status as statuses

runner = CliRunner()
VBPL = Path(__file__).parents[2] / "crawler" / "data" / "vbpl"
PAGES = {("p_KetQuaTimKiemVanBan.aspx", "03/NQ-CP"): "search_03-NQ-CP.html",
         ("p_KetQuaTimKiemVanBan.aspx", "130/2018/NĐ-CP"): "search_130-2018.html",
         ("vbpq-thuoctinh.aspx", "169003"): "thuoctinh_03-NQ-CP.html",
         ("vbpq-luocdo.aspx", "169003"): "luocdo_03-NQ-CP.html",
         ("vbpq-vanbanlienquan.aspx", "169003"): "vanbanlienquan_03-NQ-CP.html",
         ("vbpq-thuoctinh.aspx", "131300"): "thuoctinh_130-2018.html",
         ("vbpq-luocdo.aspx", "131300"): "luocdo_130-2018.html",
         ("vbpq-vanbanlienquan.aspx", "131300"): "vanbanlienquan_130-2018.html"}


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The demo's store after both days."""
    folder = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as patch:
        for name, sub in (("GOVMON_BLOB_DIR", "blobs"), ("GOVMON_USER_SOURCES", "user"), ("GOVMON_WALKS_DIR", "walks")):
            patch.setenv(name, str(folder / sub))
        engine = make_engine(f"sqlite:///{folder / 'govmon.sqlite3'}")
        upgrade(engine)
        run_demo(engine, demo_config(Config()))
    yield engine
    engine.dispose()


def _run(engine: Engine, *args: str, code: int = 0, config: str | None = None) -> Any:
    head = ["--config", config] if config else []
    result = runner.invoke(app, [*head, "--database", engine.url.render_as_string(hide_password=False), *args],
                           env={"COLUMNS": "250"})
    assert result.exit_code == code, result.output
    return result


def test_docs_show_on_the_demo_says_03_nq_cp_is_partly_amended_by_71_nq_cp_with_its_date(demo_store):
    text = _run(demo_store, "docs", "show", "03/NQ-CP").stdout
    assert "status: được sửa đổi một phần (partly amended) từ 2025-04-01" in text
    assert "← 71/NQ-CP sửa đổi, ban hành 2025-04-01" in text and "suy ra từ các thông báo" in text
    (shown,) = json.loads(_run(demo_store, "docs", "show", "03/NQ-CP", "--json").stdout)
    status = shown["document"]["status"]
    assert (status["state"], status["label_en"], status["since"], status["by"]) == (
        "amended", "partly amended", "2025-04-01", ["71/NQ-CP"])
    assert status["basis"] == "inferred from announcements" and status["stated"] is None
    assert status["causes"][0]["rel"] == "amends" and status["causes"][0]["on_is"] == "issued"
    assert "71/NQ-CP" in status["causes"][0]["evidence"]


def test_docs_show_of_the_amending_resolution_is_in_force(demo_store):
    (shown,) = json.loads(_run(demo_store, "docs", "show", "71/NQ-CP", "--json").stdout)
    assert shown["document"]["status"]["state"] == "in_force" and shown["statements"] == []


class _Vbpl(BaseHTTPRequestHandler):
    """vbpl.vn as the host map reaches it (/vbpl.vn/<path>?<query>): pages by (file name, ItemID or Keyword)."""

    hits: list[str] = []
    pages: dict[tuple[str, str], str] = PAGES

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.hits.append(self.path)
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        wanted = (parts.path.rsplit("/", 1)[-1], (query.get("ItemID") or query.get("Keyword") or [""])[0])
        name = self.pages.get(wanted)
        body = (VBPL / name).read_bytes() if name else b"<html><body>404</body></html>"
        if name is None and wanted[0] == "p_KetQuaTimKiemVanBan.aspx":  # a search that finds nothing
            name, body = "-", '<div class="message"><span>Tìm thấy <strong>0</strong> văn bản.</span></div>'.encode()
        self.send_response(200 if name else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def vbpl_site(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """A loopback vbpl.vn and a configuration that reaches it through the host map, without the site's delay."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Vbpl)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    config = tmp_path / "govmon.toml"
    config.write_text(f'[crawl]\nDOWNLOAD_DELAY = 0\nGOVMON_HOST_MAP = {{ "*" = "http://127.0.0.1:{server.server_address[1]}" }}\n',
                      encoding="utf-8")
    _Vbpl.hits = []
    yield str(config), _Vbpl.hits
    server.shutdown()
    server.server_close()


def _store(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'govmon.sqlite3'}")
    upgrade(engine)
    ingest(engine, article_item("https://baochinhphu.vn/chu-ky-so-102250101000000005.htm",
                                "Nghị quyết số 03/NQ-CP ngày 9/1/2025 và Nghị định số 130/2018/NĐ-CP quy định về chữ ký số.",
                                "Chữ ký số"))
    return engine


def test_docs_verify_reads_vbpl_through_the_guarded_fetch_and_docs_show_says_so(tmp_path, vbpl_site):
    config, hits = vbpl_site
    engine = _store(tmp_path)
    result = json.loads(_run(engine, "docs", "verify", "03/NQ-CP", "130/2018/NĐ-CP", "--json", config=config).stdout)
    assert [(r["document"], r["outcome"], r["state"], r["stated"], r["new"]) for r in result] == [
        ("03/NQ-CP@2025", "verified", "amended", "Còn hiệu lực", True),
        ("130/2018/NĐ-CP", "verified", "replaced", "Hết hiệu lực toàn bộ", True)]
    assert hits[0] == "/vbpl.vn/robots.txt" and len(hits) == 1 + 2 * 4  # robots.txt once, four pages a document
    assert "Keyword=03%2FNQ-CP" in hits[1]
    (shown,) = json.loads(_run(engine, "docs", "show", "130/2018/NĐ-CP", "--json").stdout)
    status = shown["document"]["status"]
    assert (status["state"], status["basis"], status["since"], status["by"]) == (
        "replaced", "vbpl.vn", "2025-04-10", ["23/2025/NĐ-CP"])
    assert status["stated"]["url"].endswith("/TW/Pages/vbpq-thuoctinh.aspx?ItemID=131300")
    assert [s["source"] for s in shown["statements"]] == ["vbpl.vn"]
    text = _run(engine, "docs", "show", "130/2018/NĐ-CP").stdout
    assert "status: đã bị thay thế (replaced) từ 2025-04-10" in text and "vbpl.vn: Hết hiệu lực toàn bộ" in text
    again = json.loads(_run(engine, "docs", "verify", "130/2018/NĐ-CP", "--json", config=config).stdout)
    assert again[0]["new"] is False


def test_a_page_that_is_not_the_document_fails_that_lookup_and_records_nothing(tmp_path, vbpl_site, monkeypatch):
    config, _ = vbpl_site
    engine = _store(tmp_path)
    monkeypatch.setitem(PAGES, ("vbpq-thuoctinh.aspx", "169003"), "thuoctinh_130-2018.html")
    result = _run(engine, "docs", "verify", "03/NQ-CP", "130/2018/NĐ-CP", "--json", config=config, code=1)
    rows = json.loads(result.stdout)
    assert [(r["document"], r["outcome"]) for r in rows] == [("03/NQ-CP@2025", "failed"), ("130/2018/NĐ-CP", "verified")]
    assert "130/2018/NĐ-CP, not 03/NQ-CP" in rows[0]["message"] and "1 lookup(s) failed" in result.stderr
    with session_scope(engine) as s:
        (resolution,) = repo.documents_by_id(s, "03/NQ-CP")
        assert statuses.latest_status(s, resolution, "vbpl.vn") is None


def test_a_document_vbpl_does_not_hold_is_not_found(tmp_path, vbpl_site):
    config, _ = vbpl_site
    engine = _store(tmp_path)
    ingest(engine, article_item("https://baochinhphu.vn/ke-hoach-102250101000000009.htm",
                                "Thủ tướng ký Quyết định số 1131/QĐ-TTg ngày 12/6/2025 về danh mục công nghệ.", "Danh mục"))
    (row,) = json.loads(_run(engine, "docs", "verify", "1131/QĐ-TTg", "--json", config=config).stdout)
    assert row["outcome"] == "not_found" and row["message"] == "vbpl.vn lists no document 1131/QĐ-TTg of 2025"


def test_a_page_the_site_does_not_serve_is_a_failed_lookup(tmp_path, vbpl_site, monkeypatch):
    config, _ = vbpl_site
    engine = _store(tmp_path)
    monkeypatch.delitem(PAGES, ("vbpq-luocdo.aspx", "131300"))
    (row,) = json.loads(_run(engine, "docs", "verify", "130/2018/NĐ-CP", "--json", config=config, code=1).stdout)
    assert row["outcome"] == "failed" and "HTTP 404" in row["message"]
