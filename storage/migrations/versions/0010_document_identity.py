"""document identity: canonical ids zero-pad their number (3/NQ-CP is 03/NQ-CP; the rows of both become one,
with their mentions, relations, events and statuses), a sign without a type abbreviation is typed within what
its issuer issues (29/2013/QH13 a law, not a công văn; 36-L/CTN a lệnh; 34/CP a decree), and a local sign
(…/QĐ-UBND, …/NQ-HĐND, …-KH/TU) is keyed with its province when the articles that name it come from one
province's portal (`1056/KH-UBND@2025@gia-lai`); one with no province is no longer resolved.

Everything is re-derived from the rows themselves with the rules as they were when this revision was written
(`monitor.analysis.documents`, `crawler.extract.docrefs`), so the keys it writes are those new ingestion
computes. Data only: downgrade leaves the rows as they are.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

_TEXT = sqlmodel.sql.sqltypes.AutoString()
_WHEN = sa.DateTime(timezone=True)
_BATCH = 500
_document = sa.table(
    "document", sa.column("id", sa.Integer), sa.column("key", _TEXT), sa.column("canonical_id", _TEXT),
    sa.column("type", _TEXT), sa.column("type_key", _TEXT), sa.column("code", _TEXT), sa.column("issuer", _TEXT),
    sa.column("issuer_key", _TEXT), sa.column("title", _TEXT), sa.column("year", sa.Integer),
    sa.column("issued_on", _TEXT), sa.column("effective_on", _TEXT), sa.column("resolved", sa.Boolean),
    sa.column("first_seen_at", _WHEN), sa.column("first_subject_at", _WHEN),
    sa.column("first_seen_article_id", sa.Integer))
_mention = sa.table("mention", sa.column("id", sa.Integer), sa.column("article_id", sa.Integer),
                    sa.column("document_id", sa.Integer), sa.column("role", _TEXT))
_relation = sa.table("docrelation", sa.column("id", sa.Integer), sa.column("from_document_id", sa.Integer),
                     sa.column("rel", _TEXT), sa.column("to_document_id", sa.Integer))
_event = sa.table("event", sa.column("id", sa.Integer), sa.column("document_id", sa.Integer),
                  sa.column("payload", sa.JSON))
_status = sa.table("documentstatus", sa.column("id", sa.Integer), sa.column("document_id", sa.Integer),
                   sa.column("source", _TEXT), sa.column("digest", _TEXT))
_entries = sa.table("searchentry", sa.column("kind", _TEXT), sa.column("ref_id", sa.Integer),
                    sa.column("title", _TEXT), sa.column("body", _TEXT))
_article = sa.table("article", sa.column("id", sa.Integer), sa.column("source_id", sa.Integer))
_source = sa.table("source", sa.column("id", sa.Integer), sa.column("name", _TEXT))

# The builtin provincial sources and their provinces (crawler/sources/portals.toml when this was written).
_SOURCE_PROVINCES = {
    "hanoi": "Hà Nội", "hue": "Huế", "laichau": "Lai Châu", "dienbien": "Điện Biên", "sonla": "Sơn La",
    "langson": "Lạng Sơn", "quangninh": "Quảng Ninh", "thanhhoa": "Thanh Hóa", "nghean": "Nghệ An",
    "hatinh": "Hà Tĩnh", "caobang": "Cao Bằng", "tuyenquang": "Tuyên Quang", "laocai": "Lào Cai",
    "thainguyen": "Thái Nguyên", "phutho": "Phú Thọ", "bacninh": "Bắc Ninh", "hungyen": "Hưng Yên",
    "haiphong": "Hải Phòng", "ninhbinh": "Ninh Bình", "quangtri": "Quảng Trị", "danang": "Đà Nẵng",
    "quangngai": "Quảng Ngãi", "gialai": "Gia Lai", "khanhhoa": "Khánh Hòa", "lamdong": "Lâm Đồng",
    "daklak": "Đắk Lắk", "hochiminhcity": "Hồ Chí Minh", "dongnai": "Đồng Nai", "tayninh": "Tây Ninh",
    "cantho": "Cần Thơ", "vinhlong": "Vĩnh Long", "dongthap": "Đồng Tháp", "camau": "Cà Mau",
    "angiang": "An Giang", "thuathienhue": "Thừa Thiên Huế", "hagiang": "Hà Giang", "yenbai": "Yên Bái",
    "backan": "Bắc Kạn", "vinhphuc": "Vĩnh Phúc", "hoabinh": "Hòa Bình", "bacgiang": "Bắc Giang",
    "thaibinh": "Thái Bình", "haiduong": "Hải Dương", "hanam": "Hà Nam", "namdinh": "Nam Định",
    "quangbinh": "Quảng Bình", "quangnam": "Quảng Nam", "kontum": "Kon Tum", "binhdinh": "Bình Định",
    "ninhthuan": "Ninh Thuận", "daknong": "Đắk Nông", "binhthuan": "Bình Thuận", "phuyen": "Phú Yên",
    "binhduong": "Bình Dương", "baria_vungtau": "Bà Rịa – Vũng Tàu", "binhphuoc": "Bình Phước",
    "longan": "Long An", "soctrang": "Sóc Trăng", "haugiang": "Hậu Giang", "bentre": "Bến Tre",
    "travinh": "Trà Vinh", "tiengiang": "Tiền Giang", "baclieu": "Bạc Liêu", "kiengiang": "Kiên Giang",
}
_CITIES = frozenset({"Hà Nội", "Huế", "Hải Phòng", "Đà Nẵng", "Hồ Chí Minh", "Cần Thơ"})
_LOCAL = {"UBND": "Ủy ban nhân dân", "HĐND": "Hội đồng nhân dân", "TU": "Tỉnh ủy", "HU": "Huyện ủy"}
_NUMBER = re.compile(r"^0*([0-9]{1,5})(?=[/-])")
_QH = re.compile(r"(UBTVQH|QH)[0-9]{0,2}")
_NOT_SLUG = re.compile(r"[^0-9a-z]+")
_NOT_WORD = re.compile(r"[\W_]+")
_NOT_KEY_WORD = re.compile(r"[^0-9a-z]+")


# --- the rules as they were when this revision was written ---------------------------------------------------
def _fold(text: str) -> str:
    """`govmon.monitor.analysis.keys.fold`."""
    stripped = "".join(c for c in unicodedata.normalize("NFD", text or "") if not unicodedata.combining(c))
    return " ".join(stripped.replace("đ", "d").replace("Đ", "D").casefold().split())


def _issuer_key(text: str) -> str:
    """`govmon.monitor.analysis.keys.words_key`."""
    return " " + _NOT_KEY_WORD.sub(" ", _fold(text)).strip() + " "


def _index_words(text: str) -> str:
    """`govmon.storage.repository.search.index_words`, joined."""
    return " ".join((w.lstrip("0") or "0") if w.isascii() and w.isdigit() else w
                    for w in _NOT_WORD.split(_fold(text)) if w)


def _padded(doc_id: str) -> str:
    """`crawler.extract.docrefs.padded` on an id: `3/NQ-CP` → `03/NQ-CP`."""
    return _NUMBER.sub(lambda m: f"{int(m.group(1)):02d}", doc_id, count=1)


def _slug(name: str) -> str:
    """`monitor.analysis.documents.province_slug`."""
    stripped = "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))
    return _NOT_SLUG.sub("-", stripped.replace("đ", "d").replace("Đ", "D").casefold()).strip("-")


def _local_body(code: str) -> str:
    return next((token for token in code.replace("/", "-").split("-") if token in _LOCAL), "")


def _type(kind: str, code: str) -> str:
    """The type a sign without a type abbreviation may have (`crawler.extract.docrefs_tables.BODY_TYPES`)."""
    qh = _QH.fullmatch(code)
    if kind == "công văn" and qh:
        return "nghị quyết" if qh.group(1) == "UBTVQH" else "luật"
    if kind == "công văn" and code == "CP":
        return "nghị định"
    return "lệnh" if kind == "luật" and code == "L/CTN" else kind


# --- the rows ---------------------------------------------------------------------------------------------
class _Doc:
    """A registry row and what it becomes (a plain class: alembic loads revisions outside sys.modules, where
    dataclasses cannot read their annotations)."""

    def __init__(self, row: Any, key: str, canonical_id: str, type: str, issuer: str, resolved: bool) -> None:
        self.row, self.key, self.canonical_id, self.type, self.issuer = row, key, canonical_id, type, issuer
        self.resolved = resolved
        self.merged = False  # other rows were merged into it (its title or dates may have changed)

    @property
    def changed(self) -> bool:
        old = self.row
        return self.merged or (self.key, self.canonical_id, self.type, self.issuer, self.resolved) != (
            old.key, old.canonical_id, old.type, old.issuer, old.resolved)


def _provinces(connection: sa.Connection, ids: list[int]) -> dict[int, set[str]]:
    """Local document id → the provinces of the builtin sources whose articles name it."""
    found: dict[int, set[str]] = defaultdict(set)
    for start in range(0, len(ids), _BATCH):
        query = (sa.select(_mention.c.document_id, _source.c.name)
                 .select_from(_mention.join(_article, _article.c.id == _mention.c.article_id)
                              .join(_source, _source.c.id == _article.c.source_id))
                 .where(_mention.c.document_id.in_(ids[start:start + _BATCH])))
        for document_id, name in connection.execute(query):
            if name in _SOURCE_PROVINCES:
                found[document_id].add(_SOURCE_PROVINCES[name])
    return found


def _derive(row: Any, provinces: set[str]) -> _Doc:
    base, *qualifiers = row.key.split("@")
    body = _local_body(row.code)
    issuer, resolved = row.issuer, row.resolved
    if body:
        if len(provinces) == 1 and not any(not q.isdigit() for q in qualifiers):
            (province,) = provinces
            qualifiers.append(_slug(province))
            issuer = f"{_LOCAL[body]} {'thành phố' if province in _CITIES else 'tỉnh'} {province}"
        placed = any(not q.isdigit() for q in qualifiers)
        resolved = placed and (any(q.isdigit() for q in qualifiers) or base.count("/") == 2)
    key = "@".join([_padded(base), *qualifiers])
    return _Doc(row, key, _padded(row.canonical_id), _type(row.type, row.code), issuer, resolved)


def _documents(connection: sa.Connection) -> list[_Doc]:
    rows = connection.execute(sa.select(_document).order_by(_document.c.id)).all()
    local = [row.id for row in rows if _local_body(row.code)]
    provinces = _provinces(connection, local)
    return [_derive(row, provinces.get(row.id, set())) for row in rows]


def _first(row: Any) -> tuple[bool, float, int]:
    seen = row.first_seen_at
    return (seen is None, seen.timestamp() if seen else 0.0, row.id)


def _groups(docs: list[_Doc]) -> Iterator[list[_Doc]]:
    """The documents that become one (same new key), the one first seen first."""
    by_key: dict[str, list[_Doc]] = defaultdict(list)
    for doc in docs:
        by_key[doc.key].append(doc)
    for group in by_key.values():
        if len(group) > 1:
            yield sorted(group, key=lambda d: _first(d.row))


# --- merging ---------------------------------------------------------------------------------------------
def _merge_mentions(connection: sa.Connection, survivor: int, duplicate: int) -> None:
    kept = {row.article_id: row for row in connection.execute(
        sa.select(_mention).where(_mention.c.document_id == survivor))}
    for row in connection.execute(sa.select(_mention).where(_mention.c.document_id == duplicate)).all():
        mine = kept.get(row.article_id)
        if mine is None:
            connection.execute(_mention.update().where(_mention.c.id == row.id).values(document_id=survivor))
            continue
        if row.role == "subject" and mine.role != "subject":
            connection.execute(_mention.update().where(_mention.c.id == mine.id).values(role="subject"))
        connection.execute(_mention.delete().where(_mention.c.id == row.id))


def _merge_statuses(connection: sa.Connection, survivor: int, duplicate: int) -> None:
    kept = {(row.source, row.digest) for row in connection.execute(
        sa.select(_status).where(_status.c.document_id == survivor))}
    for row in connection.execute(sa.select(_status).where(_status.c.document_id == duplicate)).all():
        if (row.source, row.digest) in kept:
            connection.execute(_status.delete().where(_status.c.id == row.id))
        else:
            connection.execute(_status.update().where(_status.c.id == row.id).values(document_id=survivor))


def _merge_relations(connection: sa.Connection, into: dict[int, int]) -> None:
    """Relations of merged documents point at the survivors; one that becomes a copy or a loop goes."""
    ends = sorted(set(into) | set(into.values()))
    rows: dict[int, Any] = {}
    for start in range(0, len(ends), _BATCH):
        part = ends[start:start + _BATCH]
        query = sa.select(_relation).where(sa.or_(_relation.c.from_document_id.in_(part),
                                                  _relation.c.to_document_id.in_(part)))
        rows.update((row.id, row) for row in connection.execute(query))
    moved = {i: (into.get(r.from_document_id, r.from_document_id), r.rel, into.get(r.to_document_id, r.to_document_id))
             for i, r in rows.items()}
    held = {moved[i] for i, r in rows.items() if moved[i] == (r.from_document_id, r.rel, r.to_document_id)}
    for i in sorted(rows):
        r, new = rows[i], moved[i]
        if new == (r.from_document_id, r.rel, r.to_document_id):
            continue
        if new in held or new[0] == new[2]:
            connection.execute(_relation.delete().where(_relation.c.id == i))
            continue
        held.add(new)
        connection.execute(_relation.update().where(_relation.c.id == i).values(
            from_document_id=new[0], to_document_id=new[2]))


def _earliest(values: Iterable[Any]) -> Any:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def _merged_fields(group: list[_Doc]) -> dict[str, Any]:
    """What the survivor keeps of the rows merged into it: the earliest sightings, the first known facts."""
    rows = [d.row for d in group]
    return {"first_seen_at": _earliest(r.first_seen_at for r in rows),
            "first_subject_at": _earliest(r.first_subject_at for r in rows),
            "title": _known(rows, "title") or "", "issued_on": _known(rows, "issued_on"),
            "effective_on": _known(rows, "effective_on"), "year": _known(rows, "year"),
            "resolved": any(d.resolved for d in group)}


def _known(rows: list[Any], name: str) -> Any:
    return next((getattr(row, name) for row in rows if getattr(row, name)), None)


def _merge(connection: sa.Connection, docs: list[_Doc]) -> list[_Doc]:
    """Merge each group of rows that became one document; the survivors, with what they keep."""
    into: dict[int, int] = {}
    kept: list[_Doc] = []
    for group in _groups(docs):
        survivor, duplicates = group[0], [d.row.id for d in group[1:]]
        for duplicate in duplicates:
            into[duplicate] = survivor.row.id
            _merge_mentions(connection, survivor.row.id, duplicate)
            _merge_statuses(connection, survivor.row.id, duplicate)
        connection.execute(_event.update().where(_event.c.document_id.in_(duplicates))
                           .values(document_id=survivor.row.id))
        fields = _merged_fields(group)
        survivor.resolved, survivor.merged = fields.pop("resolved"), True
        connection.execute(_document.update().where(_document.c.id == survivor.row.id).values(**fields))
        kept.append(survivor)
    _merge_relations(connection, into)
    for start in range(0, len(gone := sorted(into)), _BATCH):
        part = gone[start:start + _BATCH]
        connection.execute(_entries.delete().where(_entries.c.kind == "document", _entries.c.ref_id.in_(part)))
        connection.execute(_document.delete().where(_document.c.id.in_(part)))
    return [d for d in docs if d.row.id not in into]


# --- re-keying ---------------------------------------------------------------------------------------------
def _rekey(connection: sa.Connection, docs: list[_Doc]) -> None:
    """New keys, ids, types and issuers; keys pass through a placeholder so that no two rows ever share one."""
    changed = [d for d in docs if d.changed]
    for doc in changed:
        connection.execute(_document.update().where(_document.c.id == doc.row.id).values(key=f"~{doc.row.id}"))
    for doc in changed:
        connection.execute(_document.update().where(_document.c.id == doc.row.id).values(
            key=doc.key, canonical_id=doc.canonical_id, type=doc.type, type_key=_fold(doc.type), issuer=doc.issuer,
            issuer_key=_issuer_key(f"{doc.issuer} {doc.row.code}"), resolved=doc.resolved))
        title = connection.execute(sa.select(_document.c.title).where(_document.c.id == doc.row.id)).scalar_one()
        connection.execute(_entries.update().where(_entries.c.kind == "document", _entries.c.ref_id == doc.row.id)
                           .values(title=_index_words(f"{doc.type} {doc.canonical_id} {title}"),
                                   body=_index_words(f"{doc.issuer} {doc.row.code}")))


def _payload_ids(connection: sa.Connection, renamed: dict[str, str]) -> None:
    """Events name documents by canonical id (`payload["documents"]`): the padded ids from now on."""
    last = 0
    while True:
        rows = connection.execute(sa.select(_event.c.id, _event.c.payload).where(_event.c.id > last)
                                  .order_by(_event.c.id).limit(_BATCH)).all()
        if not rows:
            return
        last = rows[-1].id
        for row in rows:
            named = (row.payload or {}).get("documents") or []
            if any(doc_id in renamed for doc_id in named):
                payload = {**row.payload, "documents": [renamed.get(doc_id, doc_id) for doc_id in named]}
                connection.execute(_event.update().where(_event.c.id == row.id).values(payload=payload))


def upgrade() -> None:
    connection = op.get_bind()
    docs = _documents(connection)
    renamed = {d.row.canonical_id: d.canonical_id for d in docs if d.row.canonical_id != d.canonical_id}
    _rekey(connection, _merge(connection, docs))
    if renamed:
        _payload_ids(connection, renamed)


def downgrade() -> None:
    """The merged rows cannot be told apart again; the keys stay as they are."""
