"""`govmon versions URL` (an article's stored versions, numbered in time order) and `govmon diff URL` (what
changed between two of them, word by word), as tables and text or, with `--json`, as the web API's records."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Optional

import typer
from sqlmodel import Session

from govmon.monitor.analysis.changes import word_diff
from govmon.monitor.cli.backend import open_store
from govmon.monitor.cli.common import JSON_HELP, fail, out, print_json
from govmon.monitor.cli.views import versions_table
from govmon.monitor.present.diffs import DIFF_LIMIT, diff_record, version_text
from govmon.monitor.present.records import article_record, version_record
from govmon.storage import repository as repo
from govmon.storage.db import session_scope
from govmon.storage.models import Article, Source, Version

__all__ = ["versions", "diff"]


def _article(session: Session, url: str) -> Article:
    article = repo.article_by_url(session, url)
    if article is None or article.id is None:
        raise fail(f"no article stored for {url}")
    return article


def versions(url: Annotated[str, typer.Argument(help="The article's URL, as stored.")],
             as_json: Annotated[bool, typer.Option("--json", help=f"{JSON_HELP} An object: article, versions.")] = False,
             text: Annotated[bool, typer.Option("--text", help="With --json: each version's lead, text and author too.")] = False) -> None:
    """The stored versions of one article, numbered in time order (the numbers `govmon diff` takes)."""
    engine = open_store()
    with session_scope(engine) as session:
        article = _article(session, url)
        numbered = [version_record(n, v, text) for n, v in enumerate(repo.versions_of(session, article.id or 0), 1)]
        if not as_json:
            out.print(versions_table(url, numbered))
            return
        source = session.get(Source, article.source_id)
        documents = [doc for doc, _ in repo.article_documents(session, article.id or 0)]
        print_json({"article": article_record(article, source.name if source else "", documents), "versions": numbered})


def _pair(url: str, stored: Sequence[Version], old: int | None, new: int | None) -> tuple[int, int]:
    """The version numbers to compare: --to (default the latest) and --from (default the one before)."""
    if len(stored) < 2:
        raise fail(f"{url} has {len(stored)} stored version(s); nothing to compare")
    last = new or len(stored)
    first = old or last - 1
    if not (1 <= first <= len(stored) and 1 <= last <= len(stored)):
        raise fail(f"versions are numbered 1–{len(stored)}")
    return first, last


_DIFF_JSON = (f"{JSON_HELP} An object: url, from, to (the versions), diff (the inline text printed without --json), "
              "significant, ops (the equal, delete, insert and replace runs, long equal runs foldable).")


def diff(url: Annotated[str, typer.Argument(help="The article's URL, as stored.")],
         old: Annotated[Optional[int], typer.Option("--from", help="Version number (default: the one before --to).")] = None,
         new: Annotated[Optional[int], typer.Option("--to", help="Version number (default: the latest).")] = None,
         as_json: Annotated[bool, typer.Option("--json", help=_DIFF_JSON)] = False) -> None:
    """What changed between two versions of an article (word level).

    Versions are numbered in time order (fetch or capture time), as `govmon versions` lists them."""
    engine = open_store()
    with session_scope(engine) as session:
        article = repo.article_by_url(session, url)
        stored = list(repo.versions_of(session, article.id)) if article and article.id else []
    first, last = _pair(url, stored, old, new)
    a, b = stored[first - 1], stored[last - 1]
    if as_json:
        print_json(diff_record(url, first, a, last, b))
        return
    out.print(f"{url}: version {first} → {last}", highlight=False)
    out.print(word_diff(version_text(a), version_text(b), limit=DIFF_LIMIT), highlight=False)
