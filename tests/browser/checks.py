"""The reader's-eye checks, each a plain function so the tests of the checks can run them on fault pages.

Only the standard library is imported here: tests/test_build.py uses ``broken_links`` on machines
without Selenium, Chromium, Node or Java. Functions that drive a browser take the Selenium driver
as an argument.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

# --- links and anchors in a built site ---------------------------------------------------------


class Links(HTMLParser):
    """Every href and src of a page (with the tag they sit on), and the ids it defines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.urls.append((tag, value))
            elif name == "srcset" and value:
                self.urls.extend((tag, part.split()[0]) for part in value.split(",") if part.strip())
            if name == "id" and value:
                self.ids.add(value)
            if name == "name" and value and tag == "a":
                self.ids.add(value)


def parse_links(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    parser.close()
    return parser


def broken_links(site: Path) -> list[str]:
    """Every href and src in every page of ``site`` that leads nowhere: a missing file or anchor.

    Links to other hosts (any ``scheme:`` or ``//host``) are not followed. Anchors are checked
    against the ids (and ``<a name>``) of the target page, so ``page/#section`` must exist too.
    """
    site = site.resolve()
    pages = {p: parse_links(p.read_text(encoding="utf-8")) for p in sorted(site.rglob("*.html"))}
    broken = []
    for page, links in pages.items():
        for tag, url in links.urls:
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url) or url.startswith("//"):
                continue
            if page.name == "404.html" and page.parent == site and url.startswith("/"):
                url = url.lstrip("/")  # MkDocs' 404 page links from the site root
            path, _, anchor = url.partition("#")
            path = unquote(path.partition("?")[0])
            if path.startswith("/"):
                target = (site / path.lstrip("/")).resolve()
            else:
                target = (page.parent / path).resolve() if path else page
            if target.is_dir():
                target = target / "index.html"
            where = f"{page.relative_to(site)}: <{tag}> {url}"
            if not target.is_relative_to(site):
                broken.append(f"{where} (outside the site)")
            elif not target.is_file():
                broken.append(where)
            elif anchor and target.suffix == ".html" and unquote(anchor) not in pages[target].ids:
                broken.append(f"{where} (no such anchor)")
    return broken


# --- what a page did in the browser: requests, failures, console -------------------------------


@dataclass(frozen=True)
class Request:
    url: str
    kind: str  # Document, Script, Fetch, Image, ...


def network_events(performance_log: Iterable[dict]) -> list[dict]:
    """The DevTools Network events of a ChromeDriver performance log, as ``{"method", "params"}``."""
    events = []
    for entry in performance_log:
        message = json.loads(entry["message"])["message"]
        if message.get("method", "").startswith("Network."):
            events.append(message)
    return events


def requests_made(events: Iterable[dict]) -> list[Request]:
    made = []
    for event in events:
        if event["method"] == "Network.requestWillBeSent":
            made.append(Request(event["params"]["request"]["url"], event["params"].get("type", "")))
        elif event["method"] == "Network.webSocketCreated":
            made.append(Request(event["params"]["url"], "WebSocket"))
    return made


LOCAL_SCHEMES = {"data", "blob", "about", "javascript"}


def outbound_requests(events: Iterable[dict], origin: str) -> list[str]:
    """Requests to anywhere but ``origin`` (``http://127.0.0.1:port``); data:, blob: and about: are local."""
    own = urlsplit(origin)
    outbound = []
    for request in requests_made(events):
        parts = urlsplit(request.url)
        if parts.scheme in LOCAL_SCHEMES:
            continue
        if (parts.scheme, parts.netloc) != (own.scheme, own.netloc):
            outbound.append(f"{request.kind or 'request'} {request.url}")
    return outbound


