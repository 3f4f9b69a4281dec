"""The benchmarks still run: each script compiles, and the quick ones run on tiny inputs and print the JSON
their READMEs quote (figures are not judged here — they live in bench/README.md)."""
from __future__ import annotations

import json
import py_compile
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _run(script: str, *args: str) -> dict:
    done = subprocess.run([sys.executable, str(BENCH / script), *args, "--json"], capture_output=True, text=True,
                          timeout=300, cwd=BENCH.parent)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.mark.parametrize("script", sorted(p.name for p in BENCH.glob("*.py")))
def test_every_benchmark_compiles(script: str, tmp_path: Path) -> None:
    py_compile.compile(str(BENCH / script), cfile=str(tmp_path / "out.pyc"), doraise=True)


def test_the_import_benchmark_imports_every_page_of_its_warc() -> None:
    result = _run("backfill.py", "--pages", "24")
    assert result["imported"] == 24 and result["processes"] >= 1
    assert result["import_pages_s"] > 0 and result["import_over_extraction"] > 0


def test_the_references_benchmark_runs_on_a_small_corpus() -> None:
    result = _run("refs.py", "--mb", "0.02")
    assert result["announcements"]["texts"] > 0 and result["announcements"]["govmon_mb_s"] > 0


def test_the_outbox_benchmark_counts_every_delivery_once() -> None:
    result = _run("outbox.py", "--senders", "2", "--deliveries", "6", "--delay", "0")
    many = result["sqlite"]["many"]
    assert (many["delivered"], many["duplicates"], many["lost"]) == (6, 0, 0) and many["exit_codes_ok"]
