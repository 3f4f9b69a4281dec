"""`govmon docs list|show|verify`: the document registry in a terminal — what govmon has seen, and for one
document its status today (in force, partly amended, replaced, repealed, not yet in force: by what, from
when, and whether vbpl.vn or only announcements say so), its timeline, the announcements about it, and what
amends, replaces or implements what. `verify` asks vbpl.vn, the Ministry of Justice's national database,
through the guarded fetch path of `govmon sources check` (crawler.safefetch)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, replace
from typing import Annotated, Any, Optional

import typer
from rich.table import Table
from rich.tree import Tree

from govmon.crawler.extract.dates import local_iso
from govmon.crawler.extract.rules import ListRule
from govmon.crawler.extract.vbpl import VbplSite
from govmon.crawler.netguard import Policy
from govmon.crawler.safefetch import SafeFetcher
from govmon.crawler.sources import Source as SourceDef
from govmon.monitor.analysis.documents import RELATION_VI
from govmon.monitor.analysis.keys import fold, words_key
from govmon.monitor.cli.backend import open_store
from govmon.monitor.cli.common import JSON_HELP, fail, load, out, parse_day, print_json
from govmon.monitor.config import Config
from govmon.monitor.pipeline.registry import Carried, DocumentReport, lookup, report
from govmon.monitor.present.records import canonical_id, document_record, document_report_record
from govmon.monitor.present.status import (
    BOTH,
    STATUS_EN,
    VBPL,
    Cause,
    Status,
    statement_record,
    status_for,
    status_record,
)
from govmon.monitor.service.runner import crawl_settings
from govmon.monitor.service.verify import Verified, load_site, verify
from govmon.storage import repository as repo
from govmon.storage.db import session_scope
from govmon.storage.models import DocumentStatus

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


def _cause_line(cause: Cause) -> str:
    """"← 71/NQ-CP sửa đổi, ban hành 2025-04-01": what acted on the document, and from when."""
    when = f", {'có hiệu lực từ' if cause.effective else 'ban hành'} {cause.on}" if cause.on else ""
    verb = RELATION_VI.get(cause.rel, "chấm dứt hiệu lực" if cause.rel == "ends" else cause.rel)
    return f"← {canonical_id(cause.document)} {verb}{when}"


def _render_status(status: Status, statements: list[DocumentStatus]) -> None:
    """The status line, what made it so, vbpl.vn's statement, a disagreement, and the dates announced."""
    since = f" từ {status.since}" if status.since else ""
    basis = {VBPL: "theo vbpl.vn", BOTH: "theo vbpl.vn; sửa đổi theo các thông báo"}.get(status.basis,
                                                                                      "suy ra từ các thông báo")
    out.print(f"  [bold]status: {status.label}[/] ({STATUS_EN[status.state]}){since}  [dim]{basis}[/]", highlight=False)
    for cause in status.causes:
        out.print(f"    {_cause_line(cause)}", highlight=False)
    if status.coming:
        out.print(f"    sắp tới: {STATUS_EN[status.coming]} (the acting document takes effect later)", highlight=False)
    if status.stated is not None:
        stated = status.stated
        out.print(f"  vbpl.vn: {stated.stated or stated.state} (checked {(stated.checked_at or '')[:16]}) {stated.url}",
                  highlight=False)
    if status.disagreement:
        out.print(f"  [yellow]disagreement:[/] {status.disagreement}", highlight=False)
    for row in statements:
        if row.source != VBPL:
            said = f"effective {row.effective_on}" if row.effective_on else f"expires {row.expires_on}"
            out.print(f"  announced: {said} [dim]“{row.evidence[:160]}” {row.url}[/]", highlight=False)


def _render(result: DocumentReport, status: Status, statements: list[DocumentStatus]) -> None:
    d = result.document
    state = "resolved" if d.resolved else "unresolved (sign without year/issuer context)"
    out.print(f"[bold]{d.key}[/] {d.type} {d.issuer}".rstrip() + f"  [dim]{state}[/]", highlight=False)
    if d.title:
        out.print(f"  {d.title}", highlight=False)
    first = result.about[0] if result.about else (result.cited_by[0] if result.cited_by else None)
    out.print(f"  issued: {d.issued_on or '—'}   effective: {d.effective_on or '—'}   first seen: "
              f"{(local_iso(d.first_seen_at) or '')[:16]}" + (f" on {first.source}" if first else ""), highlight=False)
    _render_status(status, statements)
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
        shown = [(r, *status_for(session, r)) for r in reports]
        if as_json:
            print_json([_with_status(r, status, rows) for r, status, rows in shown])
            return
        for r, status, rows in shown:
            _render(r, status, rows)


def _with_status(result: DocumentReport, status: Status, rows: list[DocumentStatus]) -> dict[str, Any]:
    record = document_report_record(result)
    record["document"]["status"] = status_record(status, canonical_id)
    record["statements"] = [statement_record(row) for row in rows]
    return record


def _fetcher(config: Config, site: VbplSite) -> tuple[SafeFetcher, VbplSite]:
    """The guarded fetcher of `govmon sources check`, for vbpl.vn: the crawl's host map, allowances, static
    DNS answers, User-Agent and the site's TLS choice; and the site with the delay the configuration sets."""
    definition = SourceDef(site.name, site.title, "registry", site.hosts, (), ListRule.from_dict({}), None,
                           download_delay=site.download_delay, tls_verify=site.tls_verify)
    settings = crawl_settings(config, definition)
    host_map = dict(settings.get("GOVMON_HOST_MAP") or {})
    policy = Policy.from_settings(host_map, settings.get("GOVMON_ALLOW_PRIVATE") or [])
    fetcher = SafeFetcher(host_map, policy, dict(settings.get("GOVMON_RESOLVE") or {}),
                          str(settings.get("USER_AGENT", "govmon/0.1")), site.tls_verify)
    return fetcher, replace(site, download_delay=float(settings.get("DOWNLOAD_DELAY", site.download_delay)))


@docs_app.command("verify")
def docs_verify(documents: Annotated[Optional[list[str]], typer.Argument(
                    help="Document ids (default: the documents vbpl.vn was asked about least recently).")] = None,
                limit: Annotated[int, typer.Option(help="How many documents when no id is given.", min=1)] = 20,
                as_json: Annotated[bool, typer.Option("--json", help=f"{JSON_HELP} A list of results (document, "
                                                      "outcome, state, stated, new, url, message).")] = False) -> None:
    """Ask vbpl.vn, the Ministry of Justice's national legal database, what it states of documents govmon knows.

    Their status (Tình trạng hiệu lực), dates and what amends, replaces or ends them. Exit 1 if a lookup failed."""
    config, engine = load(), open_store()
    try:
        fetcher, site = _fetcher(config, load_site())
    except ValueError as exc:
        raise fail(str(exc)) from exc
    results = verify(engine, config, site, fetcher.page, documents or (), limit)
    if as_json:
        print_json([asdict(r) for r in results])
    else:
        out.print(_verified_table(results))
    if any(r.outcome == "failed" for r in results):
        raise fail(f"{sum(r.outcome == 'failed' for r in results)} lookup(s) failed", code=1)


def _verified_table(results: list[Verified]) -> Table:
    table = Table(title=f"vbpl.vn: {len(results)} documents")
    for column in ("document", "outcome", "vbpl.vn says", "new", "page / problem"):
        table.add_column(column, overflow="fold")
    for r in results:
        table.add_row(r.document, r.outcome, r.stated or r.state, "yes" if r.new else "", r.url or r.message)
    return table
