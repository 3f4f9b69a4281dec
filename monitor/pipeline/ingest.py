"""Turning crawl items into stored versions and events: normalise → identify documents → store version →
register documents → dedupe → detect change. One item, one transaction (or one batch of an import): a crash
or Ctrl-C between items loses nothing stored, and a transaction that lost its connection or a race with
another writer is run again (`storage.db.write`). Several processes may ingest into one store at once: rows
are created once by their natural keys, an article's history is appended under its row lock, and new
repost clusters take turns (see `storage.repository`).

A source's first successful pass is its *baseline*: everything is stored, nothing is announced (a monitor
that screams on first start is useless). Layout problems are announced even then, once per breakage.
"""
from __future__ import annotations

import base64
import logging
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from govmon.crawler.extract.fingerprint import canonical_url
from govmon.crawler.extract.validity import Validity, find_validity
from govmon.crawler.sources import Source as SourceDef
from govmon.monitor.alerts.events import emit
from govmon.monitor.analysis.article import Analysis, digest_of, full_text, identified
from govmon.monitor.analysis.changes import is_significant, word_diff
from govmon.monitor.analysis.dedupe import Features, features
from govmon.monitor.analysis.documents import Identified, identify
from govmon.monitor.config import Channel
from govmon.monitor.pipeline.captures import latest_text
from govmon.monitor.pipeline.clusters import LiveClusters, join_or_start
from govmon.monitor.pipeline.documents import Registrar
from govmon.monitor.pipeline.history import implausible, place
from govmon.storage import repository as repo
from govmon.storage.blobs import BlobStore, blob_dir_for
from govmon.storage.db import write
from govmon.storage.models import Article, CrawlRun, Source, Version, compress, utcnow

__all__ = ["Ingestor", "Tally", "HOST"]
log = logging.getLogger(__name__)
GONE_AFTER = 3  # consecutive polls answering 404/410 before a known article is reported gone
FAILING = frozenset({"unreachable", "failed"})
FAILING_RUNS = 3  # consecutive failed runs before a source is reported broken
HOST = socket.gethostname()
_UNREACHABLE = ("unreachable", "http_error", "blocked", "tls")  # no list page: the site, not the crawl, failed
_COUNTS = ("lists", "articles", "articles_new", "versions_new", "unchanged", "known", "outside", "documents")
_READY = "articles"  # (repo.memo) canonical URL → (article, created by this transaction), from `Ingestor.prepare`


