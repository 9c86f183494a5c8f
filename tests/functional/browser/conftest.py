"""The browser harness: the real app served by uvicorn on a free port, driven by headless Chromium.

One server and one browser for this folder (starting them costs about a second; both stop when its last
test is done, before the rest of the suite runs); each test gets a fresh
browser context (its own cookies) and creates the users, stations and waybills it needs through the
services, with unique names, so tests never depend on one another's data.

The app is served on ``http://127.0.0.1:<port>``: Chromium treats loopback as a secure context, so the
``Secure`` session cookie is stored and sent over plain HTTP there, as it would be over HTTPS in production.

Chromium is Debian's (``/usr/bin/chromium``, installed by ``scripts/setup --dev``), launched through
Playwright's ``executable_path``: Playwright's own browser download is not used. Without it the tests are
skipped on a developer's machine and fail under CI, where a skip would hide a missing install step.

Screenshots of every page go to ``test-artifacts/screenshots/`` (git-ignored); with
``PARCELGUARD_UPDATE_SCREENSHOTS=1`` they are also copied to ``docs/screenshots/`` for the documentation.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright

from parcelguard.adapters.crypto.passwords import Argon2Passwords
from parcelguard.adapters.db import migrate
from parcelguard.bootstrap import Runtime, bootstrap
from parcelguard.config import Settings
from parcelguard.domain.reveal_policy import RevealLimits

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
PHONE = {"width": 360, "height": 740}  # a courier's phone
DESK = {"width": 1280, "height": 800}  # customer service, security, administration
SERVER_START_TIMEOUT_S = 15.0
ACTION_TIMEOUT_MS = 10_000  # generous for a loaded 2-core CI machine; a passing step takes milliseconds
expect.set_options(timeout=ACTION_TIMEOUT_MS)

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder is a browser test (the hook sees the whole session's items)."""
    for item in items:
        if _HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        missing = f"{CHROMIUM} is missing (scripts/setup --dev installs Debian's chromium)"
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            # Root in CI needs --no-sandbox; containers often have a tiny /dev/shm. Chromium's fake camera
            # stands in for a phone's (the scan test grants the permission).
            args=[
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
            ],
        )
        yield launched
        launched.close()


@pytest.fixture(scope="package")
def live_runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    """A migrated SQLite ParcelGuard in a temporary data folder, shared by the server and the tests.

    Argon2id runs with cheaper parameters (still argon2id) so that sign-ins take milliseconds; a customer
    service agent's daily quota is 1 so that the break-glass flow is reached on the second reveal; every
    browser comes from 127.0.0.1, so the per-client sign-in limit is raised (the per-account one, which the
    lockout test drives, is the production default). Customers' one-time codes go to an in-memory sink
    the tests read (``runtime.access.notifier``), and the access page's per-client burst is raised likewise.
    """
    home = tmp_path_factory.mktemp("browser") / "home"
    built = bootstrap(
        Settings(
            environment="test",
            home=home,
            login_client_max_failures=1000,
            notifier="memory",  # the customers' access page: tests read the one-time codes sent
            access_burst=100,
        )
    )
    migrate.upgrade(built.engine)
    ctx = replace(
        built.ctx,
        passwords=Argon2Passwords(time_cost=1, memory_kib=8192, parallelism=1),
        reveal_limits=RevealLimits(daily_quota=1, daily_ceiling=50),
    )
    yield replace(built, ctx=ctx)
    built.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="package")
def live_server(live_runtime: Runtime) -> Iterator[str]:
    """The base URL of the real app (uvicorn in a thread), stopped at the end of the session."""
    import uvicorn

    from parcelguard.web.app import create_app

    port = _free_port()
    config = uvicorn.Config(
        create_app(runtime=live_runtime), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="browser-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the test server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


class WatchedContext:
    """A browser context that records what the browser console reports as errors and uncaught script
    errors: a Content-Security-Policy violation (an inline script or style, an asset from another origin)
    or a broken script fails the test that caused it. Answers with an error status (a 403 refusal fragment)
    are expected and not counted."""

    def __init__(self, browser: Browser, base_url: str, viewport: dict[str, int], **options: Any) -> None:
        self.context = browser.new_context(base_url=base_url, viewport=viewport, locale="zh-CN", **options)  # type: ignore[arg-type]
        self.context.set_default_timeout(ACTION_TIMEOUT_MS)
        self.errors: list[str] = []
        self.context.on("page", self._watch)

    def _watch(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(message.text)

    def new_page(self) -> Page:
        return self.context.new_page()

    def close(self) -> None:
        self.context.close()
        assert not self.errors, f"the browser reported errors: {self.errors}"


@pytest.fixture
def page(browser: Browser, live_server: str) -> Iterator[Page]:
    """A phone-sized page in a fresh context (no cookies)."""
    context = WatchedContext(browser, live_server, PHONE)
    yield context.new_page()
    context.close()


@pytest.fixture
def desk_page(browser: Browser, live_server: str) -> Iterator[Page]:
    """A desktop-sized page in a fresh context, for back-office roles."""
    context = WatchedContext(browser, live_server, DESK)
    yield context.new_page()
    context.close()


@pytest.fixture
def new_page(browser: Browser, live_server: str) -> Iterator[Callable[[str], Page]]:
    """Opens further pages, each in a context of its own (another person on another device)."""
    opened: list[WatchedContext] = []

    def open_page(kind: str = "phone") -> Page:
        context = WatchedContext(browser, live_server, PHONE if kind == "phone" else DESK)
        opened.append(context)
        return context.new_page()

    yield open_page
    for context in opened:
        context.close()


@pytest.fixture(scope="session")
def screenshot() -> Callable[[Page, str], Path]:
    """Saves a full-page PNG of ``page`` as ``<name>.png`` under test-artifacts/screenshots/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    update_docs = os.environ.get("PARCELGUARD_UPDATE_SCREENSHOTS") == "1"

    def take(page: Page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        if update_docs:
            DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, DOCS_SCREENSHOTS / path.name)
        return path

    return take
