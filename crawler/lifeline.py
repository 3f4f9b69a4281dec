"""A crawl child never outlives the process that reads its items: when that parent is gone (killed, even
with SIGKILL, which it cannot forward) the crawl ends at once instead of fetching on for minutes unseen, and
a restarted daemon never finds it crawling the same source in parallel.

On Linux the kernel sends us SIGKILL when the parent dies (prctl PR_SET_PDEATHSIG); everywhere, a watcher
thread notices that our parent changed (we were re-parented) within a second and exits.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading

__all__ = ["hold", "PARENT_ENV"]

PARENT_ENV = "GOVMON_PARENT_PID"
_PR_SET_PDEATHSIG = 1


def hold(environ: dict[str, str] | None = None) -> None:
    """Tie this process's life to the parent named in GOVMON_PARENT_PID (nothing when it is unset)."""
    expected = (environ if environ is not None else os.environ).get(PARENT_ENV, "")
    if not expected.isdigit():
        return
    _ask_the_kernel()
    if os.getppid() != int(expected):
        os._exit(70)  # the parent died before we got here
    threading.Thread(target=_watch, args=(int(expected),), name="govmon-lifeline", daemon=True).start()


def _ask_the_kernel() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # the watcher below still ends us


def _watch(parent: int) -> None:
    stop = threading.Event()
    while not stop.wait(1.0):
        if os.getppid() != parent:
            os._exit(70)
