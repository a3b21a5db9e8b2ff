"""A real Chromium (Debian's package) driven by Playwright, and a helper for the chat page."""

from __future__ import annotations

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Dict, Iterator, List

import pytest
from playwright.sync_api import Browser, BrowserContext, Frame, FrameLocator, Locator, Page, sync_playwright

from bot.settings import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = PROJECT_ROOT / "results" / "screenshots"
TURN_TIMEOUT_MS = 30_000
AXE_SOURCE = Path(__file__).with_name("vendor") / "axe.min.js"  # axe-core 4.10.3, MPL-2.0, vendored
PHONE = {
    "viewport": {"width": 375, "height": 667},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
DESKTOP = {"viewport": {"width": 1280, "height": 860}}
# the stack inherits the environment when it starts (after collection): the tests' host secret
HOST_SIGNING_SECRET = os.environ.setdefault("HOST_SIGNING_SECRET", "browser-tests-host-secret")


def axe_violations(target: Page | Frame) -> List[str]:
    """Run axe-core in ``target`` (a page or a frame) and return its serious and critical violations.

    The script is evaluated through the DevTools protocol, which the pages' CSP does not govern.
    """
    if not target.evaluate("() => typeof window.axe === 'object'"):
        target.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    found = target.evaluate(
        """async () => {
            const result = await axe.run(document, {iframes: false, resultTypes: ['violations']});
            return result.violations
              .filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).join(', '));
        }"""
    )
    return list(found)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium fonts-noto-cjk"
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport={"width": 1000, "height": 900}, locale="zh-CN")
    ctx.set_default_timeout(TURN_TIMEOUT_MS)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


class HostPages:
    """A plain web server on another loopback port: the site that embeds the widget.

    Chromium refuses to load a loopback script into a page from a public address (Private
    Network Access), so the host page is served from loopback too, as a different origin.
    """

    def __init__(self) -> None:
        self.pages: Dict[str, str] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
                body = pages.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write((body or "not found").encode("utf-8"))

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://localhost:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def add(self, path: str, html: str) -> str:
        """Serve ``html`` at ``path`` and return its address."""
        self.pages[path] = html
        return self.origin + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def host_pages() -> Iterator[HostPages]:
    pages = HostPages()
    yield pages
    pages.close()


class ChatPage:
    """The chat page (full page or inside the widget's frame), seen as a citizen sees it."""

    def __init__(self, page: Page, frame: FrameLocator | None = None) -> None:
        self.page = page
        self.root = frame or page
        self.errors: List[str] = []
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on(
            "console", lambda msg: self.errors.append(f"console: {msg.text}") if msg.type == "error" else None
        )

    @property
    def input(self) -> Locator:
        return self.root.locator("#input")

    @property
    def send_button(self) -> Locator:
        return self.root.locator("#send")

    def bot_bubbles(self) -> Locator:
        return self.root.locator(".row.bot .bubble")

    def notices(self) -> List[str]:
        return self.root.locator(".notice").all_inner_texts()

    def wait_for_greeting(self) -> str:
        greeting = self.bot_bubbles().filter(has_text="猜你想问").first
        greeting.wait_for(timeout=TURN_TIMEOUT_MS)
        self.wait_idle()
        return greeting.inner_text()

    def wait_idle(self) -> None:
        """Wait until no reply is on its way (the typing indicator is gone)."""
        self.root.locator(".typing").first.wait_for(state="detached", timeout=TURN_TIMEOUT_MS)

    def turn(self, action: Callable[[], None]) -> str:
        """Run ``action`` (a click or a key press), wait for the new bot reply and return its text."""
        before = self.bot_bubbles().count()
        notices = len(self.notices())
        action()
        self.bot_bubbles().nth(before).wait_for(timeout=TURN_TIMEOUT_MS)
        self.wait_idle()
        new_notices = self.notices()[notices:]
        assert not new_notices, f"the page showed an error instead of a reply: {new_notices}"
        return "\n".join(self.bot_bubbles().all_inner_texts()[before:])

    def ask(self, text: str) -> str:
        """Type ``text`` into the input, press Enter and return the reply."""
        self.input.fill(text)
        return self.turn(lambda: self.input.press("Enter"))

    def click(self, title: str) -> str:
        """Click the newest button titled ``title`` and return the reply."""
        button = self.root.locator(".bubble .buttons button", has_text=title).last
        return self.turn(button.click)
