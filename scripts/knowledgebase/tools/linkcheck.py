"""``kb linkcheck``: find external links that no longer work.

Every URL field of every entry, and every http(s) link in entry prose, is requested with
bounded concurrency: HEAD first, then GET where a server refuses or mishandles HEAD. Each
request has a deadline for the whole of it (connecting, redirects, the answer: a server that
sends a byte a second is cut off), and the whole run has one too; without any network the
command says so once instead of reporting every link dead. Redirects are followed. Each dead URL is reported at every place it is used, as
``path:line:col: warning: ...`` (or as GitHub annotations, or as a Markdown report for the
scheduled workflow's issue). Nothing here runs during a build: the web changes, the sources
do not, so the scheduled workflow runs it once a week.
"""

from __future__ import annotations

import errno
import http.client
import queue
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections import defaultdict
from dataclasses import dataclass
from http.client import HTTPException

from knowledgebase import __version__
from knowledgebase.diagnostics import Diagnostic, Diagnostics
from knowledgebase.graph import markup
from knowledgebase.model.schema import entry_types, is_http_url, match_paths, walk
from knowledgebase.pipeline import load, read
from knowledgebase.render.archive import Archive, wayback
from knowledgebase.settings import Settings

USER_AGENT = f"Mozilla/5.0 (compatible; open-source-ai-kb-linkcheck/{__version__})"
#: Statuses that say "this server does not do HEAD (properly)": ask again with GET.
_RETRY_WITH_GET = {400, 403, 404, 405, 406, 429, 500, 501, 502, 503}


@dataclass(frozen=True)
class Place:
    path: str
    line: int
    col: int
    entry: str


@dataclass(frozen=True)
class Result:
    url: str
    ok: bool
    status: int | None
    reason: str
    final_url: str | None = None
    #: No server answered at all (no such host, no route, no answer): what a missing network gives.
    unreachable: bool = False
    #: False when the run's deadline passed before this URL was checked.
    checked: bool = True

    @property
    def moved(self) -> bool:
        return self.ok and self.final_url is not None and self.final_url != self.url


def collect(settings: Settings) -> dict[str, list[Place]]:
    """Every external URL in the sources, with the places that use it, in a stable order."""
    urls: dict[str, list[Place]] = defaultdict(list)
    raws = read(settings, Diagnostics())
    types = entry_types()
    for raw in raws:
        if raw.broken or not isinstance(raw.data, dict):
            continue
        kind = types[raw.type]
        for pattern, schema in walk(kind.schema):
            if schema.get("format") != "http-url":
                continue
            for path, value in match_paths(raw.data, pattern):
                if isinstance(value, str) and is_http_url(value):
                    line, col = raw.source.value_mark(path)
                    urls[value].append(Place(raw.source.path, line, col, raw.id))
        for pattern in kind.markdown_paths:
            for path, text in match_paths(raw.data, pattern):
                if not isinstance(text, str):
                    continue
                for regex in (markup._INLINE_LINK, markup._REF_DEF):
                    for match in regex.finditer(text):
                        url = match.group(regex.groups)  # the URL is the last group of both
                        if url and is_http_url(url):
                            line, col = raw.source.locate(path, url)
                            urls[url].append(Place(raw.source.path, line, col, raw.id))
    return dict(sorted(urls.items()))


