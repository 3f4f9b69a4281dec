"""The outbox under failure: one failing target never re-sends to the others, and a crash between the
provider's acceptance and the record of it loses nothing (one duplicate, under the same key)."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections import Counter
from datetime import timedelta

from govmon.monitor.alerts.dispatch import LEASE, dispatch
from govmon.monitor.config import Channel
from govmon.storage import repository as repo
from govmon.storage.db import session_scope
from govmon.storage.models import utcnow
from tests_support import article_item, ingest

BASE = "https://baochinhphu.vn/"


def _events(engine, channels, count: int) -> None:
    ingest(engine, article_item(f"{BASE}tin-0-102250402083000000.htm", "Chính phủ họp.", "Phiên họp"), channels=channels)
    for n in range(1, count + 1):
        ingest(engine, article_item(f"{BASE}tin-{n}-1022504020830{n:05d}.htm", f"Nội dung riêng số {n} ({n * 7919}).",
                                    f"Thông báo {n}"), channels=channels)


def test_one_failing_target_of_three_never_causes_a_resend_to_the_others(engine, http_receiver, other_http_receiver,
                                                                         closed_port):
    channels = (Channel("a", http_receiver.url()), Channel("b", other_http_receiver.url()),
                Channel("down", f"json://127.0.0.1:{closed_port}/hook"))
    _events(engine, channels, 2)
    first = dispatch(engine, channels)
    assert (first.sent, first.retrying) == (4, 2)
    later = dispatch(engine, channels, now=utcnow() + timedelta(hours=2))  # the dead target is retried alone
    assert (later.sent, later.retrying) == (0, 2)
    assert len(http_receiver.requests) == len(other_http_receiver.requests) == 2


CHILD = textwrap.dedent("""
    import os, sys
    from govmon.monitor.alerts import dispatch as d
    from govmon.monitor.config import Channel
    from govmon.storage.db import make_engine
    sent = []
    real = d._settle
    def crash_after_first_acceptance(engine, delivery_id, owner, outcome, tally):
        if outcome[1] == "sent" and sent:
            os._exit(9)  # killed after the provider accepted, before the store recorded it
        sent.append(delivery_id)
        real(engine, delivery_id, owner, outcome, tally)
    d._settle = crash_after_first_acceptance
    d.dispatch(make_engine(sys.argv[1]), (Channel("hook", sys.argv[2]),))
""")


def test_a_crash_after_sending_loses_nothing_and_duplicates_only_under_the_same_key(engine, http_receiver):
    channels = (Channel("hook", http_receiver.url()),)
    _events(engine, channels, 5)
    url = engine.url.render_as_string(hide_password=False)
    crashed = subprocess.run([sys.executable, "-c", CHILD, url, http_receiver.url()], capture_output=True, text=True,
                             timeout=60)
    assert crashed.returncode == 9, crashed.stderr
    dispatch(engine, channels)  # the restarted daemon's next round: what the dead sender had not claimed
    dispatch(engine, channels, now=utcnow() + LEASE)  # its claim on the message in flight expires: sent again
    keys = Counter(json.loads(r.body)["title"] for r in http_receiver.requests)
    assert set(keys) == {f"Thông báo {n}" for n in range(1, 6)}  # lost: 0
    assert sorted(keys.values()) == [1, 1, 1, 1, 2]  # one duplicate: the message in flight at the crash
    with session_scope(engine) as s:
        assert {d.status for d in repo.deliveries(s)} == {"sent"}


def _smtp(port: int) -> tuple[Channel, ...]:
    return (Channel("mail", f"smtp://govmon:s3cretSMTPpw42@127.0.0.1:{port}?to=desk@example.org&tls=no"),)


def test_smtp_busy_then_back_delivers_once_and_a_refused_mailbox_is_dead_lettered(engine, smtp_server):
    channels = _smtp(smtp_server.port)
    _events(engine, channels, 1)
    smtp_server.reply = "451 4.3.0 Try again later"
    assert dispatch(engine, channels).retrying == 1
    smtp_server.reply = ""
    assert dispatch(engine, channels, now=utcnow() + timedelta(hours=1)).sent == 1
    assert len(smtp_server.messages()) == 1
    _events(engine, channels, 2)  # one more event (the first is already known)
    smtp_server.reply = "550 5.1.1 Mailbox unavailable"
    assert dispatch(engine, channels).dead == 1
    with session_scope(engine) as s:
        assert [d.status for d in repo.deliveries(s, "dead")] == ["dead"]
