"""Budgets of time and memory for work on hostile input, in a process of its own (a crawl, a WARC extraction
process): a block that outlives its seconds raises `TooSlow` (`time_limit`), and a process whose data memory
is capped (`cap_memory`) fails one oversized input with MemoryError instead of swapping the machine. Sizes
are in `crawler.extract.limits`; these are the clock and the kernel's part."""
from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

try:  # a hard data-memory limit is POSIX (and counted by Linux)
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]

__all__ = ["TooSlow", "time_limit", "cap_memory"]


class TooSlow(BaseException):
    """Raised by `time_limit` in a block that outlived its budget. A BaseException (like KeyboardInterrupt)
    so that a parser's broad ``except Exception`` cannot swallow it and carry on past the budget."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"extraction took over {seconds:g} s")
        self.seconds = seconds


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise TooSlow in the block once it has run `seconds` of wall-clock time (SIGALRM). Only the main
    thread receives signals: elsewhere (or without setitimer) the block runs with its size limits only.
    C code that never returns to Python (one libxml2 parse) is interrupted when it returns."""
    if seconds <= 0 or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise TooSlow(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def cap_memory(extra: int) -> bool:
    """Limit this process's data memory to what it uses now plus `extra` bytes (RLIMIT_DATA, read from
    /proc on Linux), so one input that needs more fails with MemoryError — a problem for that input —
    instead of the machine swapping. For a process of its own (a crawl, a WARC extraction process); False
    where it cannot be done (not Linux)."""
    used = _data_bytes()
    if resource is None or used is None:
        return False
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    wanted = used + extra if hard == resource.RLIM_INFINITY else min(used + extra, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (wanted, hard))
    return True


def _data_bytes() -> int | None:
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return None
    line = next((x for x in status.splitlines() if x.startswith("VmData:")), "")
    return int(line.split()[1]) * 1024 if line else None
