"""`--json` on every command that lists or shows something, read back with json over the demo's store (its
four alerts, 71/NQ-CP amending 03/NQ-CP, a three-copy repost, an edited article), and `govmon --help`
grouped by what people do."""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from govmon.monitor.cli import passes
from govmon.monitor.cli.main import app
from govmon.monitor.config import Config
from govmon.monitor.demo.offline import demo_config, run_demo
from govmon.monitor.present.records import event_record
from govmon.storage import repository as repo
from govmon.storage.db import make_engine, session_scope
from govmon.storage.migrate import upgrade
from tests_support import pending_alerts

runner = CliRunner()
OFFICIAL = "https://baochinhphu.vn/chinh-phu-sua-doi-bo-sung-cap-nhat-chuong-trinh-hanh-dong-thuc-hien-nghi-quyet-57-nq-tw-102250402075812364.htm"
EDITED = "https://www.vietnamplus.vn/bo-sung-kinh-phi-cho-cac-nhiem-vu-khoa-hoc-cong-nghe-cap-bach-nam-2025-post1024386.vnp"


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The demo's store after both days (run once for this module, its files in a temporary directory)."""
    folder = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as patch:
        for name, sub in (("GOVMON_BLOB_DIR", "blobs"), ("GOVMON_USER_SOURCES", "user"), ("GOVMON_WALKS_DIR", "walks")):
            patch.setenv(name, str(folder / sub))
        engine = make_engine(f"sqlite:///{folder / 'govmon.sqlite3'}")
        upgrade(engine)
        run_demo(engine, demo_config(Config()))
    yield engine
    engine.dispose()


def _run(engine: Engine, *args: str, code: int = 0) -> Any:
    result = runner.invoke(app, ["--database", engine.url.render_as_string(hide_password=False), *args],
                           env={"COLUMNS": "250"})
    assert result.exit_code == code, result.output
    return result


def _json(engine: Engine, *args: str) -> Any:
    return json.loads(_run(engine, *args, "--json").stdout)


def test_status_json_is_the_table_as_records(demo_store):
    health = {h["name"]: h for h in _json(demo_store, "status")}
    bcp, gialai = health["baochinhphu"], health["gialai"]
    assert (bcp["outcome"], bcp["configured"], bcp["tls_verify"], bcp["recent_errors"]) == ("ok", True, True, [])
    assert bcp["last_run_at"].endswith("+07:00") and bcp["next_run_at"] > bcp["last_run_at"]
    assert (gialai["province"], gialai["kind"]) == ("Gia Lai", "provincial")
    never = next(h for h in health.values() if h["last_run_at"] is None)
    assert never["next_run_at"] is None and never["outcome"] == ""
    table = _run(demo_store, "status").stdout
    assert any("baochinhphu" in line and bcp["next_run_at"][:16] in line for line in table.splitlines())


def test_docs_list_json_gives_every_document_with_its_counts(demo_store):
    documents = {d["id"]: d for d in _json(demo_store, "docs", "list")}
    amending = documents["71/NQ-CP"]
    assert (amending["key"], amending["type"], amending["issuer"], amending["issued_on"]) == ("71/NQ-CP@2025", "nghị quyết", "Chính phủ", "2025-04-01")
    assert (amending["about"], amending["cites"]) == (3, 0) and {"03/NQ-CP", "57-NQ/TW"} <= set(documents)
    assert [d["id"] for d in _json(demo_store, "docs", "list", "--issuer", "TW")] == ["57-NQ/TW"]
    government = _json(demo_store, "docs", "list", "--issuer", "CP")
    assert {"71/NQ-CP", "03/NQ-CP", "13/2023/NĐ-CP"} <= {d["id"] for d in government}
    assert {d["issuer"] for d in government} == {"Chính phủ"}


def test_docs_show_json_is_a_list_of_reports_with_relations(demo_store):
    [shown] = _json(demo_store, "docs", "show", "71/NQ-CP")
    assert shown["document"]["id"] == "71/NQ-CP" and shown["document"]["about"] == len(shown["about"]) == 3
    assert sorted(a["source"] for a in shown["about"]) == ["baochinhphu", "gialai", "vietnam_vn"]
    rels = {(r["from"], r["rel"], r["to"]) for r in shown["relations"]}
    assert {("71/NQ-CP", "amends", "03/NQ-CP"), ("03/NQ-CP", "implements", "57-NQ/TW")} <= rels
    assert all(r["evidence"] for r in shown["relations"])
    missing = _run(demo_store, "docs", "show", "999/NQ-CP", "--json", code=2)
    assert missing.stdout == "" and "no document" in missing.stderr


def test_sources_list_json_gives_the_definitions(demo_store):
    every = {s["name"]: s for s in _json(demo_store, "sources", "list")}
    assert every["baochinhphu"]["official"] is True and "baochinhphu.vn" in every["baochinhphu"]["hosts"]
    assert every["gialai"]["province"] == "Gia Lai" and all("origin" not in s for s in every.values())
    current = _json(demo_store, "sources", "list", "--no-legacy")
    assert any(s["legacy"] for s in every.values()) and not any(s["legacy"] for s in current)


def test_versions_json_gives_the_article_and_its_numbered_versions(demo_store):
    shown = _json(demo_store, "versions", EDITED)
    assert shown["article"]["url"] == EDITED and shown["article"]["source"] == "vietnamplus"
    assert "57-NQ/TW" in shown["article"]["documents"]
    numbers = [v["number"] for v in shown["versions"]]
    assert numbers == [1, 2] and shown["versions"][0]["fetched_at"] <= shown["versions"][1]["fetched_at"]
    assert shown["versions"][0]["hash"] != shown["versions"][1]["hash"] and "text" not in shown["versions"][0]
    texts = _json(demo_store, "versions", EDITED, "--text")["versions"]
    assert "1.200" in texts[0]["text"] and "1.250" in texts[1]["text"]


