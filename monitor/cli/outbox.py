"""`govmon outbox list|retry` (the deliveries of alerts: sent, waiting to retry, given up) and `govmon notify
test CHANNEL` (one test message through a configured channel, to check its URL and credentials)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Optional

import typer
from rich.table import Table

from govmon.crawler.extract.dates import local_iso
from govmon.monitor.alerts.dispatch import channel_problems, dispatch
from govmon.monitor.cli.backend import open_store
from govmon.monitor.cli.common import JSON_HELP, fail, load, out, print_json
from govmon.monitor.present.records import delivery_record
from govmon.notifiers import build
from govmon.notifiers.base import Message, NotifierError
from govmon.storage import repository as repo
from govmon.storage.db import session_scope
from govmon.storage.models import Delivery, utcnow

__all__ = ["outbox_app", "notify_app"]

outbox_app = typer.Typer(help="The outbox: every alert × channel, and whether it was delivered.", no_args_is_help=True)
notify_app = typer.Typer(help="Channels.", no_args_is_help=True)


@outbox_app.command("list")
def outbox_list(status: Annotated[Optional[str], typer.Option(help="pending, sending, sent or dead.")] = None,
                as_json: Annotated[bool, typer.Option("--json", help=f"{JSON_HELP} A list of deliveries.")] = False) -> None:
    """Deliveries, newest first, with their attempts and last error.

    A pending delivery whose channel is not in the configuration (channel_missing) or cannot be built
    (channel_unusable) says so: it waits for its channel and holds back no other."""
    engine, config = open_store(), load()
    with session_scope(engine) as session:
        rows = repo.deliveries(session, status)
        events = repo.events_by_ids(session, (d.event_id for d in rows))
    problems = channel_problems(config.channels, sorted({d.channel for d in rows}))
    records = [delivery_record(d, events.get(d.event_id), problems.get(d.channel, "")) for d in rows]
    if as_json:
        print_json(records)
        return
    out.print(_outbox_table(rows, records))


def _outbox_table(rows: Sequence[Delivery], records: list[dict[str, Any]]) -> Table:
    table = Table(title="Outbox")
    for column in ("#", "event", "channel", "status", "attempts", "next try / sent", "last error"):
        table.add_column(column, overflow="fold")
    for d, r in zip(rows, records):
        state = f"{r['status']} ({r['problem']})" if r["problem"] else r["status"]
        table.add_row(str(r["id"]), f"{r['kind'] or '?'} #{r['event']}", r["channel"], state, str(r["attempts"]),
                      (local_iso(_when(d)) or "")[:16], r["last_error"][:120])
    return table


def _when(delivery: Delivery) -> datetime | None:
    return {"sent": delivery.sent_at, "sending": delivery.lease_until}.get(delivery.status, delivery.next_attempt_at)


@outbox_app.command("retry")
def outbox_retry(channel: Annotated[Optional[str], typer.Option(help="Only this channel.")] = None) -> None:
    """Make given-up and waiting deliveries due now, and send what can be sent."""
    config = load()
    engine = open_store()
    with session_scope(engine) as session:
        count = repo.retry_deliveries(session, utcnow(), channel)
    sent = dispatch(engine, config.channels)
    out.print(f"{count} deliveries made due; {sent.sent} delivered, {sent.retrying} to retry, {sent.dead} given up")
    if sent.retrying or sent.dead:
        raise fail("some deliveries failed again: see `govmon outbox list`", code=1)


@notify_app.command("test")
def notify_test(channel: Annotated[str, typer.Argument(help="A channel name from the configuration.")]) -> None:
    """Send one test message through a configured channel."""
    config = load()
    chosen = next((c for c in config.channels if c.name == channel), None)
    if chosen is None:
        raise fail(f"no channel {channel!r}; configured: {', '.join(c.name for c in config.channels)}")
    try:
        notifier = build(chosen.resolved_url())
        notifier.send(Message("new_document", "govmon: thử kênh thông báo / channel test",
                              f"Kênh '{channel}' hoạt động. This channel works.", key=f"govmon-test-{channel}"))
    except (ValueError, NotifierError) as exc:
        raise fail(f"channel {channel!r} ({chosen.display()}): {exc}") from exc
    out.print(f"sent a test message to {chosen.display()}", highlight=False)
