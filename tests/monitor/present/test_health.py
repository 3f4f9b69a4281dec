"""Source health as `govmon status` and the web's Sources page show it, from definitions and the store
(SQLite and PostgreSQL): runs, outcomes, the next run, broken sources, recent errors, TLS opt-outs."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

from govmon.crawler.extract.dates import local_iso
from govmon.crawler.sources import load_sources
from govmon.monitor.present.health import next_run_text, source_health
from govmon.storage import repository as repo
from govmon.storage.db import session_scope

LAST_RUN = datetime(2025, 4, 2, 1, 0, tzinfo=timezone.utc)


def _stored(engine) -> None:
    """baochinhphu crawled four times (failed, unreachable, ok, broken), broken since its last run; an
    `oldsite` the configuration no longer names."""
    with session_scope(engine) as session:
        source = repo.ensure_source(session, "baochinhphu", title="Báo điện tử Chính phủ", last_run_at=LAST_RUN,
                                    last_status="broken", broken_since=LAST_RUN)
        repo.ensure_source(session, "oldsite", title="Trang cũ", kind="news", last_run_at=LAST_RUN, last_status="ok")
        for status, message in (("failed", "old failure"), ("unreachable", "DNS lookup failed"), ("ok", ""),
                                ("broken", "")):
            repo.finish_run(session, repo.start_run(session, source), status, message)


def _health(engine, **changes) -> dict[str, dict]:
    available = load_sources()
    definitions = [available["baochinhphu"], dataclasses.replace(available["gialai"], **changes)]
    with session_scope(engine) as session:
        return {h["name"]: h for h in source_health(session, definitions)}


def test_a_crawled_source_has_its_last_run_outcome_next_run_and_recent_errors(engine):
    _stored(engine)
    health = _health(engine)
    assert list(health) == ["baochinhphu", "gialai", "oldsite"]
    bcp = health["baochinhphu"]
    interval = load_sources()["baochinhphu"].interval_minutes
    assert (bcp["last_run_at"], bcp["outcome"], bcp["broken_since"]) == ("2025-04-02T08:00:00+07:00", "broken", "2025-04-02T08:00:00+07:00")
    assert bcp["next_run_at"] == local_iso(LAST_RUN + timedelta(minutes=interval)) and bcp["interval_minutes"] == interval
    assert [(e["status"], e["message"]) for e in bcp["recent_errors"]] == [("broken", "broken"), ("unreachable", "DNS lookup failed")]
    assert all(e["finished_at"].endswith("+07:00") for e in bcp["recent_errors"])
    assert (bcp["title"], bcp["kind"], bcp["official"], bcp["configured"]) == ("Báo điện tử Chính phủ", "government", True, True)
    assert next_run_text(bcp) == bcp["next_run_at"][:16]


def test_a_configured_source_never_crawled_is_due_now(engine):
    gialai = _health(engine)["gialai"]
    assert (gialai["province"], gialai["kind"], gialai["configured"]) == ("Gia Lai", "provincial", True)
    assert gialai["last_run_at"] is None and gialai["next_run_at"] is None and gialai["outcome"] == ""
    assert gialai["recent_errors"] == [] and next_run_text(gialai) == "now"


def test_a_stored_source_no_longer_configured_is_listed_without_a_next_run(engine):
    _stored(engine)
    old = _health(engine)["oldsite"]
    assert (old["configured"], old["title"], old["kind"], old["outcome"]) == (False, "Trang cũ", "news", "ok")
    assert old["next_run_at"] is None and old["interval_minutes"] is None and next_run_text(old) == "—"


def test_a_definition_that_skips_certificate_checks_says_so(engine):
    health = _health(engine, tls_verify=False)
    assert health["gialai"]["tls_verify"] is False and health["baochinhphu"]["tls_verify"] is True
