"""What the CLI prints: per-source crawl reports, source lists, version histories (rich tables).

Times are stored in UTC and shown in Asia/Ho_Chi_Minh (version histories are drawn from `monitor.present`
records, whose times are already local).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from govmon.crawler.sources import Source as SourceDef
from govmon.monitor.service.runner import CrawlReport

__all__ = ["report_table", "sources_table", "versions_table", "STATUS_HELP"]

STATUS_HELP = {
    "ok": "crawled",
    "unreachable": "could not reach the site (network, DNS, HTTP errors)",
    "broken": "the site's layout no longer matches its definition",
    "failed": "the crawl failed, or items of it could not be stored (see govmon events: item_failed)",
    "interrupted": "stopped before the end",
    "busy": "another govmon process was crawling it; not crawled again",
    "killed": "its process ended without finishing (killed, or its host went down)",
}
_STYLE = {"ok": "green", "broken": "red", "unreachable": "yellow", "failed": "red", "interrupted": "yellow",
          "busy": "yellow", "killed": "red"}


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _first_problem(report: CrawlReport) -> str:
    if report.message:
        return _cut(report.message.splitlines()[-1], 160)
    problems = report.tally.problems
    if not problems:
        return ""
    first = problems[0]
    more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
    return _cut(f"{first['detail'] or first['kind']} ({first['url']})", 160) + more


_COUNTS = ("lists", "pages", "new", "versions", "errors")


def report_table(reports: Sequence[CrawlReport], title: str = "Crawl report") -> Table:
    """One line per source; the problems are listed under the table (`print_report`)."""
    table = Table(title=title)
    table.add_column("source", no_wrap=True, min_width=11)
    table.add_column("status", no_wrap=True, min_width=11)
    for column in _COUNTS:
        table.add_column(column, justify="right", no_wrap=True, min_width=len(column))
    for r in reports:
        style = _STYLE.get(r.status, "")
        table.add_row(r.source, f"[{style}]{r.status}[/]", str(r.tally.lists), str(r.tally.articles),
                      str(r.tally.articles_new), str(r.tally.versions_new), str(len(r.tally.problems)))
    return table


def sources_table(sources: Sequence[SourceDef]) -> Table:
    table = Table(title=f"{len(sources)} sources")
    for column in ("name", "title", "kind", "official", "legacy", "tls", "hosts"):
        table.add_column(column)
    for s in sources:
        table.add_row(s.name, s.title, s.kind, "yes" if s.official else "", "legacy" if s.legacy else "",
                      "verified" if s.tls_verify else "[yellow]not verified[/]", ", ".join(s.hosts))
    return table


def versions_table(url: str, versions: Sequence[dict[str, Any]]) -> Table:
    """An article's versions (`present.records.version_record`), numbered in time order (fetch or capture
    time), the numbers `govmon diff` takes."""
    table = Table(title=url)
    for column in ("#", "fetched (Asia/Ho_Chi_Minh)", "hash", "title", "words"):
        table.add_column(column)
    for v in versions:
        table.add_row(str(v["number"]), v["fetched_at"] or "", v["hash"][:12], v["title"][:70], str(v["words"]))
    return table


def print_report(console: Console, reports: Sequence[CrawlReport], title: str) -> None:
    console.print(report_table(reports, title))
    for r in reports:
        if r.status != "ok" or r.tally.problems:
            console.print(f"  [bold]{r.source}[/] {r.status}: {_first_problem(r)}", highlight=False)
        for asked, final in r.tally.redirects[:3]:
            console.print(f"  [bold]{r.source}[/] moved: {asked} → {final}", highlight=False, soft_wrap=True)
