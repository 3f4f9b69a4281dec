"""WARC import (capture times become version times; a second import adds nothing) and export; damaged,
oversized and hostile records (truncated, undated, no target URI, a gzip bomb) skipped with their reason."""
from __future__ import annotations

import csv
import io
import json
import tracemalloc
import zlib
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import brotli
import pytest
from typer.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from govmon.crawler.extract.limits import MIB, PAGE_MAX_BYTES
from govmon.crawler.sources import load_sources
from govmon.monitor.cli.main import app
from govmon.monitor.demo.offline import DEMO_DIR
from govmon.monitor.demo.replay import ReplayServer
from govmon.monitor.pipeline import archive, captures
from govmon.monitor.pipeline.archive import import_warc
from govmon.monitor.pipeline.ingest import Ingestor
from govmon.monitor.pipeline.warc import Skipped, warc_captures, warc_pages
from govmon.storage import repository as repo
from govmon.storage.db import make_engine, session_scope
from govmon.storage.migrate import upgrade
from tests_support import FIXTURES

DAY1, DAY2 = DEMO_DIR / "sites" / "day1", DEMO_DIR / "sites" / "day2"
EDITED = "www.vietnamplus.vn/bo-sung-kinh-phi-cho-cac-nhiem-vu-khoa-hoc-cong-nghe-cap-bach-nam-2025-post1024386.vnp"
runner = CliRunner()


def _record(writer: WARCWriter, url: str, body: bytes, when: str) -> None:
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers,
                                                  warc_headers_dict={"WARC-Date": when}))


def _warc(path: Path) -> int:
    """The demo's baochinhphu and vietnamplus articles captured in April 2025, and the edited page in May."""
    pages = [*sorted((DAY1 / "baochinhphu.vn").glob("*-102*.htm")), *sorted((DAY1 / "www.vietnamplus.vn").glob("*-post*.vnp"))]
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for page in pages:
            _record(writer, f"https://{page.parent.name}/{page.name}", page.read_bytes(), "2025-04-03T01:00:00Z")
        _record(writer, f"https://{EDITED}", (DAY2 / EDITED).read_bytes(), "2025-05-10T02:30:00Z")
    return len(pages)


def _db(engine) -> list[str]:
    return ["--database", engine.url.render_as_string(hide_password=False)]


def test_import_uses_capture_times_and_a_second_import_adds_nothing(engine, tmp_path):
    warc = tmp_path / "capture.warc.gz"
    pages = _warc(warc)
    first = runner.invoke(app, [*_db(engine), "import-warc", str(warc)])
    assert first.exit_code == 0, first.output
    assert f"{pages + 1} HTML captures, {pages + 1} imported, {pages + 1} new versions, 0 not articles" in first.stdout
    with session_scope(engine) as s:
        versions = repo.versions_of(s, repo.article_by_url(s, f"https://{EDITED}").id)
        assert [v.fetched_at.isoformat() for v in versions] == ["2025-04-03T01:00:00+00:00", "2025-05-10T02:30:00+00:00"]
        assert repo.events(s) == []  # a quiet baseline
    again = runner.invoke(app, [*_db(engine), "import-warc", "--json", str(warc)])
    summary = json.loads(again.stdout)
    assert (summary["records"], summary["pages"], summary["versions_new"], summary["skipped"]) == (pages + 1, pages + 1, 0, 0)


def test_export_streams_jsonl_and_csv_with_versions_oldest_first(engine, tmp_path):
    warc = tmp_path / "capture.warc.gz"
    _warc(warc)
    runner.invoke(app, [*_db(engine), "import-warc", str(warc)])
    rows = [json.loads(x) for x in runner.invoke(app, [*_db(engine), "export", "--source", "vietnamplus"]).stdout.splitlines()]
    edited = next(r for r in rows if r["url"] == f"https://{EDITED}")
    assert set(edited) == {"url", "source", "title", "published_at", "documents", "cluster", "versions"}
    assert [v["seq"] for v in edited["versions"]] == [1, 2] and "57-NQ/TW" in edited["documents"]
    assert {r["source"] for r in rows} == {"vietnamplus"}
    table = list(csv.DictReader(io.StringIO(runner.invoke(app, [*_db(engine), "export", "--format", "csv"]).stdout)))
    assert len(table) > len(rows) and table[0].keys() >= {"url", "documents", "versions"}


