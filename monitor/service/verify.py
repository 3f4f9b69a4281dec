"""Looking up the documents govmon knows on vbpl.vn, the authority on their status (`govmon docs verify`).

vbpl.vn's pages are per document, so there is nothing to crawl from a start page: for each document its
search result gives the site's ItemID (the one whose sign is the document's, and — for a sign without year,
or several hits — whose issue year is the document's), then its "Thuộc tính" page gives the stated status and
dates, its "Lược đồ" and "VB liên quan" pages what acts on it. Pages are fetched one at a time, the site's
delay apart, through `fetch` — the CLI gives `crawler.safefetch.SafeFetcher.page`, the guarded path of
`govmon sources check` (robots.txt obeyed, no private address, bounded) — and each document is recorded in
its own transaction (`monitor.pipeline.status.record_vbpl`). A page that is not what it should be is that
document's failure, never a status read off the wrong page; the other documents go on.
"""
from __future__ import annotations

import logging
import time
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlalchemy.engine import Engine
from sqlmodel import Session

from govmon.crawler.extract.vbpl import (
    NotVbplPage,
    VbplHit,
    VbplLink,
    VbplProperties,
    VbplSite,
    parse_diagram,
    parse_properties,
    parse_related,
    parse_search,
)
from govmon.crawler.safefetch import FetchError
from govmon.crawler.sources import BUILTIN_DIR
from govmon.monitor.alerts.events import emit
from govmon.monitor.config import Config
from govmon.monitor.pipeline.registry import lookup
from govmon.monitor.pipeline.status import VBPL, VbplFound, record_vbpl, sweep
from govmon.storage.db import session_scope, write
from govmon.storage.models import Document, DocumentStatus
from govmon.storage.repository import status as statuses

__all__ = ["Verified", "verify", "load_site", "SITE_FILE", "LOCAL_CODES"]

SITE_FILE = BUILTIN_DIR / "registries" / "vbpl.toml"
LOCAL_CODES = ("UBND", "HĐND", "/TW")  # provincial documents and the Party's are not in the central database
Fetch = Callable[[str], tuple[str, str]]  # url → (final url, page)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verified:
    """What one document's lookup came to: `outcome` verified, not_found, failed; the state vbpl.vn states,
    whether that statement is new, the page it is on, and a message for anything else."""

    document: str
    outcome: str
    state: str = ""
    stated: str = ""
    new: bool = False
    url: str = ""
    message: str = ""


def load_site(path: Path = SITE_FILE) -> VbplSite:
    """The vbpl.vn definition (`crawler/sources/registries/vbpl.toml`)."""
    try:
        return VbplSite.from_dict(tomllib.loads(path.read_text(encoding="utf-8")))
    except (OSError, tomllib.TOMLDecodeError, TypeError, ValueError) as exc:
        raise ValueError(f"{path}: {exc}") from exc


@dataclass
class _Pacer:
    """Fetches one page at a time, `delay` seconds apart."""

    fetch: Fetch
    delay: float
    pause: Callable[[float], None] = time.sleep
    _last: float | None = None

    def __call__(self, url: str) -> tuple[str, str]:
        if self._last is not None:
            self.pause(max(0.0, self.delay - (time.monotonic() - self._last)))
        try:
            return self.fetch(url)
        finally:
            self._last = time.monotonic()


def _targets(engine: Engine, ids: Sequence[str], limit: int) -> list[tuple[int, str]]:
    """(row id, registry key) of the documents to look up: those `ids` name, else the `limit` documents
    vbpl.vn was asked about least recently (never first)."""
    with session_scope(engine) as session:
        if ids:
            rows = [d for text in ids for d in lookup(session, text)]
        else:
            rows = list(statuses.documents_to_verify(session, VBPL, limit, LOCAL_CODES))
        return [(d.id or 0, d.key) for d in rows]


def verify(engine: Engine, config: Config, site: VbplSite, fetch: Fetch, ids: Sequence[str] = (), limit: int = 20,
           pause: Callable[[float], None] = time.sleep) -> list[Verified]:
    """Look up each document on vbpl.vn and record what it states (alerts go to `config.channels`); then
    sweep for endings whose day has come. One document's failure never stops the others."""
    paced = _Pacer(fetch, site.download_delay, pause)
    results = [_one(engine, config, site, paced, row_id, key) for row_id, key in _targets(engine, ids, limit)]
    write(engine, lambda session: sweep(session, _emitter(config)))
    return results


def _emitter(config: Config) -> Callable[..., object]:
    def send(session: Session, kind: str, dedup_key: str, **fields: object) -> object:
        return emit(session, config.channels, kind, dedup_key, **fields)  # type: ignore[arg-type]
    return send


def _one(engine: Engine, config: Config, site: VbplSite, fetch: Fetch, row_id: int, key: str) -> Verified:
    with session_scope(engine) as session:
        document = session.get(Document, row_id)
        assert document is not None
        wanted = (document.canonical_id, document.year, document.issued_on)
    try:
        found = _look_up(site, fetch, *wanted)
    except (FetchError, NotVbplPage) as exc:
        log.warning("vbpl.vn: %s: %s", key, exc)
        return Verified(key, "failed", message=str(exc))
    if found is None:
        return Verified(key, "not_found", message=f"vbpl.vn lists no document {wanted[0]}" +
                        (f" of {wanted[1]}" if wanted[1] else ""))
    row, new = write(engine, lambda session: _record(session, row_id, found, config))
    return Verified(key, "verified", row.state, row.stated, new, found.properties.url)


def _record(session: Session, row_id: int, found: VbplFound, config: Config) -> tuple[DocumentStatus, bool]:
    document = session.get(Document, row_id)
    assert document is not None
    row, new = record_vbpl(session, document, found, _emitter(config))
    session.flush()
    return row, new


def _look_up(site: VbplSite, fetch: Fetch, doc_id: str, year: int | None, issued_on: str | None) -> VbplFound | None:
    """vbpl.vn's properties and links of the document `doc_id` (of `year`, issued on `issued_on`, when known)."""
    url, page = fetch(site.search_url.format(keyword=quote(doc_id, safe="")))
    hits = [hit for hit in parse_search(page, url) if hit.doc_id == doc_id][: site.max_results]
    for hit in hits:
        properties = _properties(site, fetch, hit)
        if properties.doc_id != doc_id:
            raise NotVbplPage(f"{properties.url} states Số ký hiệu {properties.sign}, not {doc_id}")
        if _same_document(properties, year, issued_on, len(hits)):
            return VbplFound(properties, _links(site, fetch, hit.item_id))
    return None


def _properties(site: VbplSite, fetch: Fetch, hit: VbplHit) -> VbplProperties:
    url, page = fetch(site.url("properties", hit.item_id))
    return parse_properties(page, url)


def _same_document(properties: VbplProperties, year: int | None, issued_on: str | None, hits: int) -> bool:
    """The hit is the document: its issue day (or year) is the document's, or nothing tells them apart."""
    if issued_on and properties.issued_on:
        return issued_on == properties.issued_on
    if year and properties.issued_on:
        return properties.issued_on.startswith(str(year))
    return hits == 1


def _links(site: VbplSite, fetch: Fetch, item: str) -> list[VbplLink]:
    """The diagram's documents, then the related tab's (which carry dates); each listed document once per
    label, the related tab's entry (with its dates) kept."""
    url, page = fetch(site.url("diagram", item))
    links = {(link.group, link.item_id): link for link in parse_diagram(page, url)}
    if site.related_url:
        url, page = fetch(site.url("related", item))
        links.update({(link.group, link.item_id): link for link in parse_related(page, url)})
    return list(links.values())
