"""Deliveries are claimed in the store before they are sent: any number of senders, in threads or processes,
send each alert once; a dead sender's claim expires; a missing channel holds back no other."""
from __future__ import annotations

import json
import math
import subprocess
import sys
import threading
from collections import Counter
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from govmon.monitor.alerts import dispatch as outbox
from govmon.monitor.alerts.dispatch import LEASE, dispatch
from govmon.monitor.cli.main import app
from govmon.monitor.config import Channel
from govmon.notifiers import TransientError
from govmon.storage import repository as repo
from govmon.storage.db import session_scope
from govmon.storage.models import utcnow
from tests_support import pending_alerts


def _titles(receiver) -> Counter:
    return Counter(json.loads(r.body)["title"] for r in receiver.requests)


def test_eight_threads_send_each_alert_once(engine, http_receiver):
    http_receiver.delay = 0.05
    channels = tuple(Channel(f"c{n}", http_receiver.url(f"/c{n}")) for n in range(4))
    for n, channel in enumerate(channels):
        pending_alerts(engine, 10, [channel.name], start=n * 10 + 1)
    senders = [threading.Thread(target=dispatch, args=(engine, channels)) for _ in range(8)]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(timeout=120)
    titles = _titles(http_receiver)
    assert len(titles) == 40 and set(titles.values()) == {1}  # lost: 0, duplicates: 0
    with session_scope(engine) as s:
        assert {d.status for d in repo.deliveries(s)} == {"sent"}


RETRY = "from govmon.monitor.cli.main import govmon; govmon()"


def test_four_outbox_retry_processes_against_a_slow_webhook_send_each_alert_once(engine, http_receiver, tmp_path):
    """The issue's reproduction: four `govmon outbox retry` at once, a webhook that takes half a second."""
    http_receiver.delay = 0.5
    config = tmp_path / "govmon.toml"
    config.write_text(f'[channels.hook]\nurl = "{http_receiver.url()}"\n', encoding="utf-8")
    pending_alerts(engine, 4, ["hook"])
    database = engine.url.render_as_string(hide_password=False)
    command = [sys.executable, "-c", RETRY, "--config", str(config), "--database", database, "outbox", "retry"]
    children = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    for child in children:
        assert child.wait(timeout=120) == 0, child.stderr.read() if child.stderr else ""
    titles = _titles(http_receiver)
    assert sorted(titles) == [f"Thông báo {n}" for n in range(1, 5)] and set(titles.values()) == {1}


def test_a_claim_whose_sender_died_is_sent_once_after_its_lease(engine, http_receiver):
    channels = (Channel("hook", http_receiver.url()),)
    pending_alerts(engine, 2, ["hook"])
    with session_scope(engine) as s:  # a sender claimed one, then died (SIGKILL) before sending it
        (claimed,) = repo.claim_deliveries(s, "hook", utcnow(), "elsewhere:1", utcnow() + LEASE, 1)
    assert dispatch(engine, channels).sent == 1  # the other one: the dead sender's claim still holds
    assert dispatch(engine, channels, now=utcnow() + LEASE + timedelta(seconds=1)).sent == 1
    assert sorted(_titles(http_receiver).values()) == [1, 1]
    with session_scope(engine) as s:
        assert {d.status for d in repo.deliveries(s)} == {"sent"}


def test_a_missing_or_unusable_channel_waits_and_holds_back_no_other(engine, http_receiver, other_http_receiver,
                                                                      tmp_path, monkeypatch):
    monkeypatch.delenv("GONE_TOKEN", raising=False)
    pending_alerts(engine, 2, ["hook", "removed", "zalo"])
    configured = (Channel("hook", http_receiver.url()), Channel("zalo", "zalo://${GONE_TOKEN}@123"))
    assert dispatch(engine, configured).sent == 2  # hook's two; removed and zalo wait
    config = tmp_path / "govmon.toml"
    config.write_text(f'[channels.hook]\nurl = "{http_receiver.url()}"\n'
                      '[channels.zalo]\nurl = "zalo://${GONE_TOKEN}@123"\n', encoding="utf-8")
    listed = CliRunner().invoke(app, ["--database", engine.url.render_as_string(hide_password=False),
                                      "--config", str(config), "outbox", "list"], env={"COLUMNS": "250"})
    assert listed.exit_code == 0, listed.output
    assert listed.output.count("pending (channel_missing)") == 2
    assert listed.output.count("channel_unusable") == 2 and "GONE_TOKEN" in listed.output
    back = (*configured, Channel("removed", other_http_receiver.url()))
    assert dispatch(engine, back).sent == 2  # the channel came back: its deliveries go out
    assert len(http_receiver.requests) == 2 and len(other_http_receiver.requests) == 2


@pytest.mark.parametrize("hint", [1e12, math.inf, -math.inf, math.nan, -5.0, 0.0, None])
def test_retry_hints_are_capped_and_validated(hint):
    wait = outbox._backoff(3, hint)
    assert timedelta(0) < wait <= timedelta(hours=1)
    values, counter = outbox._outcome(3, TransientError("429", retry_after=hint), utcnow())
    assert counter == "retrying" and values["next_attempt_at"] > utcnow()


def test_a_notifier_that_crashes_is_a_failed_send_not_a_stalled_outbox(engine, monkeypatch, http_receiver):
    channels = (Channel("hook", http_receiver.url()),)
    pending_alerts(engine, 1, ["hook"])

    def broken(self, message):
        raise RuntimeError("bug in a plugin")
    monkeypatch.setattr("govmon.notifiers.apprise_channel.AppriseNotifier.send", broken)
    tally = dispatch(engine, channels)
    assert tally.retrying == 1
    with session_scope(engine) as s:
        (delivery,) = repo.deliveries(s)
        assert delivery.status == "pending" and "RuntimeError" in delivery.last_error and delivery.claimed_by == ""
