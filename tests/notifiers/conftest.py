"""Notifier tests also fail any test that leaves a thread running (servers must be stopped in teardown)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import apprise.apprise as apprise_core
import apprise.utils.http as apprise_http
import pytest


def _library_pool_threads() -> set[threading.Thread]:
    """Workers of Apprise's process-wide pools: created on first use, kept for reuse, never ours to stop."""
    pools = (
        getattr(apprise_core, "_shared_executor", None),
        getattr(apprise_core, "_coordinator_executor", None),
        getattr(apprise_http, "_DNS_POOL", None),
    )
    return {thread for pool in pools if pool is not None for thread in getattr(pool, "_threads", ())}


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    """Fail the test if it leaves a thread alive (servers must be stopped in teardown)."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 2.0
    ignored = before | _library_pool_threads()
    leaked = [t for t in threading.enumerate() if t not in ignored and t.is_alive()]
    while leaked and time.monotonic() < deadline:  # executor threads exit just after shutdown
        time.sleep(0.01)
        leaked = [t for t in leaked if t.is_alive()]
    assert not leaked, f"threads left running: {leaked}"
