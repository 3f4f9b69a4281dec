"""`govmon import-warc FILE...` (web archives into the store, at their capture times) and `govmon export`
(articles as JSON lines or CSV: url, source, title, published_at, documents, cluster, versions)."""
from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from time import monotonic as time_now
from typing import Annotated, Optional

import typer
from rich.progress import (
    BarColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from govmon.crawler.sources import SourceError, load_sources
from govmon.monitor.alerts.dispatch import dispatch
from govmon.monitor.cli.backend import chosen_sources, open_store
from govmon.monitor.cli.common import err, fail, load, out, parse_day
from govmon.monitor.pipeline.archive import Imported, import_warc
from govmon.monitor.pipeline.export import export_articles, write_csv
from govmon.monitor.service.runner import CLAIM_WAIT, crawl_source

__all__ = ["import_warc_command", "export", "record"]


def import_warc_command(files: Annotated[list[Path], typer.Argument(help="WARC files (.warc or .warc.gz).")],
                        notify: Annotated[bool, typer.Option(help="Alert on what is new (default: a quiet baseline).")] = False,
                        workers: Annotated[Optional[int], typer.Option(help="Extraction processes (default: one per core, at most four; 0: none).", min=0)] = None,
                        quiet: Annotated[bool, typer.Option(help="No progress display.")] = False,
                        as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False) -> None:
    """Ingest web-archive captures through extraction, documents, dedup and versions (capture time = version time)."""
    config = load()
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise fail(f"no such file: {', '.join(missing)}")
    try:
        sources = load_sources(*config.source_dirs)
    except SourceError as exc:
        raise fail(str(exc)) from exc
    engine = open_store()
    seen = Imported()
    try:
        with _import_progress(sum(f.stat().st_size for f in files), quiet or as_json, seen) as shown:
            done = import_warc(engine, files, sources, config.channels, notify=notify, workers=workers, progress=shown)
    except KeyboardInterrupt:
        err.print(f"interrupted after {seen.records} captures: every committed batch stays; the same command "
                  "imports only what is missing", highlight=False)
        raise typer.Exit(130) from None
    if as_json:
        summary = {k: v for k, v in asdict(done).items() if k != "bytes_read"}
        sys.stdout.write(json.dumps(summary, ensure_ascii=False) + "\n")
    elif not quiet:
        out.print(f"{done.records} HTML captures, {done.pages} imported, {done.versions_new} new versions, "
                  f"{done.skipped} not articles, {done.unreadable} unreadable records, {done.files} attached files",
                  highlight=False)
    if notify:
        dispatch(engine, config.channels)


@contextmanager
def _import_progress(total: int, silent: bool, seen: Imported) -> Iterator[Callable[[Imported], None]]:
    """A progress bar over the WARC bytes, with captures, imports and pages/s, on stderr; `seen` keeps the
    counts of the last batch shown."""
    columns = (TextColumn("import"), BarColumn(), TextColumn("{task.fields[line]}"), TimeElapsedColumn(),
               TextColumn("left"), TimeRemainingColumn())
    with Progress(*columns, console=err, disable=silent) as progress:
        task, started = progress.add_task("import", total=total, line=""), time_now()

        def shown(done: Imported) -> None:
            seen.records = done.records
            rate = done.records / max(time_now() - started, 1e-3)
            line = (f"captures {done.records}  imported {done.pages}  new versions {done.versions_new}  "
                    f"not articles {done.skipped}  unreadable {done.unreadable}  {rate:.0f}/s")
            progress.update(task, completed=done.bytes_read, line=line)

        yield shown


def export(fmt: Annotated[str, typer.Option("--format", help="jsonl or csv.")] = "jsonl",
           since: Annotated[Optional[str], typer.Option(help="Published (or first seen) on or after this date.")] = None,
           source: Annotated[Optional[str], typer.Option(help="Only this source.")] = None,
           doc_type: Annotated[Optional[str], typer.Option("--type", help="Only articles naming a document of this type.")] = None) -> None:
    """Stream the stored articles, one per line (fields documented in the README)."""
    if fmt not in ("jsonl", "csv"):
        raise fail("--format is jsonl or csv")
    rows = export_articles(open_store(), parse_day(since), source, doc_type)
    if fmt == "csv":
        write_csv(rows, sys.stdout)
        return
    for row in rows:
        sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")


def record(sources: Annotated[list[str], typer.Argument(help="Source names.")],
           warc: Annotated[Path, typer.Option("--warc", help="The WARC file to append to (gzip members).")]) -> None:
    """Crawl the sources now, store as usual, and append every response to a WARC file.

    The WARC file is evidence of what the pages said today; `govmon import-warc` reads it back."""
    config = load()
    chosen = chosen_sources(config, sources)
    engine = open_store()
    extra = {"GOVMON_WARC_PATH": str(warc.resolve())}
    reports = [crawl_source(engine, config, source, extra, claim_wait=CLAIM_WAIT) for source in chosen]
    dispatch(engine, config.channels)
    out.print(f"{warc}: {', '.join(f'{r.source} {r.status}' for r in reports)}", highlight=False)
    if any(r.status != "ok" for r in reports):
        raise typer.Exit(1)