def test_record_writes_what_the_site_served_and_import_reads_it_back(tmp_path):
    site = FIXTURES / "vanban" / "site"
    config = tmp_path / "govmon.toml"
    recorded, imported = f"sqlite:///{tmp_path / 'rec.sqlite3'}", f"sqlite:///{tmp_path / 'imp.sqlite3'}"
    warc = tmp_path / "evidence.warc.gz"
    with ReplayServer([site]) as server:
        config.write_text(f'[crawl]\nDOWNLOAD_DELAY = 0\nGOVMON_HOST_MAP = {{ "*" = "{server.base_url}" }}\n')
        done = runner.invoke(app, ["--config", str(config), "--database", recorded, "record", "vanban", "--warc", str(warc)])
    assert done.exit_code == 0, done.output
    urls = [url for url, _, _, _ in warc_pages(warc)]
    assert "https://vanban.chinhphu.vn/?docid=213001&pageid=27160" in urls and not any("127.0.0.1" in u for u in urls)
    runner.invoke(app, ["--database", imported, "import-warc", str(warc)])
    assert _urls(imported) == _urls(recorded)  # the list pages were captured too, and are not articles
    assert _files(imported) == _files(recorded) and len(_files(recorded)) == 2  # the signed PDF and the DOCX
    documents = {url: docs for url, (_, docs, _) in _store(recorded).items()}
    assert {url: docs for url, (_, docs, _) in _store(imported).items() if url in documents} == documents


def _files(database: str) -> set[tuple[str, str, str]]:
    """(article URL, file URL, SHA-256) of every stored attachment."""
    with session_scope(make_engine(database)) as s:
        return {(a.url, f.url, f.sha256) for a, _ in repo.export_rows(s) for f in repo.files_of(s, a.id)}


def _urls(database: str) -> set[str]:
    with session_scope(make_engine(database)) as s:
        return {a.url for a, _ in repo.export_rows(s)}


def _store(database: str) -> dict[str, tuple]:
    """Each article's versions (capture time, hash), documents and whether it shares its cluster."""
    with session_scope(make_engine(database)) as s:
        rows = [a for a, _ in repo.export_rows(s)]
        sizes = {a.cluster_id: sum(1 for b in rows if b.cluster_id == a.cluster_id) for a in rows}
        return {a.url: (tuple((v.fetched_at.isoformat(), v.content_hash) for v in repo.versions_of(s, a.id)),
                        tuple(repo.article_documents(s, a.id)), sizes[a.cluster_id]) for a in rows}


def test_extraction_processes_store_what_one_process_stores(tmp_path):
    warc = tmp_path / "capture.warc.gz"
    _warc(warc)
    alone, helped = f"sqlite:///{tmp_path / 'alone.sqlite3'}", f"sqlite:///{tmp_path / 'helped.sqlite3'}"
    assert runner.invoke(app, ["--database", alone, "import-warc", "--workers", "0", str(warc)]).exit_code == 0
    assert runner.invoke(app, ["--database", helped, "import-warc", "--workers", "2", str(warc)]).exit_code == 0
    assert _store(helped) == _store(alone) and len(_store(alone)) > 5


def test_an_import_interrupted_mid_batch_resumed_gives_the_same_store(tmp_path, monkeypatch):
    warc = tmp_path / "capture.warc.gz"
    pages = _warc(warc)
    whole, pieces = f"sqlite:///{tmp_path / 'whole.sqlite3'}", f"sqlite:///{tmp_path / 'pieces.sqlite3'}"
    monkeypatch.setattr(archive, "BATCH", 4)
    import_warc(_migrated(whole), [warc], load_sources(), (), workers=0)
    handle, calls = Ingestor.handle, iter(range(10_000))

    def crash_on_the_sixth(self, item, session=None):
        if next(calls) == 5:
            raise KeyboardInterrupt
        return handle(self, item, session)

    monkeypatch.setattr(Ingestor, "handle", crash_on_the_sixth)
    with pytest.raises(KeyboardInterrupt):
        import_warc(_migrated(pieces), [warc], load_sources(), (), workers=0)
    assert len(_store(pieces)) == 4  # the first batch committed, the interrupted one rolled back whole
    with session_scope(make_engine(pieces)) as s:
        assert {run.status for run in repo.latest_runs(s).values()} == {"interrupted"}
    monkeypatch.setattr(Ingestor, "handle", handle)
    again = import_warc(make_engine(pieces), [warc], load_sources(), (), workers=0)
    assert again.versions_new == pages + 1 - 4
    assert _store(pieces) == _store(whole)


