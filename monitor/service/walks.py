"""Where a backfill stopped, so the next run with the same window continues there instead of walking every
list page again from the top (a walk of years is hundreds of list pages at the source's polite delay).

The store stays the source of truth. A checkpoint points, for each chain of list pages (one per start
URL), at the first page with a link that was not handled — fetched, found known, or reported as a problem
— so resuming there never skips an article the store lacks; when every walked page was handled, at the
next page the walk did not reach (stopped by `--max-pages`, Ctrl-C or a failure). A chain that ended
has no checkpoint; a walk whose chains all ended deletes its file. Only a chain's own list pages end it:
its last page had no next page, or was past `--since` — which the spider decides per chain, from that
chain's articles (`crawler.spiders.portal`), so one chain past `--since` never ends another. A list page
that gave a problem instead of a list item (too slow, too large, a layout change) is where its chain
resumes. Losing the file costs only the re-walk.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platformdirs import user_cache_dir

__all__ = ["Checkpoint", "walks_dir"]
log = logging.getLogger(__name__)

Point = dict[str, Any]  # {"url", "page", "page_params"}: a list page to request


def walks_dir() -> Path:
    """`GOVMON_WALKS_DIR`, else the user's cache directory (…/govmon/walks)."""
    return Path(os.environ.get("GOVMON_WALKS_DIR") or Path(user_cache_dir("govmon", appauthor=False)) / "walks")


@dataclass
class _ListPage:
    url: str
    page: int
    page_params: dict[str, str] | None
    links: frozenset[str]
    next: Point | None


class Checkpoint:
    """The resume points of one walk (store, source, window), read before the crawl and updated from the
    items it reports."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.points: dict[str, Point] = self._load()
        self._pages: dict[str, list[_ListPage]] = {}
        self._handled: set[str] = set()

    @classmethod
    def for_walk(cls, store: str, source: str, window: tuple[str, str]) -> Checkpoint:
        key = json.dumps([store, source, *window]).encode()
        return cls(walks_dir() / f"{source}-{hashlib.sha256(key).hexdigest()[:16]}.json")

    def _load(self) -> dict[str, Point]:
        try:
            return dict(json.loads(self.path.read_text(encoding="utf-8"))["points"])
        except (OSError, ValueError, KeyError, TypeError):
            return {}  # none yet, or unreadable: walk from the top (the store keeps it correct)

    def observe(self, item: dict[str, Any]) -> None:
        """Note a list page of a chain, or a link handled."""
        if item.get("type") == "list" and item.get("chain"):
            page = _ListPage(item["url"], int(item.get("page") or 1), item.get("page_params"),
                             frozenset(item.get("links", ())), item.get("next"))
            self._pages.setdefault(item["chain"], []).append(page)
        elif item.get("type") in ("article", "known", "problem", "not_modified"):
            self._handled.add(item["url"])
            self._handled.update(item.get("redirected_from") or ())

    def _point(self, pages: list[_ListPage]) -> Point | None:
        for page in sorted(pages, key=lambda p: p.page):
            if page.links - self._handled:
                return {"url": page.url, "page": page.page, "page_params": page.page_params}
        return max(pages, key=lambda p: p.page).next

    def save(self) -> None:
        """Write the points of this run (chains it did not reach keep their old point); none left: delete."""
        for chain, pages in self._pages.items():
            point = self._point(pages)
            if point is None:
                self.points.pop(chain, None)
            else:
                self.points[chain] = point
        try:
            self._write()
        except OSError as exc:  # a cache: without it the next run walks from the top, nothing is lost
            log.warning("walk checkpoint %s not written: %s", self.path, exc)

    def _write(self) -> None:
        if not self.points:
            self.path.unlink(missing_ok=True)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(".tmp")
        partial.write_text(json.dumps({"points": self.points}, ensure_ascii=False), encoding="utf-8")
        partial.replace(self.path)  # atomic: a crash mid-write leaves the old checkpoint
