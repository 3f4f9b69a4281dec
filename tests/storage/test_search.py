"""The search index on SQLite (FTS5) and PostgreSQL (tsvector): kept current by the repository's writes,
newest version by fetch time whatever the arrival order, found without diacritics, paged without gaps, and
filled by the migration for stores that had rows before it."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from conftest import PG_URL, unavailable
from govmon.monitor.analysis.keys import fold
from govmon.storage import repository as repo
from govmon.storage.db import make_engine, session_scope
from govmon.storage.migrate import upgrade
from govmon.storage.repository import search

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=timezone.utc)


def _article(engine: Engine, url: str, title: str, body: str, at: datetime = T0) -> int:
    with session_scope(engine) as s:
        source = repo.ensure_source(s, "baochinhphu")
        article, _ = repo.add_article(s, source, url, title=title)
        repo.add_version(s, article, content_hash=f"{url}{at}", title=title, text=body, fetched_at=at)
        return article.id


def _version(engine: Engine, article_id: int, title: str, body: str, at: datetime) -> None:
    with session_scope(engine) as s:
        article = repo.lock_article(s, repo.article_by_url(s, _url_of(s, article_id)))
        repo.add_version(s, article, content_hash=f"{title}{at}", title=title, text=body, fetched_at=at)


def _url_of(session, article_id: int) -> str:
    return session.execute(text("SELECT url FROM article WHERE id = :id"), {"id": article_id}).scalar_one()


def _found(engine: Engine, query: str, kind: str | None = None, limit: int = 50) -> list[tuple[str, int]]:
    with session_scope(engine) as s:
        return [(hit.kind, hit.ref_id) for hit in search.search_entries(s, query, kind=kind, limit=limit)]


def test_a_query_without_diacritics_finds_the_printed_text(engine):
    wanted = _article(engine, "https://baochinhphu.vn/1.htm", "Chính phủ ban hành Nghị định bảo vệ dữ liệu cá nhân",
                      "Nghị định số 13/2023/NĐ-CP quy định về bảo vệ dữ liệu cá nhân, có hiệu lực từ ngày 01/7/2023.")
    _article(engine, "https://baochinhphu.vn/2.htm", "Đất đai: sửa đổi luật",
             "Quốc hội thảo luận dự án Luật Đất đai (sửa đổi) tại phiên họp chiều nay.")
    assert _found(engine, "nghi dinh du lieu ca nhan") == [("article", wanted)]
    assert _found(engine, "NGHỊ ĐỊNH Dữ Liệu") == [("article", wanted)]
    assert _found(engine, "13/2023/nd-cp") == [("article", wanted)]
    assert _found(engine, "dat dai") == [("article", wanted + 1)]
    assert _found(engine, "du lieu dat dai") == []  # every word must be there


def test_numbers_match_without_their_leading_zeros(engine):
    wanted = _article(engine, "https://baochinhphu.vn/3.htm", "Sửa đổi Nghị quyết 03/NQ-CP",
                      "Nghị quyết 71/NQ-CP sửa đổi, bổ sung Nghị quyết số 03/NQ-CP ngày 09/01/2025.")
    assert _found(engine, "3 nq cp") == [("article", wanted)]
    assert _found(engine, "Nghị quyết 0003/NQ-CP") == [("article", wanted)]


def test_a_new_version_replaces_what_the_index_holds(engine):
    article = _article(engine, "https://baochinhphu.vn/4.htm", "Thông báo tuyển dụng công chức", "Hồ sơ nộp trước 30/4.")
    _version(engine, article, "Thông báo hoãn kỳ thi tuyển công chức", "Kỳ thi được lùi sang tháng 6.", T0 + timedelta(days=1))
    assert _found(engine, "hoan ky thi") == [("article", article)]
    assert _found(engine, "tuyen dung") == []


def test_an_archive_capture_older_than_the_indexed_version_leaves_it_in_place(engine):
    article = _article(engine, "https://baochinhphu.vn/5.htm", "Bản mới: giá điện tăng 4,8%", "Từ ngày 11/10.",
                       T0 + timedelta(days=10))
    _version(engine, article, "Bản cũ: giữ nguyên giá điện", "Chưa điều chỉnh.", T0)  # captured earlier, arrives later
    assert _found(engine, "gia dien tang") == [("article", article)]
    assert _found(engine, "giu nguyen") == []
    with session_scope(engine) as s:  # the index follows the newest version by fetch time, as latest_version does
        assert repo.latest_version(s, article).title == "Bản mới: giá điện tăng 4,8%"


def test_documents_are_indexed_when_added_and_when_titled_later(engine):
    with session_scope(engine) as s:
        document = repo.add_document(s, "13/2023/NĐ-CP", "13/2023/NĐ-CP", type="nghị định", number="13", year=2023,
                                     code="NĐ-CP", issuer="Chính phủ")
        document_id = document.id
    assert _found(engine, "nghi dinh 13 2023") == [("document", document_id)]
    assert _found(engine, "bao ve du lieu") == []
    with session_scope(engine) as s:  # as the pipeline does when the first announcement about it arrives
        (document,) = repo.documents_by_id(s, "13/2023/NĐ-CP")
        document.title = "Nghị định về bảo vệ dữ liệu cá nhân"
        s.add(document)
    assert _found(engine, "bao ve du lieu") == [("document", document_id)]
    assert _found(engine, "chinh phu", kind="document") == [("document", document_id)]
    assert _found(engine, "chinh phu", kind="article") == []


def test_a_title_match_ranks_above_a_body_match(engine):
    in_body = _article(engine, "https://baochinhphu.vn/6.htm", "Họp báo thường kỳ",
                       "Tại họp báo, Bộ trưởng trả lời về chuyển đổi số và nhiều vấn đề khác trong tháng.")
    in_title = _article(engine, "https://baochinhphu.vn/7.htm", "Chuyển đổi số quốc gia",
                        "Kế hoạch năm 2025 được Thủ tướng phê duyệt.")
    assert _found(engine, "chuyen doi so") == [("article", in_title), ("article", in_body)]


def test_pages_follow_each_other_without_gaps_or_repeats(engine):
    with session_scope(engine) as s:
        source = repo.ensure_source(s, "baochinhphu")
        for n in range(25):
            article, _ = repo.add_article(s, source, f"https://baochinhphu.vn/p{n}.htm")
            filler = " ".join(["trong"] * (n % 5))  # a few different scores, and many ties
            repo.add_version(s, article, content_hash=str(n), title=f"Thông báo kết luận số {n}",
                             text=f"Kết luận {filler} của Thủ tướng.")
    everything = _found(engine, "ket luan thu tuong", limit=100)
    pages, after = [], None
    with session_scope(engine) as s:
        while True:
            page = search.search_entries(s, "ket luan thu tuong", limit=10, after=after)
            pages.append([(hit.kind, hit.ref_id) for hit in page])
            if len(page) < 10:
                break
            after = page[-1].position
    assert [len(page) for page in pages] == [10, 10, 5, 0][:len(pages)] and sum(pages, []) == everything
    assert len(set(everything)) == 25


def test_an_empty_query_finds_nothing(engine):
    article = _article(engine, "https://baochinhphu.vn/8.htm", "Tin tức", "Nội dung.")
    assert _found(engine, "  ?! ") == [] and _found(engine, "tin") == [("article", article)]
    with pytest.raises(ValueError):
        _found(engine, "tin", kind="page")


@given(st.text(max_size=40))
def test_the_index_folds_as_the_analysis_does(sample):
    words = [w for w in "".join(c if c.isalnum() else " " for c in fold(sample)).split()]
    expected = [(w.lstrip("0") or "0") if w.isascii() and w.isdigit() else w for w in words]
    assert search.index_words(sample) == expected
    assert search.index_words(" ".join(search.index_words(sample))) == search.index_words(sample)


def test_models_match_migrations_once_the_index_internals_are_left_to_them(engine):
    """The FTS5 table (SQLite) and the tsvector column and its index (PostgreSQL) exist only in migration
    0005; `reflected` is the `include_name` that says so, and nothing else differs."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": search.reflected})
        assert compare_metadata(context, SQLModel.metadata) == []
        unfiltered = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert unfiltered and all("searchentry" in str(change) for change in unfiltered)


