"""Start-up time of the `govmon` command: wall seconds and peak memory of `govmon --help`, `govmon extract` on
one page (of a known source, with its selectors, and of an unknown host, through the generic extractor) and
`govmon sources list`, next to `python -c pass` on the same interpreter, in the same run.

Each command is a child process, timed from its start to its exit (a process-level timer: the interpreter's
start, the imports, the work and the exit all count); its CPU time comes from the kernel (`wait4`), its peak
RSS from GNU time's %M (a child forked from this Python would count this process's own memory as its peak:
Linux keeps the high-water mark across exec; without /usr/bin/time that is what is reported, a floor of
this process's size, about 15 MiB). The commands take turns, round after round, after one round that is
not counted (it fills the page cache and writes the .pyc files), so that a busy machine slows them all
alike. Reported per command:
median and minimum wall seconds, the same minus `python -c pass`'s, median CPU seconds and peak RSS. The
children run without the user's configuration and store (GOVMON_* unset, an empty user sources directory):
what a new user's first `govmon` costs. Run:

    .venv/bin/python bench/startup.py [--runs 15] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from shutil import which

ROOT = Path(__file__).resolve().parents[1]
DAY1 = ROOT / "monitor" / "demo" / "sites" / "day1"
KNOWN = DAY1 / "baochinhphu.vn" / "ban-hanh-ke-hoach-trien-khai-thi-hanh-luat-du-lieu-102250331165208733.htm"
UNKNOWN = DAY1 / "www.vietnamplus.vn" / (
    "bo-sung-kinh-phi-cho-cac-nhiem-vu-khoa-hoc-cong-nghe-cap-bach-nam-2025-post1024386.vnp")
KNOWN_URL = f"https://baochinhphu.vn/{KNOWN.name}"  # the source's selectors
UNKNOWN_URL = f"https://news.example.org/{UNKNOWN.name}"  # no source has this host: the generic extractor
BASELINE = "python -c pass"
TARGET = 0.3  # seconds over `python -c pass` (issue 18) for --help and extract
GNU_TIME = "/usr/bin/time" if Path("/usr/bin/time").exists() else which("time")


@dataclass
class Runs:
    """One command's runs: wall and CPU seconds, peak RSS in KiB."""

    argv: list[str]
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)


def commands(python: str, govmon: str) -> dict[str, list[str]]:
    """What is timed, by label: the baseline first."""
    return {
        BASELINE: [python, "-c", "pass"],
        "govmon --help": [govmon, "--help"],
        "govmon extract (known source)": [govmon, "extract", str(KNOWN), "--url", KNOWN_URL],
        "govmon extract (generic)": [govmon, "extract", str(UNKNOWN), "--url", UNKNOWN_URL],
        "govmon sources list": [govmon, "sources", "list"],
    }


def quiet_env(scratch: Path) -> dict[str, str]:
    """The environment of the children: no GOVMON_* of the user's, an empty user sources directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVMON_")}
    env["GOVMON_USER_SOURCES"] = str(scratch / "sources")
    return env


def run_once(runs: Runs, env: dict[str, str], scratch: Path) -> None:
    """One run of the command, its wall time, CPU time and peak RSS appended; a failure stops the bench."""
    peak, errors = scratch / "peak-rss", scratch / "stderr"
    argv = [GNU_TIME, "-f", "%M", "-o", str(peak), *runs.argv] if GNU_TIME else runs.argv
    with errors.open("wb") as stderr:
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=stderr, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        runs.wall.append(time.perf_counter() - start)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(runs.argv)} exited {code}: {errors.read_text(errors='replace')[-500:]}")
    runs.cpu.append(usage.ru_utime + usage.ru_stime)
    runs.rss.append(int(peak.read_text().split()[-1]) if GNU_TIME else usage.ru_maxrss)


def measure(count: int, python: str, govmon: str) -> dict[str, Runs]:
    """`count` rounds of every command in turn, after one round not counted."""
    table = {label: Runs(argv) for label, argv in commands(python, govmon).items()}
    with tempfile.TemporaryDirectory() as name:
        scratch = Path(name)
        env = quiet_env(scratch)
        for runs in table.values():
            run_once(Runs(runs.argv), env, scratch)  # the warm-up round
        for _ in range(count):
            for runs in table.values():
                run_once(runs, env, scratch)
    return table


def summary(table: dict[str, Runs]) -> dict[str, dict[str, float]]:
    """Per command: median and min wall seconds, both over the baseline, median CPU seconds, peak RSS MiB."""
    base = table[BASELINE]
    base_median, base_min = statistics.median(base.wall), min(base.wall)
    return {label: {"median_s": statistics.median(runs.wall), "min_s": min(runs.wall),
                    "median_over_pass_s": statistics.median(runs.wall) - base_median,
                    "min_over_pass_s": min(runs.wall) - base_min,
                    "median_cpu_s": statistics.median(runs.cpu), "peak_rss_mib": max(runs.rss) / 1024,
                    "runs": len(runs.wall)} for label, runs in table.items()}


def print_table(rows: dict[str, dict[str, float]]) -> None:
    print(f"{'command':32} {'median s':>9} {'min s':>7} {'median-pass':>12} {'min-pass':>9} {'cpu s':>7} "
          f"{'peak MiB':>9}")
    for label, row in rows.items():
        print(f"{label:32} {row['median_s']:9.3f} {row['min_s']:7.3f} {row['median_over_pass_s']:12.3f} "
              f"{row['min_over_pass_s']:9.3f} {row['median_cpu_s']:7.3f} {row['peak_rss_mib']:9.1f}")
    print(f"target: --help and extract within {TARGET} s of `{BASELINE}` (median over the baseline's median)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="Rounds counted (each runs every command once).")
    parser.add_argument("--json", action="store_true", help="Print the figures as one JSON object.")
    args = parser.parse_args()
    python = sys.executable
    govmon = str(Path(python).with_name("govmon"))
    rows = summary(measure(args.runs, python, govmon))
    if args.json:
        print(json.dumps({"runs": args.runs, "target_over_pass_s": TARGET, "commands": rows}, indent=2))
    else:
        print_table(rows)


if __name__ == "__main__":
    main()
