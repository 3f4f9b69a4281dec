"""The architecture as a checked contract (import-linter, configured in pyproject.toml): imports point
inward, and a change that points one upward fails here, not in review."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
FOLDERS = {"crawler": "govmon.crawler", "storage": "govmon.storage", "notifiers": "govmon.notifiers",
           "monitor": "govmon.monitor"}


def lint_imports(pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **({"PYTHONPATH": str(pythonpath)} if pythonpath else {})}
    command = [str(Path(sys.executable).with_name("lint-imports")), str(PYPROJECT), "--no-cache"]
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=pythonpath or ROOT, timeout=120)


def test_the_import_contracts_hold() -> None:
    result = lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def _copy_of_the_tree(target: Path) -> Path:
    """Our four packages in the `govmon` namespace under `target`, as a wheel installs them (found first
    on PYTHONPATH)."""
    package = target / "govmon"
    package.mkdir()
    for folder in FOLDERS:
        shutil.copytree(ROOT / folder, package / folder, ignore=shutil.ignore_patterns("__pycache__", "demo"))
    (package / "monitor" / "demo").mkdir()
    for module in (ROOT / "monitor" / "demo").glob("*.py"):
        shutil.copy(module, package / "monitor" / "demo" / module.name)
    return package


@pytest.mark.parametrize("module,line,contract", [
    ("monitor/analysis/changes.py", "from govmon.monitor.cli import main", "monitor: analysis"),
    ("monitor/config/types.py", "def _later():\n    from govmon.monitor.alerts import events", "monitor: analysis"),
    ("crawler/extract/normalize.py", "from govmon.crawler import sources", "crawler: extraction"),
    ("storage/models.py", "import govmon.monitor.config", "monitor uses crawler"),
    ("notifiers/base.py", "from govmon.storage import models", "monitor uses crawler"),
], ids=["analysis->cli", "function-local config->alerts", "extract->sources", "storage->monitor", "notifiers->storage"])
def test_an_import_pointing_upward_breaks_the_contract(tmp_path: Path, module: str, line: str, contract: str) -> None:
    package = _copy_of_the_tree(tmp_path)
    path = package / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 broken" in result.stdout and contract in result.stdout.replace("\n", " ")


def test_every_package_folder_is_installed() -> None:
    """A new subpackage must be listed in pyproject.toml, or a wheel would ship without it."""
    listed = set(tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {".".join((FOLDERS[init.relative_to(ROOT).parts[0]], *init.relative_to(ROOT).parts[1:-1]))
             for folder in FOLDERS for init in (ROOT / folder).rglob("__init__.py")}
    assert found == listed