def _migrated(database: str):
    engine = make_engine(database)
    upgrade(engine)
    return engine


def test_progress_is_reported_after_every_batch_up_to_the_whole_file(tmp_path, monkeypatch):
    warc = tmp_path / "capture.warc.gz"
    pages = _warc(warc)
    monkeypatch.setattr(archive, "BATCH", 3)
    seen: list[tuple[int, int]] = []
    import_warc(_migrated(f"sqlite:///{tmp_path / 'p.sqlite3'}"), [warc], load_sources(), (), workers=0,
                progress=lambda done: seen.append((done.records, done.bytes_read)))
    batches = list(range(3, pages + 1, 3))
    assert [records for records, _ in seen] == batches + [pages + 1] * (batches[-1] != pages + 1)
    assert seen[-1][1] == warc.stat().st_size
    assert all(a[1] <= b[1] for a, b in zip(seen, seen[1:]))


def test_a_file_no_imported_article_lists_is_reported_not_stored(tmp_path):
    warc = tmp_path / "orphan.warc.gz"
    pdf = FIXTURES / "vanban" / "site" / "datafiles.chinhphu.vn"
    body = next(pdf.rglob("*.pdf")).read_bytes()
    with warc.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "application/pdf")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record("https://datafiles.chinhphu.vn/x/71-nq-cp.signed.pdf", "response",
                                                      payload=io.BytesIO(body), http_headers=headers,
                                                      warc_headers_dict={"WARC-Date": "2025-04-03T01:00:00Z"}))
    database = f"sqlite:///{tmp_path / 'o.sqlite3'}"
    done = import_warc(_migrated(database), [warc], load_sources(), (), workers=0)
    assert (done.records, done.files, done.skipped) == (0, 0, 1) and "no imported article lists" in done.problems[0]
    with session_scope(make_engine(database)) as s:
        assert repo.sources(s) == []  # no source row for the file's host either


def test_a_redesigned_article_page_keeps_its_text_and_a_list_page_is_skipped(tmp_path):
    article = sorted((DAY1 / "baochinhphu.vn").glob("*-102*.htm"))[0]
    redesigned = article.read_bytes().replace(b"detail-title", b"story-heading")  # the title selector no longer fits
    listing = b"<html><body>" + b"".join(
        b'<div class="box-stream-item"><a href="/tin-%d-1022504%08d.htm">Tin %d</a><p>%s</p></div>'
        % (n, n, n, "Thông báo kết luận của Thủ tướng Chính phủ về nhiệm vụ trọng tâm.".encode()) for n in range(12)
    ) + b"</body></html>"
    warc = tmp_path / "mixed.warc.gz"
    with warc.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        _record(writer, f"https://baochinhphu.vn/{article.name}", redesigned, "2025-04-03T01:00:00Z")
        _record(writer, "https://baochinhphu.vn/chinh-sach-moi.htm", listing, "2025-04-03T01:00:00Z")
    database = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    done = import_warc(_migrated(database), [warc], load_sources(), (), workers=0)
    assert (done.pages, done.skipped) == (1, 1) and "not articles" in done.problems[0]
    assert _urls(database) == {f"https://baochinhphu.vn/{article.name}"}


# --- archives are input too: damaged records are skipped with their reason, the import goes on ---------

def _response(writer: WARCWriter, url: str, body: bytes, when: str | None = "2025-04-03T01:00:00Z",
              extra: list[tuple[str, str]] | None = None, drop: tuple[str, ...] = ()) -> None:
    """A response record with `extra` HTTP headers; `drop` removes WARC headers (a record that lacks its
    date or target URI)."""
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"), *(extra or [])],
                               protocol="HTTP/1.1")
    record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers,
                                       warc_headers_dict={"WARC-Date": when} if when else {})
    for name in drop:
        record.rec_headers.remove_header(name)
    writer.write_record(record)


