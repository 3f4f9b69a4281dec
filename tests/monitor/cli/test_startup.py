"""Start-up: `govmon --help` lists every command from the table in `main.COMMANDS` without importing the
modules that hold them, and `govmon extract` imports neither the store nor the crawl machinery (checked in
child processes, by what is in `sys.modules`; the times are measured by bench/startup.py, not here). The
table is held to the commands: its one-line helps are their docstrings' first lines, its panels theirs,
and every command of the CLI's modules is in it."""
from __future__ import annotations

import inspect
import json
import os
import pkgutil
import subprocess
import sys
from importlib import import_module
from pathlib import Path
from typing import Annotated, get_args, get_origin, get_type_hints

import pytest
import typer
from typer.models import ParameterInfo
from typer.testing import CliRunner

from govmon.monitor import cli
from govmon.monitor.cli import main
from govmon.monitor.cli.main import COMMANDS, app
from govmon.monitor.demo.offline import DEMO_DIR
from govmon.storage.db import StoreUnavailable

runner = CliRunner()
PAGE = DEMO_DIR / "sites" / "day1" / "baochinhphu.vn" / (
    "ban-hanh-ke-hoach-trien-khai-thi-hanh-luat-du-lieu-102250331165208733.htm")
CHILD = """import json, sys
from govmon.monitor.cli.main import govmon
report, sys.argv = sys.argv[1], ["govmon", *sys.argv[2:]]
try:
    govmon()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
with open(report, "w") as out:
    json.dump({"code": code, "modules": sorted(sys.modules)}, out)
"""
HEAVY = ("scrapy", "sqlalchemy", "sqlmodel", "redis", "trafilatura", "apprise", "fastapi", "twisted")
COMMAND_MODULES = {entry.target.partition(":")[0] for entry in COMMANDS.values()}


def _summary(help_text: str | None) -> str:
    """What typer lists for a command: the first paragraph of its help."""
    return inspect.cleandoc(help_text or "").split("\n\n")[0]


def _run(tmp_path: Path, *args: str) -> tuple[int, set[str], str]:
    """`govmon ARGS` in a child Python without the user's configuration or store: its exit status, the
    top-level names of the modules it imported, and its stdout."""
    report = tmp_path / "modules.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVMON_")}
    env.update(GOVMON_USER_SOURCES=str(tmp_path / "no-sources"), COLUMNS="240")
    done = subprocess.run([sys.executable, "-c", CHILD, str(report), *args], capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    shown = json.loads(report.read_text())
    return shown["code"], set(shown["modules"]), done.stdout


@pytest.mark.parametrize("args", [["--help"], ["sources", "--help"], ["docs", "--help"], ["db"]],
                         ids=["help", "sources help", "docs help", "db without a command"])
def test_help_imports_no_command_module_nor_what_they_need(tmp_path: Path, args: list[str]) -> None:
    code, modules, stdout = _run(tmp_path, *args)
    assert code in (0, 2) and "Usage: govmon" in stdout
    assert {name for name in HEAVY if name in modules} == set()
    assert COMMAND_MODULES & modules == set()


def test_help_lists_every_command_with_its_one_line_help(tmp_path: Path) -> None:
    code, _, stdout = _run(tmp_path, "--help")
    flat = " ".join(stdout.split())
    assert code == 0 and all(f"{name} {entry.help}" in flat for name, entry in COMMANDS.items())


def test_extract_of_a_known_source_imports_neither_the_store_nor_the_crawl(tmp_path: Path) -> None:
    code, modules, stdout = _run(tmp_path, "extract", str(PAGE), "--url", f"https://baochinhphu.vn/{PAGE.name}")
    assert code == 0 and json.loads(stdout)["source"] == "baochinhphu"
    unneeded = ("scrapy", "sqlalchemy", "sqlmodel", "redis", "apprise", "fastapi")
    assert {name for name in unneeded if name in modules} == set()
    assert COMMAND_MODULES & modules == {"govmon.monitor.cli.extract"}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_table_says_what_the_command_says(name: str) -> None:
    entry = COMMANDS[name]
    real = entry.build(name)
    assert _summary(real.help) == entry.help and "\n" not in entry.help  # the docstring's first line
    assert getattr(real, "rich_help_panel", None) == entry.panel
    commands = getattr(real, "commands", {})
    assert {sub: _summary(command.help) for sub, command in commands.items()} == dict(entry.commands)
    assert list(commands) == list(entry.commands)
    assert real.no_args_is_help == bool(entry.commands)  # how a group stub behaves without a command


def _commands_in(module: object) -> set[str]:
    """The `module:attribute` of every command in a CLI module: its typer apps, and its public functions
    whose parameters are typer options or arguments."""
    found = set()
    for attribute in getattr(module, "__all__", ()):
        value = getattr(module, attribute)
        if isinstance(value, typer.Typer) or (inspect.isfunction(value) and _takes_typer_parameters(value)):
            found.add(f"{module.__name__}:{attribute}")  # type: ignore[attr-defined]
    return found


def _takes_typer_parameters(function: object) -> bool:
    hints = get_type_hints(function, include_extras=True).values()
    return any(isinstance(extra, ParameterInfo) for hint in hints if get_origin(hint) is Annotated
               for extra in get_args(hint)[1:])


def test_every_command_of_the_cli_is_in_the_table() -> None:
    names = [info.name for info in pkgutil.iter_modules(cli.__path__) if info.name != "main"]  # main: the app
    modules = [import_module(f"{cli.__name__}.{name}") for name in names]
    commands = set().union(*(_commands_in(module) for module in modules))
    assert commands == {entry.target for entry in COMMANDS.values()}


@pytest.mark.parametrize("args", [[name] for name in COMMANDS] +
                         [[name, sub] for name, entry in COMMANDS.items() for sub in entry.commands],
                         ids=" ".join)
def test_every_command_runs_from_the_app(args: list[str]) -> None:
    result = runner.invoke(app, [*args, "--help"], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert f"Usage: root {' '.join(args)} " in result.stdout


def test_a_store_that_stays_away_is_one_line_and_exit_2(monkeypatch, capsys) -> None:
    store = import_module("govmon.monitor.cli.store")

    def away(url: str | None = None) -> None:
        raise StoreUnavailable("the database did not answer after 3 tries")

    monkeypatch.setattr(store, "make_engine", away)
    monkeypatch.setattr(sys, "argv", ["govmon", "db", "status"])
    with pytest.raises(SystemExit) as exit_:
        main.govmon()
    assert exit_.value.code == 2
    assert capsys.readouterr().err.strip() == "error: the database did not answer after 3 tries"
