"""`govmon docs list|show`: the document registry in a terminal — what govmon has seen, and for one
document its timeline, the announcements about it, and what amends, replaces or implements what."""
from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Optional

import typer
from rich.table import Table
from rich.tree import Tree

from govmon.crawler.extract.dates import local_iso
from govmon.monitor.analysis.documents import RELATION_VI
from govmon.monitor.analysis.keys import fold, words_key
from govmon.monitor.cli.common import (
    JSON_HELP,
    fail,
    open_store,
    out,
    parse_day,
    print_json,
)
from govmon.monitor.pipeline.registry import Carried, DocumentReport, lookup, report
from govmon.monitor.present.records import document_record, document_report_record
from govmon.storage import repository as repo
from govmon.storage.db import session_scope

__all__ = ["docs_app"]

docs_app = typer.Typer(help="The document registry: every legal document govmon has seen.", no_args_is_help=True)


@docs_app.command("list")
def docs_list(type_: Annotated[Optional[str], typer.Option("--type", help="Type word, e.g. 'nghị quyết'.")] = None,
              issuer: Annotated[Optional[str], typer.Option(help="Issuer or sign code, e.g. 'CP', 'UBND', 'BTC'.")] = None,
              since: Annotated[Optional[str], typer.Option(help="Issued on or after this date (by the year of the sign when no date is known).")] = None,
              as_json: Annotated[bool, typer.Option("--json", help=f"{JSON_HELP} A list of documents.")] = False) -> None:
    """Documents in the registry, most recently seen first."""
    engine = open_store()
    with session_scope(engine) as session:
        documents = repo.find_documents(session, _or_none(fold, type_), _or_none(_issuer_words, issuer), parse_day(since))
        counts = repo.mention_counts(session, [d.id for d in documents if d.id is not None])
    records = [document_record(d, counts) for d in documents]
    if as_json:
        print_json(records)
        return
    table = Table(title=f"{len(records)} documents")
    for column in ("id", "type", "issued", "first seen", "about", "cites"):
        table.add_column(column)
    for r in records:
        table.add_row(r["key"], r["type"], r["issued_on"] or "", (r["first_seen_at"] or "")[:16], str(r["about"]),
                      str(r["cites"]))
    out.print(table)


def _or_none(convert: Callable[[str], str], value: str | None) -> str | None:
    return convert(value) if value is not None else None


def _issuer_words(text: str) -> str:
    """The words an issuer name or sign code starts with, as the registry keeps them (" nd", " uy ban")."""
    return words_key(text).rstrip()


def _carried_table(title: str, rows: list[Carried]) -> Table:
    table = Table(title=title, title_justify="left")
    for column in ("published", "source", "title", "url"):
        table.add_column(column, overflow="fold")
    for c in rows:
        table.add_row((local_iso(c.published or c.seen) or "")[:16], c.source, c.title, c.url)
    return table


def _render(result: DocumentReport) -> None:
    d = result.document
    state = "resolved" if d.resolved else "unresolved (sign without year/issuer context)"
    out.print(f"[bold]{d.key}[/] {d.type} {d.issuer}".rstrip() + f"  [dim]{state}[/]", highlight=False)
    if d.title:
        out.print(f"  {d.title}", highlight=False)
    first = result.about[0] if result.about else (result.cited_by[0] if result.cited_by else None)
    out.print(f"  issued: {d.issued_on or '—'}   effective: {d.effective_on or '—'}   first seen: "
              f"{(local_iso(d.first_seen_at) or '')[:16]}" + (f" on {first.source}" if first else ""), highlight=False)
    if result.about:
        out.print(_carried_table(f"announcements about it ({len(result.about)})", result.about))
    if result.cited_by:
        out.print(_carried_table(f"cited by ({len(result.cited_by)})", result.cited_by))
    tree = Tree("relations" if result.edges else "relations: none known")
    for e in result.edges:
        node = tree.add(f"[bold]{e.source}[/] ─{RELATION_VI.get(e.rel, e.rel)}→ [bold]{e.target}[/]")
        if e.evidence:
            node.add(f"[dim]“{e.evidence[:200]}”[/]")
    out.print(tree)


@docs_app.command("show")
def docs_show(document: Annotated[str, typer.Argument(help="A document id, e.g. 71/NQ-CP or 13/2023/NĐ-CP.")],
              as_json: Annotated[bool, typer.Option("--json", help=f"{JSON_HELP} A list of reports (document, about, "
                                                    "cited_by, relations): an id without a year may name several "
                                                    "documents.")] = False) -> None:
    """One document: timeline, every source that carried it, and its relations in both directions."""
    engine = open_store()
    with session_scope(engine) as session:
        found = lookup(session, document)
        if not found:
            raise fail(f"no document {document!r} in the registry; see `govmon docs list`")
        reports = [report(session, d) for d in found]
        if as_json:
            print_json([document_report_record(r) for r in reports])
            return
        for r in reports:
            _render(r)
