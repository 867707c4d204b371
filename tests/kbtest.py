"""The tests' toolkit: a knowledge base in a temporary folder driven through the real commands,
and the helpers several test modules share (git with a fixed identity, pandoc and pybtex, the
citation metadata of a built page, the site as the deployment publishes it, a local web server).

Fixtures live in conftest.py and use these; test modules import from here, never from each other.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from knowledgebase.diagnostics import Diagnostics
from knowledgebase.pipeline import load
from knowledgebase.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"
BIN = Path(sys.executable).parent
#: A contributor's git identity, and no configuration of the machine's, for commits in tests.
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "A Contributor",
    "GIT_AUTHOR_EMAIL": "contributor@example.org",
    "GIT_COMMITTER_NAME": "A Contributor",
    "GIT_COMMITTER_EMAIL": "contributor@example.org",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": "/dev/null",
}


def git(root: Path, *args: str, when: str | None = None) -> str:
    """git in ``root`` as the contributor above, at the time ``when`` if given; its output."""
    env = {**os.environ, **GIT_IDENTITY}
    if when:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = when
    result = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout


def generated_project(root: Path, entries: int) -> Project:
    """A synthetic knowledge base (benchmarks/generate.py) at ``root``, committed in git so that
    every entry has a version to cite."""
    from benchmarks import generate

    generate.make_project(root, entries, seed=3)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "A knowledge base", when="2026-11-02T10:00:00+00:00")
    return Project(root)


def in_a_forked_child(function: Callable[[], object]) -> object:
    """``function()`` run in a forked child process (not a daemon: it starts workers of its own),
    as the plugin builds: a process with one thread. (A test process may have threads that other
    tests left running, and a process with threads rightly does all its work itself.)"""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=lambda: send.send(function()), daemon=False)
    child.start()
    send.close()
    try:
        return receive.recv()
    finally:
        child.join()


class Project:
    """A knowledge base in a temporary folder, driven through the real commands."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def run(self, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}
        command = [str(BIN / args[0]), *args[1:]] if (BIN / args[0]).exists() else list(args)
        result = subprocess.run(command, cwd=self.root, env=env, capture_output=True, text=True, timeout=600)
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result

    def kb(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run("kb", *args)

    def mkdocs_build(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run("mkdocs", "build", "--strict", *args)

    def site(self, rel: str) -> str:
        return (self.root / "site" / rel).read_text(encoding="utf-8")

    def snapshot(self, folder: str = "site") -> dict[str, bytes]:
        base = self.root / folder
        return {p.relative_to(base).as_posix(): p.read_bytes() for p in sorted(base.rglob("*")) if p.is_file()}


def config_line(start: str) -> int:
    """The line of the repository's mkdocs.yml that starts with ``start``: tests of messages at a
    setting follow mkdocs.yml as it changes instead of counting its lines."""
    lines = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if line.startswith(start))


#: Where the settings that tests edit stand in mkdocs.yml (the plugin's options go on the line
#: after ``  - knowledgebase``).
DOCS_LINE, SITE_LINE, PLUGIN_LINE = config_line("docs_dir:"), config_line("site_dir:"), config_line("  - knowledgebase") + 1


def copy_mini(root: Path) -> Project:
    """tests/fixtures/mini in ``root``: every entry type, every kind of link, with the real site configuration."""
    shutil.copytree(MINI, root, ignore=shutil.ignore_patterns("build", "site"))
    # The real site configuration and theme overrides, so the tests build what readers get.
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "overrides", root / "overrides")
    # As in a fresh clone: the generated docs folder exists, empty (see .gitignore).
    (root / "build" / "docs").mkdir(parents=True)
    (root / "build" / "docs" / ".gitkeep").touch()
    return Project(root)


def set_site_fields(config: Path, site_url: str | None = None, repo_url: str | None = None) -> None:
    """Give mkdocs.yml a site_url (and repo_url) of its own, in place of the deployment's !ENV ones
    (a second site_url key would not do: YAML keeps the last)."""
    text = config.read_text(encoding="utf-8")
    for key, value in (("site_url", site_url), ("repo_url", repo_url)):
        if value is not None:
            line = f"{key}: !ENV [KB_{key.upper()}, null]"
            assert line in text, f"{config} has no {line!r}"
            text = text.replace(line, f"{key}: {value}")
    config.write_text(text, encoding="utf-8")


