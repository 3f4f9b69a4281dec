"""`govmon extract`: one saved page (or a batch of them) through the extraction pipeline, as JSON.

The page's source is found from the URL's host; its selectors are used when they match, the generic
extractor otherwise (and for unknown hosts). The batch form (`--jsonl`) reads ``{"path", "url"}`` lines on
stdin and writes one object per line with `path` added; a line that cannot be extracted gets an `error`
field instead of stopping the batch.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from govmon.crawler.extract.page import extract_page
from govmon.crawler.extract.types import NotContent
from govmon.crawler.sources import Source, SourceError, load_sources, source_for_url
from govmon.monitor.cli.common import fail, load

__all__ = ["extract", "page_json"]

FIELDS = ("url", "canonical_url", "source", "lang", "title", "lead", "published_at", "modified_at", "author",
          "text", "attachments", "category", "doc_refs", "partial_refs", "relations", "extractor")


def page_json(body: bytes, url: str, sources: dict[str, Source]) -> dict[str, Any]:
    """The JSON object `govmon extract` prints for one page (NotContent propagates)."""
    source = source_for_url(sources, url)
    rule = source.article if source else None
    done = extract_page(body, url, rule, source.name if source else "", source.lang if source else "vi")
    data = done.article.to_json()
    if done.mismatch is not None:
        data["layout_problem"] = str(done.mismatch)
    return {k: data[k] for k in (*FIELDS, "layout_problem") if k in data}


def _sources() -> dict[str, Source]:
    try:
        return load_sources(*load().source_dirs)
    except SourceError as exc:
        raise fail(str(exc)) from exc


def _one(path: Path, url: str, sources: dict[str, Source]) -> dict[str, Any]:
    try:
        return page_json(path.read_bytes(), url, sources)
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc.strerror or exc}") from exc
    except NotContent as exc:
        raise fail(f"{path}: not an article ({exc})") from exc


def _batch_line(line: str, sources: dict[str, Source]) -> dict[str, Any]:
    try:
        request = json.loads(line)
        path, url = str(request["path"]), str(request["url"])
    except (ValueError, KeyError, TypeError) as exc:
        return {"path": None, "url": None, "error": f"bad input line: {exc}"}
    try:
        return {"path": path, **page_json(Path(path).read_bytes(), url, sources)}
    except OSError as exc:
        return {"path": path, "url": url, "error": f"cannot read: {exc.strerror or exc}"}
    except NotContent as exc:
        return {"path": path, "url": url, "error": f"not an article: {exc}"}


def extract(path: Annotated[Optional[Path], typer.Argument(help="A saved HTML page.")] = None,
            url: Annotated[Optional[str], typer.Option(help="The page's URL (chooses the source's selectors).")] = None,
            jsonl: Annotated[bool, typer.Option("--jsonl", help='Batch: {"path", "url"} lines on stdin.')] = False) -> None:
    """Extract one saved page (title, lead, dates, author, text, attachments, documents) as JSON."""
    sources = _sources()
    if jsonl:
        for line in sys.stdin:
            if line.strip():
                sys.stdout.write(json.dumps(_batch_line(line, sources), ensure_ascii=False) + "\n")
        return
    if path is None or not url:
        raise fail("give a PATH and --url URL, or --jsonl with lines on stdin")
    sys.stdout.write(json.dumps(_one(path, url, sources), ensure_ascii=False, indent=2) + "\n")
