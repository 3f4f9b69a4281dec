"""`govmon refs`: plain and batch forms."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from govmon.monitor.cli.main import app

runner = CliRunner()


def test_refs_reads_stdin_and_prints_refs_partials_and_relations():
    text = "Nghị quyết số 71/NQ-CP sửa đổi, bổ sung Nghị quyết số 03/NQ-CP. Xem thêm Nghị quyết 57."
    data = json.loads(runner.invoke(app, ["refs"], input=text).stdout)
    assert [r["id"] for r in data["refs"]] == ["71/NQ-CP", "03/NQ-CP"]
    assert [p["number"] for p in data["partial_refs"]] == ["57"]
    assert [(r["from"], r["rel"], r["to"]) for r in data["relations"]] == [("71/NQ-CP", "amends", "03/NQ-CP")]


def test_refs_batch_keeps_ids_and_survives_bad_lines():
    lines = json.dumps({"id": "a", "text": "Decree No. 13/2023/ND-CP"}) + "\n{broken\n"
    rows = [json.loads(x) for x in runner.invoke(app, ["refs", "--jsonl"], input=lines).stdout.splitlines()]
    assert rows[0]["id"] == "a" and rows[0]["refs"][0]["id"] == "13/2023/NĐ-CP"
    assert rows[1]["error"].startswith("bad input line")