# --- the migration fills the index of a store that had rows before it ----------------------------------
@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)])
def store_at_0004(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
        upgrade(engine, "0004")
        yield engine
        engine.dispose()
        return
    yield from _postgres_at_0004()


def _postgres_at_0004() -> Iterator[Engine]:
    schema = f"govmon_search_{uuid.uuid4().hex[:10]}"
    try:
        admin = make_engine(PG_URL)
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "no PostgreSQL here"
        unavailable("PostgreSQL", exc)
    engine = make_engine(PG_URL + f"?options=-csearch_path%3D{schema}")
    try:
        upgrade(engine, "0004")
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


_ARTICLE = "(SELECT id FROM article WHERE url = 'https://baochinhphu.vn/old.htm')"
_OLD_ROWS = [
    "INSERT INTO source (name, title, kind, official, last_status, crawl_owner) "
    "VALUES ('baochinhphu', '', '', true, '', '')",
    "INSERT INTO article (source_id, url, title, lang, first_seen_at, etag, last_modified, missing_polls, extractor) "
    "VALUES ((SELECT id FROM source), 'https://baochinhphu.vn/old.htm', 'Giá xăng giảm', 'vi', '2025-01-02 00:00:00', "
    "'', '', 0, '')",
    "INSERT INTO version (article_id, seq, content_hash, title, lead, text, author, fetched_at, extra) "
    f"VALUES ({_ARTICLE}, 1, 'b', 'Giá xăng giảm mạnh', '', 'Liên Bộ Công Thương – Tài chính điều hành.', '', "
    "'2025-01-05 00:00:00', '{}')",
    "INSERT INTO version (article_id, seq, content_hash, title, lead, text, author, fetched_at, extra) "
    f"VALUES ({_ARTICLE}, 2, 'a', 'Giá xăng đứng yên', '', 'Bản lưu trữ cũ hơn.', '', '2025-01-03 00:00:00', '{{}}')",
    "INSERT INTO document (key, canonical_id, type, number, code, issuer, title, resolved, first_seen_at, "
    "type_key, issuer_key, number_key) VALUES ('80/2023/NĐ-CP', '80/2023/NĐ-CP', 'nghị định', '80', 'NĐ-CP', "
    "'Chính phủ', 'Kinh doanh xăng dầu', true, '2025-01-02 00:00:00', 'nghi dinh', ' chinh phu nd cp ', '80')",
]


def test_the_migration_indexes_what_the_store_already_held(store_at_0004):
    engine = store_at_0004
    with engine.begin() as connection:
        for statement in _OLD_ROWS:
            connection.execute(text(statement))
        old = connection.execute(text(_ARTICLE[1:-1])).scalar_one()
        document = connection.execute(text("SELECT id FROM document")).scalar_one()
    upgrade(engine)
    assert _found(engine, "gia xang giam") == [("article", old)]  # the newest by fetch time, not the last to arrive
    assert _found(engine, "dung yen") == []
    assert _found(engine, "kinh doanh xang dau") == [("document", document)]
    added = _article(engine, "https://baochinhphu.vn/new.htm", "Giá xăng tăng", "Sau khi giảm.", T0)
    assert set(_found(engine, "gia xang")) == {("article", added), ("article", old)}  # writes keep it current


def test_ranking_looks_at_the_most_recently_indexed_matches(engine, monkeypatch):
    """A query that matches half the store costs what a rare one does: only the RANKED newest matches are
    ranked (here 3), the best of them first."""
    monkeypatch.setattr(search, "RANKED", 3)
    ids = [_article(engine, f"https://baochinhphu.vn/r{n}.htm", "Thông báo" + (" chuyển đổi số" if n == 0 else ""),
                    f"Văn bản số {n} về chuyển đổi số.") for n in range(6)]
    assert {ref for _, ref in _found(engine, "chuyen doi so")} == set(ids[3:])  # the oldest, best match is out
    monkeypatch.setattr(search, "RANKED", 100)
    assert _found(engine, "chuyen doi so")[0] == ("article", ids[0])
