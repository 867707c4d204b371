"""Fixtures for the reader's-eye tests: the real site built once, served on 127.0.0.1, and a
headless Chromium driven by Selenium that records every request and console message (kit.py).

What is missing on a machine (Chromium, its driver, Node packages, Java) makes the tests that
need it skip, with the command that installs it; pytest's ``-ra`` summary lists the reasons.
Set ``KB_REQUIRE_BROWSER_TESTS=1`` (CI) to turn those skips into failures.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from .kit import AXE_JS, INSTALL_JAVA, INSTALL_NODE, MISSING, VNU_JAR, Reader, Server, headless_chromium, missing, serve


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """One plain notice, after pytest's list of skips, of what the reader's-eye tests could not use."""
    if MISSING:
        terminalreporter.section("reader's-eye tests (tests/browser): skipped parts", sep="-", yellow=True)
        for what, install in MISSING.items():
            terminalreporter.line(f"{what} not found. Install: {install}")


@pytest.fixture(scope="session")
def site_dir(built_repo) -> Path:
    """The repository's real site, built once with ``mkdocs build --strict`` in a temporary copy."""
    return built_repo.root / "site"


@pytest.fixture(scope="session")
def site(site_dir: Path) -> Iterator[Server]:
    with serve(site_dir) as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the whole session (starting one takes about a second)."""
    with headless_chromium() as driver:
        driver.set_script_timeout(60)
        yield driver


@pytest.fixture
def reader(browser, site: Server) -> Reader:
    reader = Reader(browser, site)
    reader.drain()
    return reader


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.is_file():
        missing("axe-core (tests/browser/node_modules)", INSTALL_NODE)
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def vnu() -> tuple[str, Path]:
    """The Java runtime and the Nu HTML checker's jar."""
    java = shutil.which("java")
    if not java:
        missing("Java", INSTALL_JAVA)
    if not VNU_JAR.is_file():
        missing("The Nu HTML checker (vnu-jar in tests/browser/node_modules)", INSTALL_NODE)
    return java, VNU_JAR