def _articles(count: int) -> list[tuple[str, bytes]]:
    pages = sorted((DAY1 / "baochinhphu.vn").glob("*-102*.htm"))[:count]
    return [(f"https://baochinhphu.vn/{page.name}", page.read_bytes()) for page in pages]


def _import(tmp_path: Path, *warcs: Path, name: str = "i.sqlite3"):
    database = f"sqlite:///{tmp_path / name}"
    return import_warc(_migrated(database), list(warcs), load_sources(), (), workers=0), database


def test_records_without_date_or_uri_or_with_an_unreadable_date_are_skipped_and_the_import_goes_on(tmp_path):
    (first, body1), (second, body2), (third, body3), (fourth, body4) = _articles(4)
    warc = tmp_path / "damaged.warc.gz"
    with warc.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        _response(writer, first, body1)
        _response(writer, second, body2, drop=("WARC-Date",))
        _response(writer, third, body3, when="yesterday at noon")
        _response(writer, "https://baochinhphu.vn/no-uri.htm", body3, drop=("WARC-Target-URI",))
        _response(writer, fourth, body4)
    done, database = _import(tmp_path, warc)
    assert (done.pages, done.unreadable, done.versions_new) == (2, 3, 2)
    assert done.problems == [f"{second}: no WARC-Date", f"{third}: unreadable WARC-Date 'yesterday at noon'",
                             "(no target URI): no WARC-Target-URI"]
    again, _ = _import(tmp_path, warc, name="i.sqlite3")  # a re-run neither aborts nor adds anything
    assert (again.pages, again.unreadable, again.versions_new) == (2, 3, 0)
    assert _urls(database) == {first, fourth}


@pytest.mark.parametrize("gzip", [False, True])
def test_a_truncated_record_is_skipped_never_stored_as_a_shortened_version(tmp_path, gzip):
    pages = _articles(3)
    whole, cut = tmp_path / "whole.warc", tmp_path / "cut.warc"
    with whole.open("wb") as out:
        writer = WARCWriter(out, gzip=gzip)
        for url, body in pages:
            _response(writer, url, body)
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) - (600 if gzip else 3000)])  # the file ends inside the last record's page
    done, database = _import(tmp_path, whole)
    assert done.versions_new == 3
    again = import_warc(make_engine(database), [cut], load_sources(), (), workers=0)
    assert (again.pages, again.versions_new, again.unreadable) == (2, 0, 1)
    assert again.problems == [f"{pages[-1][0]}: record truncated (the file ends inside it)"]
    with session_scope(make_engine(database)) as s:
        assert len(repo.versions_of(s, repo.article_by_url(s, pages[-1][0]).id)) == 1  # no shortened version


def test_a_file_that_stops_making_sense_is_skipped_from_there_and_the_next_file_is_imported(tmp_path):
    (first, body1), (second, body2) = _articles(2)
    broken, fine = tmp_path / "broken.warc", tmp_path / "fine.warc.gz"
    with broken.open("wb") as out:
        _response(WARCWriter(out, gzip=False), first, body1)
        out.write(b"this is not a WARC record at all\r\n\r\n" * 3)
    with fine.open("wb") as out:
        _response(WARCWriter(out, gzip=True), second, body2)
    done, _ = _import(tmp_path, broken, fine)
    assert (done.pages, done.unreadable) == (2, 1)
    assert done.problems[0].startswith(f"{broken}: unreadable from byte")