@dataclass
class Tally:
    """What one crawl produced, for the run record and the per-source report."""

    lists: int = 0
    articles: int = 0
    articles_new: int = 0
    versions_new: int = 0
    unchanged: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)
    redirects: list[tuple[str, str]] = field(default_factory=list)  # list pages that moved: (asked, final)
    known: int = 0  # backfill: listed articles the store already had (not fetched again)
    outside: int = 0  # backfill: fetched articles published outside the requested dates (not stored)
    documents: int = 0  # document references found

    def count(self, kind: str) -> int:
        return sum(1 for p in self.problems if p["kind"] == kind)

    def status(self) -> str:
        if self.count("layout"):
            return "broken"
        if self.count("ingest_error"):
            return "failed"  # an item could not be stored: the run failed, whatever else it stored
        if self.lists:
            return "ok"
        return "unreachable" if any(self.count(kind) for kind in _UNREACHABLE) else "failed"

    def mark(self) -> tuple[Any, ...]:
        """The tally as it stands, to go back to when a transaction is run again."""
        return (*(getattr(self, name) for name in _COUNTS), len(self.problems), len(self.redirects))

    def restore(self, mark: tuple[Any, ...]) -> None:
        for name, value in zip(_COUNTS, mark):
            setattr(self, name, value)
        del self.problems[mark[-2]:], self.redirects[mark[-1]:]


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class Ingestor:
    """Ingests the items of one crawl (or import) of one source into the store."""

    def __init__(self, engine: Engine, source: SourceDef, channels: Sequence[Channel],
                 blobs: BlobStore | None = None, quiet: bool = False,
                 window: tuple[datetime | None, datetime | None] = (None, None)) -> None:
        self.engine, self.definition, self.channels = engine, source, channels
        self.store = engine.url.render_as_string(hide_password=False)
        self.blobs = blobs or BlobStore(blob_dir_for(self.store))
        self.tally = Tally()
        self.window = window  # backfill: only articles published within [since, until] are stored
        self._row: tuple[Session, Source] | None = None
        self.source_id, self.baseline, self.run_id = write(engine, lambda session: self._start(session, quiet))
        self.documents = Registrar(self._emit, self.baseline, source.province)

    def _start(self, session: Session, quiet: bool) -> tuple[int, bool, int]:
        source = self.definition
        row = repo.ensure_source(session, source.name, title=source.title, kind=source.kind, official=source.official)
        session.flush()
        run = repo.start_run(session, row, host=HOST, pid=os.getpid())
        return row.id, row.baseline_at is None or quiet, run.id  # quiet: backfill, archives

    def handle(self, item: dict[str, Any], session: Session | None = None) -> None:
        """Ingest one item in its own transaction (run again on a lost connection or race), or in
        `session`: a batch the caller writes in one transaction (imports write a hundred pages per commit)."""
        handler = getattr(self, f"_on_{item.get('type')}", None)
        if handler is None:
            return
        if session is not None:
            handler(session, self._source(session), item)
            return
        mark = self.tally.mark()

        def work(own: Session) -> None:
            self.tally.restore(mark)
            handler(own, self._source(own), item)
        write(self.engine, work)

    def prepare(self, session: Session, items: Sequence[dict[str, Any]]) -> None:
        """Create the new articles of `items` (a batch an import writes in `session`, in one transaction) in two
        statements, so that each item finds its article ready instead of looking it up and inserting it alone."""
        wanted = [{"url": canonical_url(item["url"]), **self._new_article(item)} for item in items
                  if item.get("type") == "article" and not self._unstorable(item["article"])]
        if wanted:
            ready = repo.memo(session).setdefault(_READY, {})
            found = repo.add_articles(session, self._source(session), wanted)
            ready.update((url, found[url]) for url in found.keys() - ready.keys())

    def set_aside(self, item: dict[str, Any], error: Exception) -> None:
        """An item whose ingestion failed: its transaction is rolled back, the error is kept with the run
        (the run fails, so a source that keeps failing is reported broken) and recorded as an
        `item_failed` event that `govmon events` shows; the crawl's other items are stored."""
        detail = f"{type(error).__name__}: {error}"[:500]
        log.error("%s: could not store %s: %s", self.definition.name, item.get("url"), detail, exc_info=error)
        self.tally.problems.append({"url": item.get("url", ""), "kind": "ingest_error", "detail": detail})
        write(self.engine, lambda session: emit(
            session, (), "item_failed", f"failed:{self.run_id}:{item.get('type')}:{item.get('url', '')}",
            title=f"{self.definition.name}: không lưu được {item.get('url', '')}", source_id=self.source_id,
            payload={"url": item.get("url", ""), "detail": detail}))

    def _source(self, session: Session) -> Source:
        """This source's row in `session`, held for the session's life (a batch loads it once)."""
        if self._row is None or self._row[0] is not session:
            source = session.get(Source, self.source_id)
            assert source is not None
            self._row = (session, source)
        return self._row[1]

    def _emit(self, session: Session, kind: str, dedup_key: str, **fields: Any) -> Any:
        return emit(session, self.channels, kind, dedup_key, province=self.definition.province, **fields)

    # --- item handlers ----------------------------------------------------------------------------

    def _on_list(self, session: Session, source: Source, item: dict[str, Any]) -> None:
        self.tally.lists += 1
        if item.get("redirected_from"):
            self.tally.redirects.append((item["redirected_from"][0], item["url"]))

    def _on_known(self, session: Session, source: Source, item: dict[str, Any]) -> None:
        self.tally.known += 1

    def _outside(self, published: str | None) -> bool:
        since, until = self.window
        when = _when(published)
        if when is None or (since is None and until is None):
            return False
        return bool((since and when < since) or (until and when > until))

    def _on_not_modified(self, session: Session, source: Source, item: dict[str, Any]) -> None:
        self.tally.unchanged += 1
        article = repo.article_by_url(session, canonical_url(item["url"]))
        if article is not None:
            article.last_seen_at = utcnow()
            session.add(article)

    def _on_problem(self, session: Session, source: Source, item: dict[str, Any]) -> None:
        self.tally.problems.append({k: item.get(k) for k in ("url", "kind", "detail")})
        if item.get("status") in (404, 410):
            self._missing(session, source, item["url"])
        if item["kind"] != "layout" or source.broken_since is not None:
            return
        source.broken_since = utcnow()
        session.add(source)
        self._emit(session, "source_broken", f"broken:{source.name}:{source.broken_since.isoformat()}",
                   title=f"{source.title or source.name}: trang không còn đúng bố cục đã biết",
                   source_id=source.id, payload={"url": item["url"], "detail": item.get("detail", "")})

    def _missing(self, session: Session, source: Source, url: str) -> None:
        """A known article that answers 404/410: gone only after GONE_AFTER polls in a row (sites flap)."""
        article = repo.article_by_url(session, canonical_url(url))
        if article is None or article.gone_at is not None:
            return
        article.missing_polls += 1
        if article.missing_polls >= GONE_AFTER:
            article.gone_at = utcnow()
            self._emit(session, "article_gone", f"gone:{article.id}:{article.gone_at.isoformat()}",
                       title=f"Bài không còn trên trang: {article.title}", source_id=source.id,
                       article_id=article.id, payload={"url": article.url, "polls": article.missing_polls})
        session.add(article)

    def _unstorable(self, data: dict[str, Any]) -> str:
        """Why an extracted article is not stored ("outside" the backfill's dates, "empty"), or ""."""
        if self._outside(data.get("published_at")):
            return "outside"
        return "" if data.get("title") and data.get("text") else "empty"

    def _on_article(self, session: Session, source: Source, item: dict[str, Any]) -> None:
        data = item["article"]
        why = self._unstorable(data)
        if why == "outside":
            self.tally.outside += 1
            return
        if why:
            self.tally.problems.append({"url": item["url"], "kind": "empty", "detail": "no title or no text"})
            return
        self.tally.articles += 1
        analysis: Analysis | None = item.get("analysis")
        digest = analysis.digest if analysis else digest_of(data)
        article, is_new = self._article(session, source, item)
        if is_new:
            self._first_version(session, source, article, item, digest, analysis)
        else:
            self._next_version(session, source, article, item, digest, analysis)

    def _first_version(self, session: Session, source: Source, article: Article, item: dict[str, Any],
                       digest: str, analysis: Analysis | None) -> None:
        """A new article: its first version (seq 1) and mentions are queued and written in bulk with the
        transaction's others (`storage.repository._queue`)."""
        self.tally.versions_new += 1
        repo.append_version(session, article.id or 0, **self._version_fields(item, digest))
        found = self._identified(session, source, article, item, analysis, fresh=True)
        data = item["article"]
        self._cluster(session, source, article, analysis.features if analysis else features(full_text(data)), found)

    def _next_version(self, session: Session, source: Source, article: Article, item: dict[str, Any],
                      digest: str, analysis: Analysis | None) -> None:
        """A known article: a new version where the text differs from its neighbours in time; only the
        newest speaks for the article and may alert."""
        spot = place(session, article, _when(item.get("fetched_at")) or utcnow(), digest)
        suspect = self._suspect(spot.previous, item) if spot.newest and not spot.same else ""
        if suspect:
            self.tally.problems.append({"url": item["url"], "kind": "suspect_text", "detail": suspect})
            return
        if spot.newest:
            self._seen(article, item)
        if spot.same:
            self.tally.unchanged += 1
            return
        version = self._version(session, article, item, digest)
        found = self._identified(session, source, article, item, analysis, newest=spot.newest)
        if spot.newest and spot.previous is not None:
            self._changed(session, source, article, spot.previous, version, found)

    @staticmethod
    def _suspect(latest: Version | None, item: dict[str, Any]) -> str:
        data = item["article"]
        return implausible(latest, data.get("extractor", ""), data["text"]) if latest is not None else ""

    def _identified(self, session: Session, source: Source, article: Article, item: dict[str, Any],
                    analysis: Analysis | None, fresh: bool = False, newest: bool = True) -> Identified:
        """Register the documents the item names; when it is the article's newest text, the validity it states
        is read from it (or taken from the item, an import's extraction process found it)."""
        found = analysis.found if analysis else identified(item["article"])
        self.tally.documents += len(found.refs)
        stated = self._stated(item) if newest else None
        self.documents.register(session, source, article, found, fresh=fresh, stated=stated)
        return found

    @staticmethod
    def _stated(item: dict[str, Any]) -> list[Validity]:
        return item["validity"] if "validity" in item else find_validity(latest_text(item["article"]))

    def _on_attachment(self, session: Session, source: Source, item: dict[str, Any]) -> None:
        """Keep the file (content-addressed) and read its documents like an article's; a file that could not
        be read is kept untexted and reported, never dropped."""
        article = repo.article_by_url(session, canonical_url(item["article_url"]))
        if article is None:
            return
        body = base64.b64decode(item["body_b64"])
        digest = self.blobs.put(body)
        row = repo.add_file(session, article, item["url"], digest, name=item.get("name", ""), size=len(body),
                            content_type=item.get("content_type", ""), text=item.get("text", ""),
                            problem=item.get("problem", ""))
        if item.get("problem"):
            self.tally.problems.append({"url": item["url"], "kind": "attachment", "detail": item["problem"]})
        if row is not None and row.text:
            self.documents.register(session, source, article, identify("", "", row.text))

    # --- steps ------------------------------------------------------------------------------------

    def _article(self, session: Session, source: Source, item: dict[str, Any]) -> tuple[Article, bool]:
        """The item's article, created once (whoever else creates it now; perhaps ahead, by `prepare`) or held
        for this transaction."""
        url = canonical_url(item["url"])
        article, created = repo.memo(session).get(_READY, {}).pop(url, (None, False))
        if article is None:
            article = repo.article_by_url(session, url)
        if article is None:
            article, created = repo.add_article(session, source, url, **self._new_article(item))
        if created:
            self.tally.articles_new += 1
            return article, True
        return repo.lock_article(session, article), False

    def _new_article(self, item: dict[str, Any]) -> dict[str, Any]:
        """A new article's row from its first item."""
        data = item["article"]
        return {"lang": data.get("lang", "vi"), "published_at": _when(data.get("published_at")), **self._fields(item)}

    @staticmethod
    def _fields(item: dict[str, Any]) -> dict[str, Any]:
        """What the newest fetch says of an article besides its text."""
        data = item["article"]
        return {"etag": item.get("etag", ""), "last_modified": item.get("last_modified", ""),
                "extractor": data.get("extractor", ""), "title": data["title"], "missing_polls": 0, "gone_at": None}

    def _seen(self, article: Article, item: dict[str, Any]) -> None:
        for name, value in self._fields(item).items():
            setattr(article, name, value)
        article.last_seen_at = utcnow()

    def _version(self, session: Session, article: Article, item: dict[str, Any], digest: str) -> Version:
        self.tally.versions_new += 1
        return repo.add_version(session, article, **self._version_fields(item, digest))

    @staticmethod
    def _version_fields(item: dict[str, Any], digest: str) -> dict[str, Any]:
        data = item["article"]
        extra = {k: data.get(k) for k in ("canonical_url", "category", "attachments", "extractor", "published_at")}
        extra["redirected_from"] = item.get("redirected_from", [])
        return {"content_hash": digest, "title": data["title"], "lead": data.get("lead", ""), "text": data["text"],
                "author": data.get("author", ""), "modified_at": _when(data.get("modified_at")),
                "raw_html": compress(item.get("html", "")), "extra": extra,
                **({"fetched_at": _when(item["fetched_at"])} if item.get("fetched_at") else {})}

    def _cluster(self, session: Session, source: Source, article: Article, text_features: Features,
                 found: Identified) -> None:
        """Join the cluster of an earlier copy or start one; a new announcement is alerted (after the baseline)."""
        cluster, started = join_or_start(session, LiveClusters.of(self.store), article, text_features,
                                         self.definition.official)
        if not started or self.baseline:
            return
        ids = [r.id for r in found.refs if r.id in found.subjects] + [r.id for r in found.refs if r.id not in found.subjects]
        self._emit(session, "new_article", f"cluster:{cluster.id}", documents=ids, title=article.title,
                   source_id=source.id, article_id=article.id, cluster_id=cluster.id,
                   payload={"url": article.url,
                            "published_at": article.published_at.isoformat() if article.published_at else None})

    def _changed(self, session: Session, source: Source, article: Article, previous: Version,
                 version: Version, found: Identified) -> None:
        old = f"{previous.title}\n{previous.lead}\n{previous.text}"
        new = f"{version.title}\n{version.lead}\n{version.text}"
        if self.baseline or not is_significant(old, new):
            return
        session.flush()  # the version's id names the event
        self._emit(session, "article_changed", f"version:{version.id}", documents=found.ids(),
                   title=f"Bài đã bị sửa: {article.title}", source_id=source.id, article_id=article.id,
                   payload={"url": article.url, "diff": word_diff(old, new), "seq": version.seq})

    def finish(self, status: str | None = None, message: str = "") -> str:
        """Record the run's outcome; the first completed pass of a source becomes its baseline. A source
        that fails FAILING_RUNS times in a row is broken (one alert), and recovered (one alert) when a run
        succeeds again."""
        status = status or self.tally.status()
        message = message or self._first_error()
        write(self.engine, lambda session: self._finish(session, status, message))
        return status

    def _first_error(self) -> str:
        failed = [p for p in self.tally.problems if p["kind"] == "ingest_error"]
        return f"{len(failed)} item(s) not stored; first: {failed[0]['url']}: {failed[0]['detail']}" if failed else ""

    def _finish(self, session: Session, status: str, message: str) -> None:
        source = self._source(session)
        source.last_run_at, source.last_status = utcnow(), status
        if status in ("ok", "broken") and source.baseline_at is None:
            source.baseline_at = utcnow()
        run = session.get(CrawlRun, self.run_id)
        if run is not None:
            repo.finish_run(session, run, status, message, pages=self.tally.lists + self.tally.articles,
                            articles_new=self.tally.articles_new, versions_new=self.tally.versions_new,
                            problems=len(self.tally.problems))
        self._health(session, source, status)
        session.add(source)

    def _health(self, session: Session, source: Source, status: str) -> None:
        if status == "ok" and source.broken_since is not None:
            self._emit(session, "source_recovered", f"recovered:{source.name}:{source.broken_since.isoformat()}",
                       title=f"{source.title or source.name}: đã hoạt động trở lại", source_id=source.id, payload={})
            source.broken_since = None
            return
        if status not in FAILING or source.broken_since is not None:
            return
        runs = repo.recent_runs(session, source.id, FAILING_RUNS)
        if len(runs) == FAILING_RUNS and all(r.status in FAILING for r in runs):
            source.broken_since = utcnow()
            self._emit(session, "source_broken", f"broken:{source.name}:{source.broken_since.isoformat()}",
                       title=f"{source.title or source.name}: {FAILING_RUNS} lần thu thập liên tiếp thất bại ({status})",
                       source_id=source.id, payload={"detail": runs[0].message or status})