def test_diff_json_has_the_inline_diff_and_operations(demo_store):
    shown = _json(demo_store, "diff", EDITED)
    assert (shown["url"], shown["from"]["number"], shown["to"]["number"]) == (EDITED, 1, 2)
    assert "[-1.200-] {+1.250+}" in shown["diff"] and shown["significant"] is True
    assert {"op": "replace", "old": "1.200 ", "new": "1.250 "} in shown["ops"]
    assert any(o["op"] == "equal" and o["hidden"] > 0 for o in shown["ops"])
    assert shown["diff"] in _run(demo_store, "diff", EDITED).stdout
    _run(demo_store, "diff", EDITED, "--from", "3", "--json", code=2)


def test_clusters_show_json_lists_the_copies_canonical_first(demo_store):
    with session_scope(demo_store) as session:
        cluster = repo.article_by_url(session, OFFICIAL).cluster_id
    shown = _json(demo_store, "clusters", "show", str(cluster))
    assert shown["id"] == cluster and len(shown["articles"]) == 3
    assert shown["articles"][0]["url"] == OFFICIAL and shown["articles"][0]["canonical"] is True
    assert [a["canonical"] for a in shown["articles"][1:]] == [False, False]
    assert "71/NQ-CP" in shown["articles"][0]["documents"]


def test_outbox_list_json_gives_each_delivery(demo_store, tmp_path):
    sent = _json(demo_store, "outbox", "list")
    assert len(sent) == 4 and {d["status"] for d in sent} == {"sent"} and {d["channel"] for d in sent} == {"console"}
    assert sorted(d["kind"] for d in sent) == ["article_changed", "document_amended", "new_article", "new_document"]
    assert all(d["sent_at"].endswith("+07:00") and d["problem"] == "" for d in sent)
    assert _json(demo_store, "outbox", "list", "--status", "dead") == []


def test_outbox_list_json_says_why_a_delivery_waits(sqlite_engine):
    pending_alerts(sqlite_engine, 2, ["gone"])
    waiting = _json(sqlite_engine, "outbox", "list")
    assert [(d["status"], d["problem"], d["title"]) for d in waiting] == [
        ("pending", "channel_missing", "Thông báo 2"), ("pending", "channel_missing", "Thông báo 1")]


def test_events_json_stays_one_record_per_line(demo_store):
    lines = _run(demo_store, "events", "--json").stdout.splitlines()
    with session_scope(demo_store) as session:
        expected = [json.dumps(event_record(session, e), ensure_ascii=False) for e in repo.events(session)]
    assert lines == expected and len(lines) == 4


def test_db_status_json(demo_store):
    shown = _json(demo_store, "db", "status")
    assert shown["up_to_date"] is True and shown["revision"] == shown["latest"] and shown["database"].startswith("sqlite")


HELP_PANELS = {
    "Monitor": ["run", "crawl", "daemon", "status", "events"],
    "Documents": ["docs", "refs", "versions", "diff", "clusters"],
    "Archives": ["backfill", "worker", "import-warc", "record", "export"],
    "Setup and tools": ["sources", "db", "notify", "outbox", "extract", "dedupe", "serve", "demo"],
}


def _panels(text: str) -> dict[str, list[str]]:
    panels: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        title = re.match(r"╭─ (.+?) ─", line)
        if title:
            current = panels.setdefault(title.group(1), [])
        elif current is not None and (row := re.match(r"│ ([a-z][a-z-]*)\s{2,}", line)):
            current.append(row.group(1))
    return panels


def test_help_groups_the_commands_by_what_people_do():
    result = runner.invoke(app, ["--help"], env={"COLUMNS": "160"})
    assert result.exit_code == 0
    panels = _panels(result.stdout)
    assert [p for p in panels if p in HELP_PANELS] == list(HELP_PANELS)
    assert {p: panels[p] for p in HELP_PANELS} == HELP_PANELS
    assert "Commands" not in panels and "--json" in result.stdout


@pytest.mark.parametrize("command", [["status"], ["docs", "list"], ["docs", "show"], ["sources", "list"],
                                     ["versions"], ["diff"], ["outbox", "list"], ["clusters", "show"],
                                     ["db", "status"], ["events"]])
def test_every_listing_command_offers_json(command):
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "160"})
    assert result.exit_code == 0 and "--json" in result.stdout


def test_serve_is_a_command():
    result = runner.invoke(app, ["serve", "--help"], env={"COLUMNS": "160"})
    assert result.exit_code == 0 and "--port" in result.stdout and "--host" in result.stdout


def _fake_demo(engine: Engine, config: Config, on_day: Any = None) -> list[SimpleNamespace]:
    """Two replayed days, as `run_demo` reports them, without replaying them (the demo has tests of its own)."""
    return [SimpleNamespace(name=f"day {n}", reports=[], delivered=SimpleNamespace(sent=sent)) for n, sent in ((1, 0), (2, 4))]


@pytest.mark.parametrize("serve", [True, False])
def test_demo_serve_serves_the_demo_store_after_its_summary(tmp_path: Path, monkeypatch, serve):
    served: list[str] = []
    monkeypatch.setattr(passes, "run_demo", _fake_demo)
    monkeypatch.setattr(passes, "serve_store", lambda url, *rest: served.append(url))
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    result = runner.invoke(app, ["--database", url, "demo", *(["--serve"] if serve else [])])
    assert result.exit_code == 0, result.output
    assert "day 2 alerts: 4" in result.stdout and served == ([url] if serve else [])
