"""compose.yaml (scaling out on PostgreSQL and Redis) runs commands govmon really has, with the options it
really takes, against the services it declares: every govmon service's command parses (`--help` of the exact
command line), daemons and workers can be scaled (no fixed names or host ports), and all share one store."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from govmon.monitor.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
GOVMON = {name: s for name, s in COMPOSE["services"].items() if s.get("image") == "govmon:local"}


def test_the_pieces_are_there():
    assert {"postgres", "redis", "migrate", "daemon", "worker", "web"} <= set(COMPOSE["services"])
    assert set(GOVMON) == {"migrate", "daemon", "worker", "web"}


@pytest.mark.parametrize("name", sorted(GOVMON))
def test_each_service_runs_a_real_govmon_command(name: str):
    command: list[str] = GOVMON[name]["command"]
    assert command[0] == "govmon"
    shown = CliRunner().invoke(app, [*command[1:], "--help"])
    assert shown.exit_code == 0, shown.output


@pytest.mark.parametrize("name", ["daemon", "worker"])
def test_daemons_and_workers_scale(name: str):
    service: dict[str, Any] = GOVMON[name]
    assert "container_name" not in service and "ports" not in service
    assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_one_store_and_one_queue_for_all():
    urls = {s["environment"]["GOVMON_DATABASE_URL"] for s in GOVMON.values()}
    assert len(urls) == 1 and urls.pop().startswith("postgresql+psycopg://")
    worker = GOVMON["worker"]["command"]
    assert worker[worker.index("--queue") + 1].startswith("redis://redis:")
    assert GOVMON["web"]["ports"] == ["127.0.0.1:8080:8080"]
