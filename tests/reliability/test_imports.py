"""Two `govmon import-warc` of overlapping archives at the same moment, on SQLite and PostgreSQL: both finish
(no UniqueViolation, no deadlock left unresolved), every article and version exists once, and the store is
the one a single import makes."""
from __future__ import annotations

import io
import subprocess
import sys
from collections import Counter
from pathlib import Path

from sqlmodel import select
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from govmon.monitor.demo.offline import DEMO_DIR
from govmon.storage.db import session_scope
from govmon.storage.models import Article, Document, Version

DAY1 = DEMO_DIR / "sites" / "day1"
IMPORT = "from govmon.monitor.cli.main import govmon; govmon()"


def _pages() -> list[Path]:
    return [*sorted((DAY1 / "baochinhphu.vn").glob("*-102*.htm")),
            *sorted((DAY1 / "www.vietnamplus.vn").glob("*-post*.vnp")),
            *sorted(p for p in (DAY1 / "www.vietnam.vn").glob("*-*") if p.name != "chinh-tri")]  # a section page


def _warc(path: Path, pages: list[Path]) -> None:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for page in pages:
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                f"https://{page.parent.name}/{page.name}", "response", payload=io.BytesIO(page.read_bytes()),
                http_headers=headers, warc_headers_dict={"WARC-Date": "2025-04-03T01:00:00Z"}))


def _snapshot(engine) -> tuple[Counter, Counter, Counter]:
    with session_scope(engine) as s:
        return (Counter(a.url for a in s.exec(select(Article)).all()),
                Counter(v.article_id for v in s.exec(select(Version)).all()),
                Counter(d.key for d in s.exec(select(Document)).all()))


def test_two_overlapping_imports_at_once_store_everything_once(engine, tmp_path):
    pages = _pages()
    forward, backward = tmp_path / "a.warc.gz", tmp_path / "b.warc.gz"
    _warc(forward, pages)
    _warc(backward, list(reversed(pages)))  # the same captures in the other order: locks taken the other way
    database = engine.url.render_as_string(hide_password=False)
    children = [subprocess.Popen([sys.executable, "-c", IMPORT, "--database", database, "import-warc", "--quiet",
                                  "--workers", "0", str(warc)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True) for warc in (forward, backward)]
    results = [(child.wait(timeout=300), child.stderr.read() if child.stderr else "") for child in children]
    assert all(code == 0 for code, _ in results), results
    assert all("Traceback" not in err for _, err in results), results
    urls, versions, documents = _snapshot(engine)
    assert len(urls) == len(pages) and set(urls.values()) == {1}
    assert set(versions.values()) == {1} and set(documents.values()) == {1} and documents
