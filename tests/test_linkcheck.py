"""`kb linkcheck` against a local web server: never the internet."""

from __future__ import annotations

import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from knowledgebase.settings import Settings
from knowledgebase.tools import linkcheck

#: Long enough for a busy machine to answer; /slow takes three times as long.
TIMEOUT = "2"


class Handler(BaseHTTPRequestHandler):
    log: list[tuple[str, str]] = []
    active = 0
    most = 0
    lock = threading.Lock()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass

    def _answer(self, method: str) -> None:
        cls = type(self)
        with cls.lock:
            cls.log.append((method, self.path))
            cls.active += 1
            cls.most = max(cls.most, cls.active)
        try:
            path = self.path.split("?")[0]
            if path == "/slow":
                time.sleep(float(TIMEOUT) * 3)
                self._status(200)
            elif path == "/busy":
                time.sleep(0.2)
                self._status(200)
            elif path in ("/ok", "/"):
                self._status(200)
            elif path == "/missing":
                self._status(404)
            elif path == "/gone":
                self._status(410)
            elif path == "/error":
                self._status(500)
            elif path == "/moved":
                self._status(301, location="/ok")
            elif path == "/moved-to-nowhere":
                self._status(302, location="/missing")
            elif path == "/no-head":
                self._status(405 if method == "HEAD" else 200)
            else:
                self._status(404)
        finally:
            with cls.lock:
                cls.active -= 1

    def _status(self, code: int, location: str | None = None) -> None:
        body = b"<!doctype html><title>x</title>"
        self.send_response(code)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body)

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's naming
        self._answer("HEAD")

    def do_GET(self) -> None:  # noqa: N802
        self._answer("GET")


@pytest.fixture
def server():
    Handler.log, Handler.active, Handler.most = [], 0, 0
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def local_only(project, base: str) -> None:
    """Point every URL of the fixture at the local server, so that nothing leaves the machine."""
    for path in [*project.root.glob("content/*/*.yaml"), *project.root.glob("bibliography/*.bib")]:
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"https?://[^\s},)\]]+", f"{base}/ok", text), encoding="utf-8")


def organisation(project, name: str, url: str, summary: str = "An organisation.") -> Path:
    return project.write(
        f"content/organisations/{name}.yaml",
        f"title: {name}\nkind: company\nurl: {url}\nsummary: {summary}\nsources: [explainer]\n",
    )


@pytest.fixture
def linked(project, server):
    local_only(project, server)
    organisation(project, "dead-org", f"{server}/missing")
    organisation(project, "gone-org", f"{server}/gone")
    organisation(project, "moved-org", f"{server}/moved")
    organisation(project, "moved-dead-org", f"{server}/moved-to-nowhere")
    organisation(project, "no-head-org", f"{server}/no-head")
    organisation(project, "slow-org", f"{server}/slow")
    organisation(project, "error-org", f"{server}/error")
    organisation(project, "refused-org", "http://127.0.0.1:9/nothing-listens-here")
    organisation(project, "prose-org", f"{server}/ok", summary=f"See [their report]({server}/missing?from=prose).")
    return project


def test_collects_every_url_field_and_prose_link(linked, server):
    settings = Settings.from_mkdocs_yml(linked.root / "mkdocs.yml")
    places = linkcheck.collect(settings)
    assert all(url.startswith("http://127.0.0.1:") for url in places), list(places)
    assert f"{server}/missing?from=prose" in places
    (place,) = places[f"{server}/missing"]
    assert (place.path, place.line, place.col, place.entry) == ("content/organisations/dead-org.yaml", 3, 6, "dead-org")
    (prose,) = places[f"{server}/missing?from=prose"]
    assert prose.path == "content/organisations/prose-org.yaml" and prose.line == 4
    bib = [p for u, ps in places.items() for p in ps if p.path == "bibliography/works.bib"]
    assert bib and bib[0].line == 9  # widder2024why's url field


def test_kb_linkcheck_reports_dead_links_at_their_place(linked, server):
    result = linked.kb("linkcheck", "--timeout", TIMEOUT, "--workers", "4")
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    lines = set(out.splitlines())
    assert f"content/organisations/dead-org.yaml:3:6: warning: dead link {server}/missing (404 Not Found)" in lines
    assert f"content/organisations/gone-org.yaml:3:6: warning: dead link {server}/gone (410 Gone)" in lines
    assert f"content/organisations/moved-dead-org.yaml:3:6: warning: dead link {server}/moved-to-nowhere (404 Not Found)" in lines
    assert f"content/organisations/error-org.yaml:3:6: warning: dead link {server}/error (500 Internal Server Error)" in lines
    assert f"content/organisations/slow-org.yaml:3:6: warning: dead link {server}/slow (no answer within {TIMEOUT} s)" in lines
    assert (
        "content/organisations/refused-org.yaml:3:6: warning: dead link http://127.0.0.1:9/nothing-listens-here (connection refused)"
        in lines
    )
    assert any(line.startswith("content/organisations/prose-org.yaml:4:") and "missing?from=prose (404" in line for line in lines)
    # Working, redirected and HEAD-refusing URLs are not reported.
    for fine in ("moved-org", "no-head-org", "organisations/osi", "podcasts/moshi"):
        assert fine not in out
    assert "Traceback" not in result.stderr
    assert re.search(r"\d+ URLs checked, 7 dead", result.stderr), result.stderr


def test_head_first_then_get(linked, server):
    linked.kb("linkcheck", "--timeout", TIMEOUT)
    log = Handler.log
    assert ("HEAD", "/no-head") in log and ("GET", "/no-head") in log
    assert log.index(("HEAD", "/no-head")) < log.index(("GET", "/no-head"))
    assert ("HEAD", "/ok") in log and ("GET", "/ok") not in log  # a good HEAD is enough
    assert ("GET", "/gone") not in log  # 410 is final


def test_github_and_markdown_formats(linked, server):
    github = linked.kb("linkcheck", "--timeout", TIMEOUT, "--format", "github")
    assert github.returncode == 1
    assert (
        f"::warning file=content/organisations/dead-org.yaml,line=3,col=6::dead link {server}/missing (404 Not Found)"
        in github.stdout
    )
    report = linked.kb("linkcheck", "--timeout", TIMEOUT, "--format", "markdown")
    assert report.returncode == 1
    out = report.stdout
    assert out.startswith("## External link check\n")
    assert "**7 dead**, 1 redirected" in out
    assert f"| {server}/missing | 404 Not Found | `content/organisations/dead-org.yaml:3` (dead-org) |" in out
    assert f"| {server}/moved | {server}/ok |" in out


def test_all_good_exits_zero(project, server):
    local_only(project, server)
    result = project.kb("linkcheck", "--timeout", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_concurrency_is_bounded(project, server):
    local_only(project, server)
    for index in range(8):
        organisation(project, f"busy-{index}", f"{server}/busy?n={index}")
    result = project.kb("linkcheck", "--workers", "2", "--timeout", "5")
    assert result.returncode == 0, result.stdout + result.stderr
    assert Handler.most <= 2
    assert sum(1 for method, path in Handler.log if path.startswith("/busy")) == 8


def test_check_refuses_what_is_not_http():
    for url in ("javascript:alert(1)", "file:///etc/passwd", "ftp://example.org/"):
        result = linkcheck.check(url, timeout=0.1)
        assert not result.ok and result.reason == "not an http(s) URL"
