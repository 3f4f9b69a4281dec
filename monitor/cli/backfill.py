"""`govmon backfill SOURCE... --since DATE [--until DATE]`: walk each source's archive (list pages and
their next pages, as far back as the date), store what was published in the window, quietly.

Resumable: the store is the source of truth — a re-run fetches only the articles it does not have, so it
never duplicates an article or a version — and a checkpoint (`monitor.service.walks`) lets a re-run of the same
window continue at the list page where the last one stopped (Ctrl-C, --max-pages, a failure) instead of
walking again from the top. Polite: the sources' own politeness settings (the daemon's), never more
aggressive. Ctrl-C stops it; what was stored stays.

With `--queue redis://host:6379/0` the walk is spread instead: its start requests go into a shared Redis
queue (`monitor.service.distributed`) and the command returns at once, printing how to follow it; `govmon
worker --queue …` processes on any number of machines fetch, extract and store the pages into the shared
store, each page once, one connection and the source's delay per host across all of them. The queue is then
the checkpoint: a stopped or killed worker's pages go back to it.
"""
from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from time import monotonic as time_now
from typing import Annotated, Any, Optional

import typer
from rich.progress import (
    BarColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from govmon.monitor.alerts.dispatch import dispatch
from govmon.monitor.cli.backend import chosen_sources, open_store
from govmon.monitor.cli.common import err, fail, load, out, parse_day, print_json
from govmon.monitor.cli.worker import PREFIX_HELP, QUEUE_HELP, connect
from govmon.monitor.pipeline.ingest import Tally
from govmon.monitor.service.distributed import DEFAULT_PREFIX, Job, QueueError
from govmon.monitor.service.runner import (
    CLAIM_WAIT,
    CrawlReport,
    Walk,
    crawl_settings,
    crawl_source,
    walk_checkpoint,
)

__all__ = ["backfill"]


@dataclass
class Summary:
    source: str
    status: str
    pages: int
    new: int
    known: int
    outside: int
    documents: int
    errors: int
    resume_at: list[int]  # list pages the next run of this window continues at (empty: the walk is complete)


def _summary(report: CrawlReport, resume_at: list[int]) -> Summary:
    t = report.tally
    return Summary(report.source, report.status, t.lists, t.articles_new, t.known, t.outside, t.documents,
                   len(t.problems), resume_at)


def _table(rows: list[Summary]) -> Table:
    table = Table(title="Backfill")
    for column in ("source", "status", "list pages", "new", "known", "outside dates", "documents", "errors"):
        table.add_column(column, justify="left" if column in ("source", "status") else "right")
    for r in rows:
        table.add_row(r.source, r.status, *(str(v) for v in (r.pages, r.new, r.known, r.outside, r.documents, r.errors)))
    return table


def _progress_line(tally: Tally) -> str:
    return (f"pages {tally.lists}  new {tally.articles_new}  known {tally.known}  "
            f"docs {tally.documents}  errors {len(tally.problems)}")


def _resume_pages(engine: Any, name: str, walk: Walk) -> list[int]:
    return sorted(point["page"] for point in walk_checkpoint(engine, name, walk).points.values())


def _resuming(engine: Any, name: str, walk: Walk) -> str:
    """The source's name, and the list pages an earlier interrupted walk of this window resumes at."""
    pages = _resume_pages(engine, name, walk)
    return f"{name} (resuming at list page {', '.join(map(str, pages))})" if pages else name


def backfill(sources: Annotated[list[str], typer.Argument(help="Source names, see `govmon sources list`.")],
             since: Annotated[str, typer.Option(help="Oldest publication date to keep (YYYY-MM-DD).")],
             until: Annotated[Optional[str], typer.Option(help="Newest publication date to keep.")] = None,
             max_pages: Annotated[int, typer.Option(help="List pages per source at most.")] = 50,
             notify: Annotated[bool, typer.Option(help="Alert on what is found (default: a quiet baseline).")] = False,
             quiet: Annotated[bool, typer.Option(help="No progress display.")] = False,
             as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
             queue: Annotated[Optional[str], typer.Option("--queue", help=f"{QUEUE_HELP} Queue the walk there for "
                                                          "`govmon worker` processes and return at once.")] = None,
             prefix: Annotated[str, typer.Option(help=PREFIX_HELP)] = DEFAULT_PREFIX) -> None:
    """Walk the sources' archives back to --since and store what was published in the window."""
    config = load()
    chosen = chosen_sources(config, sources)
    start, end = parse_day(since), parse_day(until, end=True)
    if queue:
        _enqueue(queue, prefix, chosen, Job("", start.isoformat() if start else "", end.isoformat() if end else "",
                                            max_pages, notify), as_json)
        return
    engine = open_store()
    if not quiet and not as_json:
        delays = sorted({crawl_settings(config, s)["DOWNLOAD_DELAY"] for s in chosen})
        spread = f"{delays[0]}" if delays[0] == delays[-1] else f"{delays[0]}–{delays[-1]}"
        err.print(f"polite: robots.txt obeyed, {spread} s between requests per host, as the daemon",
                  highlight=False)
    walk, rows = Walk(start, end, max_pages, notify), []
    try:
        with _ctrl_c() as stopped:
            _run(engine, config, chosen, walk, quiet or as_json, rows, stopped)
    except KeyboardInterrupt:
        _report(rows, as_json, quiet)
        err.print("interrupted: what was stored stays; the same command continues "
                  f"({_where(engine, chosen, walk)})", highlight=False)
        raise typer.Exit(130) from None
    if notify:
        dispatch(engine, config.channels)
    _report(rows, as_json, quiet)
    if any(r.status not in ("ok", "broken") for r in rows):
        raise typer.Exit(1)


def _enqueue(url: str, prefix: str, chosen: list[Any], job: Job, as_json: bool) -> None:
    """Queue the walk of each source for the workers; say how to run them and follow the progress."""
    shared = connect(url, prefix)
    try:
        done = [shared.enqueue(source, replace(job, source=source.name)) for source in chosen]
    except QueueError as exc:
        raise fail(str(exc)) from exc
    if as_json:
        print_json([asdict(d) for d in done])
        return
    for d in done:
        out.print(f"{d.source}: {d.seeded} start request(s) queued" + (" (joined the running backfill)" if d.joined else ""),
                  highlight=False, markup=False)
    where = f"--queue {shared.shown_url}" + (f" --prefix {prefix}" if prefix != DEFAULT_PREFIX else "")
    err.print(f"queued on {shared.where}. Run `govmon worker {where}` on any machine (same store: "
              f"GOVMON_DATABASE_URL); follow with `govmon worker {where} --status`.", highlight=False, markup=False)


def _report(rows: list[Summary], as_json: bool, quiet: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps([asdict(r) for r in rows], ensure_ascii=False) + "\n")
    elif not quiet:
        out.print(_table(rows))
        for row in (r for r in rows if r.resume_at):
            err.print(f"{row.source}: not complete; the same command continues at list page "
                      f"{', '.join(map(str, row.resume_at))}", highlight=False)


def _where(engine: Any, chosen: list[Any], walk: Walk) -> str:
    """Per source, the list pages the next run resumes at ("from the top" without a checkpoint)."""
    parts = [f"{s.name} at list page {', '.join(map(str, pages))}" if (pages := _resume_pages(engine, s.name, walk))
             else f"{s.name} from the top" for s in chosen]
    return "; ".join(parts)


@contextmanager
def _ctrl_c() -> Iterator[threading.Event]:
    """Ctrl-C raises KeyboardInterrupt as usual and is also remembered: one that lands where Python must
    ignore it (a finalizer) still stops the walk at the next item."""
    stopped = threading.Event()

    def interrupt(signum: int, frame: Any) -> None:
        stopped.set()
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, interrupt)
    try:
        yield stopped
    finally:
        signal.signal(signal.SIGINT, previous)


def _run(engine: Any, config: Any, chosen: list[Any], walk: Walk, silent: bool, rows: list[Summary],
         stopped: threading.Event) -> None:
    """Walk each source in turn, appending its summary to `rows` as it finishes."""
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[line]}"),
                  TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn(),
                  console=err, disable=silent) as progress:
        for source in chosen:
            task = progress.add_task(_resuming(engine, source.name, walk), total=walk.max_pages, line="", rate="")
            started = time_now()

            def seen(item: dict[str, Any], tally: Tally, task: Any = task, started: float = started) -> None:
                if stopped.is_set():
                    raise KeyboardInterrupt
                rate = (tally.articles + tally.known) / max(time_now() - started, 1e-3)
                progress.update(task, completed=min(tally.lists, walk.max_pages), line=_progress_line(tally),
                                rate=f"{rate:.1f} articles/s")

            report = crawl_source(engine, config, source, control=None, claim_wait=CLAIM_WAIT,
                                  walk=Walk(walk.since, walk.until, walk.max_pages, walk.notify, seen))
            progress.update(task, completed=walk.max_pages, line=_progress_line(report.tally), rate="done")
            rows.append(_summary(report, _resume_pages(engine, source.name, walk)))
