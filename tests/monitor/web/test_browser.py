"""The web view in a real browser: headless Chromium from the system's packages (Debian's `chromium`), driven
by Playwright. A user's path through the demo's store — the alerts, an alert's announcement, its document and
relation graph, a search without diacritics — at phone and desktop widths: what is visible, no failed request,
a clean console, nothing wider than a phone. Screenshots of every page land in $GOVMON_ARTIFACTS (default
test-artifacts/screenshots/) to be looked at.

Skipped without Chromium; a failure instead when GOVMON_REQUIRE_SERVICES=1 (CI installs it)."""
from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy.engine import Engine

from conftest import unavailable
from govmon.monitor.config import Config
from govmon.monitor.web.app import create_app

ARTIFACTS = Path(os.environ.get("GOVMON_ARTIFACTS", Path(__file__).resolve().parents[3] / "test-artifacts")) / "screenshots"
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}


def _chromium() -> str | None:
    return os.environ.get("GOVMON_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(demo_store: Engine, demo_app_config: Config) -> Iterator[str]:
    port = _free_port()
    config = uvicorn.Config(create_app(demo_store, demo_app_config), host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = _chromium()
    if not executable:
        unavailable("Chromium (apt-get install chromium)", "not found")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        launched.close()


@dataclass
class Watch:
    """Everything that went wrong while a page was open."""

    problems: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url} {r.failure}"))
        page.on("response", lambda r: self.problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)


def _open(browser: Browser, width: str) -> tuple[Page, Watch]:
    w, h = WIDTHS[width]
    page = browser.new_page(viewport={"width": w, "height": h}, locale="vi-VN")
    watch = Watch()
    watch.attach(page)
    return page, watch


def _check(page: Page, watch: Watch, name: str, width: str) -> None:
    """No problem seen, nothing wider than the window, and a screenshot to look at."""
    assert not watch.problems, watch.problems
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{name} is {overflow}px wider than a {width} screen"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_from_an_alert_to_its_announcement_document_and_graph(browser, server, width):
    page, watch = _open(browser, width)
    page.goto(server + "/")
    assert page.locator("article.alert").count() == 4
    assert page.get_by_role("heading", name="Thông báo", exact=True).is_visible()
    _check(page, watch, "alerts", width)

    page.locator("article.kind-new_article h2 a").click()
    page.wait_for_load_state()
    assert "/announcements/" in page.url
    assert page.locator("table").first.locator("tbody tr").count() == 3
    _check(page, watch, "announcement", width)

    page.goto(server + "/")
    page.locator("article.kind-document_amended p.relation a").last.click()
    page.wait_for_load_state()
    assert page.url.endswith("/documents/03/NQ-CP")
    graph = page.locator("figure.graph svg")
    assert graph.is_visible() and graph.bounding_box()["width"] <= WIDTHS[width][0]
    assert page.locator("p.status").inner_text().startswith("được sửa đổi")
    _check(page, watch, "document", width)

    page.locator("figure.graph svg a").filter(has_text="71/NQ-CP").first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/documents/71/NQ-CP")
    _check(page, watch, "document-graph-link", width)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_search_without_diacritics_and_the_other_pages(browser, server, width):
    page, watch = _open(browser, width)
    page.goto(server + "/")
    page.locator("form.search input[name=q]").fill("nghi quyet 57")
    page.locator("form.search button").click()
    page.wait_for_load_state()
    results = page.locator("article.result")
    assert results.count() >= 1 and results.first.is_visible()
    _check(page, watch, "search", width)

    changed = page.request.get(server + "/api/events?kind=article_changed").json()["items"][0]
    for name, path in (("diff", f"/announcements/{changed['article_id']}/diff"),
                       ("diff-side", f"/announcements/{changed['article_id']}/diff?view=side"),
                       ("sources", "/sources"), ("documents", "/documents"), ("feeds", "/feeds")):
        page.goto(server + path)
        assert page.locator("h1").first.is_visible()
        _check(page, watch, name, width)