def _gzip_of_zeros(total: int) -> bytes:
    """A gzip stream that unpacks to `total` zero bytes, built without compressing them: after a full
    flush, every MiB of zeros packs to the same bytes, so the stream is one block repeated (the trailer is
    never reached by a reader that stops at its limit)."""
    pack = zlib.compressobj(9, zlib.DEFLATED, 31)
    head = pack.compress(bytes(MIB)) + pack.flush(zlib.Z_FULL_FLUSH)
    block = pack.compress(bytes(MIB)) + pack.flush(zlib.Z_FULL_FLUSH)
    assert pack.compress(bytes(MIB)) + pack.flush(zlib.Z_FULL_FLUSH) == block
    return head + block * (total // MIB - 1) + pack.flush()


def _bomb(kind: str) -> tuple[bytes, list[tuple[str, str]]]:
    """A payload that unpacks to gigabytes, and its HTTP headers."""
    if kind == "br":
        return brotli.compress(bytes(256 * MIB), quality=1), [("Content-Encoding", "br")]
    zeros = _gzip_of_zeros(5 * 1024 * MIB if kind == "gzip 5 GB" else 1024 * MIB)
    if kind == "gzip chunked":
        return b"%x\r\n%s\r\n0\r\n\r\n" % (len(zeros), zeros), [("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")]
    return zeros, [("Content-Encoding", "gzip")]


@pytest.mark.parametrize("kind", ["gzip 5 GB", "gzip 1 GB", "gzip chunked", "br"])
def test_a_decompression_bomb_record_is_skipped_at_the_page_limit_in_bounded_memory(tmp_path, kind):
    """5 GB of zeros: the packed payload alone is over the limit; the others are read, and unpacking stops
    at the limit (one chunk of a chunked body, brotli, gzip)."""
    payload, extra = _bomb(kind)
    warc = tmp_path / "bomb.warc.gz"
    with warc.open("wb") as out:
        _response(WARCWriter(out, gzip=True), "https://baochinhphu.vn/bomb.htm", payload, extra=extra)
    assert warc.stat().st_size < 20_000  # gigabytes of zeros in a few kB
    tracemalloc.start()
    try:
        captures = list(warc_captures(warc))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert captures == [Skipped("https://baochinhphu.vn/bomb.htm", "record over 5 MB")]
    assert peak < PAGE_MAX_BYTES * 4  # the page limit, the packed payload and a few buffers, never gigabytes


def test_a_huge_record_is_skipped_with_its_size_and_the_rest_imported(tmp_path):
    (url, body), = _articles(1)
    warc = tmp_path / "huge.warc.gz"
    with warc.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        _response(writer, "https://baochinhphu.vn/huge.htm", b"<p>" + b"x" * (PAGE_MAX_BYTES + 1) + b"</p>")
        _response(writer, url, body)
    done, _ = _import(tmp_path, warc)
    assert (done.pages, done.unreadable, done.problems) == (1, 1, ["https://baochinhphu.vn/huge.htm: record over 5 MB"])


def test_a_page_that_takes_too_long_is_a_problem_and_the_import_goes_on(tmp_path, monkeypatch):
    pages = _articles(2)
    warc = tmp_path / "slow.warc.gz"
    with warc.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url, body in pages:
            _response(writer, url, body)
    item = captures._item

    def endless_on_the_first(url, *args):
        while url == pages[0][0]:
            pass
        return item(url, *args)

    monkeypatch.setattr(captures, "_item", endless_on_the_first)
    monkeypatch.setattr(captures, "PAGE_SECONDS", 0.5)
    done, _ = _import(tmp_path, warc)
    assert (done.pages, done.skipped) == (1, 1)
    assert done.problems == [f"{pages[0][0]}: too_slow: extraction took over 0.5 s"]


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="the data-memory limit is counted on Linux")
def test_an_extraction_process_refuses_a_page_over_its_memory_limit_and_keeps_working():
    dense = "".join(f"<p>Nghị quyết số 03/NQ-CP về phát triển kinh tế, đoạn {n}.</p>" for n in range(50_000))
    big = ("https://x.vn/big.htm", "2025-04-03T01:00:00+00:00", f"<html><body><article>{dense}</article></body></html>".encode(),
           "text/html")
    (url, body), = _articles(1)
    small = (url, "2025-04-03T01:00:00+00:00", body, "text/html")
    with ProcessPoolExecutor(1, mp_context=get_context("spawn"), initializer=captures.start_worker,
                             initargs=(load_sources(), 64 * MIB)) as pool:
        done = pool.submit(captures.extract_batch, [big, small]).result(timeout=120)
    assert done[0][1] == {"type": "problem", "url": "https://x.vn/big.htm",
                          "detail": "too_large: out of memory while extracting"}
    assert done[1][1]["type"] == "article" and done[1][1]["article"]["title"]