class _KeepMethod(urllib.request.HTTPRedirectHandler):
    """Follow redirects with the same method: a HEAD stays a HEAD (urllib would turn it into GET)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, ANN201 - urllib's signature
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and not is_http_url(new.full_url):
            raise urllib.error.HTTPError(newurl, code, f"redirect to a non-http(s) URL: {newurl}", headers, fp)
        if new is not None and req.get_method() == "HEAD":
            new.method = "HEAD"
        return new


_state = threading.local()  # the deadline of this thread's request, and its watchdog timers


class _Bounded(http.client.HTTPConnection):
    """A connection cut off when its request's deadline passes, whatever the server does.

    A socket timeout bounds each read, not the request: a server sending a byte a second would
    keep it open for ever. A timer shuts the socket down at the deadline instead.
    """

    def connect(self) -> None:
        deadline = getattr(_state, "deadline", None)
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the request's deadline passed")
            self.timeout = remaining if self.timeout is None else min(self.timeout, remaining)
            timer = threading.Timer(remaining, _cut, (self,))
            timer.daemon = True
            timer.start()
            _state.timers.append(timer)
        super().connect()


def _cut(connection: http.client.HTTPConnection) -> None:
    sock = connection.sock
    if sock is not None:
        try:
            socket.socket.shutdown(sock, socket.SHUT_RDWR)  # the plain socket's: safe from another thread
        except OSError:
            pass  # closed already


class _HTTPConnection(_Bounded):
    pass


class _HTTPSConnection(_Bounded, http.client.HTTPSConnection):
    pass


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):  # noqa: ANN001, ANN201 - urllib's signature
        return self.do_open(_HTTPConnection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):  # noqa: ANN001, ANN201 - urllib's signature
        return self.do_open(_HTTPSConnection, req, context=self._context)


_OPENER = urllib.request.build_opener(_KeepMethod, _HTTPHandler, _HTTPSHandler)


def _request(url: str, method: str, timeout: float) -> tuple[int, str, str]:
    request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    _state.deadline, _state.timers = time.monotonic() + timeout, []
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            if method == "GET":
                response.read(1024)
            return response.status, response.reason, response.geturl()
    finally:
        for timer in _state.timers:
            timer.cancel()
        _state.deadline = None


#: Failures before any server answered: every URL fails so when there is no network.
_UNREACHABLE = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN}


def check(url: str, timeout: float = 10.0) -> Result:
    """Whether ``url`` answers: HEAD, then GET if HEAD fails in a way GET might not."""
    if not is_http_url(url):
        return Result(url, False, None, "not an http(s) URL")
    last: Result | None = None
    late = Result(url, False, None, f"no answer within {timeout:g} s")
    for method in ("HEAD", "GET"):
        started = time.monotonic()
        try:
            status, reason, final = _request(url, method, timeout)
            return Result(url, True, status, reason, final)
        except urllib.error.HTTPError as error:
            last = Result(url, False, error.code, str(error.reason or error.msg))
            if error.code not in _RETRY_WITH_GET:
                break
        except (HTTPException, OSError, ValueError) as error:
            reason = error.reason if isinstance(error, urllib.error.URLError) else error
            if isinstance(reason, TimeoutError) or time.monotonic() - started >= timeout:
                last = late  # cut off at the deadline, whatever the error it caused
                break
            unreachable = isinstance(reason, socket.gaierror) or getattr(reason, "errno", None) in _UNREACHABLE
            last = Result(url, False, None, _reason(reason), unreachable=unreachable)
            if isinstance(error, urllib.error.URLError) and not isinstance(reason, ssl.SSLError | ConnectionResetError):
                break
    assert last is not None
    return last


def _reason(error: object) -> str:
    if isinstance(error, socket.gaierror):
        return "host not found"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    text = str(getattr(error, "strerror", None) or error)
    return text or type(error).__name__


def check_all(urls: list[str], timeout: float = 10.0, workers: int = 8, deadline: float | None = None) -> dict[str, Result]:
    """Check each URL once, at most ``workers`` at a time, for at most ``deadline`` seconds in all.

    The workers are daemon threads: one stuck where no timeout reaches (a name lookup) is left
    behind at the deadline rather than waited for. URLs not checked by then say so.
    """
    if not urls:
        return {}
    results: dict[str, Result] = {}
    todo: queue.Queue[str] = queue.Queue()
    for url in urls:
        todo.put(url)
    finished = threading.Condition()

    def work() -> None:
        while True:
            try:
                url = todo.get_nowait()
            except queue.Empty:
                return
            result = check(url, timeout)
            with finished:
                results[url] = result
                finished.notify_all()

    for _ in range(max(1, min(workers, len(urls)))):
        threading.Thread(target=work, daemon=True).start()
    end = None if deadline is None else time.monotonic() + deadline
    with finished:
        while len(results) < len(urls):
            left = None if end is None else end - time.monotonic()
            if left is not None and left <= 0:
                break
            finished.wait(left)
        done = dict(results)
    stopped = f"not checked: the run's deadline of {deadline:g} s passed" if deadline is not None else ""
    return {url: done.get(url) or Result(url, False, None, stopped, checked=False) for url in urls}


def offline(results: dict[str, Result]) -> bool:
    """Whether no URL could reach any server (no network), rather than some links being dead."""
    checked = [r for r in results.values() if r.checked]
    return bool(checked) and all(not r.ok and r.unreachable for r in checked)


def findings(
    places: dict[str, list[Place]], results: dict[str, Result], archived: dict[tuple[str, str], str] | None = None
) -> list[Diagnostic]:
    """A warning at each place a dead URL is used, each followed by a notice offering its archived copy."""
    out = []
    for url, result in results.items():
        if result.ok or not result.checked:
            continue
        status = f"{result.status} {result.reason}" if result.status else result.reason
        for place in places[url]:
            found = [Diagnostic(place.path, place.line, place.col, f"dead link {url} ({status})", "warning")]
            copy = (archived or {}).get((url, place.entry))
            if copy:
                found.append(Diagnostic(place.path, place.line, place.col, _offer(copy), "notice"))
            out.append(found)
    return [d for found in sorted(out) for d in found]


def archived_copies(settings: Settings, uses: dict[str, list[str]]) -> dict[tuple[str, str], str]:
    """The archived copy to offer for each (dead URL, entry using it): the one a build's page links.

    An entry the graph does not hold (it failed validation) gets the copy nearest the build's day.
    """
    loaded = load(settings)  # the entries and their dates, as a build has them
    archive = Archive.of(loaded.graph, loaded.dates)
    out = {}
    for url, ids in uses.items():
        for entry_id in ids:
            known = entry_id in loaded.graph.entries
            out[url, entry_id] = archive.url(entry_id, url) if known else wayback(url, archive.build)
    return out


def _offer(copy: str) -> str:
    return f"archived copy: {copy} (check that it shows the page, then link it instead, or give it as archived_url)"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("<", "&lt;").replace("\n", " ")


def markdown(
    places: dict[str, list[Place]],
    results: dict[str, Result],
    elapsed: float,
    archived: dict[tuple[str, str], str] | None = None,
) -> str:
    dead = {u: r for u, r in results.items() if not r.ok and r.checked}
    moved = {u: r for u, r in results.items() if r.moved}
    unchecked = [r for r in results.values() if not r.checked]
    lines = [
        "## External link check",
        "",
        f"{len(results) - len(unchecked)} URLs checked in {elapsed:.0f} s: **{len(dead)} dead**, {len(moved)} redirected.",
    ]
    if unchecked:
        lines += ["", f"**{len(unchecked)} URLs not checked**: {unchecked[0].reason}."]
    if dead:
        lines += ["", "### Dead links", "", "| URL | problem | used in | archived copy |", "|---|---|---|---|"]
        for url, result in dead.items():
            status = f"{result.status} {result.reason}" if result.status else result.reason
            used = "<br>".join(f"`{p.path}:{p.line}` ({p.entry})" for p in places[url])
            copies = dict.fromkeys(c for p in places[url] if (c := (archived or {}).get((url, p.entry))))
            lines.append(f"| {_cell(url)} | {_cell(status)} | {used} | {'<br>'.join(map(_cell, copies))} |")
    if moved:
        lines += ["", "### Redirected (consider updating)", "", "| URL | now at |", "|---|---|"]
        lines += [f"| {_cell(u)} | {_cell(r.final_url or '')} |" for u, r in moved.items()]
    return "\n".join(lines) + "\n"


def run(
    settings: Settings, timeout: float = 10.0, workers: int = 8, deadline: float | None = None
) -> tuple[dict[str, list[Place]], dict[str, Result], float]:
    started = time.monotonic()
    places = collect(settings)
    results = check_all(list(places), timeout, workers, deadline)
    return places, results, time.monotonic() - started
