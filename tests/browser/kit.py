"""The reader's-eye toolkit: the real site served on 127.0.0.1, a headless Chromium driven by
Selenium that records every request and console message, and one page of every type.

What is missing on a machine (Chromium, its driver, Node packages, Java) makes the tests that
need it skip, with the command that installs it (see ``missing``); conftest.py's summary lists them.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler
from pathlib import Path

import pytest

from kbtest import http_server
from knowledgebase.model.schema import entry_types

from . import checks

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
NODE_MODULES = HERE / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
ARTIFACTS = ROOT / "test-artifacts"

INSTALL_BROWSER = "sudo apt-get install chromium chromium-driver (or run `make system-deps` as root)"
INSTALL_NODE = "npm ci --prefix tests/browser (needs node and npm: sudo apt-get install npm)"
INSTALL_JAVA = "sudo apt-get install default-jre-headless"

CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--no-default-browser-check",
    "--disable-default-apps",
    "--disable-extensions",
    "--window-size=1280,900",
    # Belt and braces: a request to any other host is recorded by the tests, and never resolves.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]

# Keep Selenium Manager (which may download drivers and send usage statistics) out of it.
os.environ.setdefault("SE_OFFLINE", "true")
os.environ.setdefault("SE_AVOID_STATS", "true")


MISSING: dict[str, str] = {}  # what is not installed -> how to install it, for the summary


def missing(what: str, install: str) -> None:
    """Skip (or, with KB_REQUIRE_BROWSER_TESTS=1, fail) because ``what`` is not installed."""
    MISSING[what] = install
    message = f"{what} not found; to run these tests: {install}"
    if os.environ.get("KB_REQUIRE_BROWSER_TESTS") == "1":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def find_chromium() -> tuple[str, str] | None:
    browser = next((shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None)
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


# --- the site and its server ---------------------------------------------------------------------


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass
class Server:
    root: Path
    url: str  # http://127.0.0.1:port/ , with the trailing slash
    origin: str  # http://127.0.0.1:port


@contextlib.contextmanager
def serve(root: Path) -> Iterator[Server]:
    """Serve ``root`` over HTTP on 127.0.0.1 (a free port) from a background thread."""
    with http_server(functools.partial(QuietHandler, directory=str(root))) as origin:
        yield Server(root, f"{origin}/", origin)


# One page of every type the site has: entry pages of each kind (every type the schemas define),
# their indexes, the special pages.
ENTRY_KINDS = {f"{kind.singular.lower()} page": kind.url for kind in sorted(entry_types().values(), key=lambda k: k.url)}
PAGE_TYPES = (
    "home",
    *ENTRY_KINDS,
    "section index",
    "definitions index",
    "glossary index",
    "timeline",
    "tags",
    "404",
)


def page_of_type(site_dir: Path, kind: str) -> str:
    """The URL path, relative to the site root, of one page of ``kind`` (the first entry, by id)."""
    fixed = {
        "home": "",
        "section index": "papers/",
        "definitions index": "definitions/",
        "glossary index": "glossary/",
        "timeline": "timeline/",
        "tags": "tags/",
        "404": "404.html",
    }
    if kind in fixed:
        return fixed[kind]
    section = ENTRY_KINDS[kind]
    entries = sorted(p.parent.name for p in (site_dir / section).glob("*/index.html"))
    assert entries, f"no {kind} in the built site"
    return f"{section}/{entries[0]}/"


# --- the browser ---------------------------------------------------------------------------------


@dataclass
class Visit:
    """What loading one page did: every request, the failures, the console errors."""

    url: str
    events: list[dict] = field(default_factory=list)
    console: list[dict] = field(default_factory=list)

    def outbound(self, origin: str) -> list[str]:
        return checks.outbound_requests(self.events, origin)

    def failures(self) -> list[str]:
        return checks.failed_requests(self.events)

    def errors(self) -> list[str]:
        return checks.console_errors(self.console)


class Reader:
    """A headless Chromium, with helpers to load a page and see what it did."""

    def __init__(self, driver, server: Server | None) -> None:
        self.driver = driver
        self.server = server

    def drain(self) -> Visit:
        visit = Visit(self.driver.current_url)
        visit.events = checks.network_events(self.driver.get_log("performance"))
        visit.console = self.driver.get_log("browser")
        return visit

    def settle(self, quiet: float = 0.3, limit: float = 10.0) -> Visit:
        """Wait until the page has loaded and the network has been quiet for ``quiet`` seconds."""
        visit = Visit(self.driver.current_url)
        deadline = time.monotonic() + limit
        last = time.monotonic()
        while time.monotonic() < deadline:
            more = self.drain()
            visit.events += more.events
            visit.console += more.console
            if more.events or more.console:
                last = time.monotonic()
            ready = self.driver.execute_script("return document.readyState") == "complete"
            if ready and time.monotonic() - last >= quiet:
                break
            time.sleep(0.1)
        return visit

    def visit(self, path: str = "", base: str | None = None) -> Visit:
        """Load ``path`` (relative to the site root) and return what loading it did."""
        self.drain()
        url = (base or self.server.url) + path
        self.driver.get(url)
        visit = self.settle()
        visit.url = url
        return visit

    def wait_for(self, css: str, timeout: float = 10.0, visible: bool = True):
        """The first element matching ``css`` once it is there (and shown, if ``visible``)."""
        from selenium.common.exceptions import StaleElementReferenceException

        deadline = time.monotonic() + timeout
        while True:
            try:
                for element in self.driver.find_elements("css selector", css):
                    if not visible or element.is_displayed():
                        return element
            except StaleElementReferenceException:
                pass  # redrawn while we looked (search results are, as letters are typed)
            if time.monotonic() > deadline:
                raise AssertionError(f"nothing matching {css!r} appeared within {timeout:g} s on {self.driver.current_url}")
            time.sleep(0.1)

    def set_palette(self, scheme: str) -> None:
        """Choose the light (``default``) or dark (``slate``) palette as the reader's toggle does."""
        for _ in range(2):
            current = self.driver.execute_script("return document.body.getAttribute('data-md-color-scheme')")
            if current == scheme:
                return
            toggles = self.driver.find_elements("css selector", "form[data-md-component=palette] label:not([hidden])")
            if not toggles:
                raise AssertionError(f"no palette toggle on {self.driver.current_url}")
            toggles[0].click()
            checks.settle_transitions(self.driver)
        raise AssertionError(f"the palette toggle did not switch to {scheme}")

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path


def chrome(user_data_dir: Path, extra_flags: tuple[str, ...] = ()):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing("Python selenium", "pip install -e '.[test]'")
    found = find_chromium()
    if not found:
        missing("Chromium or chromedriver", INSTALL_BROWSER)
    browser, driver = found
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in (*CHROMIUM_FLAGS, *extra_flags, f"--user-data-dir={user_data_dir}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    options.add_experimental_option("perfLoggingPrefs", {"enableNetwork": True, "enablePage": False})
    return webdriver.Chrome(options=options, service=Service(executable_path=driver))


@contextlib.contextmanager
def headless_chromium() -> Iterator[object]:
    """A headless Chromium (``chrome``) with a profile of its own, quit at the end."""
    with tempfile.TemporaryDirectory(prefix="kb-chromium-") as profile:
        driver = chrome(Path(profile))
        driver.set_page_load_timeout(30)
        try:
            yield driver
        finally:
            driver.quit()