def failed_requests(events: Sequence[dict]) -> list[str]:
    """Requests that failed outright (blocked, refused, DNS) or were answered with an HTTP error."""
    urls = {e["params"]["requestId"]: e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"}
    failed = []
    for event in events:
        params = event["params"]
        if event["method"] == "Network.responseReceived" and params["response"]["status"] >= 400:
            failed.append(f"HTTP {params['response']['status']} {params['response']['url']}")
        elif event["method"] == "Network.loadingFailed" and not params.get("canceled"):
            failed.append(f"{params.get('errorText', 'failed')} {urls.get(params['requestId'], params['requestId'])}")
    return failed


def console_errors(browser_log: Iterable[dict]) -> list[str]:
    """Console errors and uncaught exceptions (ChromeDriver reports both at level SEVERE)."""
    return [entry["message"] for entry in browser_log if entry.get("level") == "SEVERE"]


# --- accessibility: axe-core in the page -------------------------------------------------------

SERIOUS = ("serious", "critical")


def axe_violations(driver, axe_source: str, impacts: Sequence[str] = SERIOUS, context: object = None) -> list[dict]:
    """Run axe-core (its source text injected into the page) and return the violations of ``impacts``."""
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(axe_source)
    result = driver.execute_async_script(
        """
        const [context, done] = [arguments[0], arguments[arguments.length - 1]];
        axe.run(context || document, {resultTypes: ['violations']})
          .then(r => done(JSON.stringify(r.violations)))
          .catch(e => done(JSON.stringify({error: String(e)})));
        """,
        context,
    )
    violations = json.loads(result)
    if isinstance(violations, dict):
        raise RuntimeError(f"axe-core failed: {violations['error']}")
    return [v for v in violations if v.get("impact") in impacts]


def describe_violations(violations: Iterable[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['impact']}: {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(map(str, node['target']))}: {node.get('failureSummary', '').splitlines()[-1:]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


# --- the Nu HTML checker -----------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    kind: str  # error, info (warning)
    message: str
    extract: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.kind}: {self.message}\n    {self.extract.strip()}"


@dataclass(frozen=True)
class Accepted:
    """A Nu finding knowingly accepted: the message pattern, what it must be found in, and why."""

    message: str  # regular expression, searched in the message
    extract: str  # regular expression, searched in the source extract around it
    reason: str

    def matches(self, finding: Finding) -> bool:
        return bool(re.search(self.message, finding.message) and re.search(self.extract, finding.extract))


# Findings of the Nu HTML checker that come from Material for MkDocs' own templates, knowingly
# accepted: changing them means copying large theme templates for no gain to readers. Anything
# else the checker reports fails the test.
ACCEPTED_NU = (
    Accepted(
        message=r"^Attribute “autocomplete” is only allowed when the input type is",
        extract=r'<input class="md-toggle" data-md-toggle="(drawer|search)" type="checkbox" id="__(drawer|search)" autocomplete="off">',
        reason="Material's base.html: the drawer and search toggles are checkboxes with autocomplete=off, so that "
        "Firefox does not restore them open when a reader comes back to a page. Browsers honour it; the "
        "specification does not list it for checkboxes.",
    ),
    Accepted(
        message=r"^Bad value “” for attribute “tabindex” on element “label”",
        extract=r'<label class="md-nav__link[^"]*" for="__nav_\d+(_\d+)*" id="__nav_\d+(_\d+)*_label" tabindex="">',
        reason="Material's partials/nav-item.html writes an empty tabindex on the label of a nav section that has an "
        "index page (navigation.indexes); browsers ignore the empty value.",
    ),
    Accepted(
        message=r"^The value of the “for” attribute of the “label” element must be the ID of a non-hidden form control",
        extract=r'<label class="md-nav__title" for="__toc">',
        reason="Material's partials/toc.html labels its title for the __toc toggle, which the theme renders only "
        "when the table of contents is folded into the primary navigation; elsewhere the label targets nothing.",
    ),
)


def nu_findings(files: Sequence[Path], vnu_jar: Path, java: str = "java", accepted: Sequence[Accepted] = ()) -> list[Finding]:
    """Errors and warnings of the Nu HTML checker on ``files`` (one JVM run), less the accepted ones."""
    result = subprocess.run(
        [java, "-jar", str(vnu_jar), "--format", "json", "--exit-zero-always", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    try:
        messages = json.loads(result.stderr or result.stdout)["messages"]
    except (ValueError, KeyError) as error:
        raise RuntimeError(f"the Nu checker gave no report ({result.returncode}):\n{result.stdout}\n{result.stderr}") from error
    findings = []
    for message in messages:
        if message["type"] == "info" and message.get("subType") != "warning":
            continue  # plain information, not a problem
        finding = Finding(
            file=unquote(urlsplit(message.get("url", "")).path),
            line=message.get("lastLine", 0),
            kind="warning" if message["type"] == "info" else message["type"],
            message=message["message"],
            extract=message.get("extract", ""),
        )
        if not any(rule.matches(finding) for rule in accepted):
            findings.append(finding)
    return findings


def settle_transitions(driver, timeout: float = 10) -> None:  # noqa: ANN001 - a selenium WebDriver
    """Wait until no CSS transition runs. Material fades colours when the palette changes and hides
    the tabs when the page scrolls; colours measured mid-way (on a loaded machine, after any fixed
    delay) are neither state's."""
    deadline = time.monotonic() + timeout
    time.sleep(0.05)  # let the change start its transitions
    while time.monotonic() < deadline:
        running = driver.execute_script(
            "return document.getAnimations().filter(a => a.playState === 'running' || a.playState === 'pending').length"
        )
        if not running:
            return
        time.sleep(0.1)
    raise AssertionError(f"transitions still running after {timeout} s on {driver.current_url}")
