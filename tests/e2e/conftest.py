"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server."""

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread
from playwright.sync_api import Browser, Page, sync_playwright


# The test database on SQLite is in memory: one connection, which the live server's threads
# share. A page that loads two panels at once would use it from two threads ("bad parameter
# or other API misuse"), so the live server answers one request at a time, in its own
# thread (which already uses the shared connection).
#
# A page may still be polling (the forecast panel asks every 4 s) when its test ends; the
# request must not run while the test's teardown flushes that same connection. So each
# test's teardown closes every browser context, then closes the door and waits for the
# request in hand, before the database is flushed.
class SerialWSGIServer(WSGIServer):
    serving = threading.Lock()
    open_for_requests = False

    def __init__(self, *args: object, connections_override: object = None, **kwargs: object):
        super().__init__(*args, **kwargs)

    def process_request(self, request: object, client_address: object) -> None:
        with self.serving:
            if self.open_for_requests:
                super().process_request(request, client_address)  # type: ignore[arg-type]
            else:
                self.shutdown_request(request)  # type: ignore[arg-type]


LiveServerThread.server_class = SerialWSGIServer  # type: ignore[assignment]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}


@pytest.fixture(scope="session")
def browser() -> Browser:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _server_quiet_after_test(browser: Browser, transactional_db: None) -> Iterator[None]:
    SerialWSGIServer.open_for_requests = True
    yield
    for context in browser.contexts:
        context.close()
    with SerialWSGIServer.serving:
        SerialWSGIServer.open_for_requests = False


@pytest.fixture
def page(browser: Browser) -> Page:
    context = browser.new_context(viewport=DESKTOP, locale="th-TH")
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"browser console errors: {errors}"


def screenshot(page: Page, name: str) -> None:
    """Save the page at desktop and phone width as test artifacts."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    page.screenshot(path=ARTIFACTS / f"{name}-phone.png", full_page=True)
    if size:
        page.set_viewport_size(size)
