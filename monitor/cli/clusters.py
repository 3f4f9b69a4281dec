"""`govmon dedupe --jsonl` (batch repost clustering for evaluations and archives) and `govmon clusters show
ID` (the copies of one announcement in the store, canonical copy first)."""
from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Annotated, Any

import typer
from rich.table import Table

from govmon.crawler.sources import load_sources
from govmon.monitor.analysis.dedupe import cluster_lines
from govmon.monitor.cli.backend import open_store
from govmon.monitor.cli.common import JSON_HELP, fail, load, out, print_json
from govmon.monitor.present.records import cluster_record
from govmon.storage import repository as repo
from govmon.storage.db import session_scope
from govmon.storage.models import RepostCluster

__all__ = ["dedupe", "clusters_app"]

clusters_app = typer.Typer(help="Repost clusters: the copies of one announcement across sites.", no_args_is_help=True)


def _rows(problems: list[str]) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            if "id" not in row:
                raise KeyError("id")
        except (ValueError, KeyError) as exc:
            problems.append(f"line {number}: {exc}")
            continue
        yield row


def dedupe(jsonl: Annotated[bool, typer.Option("--jsonl", help='{"id","url","source","title","text","published_at"} lines on stdin.')] = False,
           workers: Annotated[int, typer.Option(help="Processes computing signatures.")] = 2) -> None:
    """Cluster reposts: writes {"id", "cluster", "canonical"} per input line (after reading them all)."""
    if not jsonl:
        raise fail("give --jsonl and lines on stdin")
    official = frozenset(s.name for s in load_sources(*load().source_dirs).values() if s.official)
    problems: list[str] = []
    for line in cluster_lines(_rows(problems), official, workers=max(1, workers)):
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
    if problems:
        raise fail(f"{len(problems)} input line(s) skipped: {problems[0]}", code=1)


@clusters_app.command("show")
def clusters_show(cluster_id: Annotated[int, typer.Argument(help="A cluster id (from `govmon events --json` or the store).")],
                  as_json: Annotated[bool, typer.Option("--json", help=f"{JSON_HELP} An object: id, canonical, "
                                                        "created_at, articles.")] = False) -> None:
    """The copies of one announcement: canonical first, then by publication time."""
    engine = open_store()
    with session_scope(engine) as session:
        cluster = session.get(RepostCluster, cluster_id)
        if cluster is None:
            raise fail(f"no cluster {cluster_id}")
        members = repo.cluster_members(session, cluster_id)
        documents = {a.id: [doc for doc, _ in repo.article_documents(session, a.id)] for a, _ in members if a.id}
        record = cluster_record(cluster, members, documents)
    if as_json:
        print_json(record)
        return
    table = Table(title=f"cluster {cluster_id}: {len(record['articles'])} copies")
    for column in ("", "published", "source", "title", "url"):
        table.add_column(column, overflow="fold")
    for copy in record["articles"]:
        table.add_row("canonical" if copy["canonical"] else "", (copy["published_at"] or "")[:16],
                      copy["source"], copy["title"], copy["url"])
    out.print(table)