def copy_repo(root: Path) -> Project:
    """The real knowledge base (content, bibliography, configuration, overrides) in ``root``."""
    for name in ("content", "bibliography", "overrides"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    (root / "build" / "docs").mkdir(parents=True)
    return Project(root)


def wait_for(predicate: Callable[[], object], timeout: float = 90) -> bool:
    """Whether ``predicate()`` became true within ``timeout`` seconds (asked twice a second)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


@contextlib.contextmanager
def mkdocs_serve(project: Project, *options: str) -> Iterator[tuple[str, Path]]:
    """``mkdocs serve --livereload`` on ``project`` at a free port: yields its URL and its log file."""
    from benchmarks.run import free_port  # the harness times the same server

    port = free_port()
    log = project.root / "serve.log"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    with open(log, "w") as out:
        server = subprocess.Popen(
            [str(BIN / "mkdocs"), "serve", "--livereload", "--dev-addr", f"127.0.0.1:{port}", *options],
            cwd=project.root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield f"http://127.0.0.1:{port}/", log
    finally:
        server.terminate()
        server.wait(timeout=30)


# --- the pipeline in this process: what `kb validate` finds, without starting it ----------------


def validate(project: Path | Settings) -> Diagnostics:
    """Every finding ``kb validate`` makes of the project in a folder (or read already), found in
    this process by the pipeline as the command calls it (``load`` with the checks of the prose)."""
    settings = project if isinstance(project, Settings) else Settings.from_mkdocs_yml(project / "mkdocs.yml")
    return load(settings, lint=True).diagnostics


#: A finding as the commands print it (MkDocs' log level in front of the plugin's).
FINDING = re.compile(
    r"^(?:(?:ERROR|WARNING)\s+-\s+)?(?P<path>[^:\n]+):(?P<line>\d+):(?P<col>\d+): error: (?P<message>.+)$", re.MULTILINE
)


def findings(output: str, pattern: re.Pattern[str] = FINDING) -> list[tuple[str, int, int, str]]:
    """(path, line, column, message) of every error in ``output``."""
    return [(m["path"], int(m["line"]), int(m["col"]), m["message"]) for m in pattern.finditer(output)]


def printed(diagnostics: Diagnostics) -> str:
    """Findings as the commands print them, one ``path:line:col: severity: message`` a line, in order."""
    return "\n".join(str(diagnostic) for diagnostic in diagnostics.sorted())


# --- citations: pandoc, pybtex, cffconvert, and what a built page says -------------------------

#: A Markdown document that cites every work of its bibliography.
NOCITE_ALL = "---\nnocite: '@*'\n---\n"


def citeproc(bibliography: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """pandoc's citeproc rendering every item of ``bibliography`` as plain text."""
    command = ["pandoc", "--citeproc", "-f", "markdown", "-t", "plain", "--wrap=none", *options]
    return subprocess.run([*command, "--bibliography", str(bibliography)], input=NOCITE_ALL, capture_output=True, text=True)


needs_pandoc = pytest.mark.skipif(
    shutil.which("pandoc") is None,
    reason="pandoc is not installed (Debian: apt-get install pandoc; `make system-deps` does it)",
)


class Page(HTMLParser):
    """The machine-readable parts of a page: meta tags in order, JSON-LD, the cite box."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: list[tuple[str, str]] = []
        self.jsonld: list[str] = []
        self.refresh: str | None = None
        self.canonical: str | None = None
        self.code: list[str] = []  # the BibTeX blocks of the cite box
        self.clipboard: list[str] = []
        self.downloads: list[str] = []
        self.references: list[str] = []  # APA references as shown
        self.headings: list[str] = []
        self._capture: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "meta" and a.get("name"):
            self.meta.append((a["name"], a.get("content") or ""))
        elif tag == "meta" and (a.get("http-equiv") or "").lower() == "refresh":
            self.refresh = a.get("content")
        elif tag == "link" and a.get("rel") == "canonical":
            self.canonical = a.get("href")
        elif tag == "script" and a.get("type") == "application/ld+json":
            self._start("jsonld")
        elif tag == "code" and self._in_cite and self._in_block:  # a citation's block, not a commit id
            self._start("code")
        elif tag == "p" and "kb-cite__reference" in (a.get("class") or ""):
            self._start("reference")
        elif tag == "h2" and (a.get("id") or "").startswith("kb-cite"):
            self._start("heading")
        if tag == "aside" and "kb-cite" in (a.get("class") or ""):
            self._in_cite = True
        if tag == "pre":
            self._in_block = True
        if a.get("data-clipboard-text") is not None:
            self.clipboard.append(a["data-clipboard-text"])
        if tag == "a" and "download" in a:
            self.downloads.append(a.get("href") or "")

    _in_cite = False
    _in_block = False

    def _start(self, what: str) -> None:
        self._capture, self._text = what, []

    def handle_data(self, data: str) -> None:
        if self._capture:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        ends = {"jsonld": "script", "code": "code", "reference": "p", "heading": "h2"}
        if self._capture and ends[self._capture] == tag:
            text = "".join(self._text)
            {"jsonld": self.jsonld, "code": self.code, "reference": self.references, "heading": self.headings}[
                self._capture
            ].append(text)
            self._capture = None
        if tag == "aside":
            self._in_cite = False
        if tag == "pre":
            self._in_block = False

    def tags(self, name: str) -> list[str]:
        return [content for meta, content in self.meta if meta == name]


def read_page(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def pybtex_works(bib_dir: Path) -> dict:
    """Every entry of the .bib files, parsed by pybtex."""
    from pybtex.database import parse_file

    works = {}
    for path in sorted(bib_dir.glob("*.bib")):
        works.update(parse_file(str(path), bib_format="bibtex").entries)
    return works


def latex_plain(value: str) -> str:
    from pybtex.richtext import Text

    return " ".join(Text.from_latex(value).render_as("text").split())


def person_text(person) -> str:  # noqa: ANN001 - a pybtex Person
    """A pybtex Person as 'von Last, Jr, First Middle': the form of BibTeX and of citation_author."""
    last = " ".join(person.prelast_names + person.last_names)
    parts = [last, " ".join(person.lineage_names), " ".join(person.first_names + person.middle_names)]
    return latex_plain(", ".join(p for p in parts if p))


def cffconvert() -> str | None:
    """cffconvert lives in a virtual environment of its own (it needs jsonschema<4): see the Makefile."""
    candidates = [
        Path(sys.executable).parent.parent / "cffconvert" / "bin" / "cffconvert",
        Path(sys.executable).parent / "cffconvert",
    ]
    found = next((str(p) for p in candidates if p.exists()), None)
    return found or shutil.which("cffconvert")


# --- the site as the deployment publishes it (scripts/build-site.sh, with a git history) ----------

#: The addresses GitHub gives a project site and its repository (actions/configure-pages: no trailing slash).
PUBLISHED_URL = "https://example.github.io/kb"
PUBLISHED_BASE = PUBLISHED_URL + "/"
REPO_URL = "https://github.com/example/kb"
#: The times of the two commits of the published copy, a year apart.
FIRST, SECOND = "2024-03-05T10:00:00Z", "2025-06-07T08:09:10Z"


def _yaml_entries(root: Path) -> list[Path]:
    return sorted((root / "content").glob("*/*.yaml"), key=lambda p: p.stem, reverse=True)


def _bib_records(root: Path) -> list[tuple[str, Path, int]]:
    """Every BibTeX record as (key, file, line of its @type{key, line), newest-sorting key first."""
    found = []
    for path in sorted((root / "bibliography").glob("*.bib")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = re.match(r"@\w+\{([^,\s]+),", line)
            if match:
                found.append((match.group(1), path, number))
    return sorted(found, reverse=True)


def _reword(text: str, start: int = 0) -> str | None:
    """``text`` with the first one-line summary (or short definition) after ``start`` reworded."""
    pattern = re.compile(r"^(\s*)(summary|short)(:| =) (\{?)(?![|>])", re.MULTILINE)
    match = pattern.search(text, start)
    if not match:
        return None
    return text[: match.end()] + "Reviewed. " + text[match.end() :]


@dataclass
class Published:
    root: Path  # the copy of the repository, with its own history
    site: Path
    entries: dict[str, dict]  # id -> record of data/knowledge-base.json
    changed: str  # a YAML entry changed in the second commit
    unchanged: str  # a YAML entry not changed since the first
    changed_work: str  # a BibTeX record changed in the second commit
    unchanged_work: str  # a BibTeX record not changed since the first
    source: dict[str, tuple[str, int]]  # id -> (its source file, line of its record) for the four

    def page(self, entry_id: str) -> Path:
        return self.site / self.entries[entry_id]["url"].removeprefix(PUBLISHED_BASE) / "index.html"

    def url(self, entry_id: str) -> str:
        return self.entries[entry_id]["url"]

    def html(self, entry_id: str) -> str:
        return self.page(entry_id).read_text(encoding="utf-8")


def build_site(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """scripts/build-site.sh as the deploy workflow runs it, with the addresses GitHub gives."""
    env = {**os.environ, "KB_SITE_URL": PUBLISHED_URL, "KB_REPO_URL": REPO_URL, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    env.pop("SOURCE_DATE_EPOCH", None)
    return subprocess.run(
        ["bash", "scripts/build-site.sh", *args], cwd=root, env=env, capture_output=True, text=True, timeout=600
    )


def published_copy(root: Path) -> Published:
    """The real knowledge base in ``root`` with a history of two commits a year apart (the second
    rewords one YAML entry and one BibTeX record), built by scripts/build-site.sh."""
    copy_repo(root)
    (root / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "build-site.sh", root / "scripts" / "build-site.sh")
    (root / ".gitignore").write_text("build/\nsite/\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "The knowledge base", when=FIRST)

    # The second commit, a year later, rewords one YAML entry and one BibTeX record.
    yaml_files = [p for p in _yaml_entries(root) if _reword(p.read_text(encoding="utf-8"))]
    changed_file, unchanged_file = yaml_files[0], yaml_files[1]
    changed_file.write_text(_reword(changed_file.read_text(encoding="utf-8")), encoding="utf-8")
    records = _bib_records(root)
    changed_work = unchanged_work = None
    for key, path, line in records:
        text = path.read_text(encoding="utf-8")
        start = sum(len(x) + 1 for x in text.split("\n")[: line - 1])
        following = text.find("\n@", start + 1)
        reworded = _reword(text, start)
        if reworded and (following < 0 or reworded.index("Reviewed. ", start) < following):
            path.write_text(reworded, encoding="utf-8")
            changed_work = (key, path, line)
            break
    assert changed_work, "no BibTeX record with a one-line summary to change"
    unchanged_work = next(r for r in records if r[0] != changed_work[0])
    git(root, "commit", "-q", "-am", "Reword two entries", when=SECOND)

    result = build_site(root)
    assert result.returncode == 0, result.stdout + result.stderr
    site = root / "site"
    data = json.loads((site / "data" / "knowledge-base.json").read_text(encoding="utf-8"))
    return Published(
        root=root,
        site=site,
        entries={e["id"]: e for e in data["entries"]},
        changed=changed_file.stem,
        unchanged=unchanged_file.stem,
        changed_work=changed_work[0],
        unchanged_work=unchanged_work[0],
        source={
            changed_file.stem: (changed_file.relative_to(root).as_posix(), 1),
            unchanged_file.stem: (unchanged_file.relative_to(root).as_posix(), 1),
            changed_work[0]: (changed_work[1].relative_to(root).as_posix(), changed_work[2]),
            unchanged_work[0]: (unchanged_work[1].relative_to(root).as_posix(), unchanged_work[2]),
        },
    )


# --- a local web server for `kb linkcheck`: never the internet --------------------------------

#: Long enough for a busy machine to answer; /slow takes three times as long.
TIMEOUT = "2"


class Handler(BaseHTTPRequestHandler):
    """A web server's answers by path: /ok, /missing (404), /gone (410), /error (500), /moved, /slow..."""

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


@contextlib.contextmanager
def http_server(handler: Callable[..., BaseHTTPRequestHandler]) -> Iterator[str]:
    """A server of ``handler`` on a free port of 127.0.0.1, in a background thread: yields its origin."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@contextlib.contextmanager
def link_server() -> Iterator[str]:
    """The web server above (``Handler``), its log emptied: yields its address."""
    Handler.log, Handler.active, Handler.most = [], 0, 0
    with http_server(Handler) as origin:
        yield origin
