"""``kb linkcheck``: find external links that no longer work.

Every URL field of every entry, and every http(s) link in entry prose, is requested with
bounded concurrency and a timeout: HEAD first, then GET where a server refuses or mishandles
HEAD. Redirects are followed. Each dead URL is reported at every place it is used, as
``path:line:col: warning: ...`` (or as GitHub annotations, or as a Markdown report for the
scheduled workflow's issue). Nothing here runs during a build: the web changes, the sources
do not, so the scheduled workflow runs it once a week.
"""

from __future__ import annotations

import socket
import ssl
import time
import urllib.error
import urllib.request
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.client import HTTPException

from . import __version__, markup
from .diagnostics import Diagnostic, Diagnostics
from .schema import entry_types, is_http_url, match_paths, walk
from .settings import Settings
from .sources import read_sources

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

    @property
    def moved(self) -> bool:
        return self.ok and self.final_url is not None and self.final_url != self.url


def collect(settings: Settings) -> dict[str, list[Place]]:
    """Every external URL in the sources, with the places that use it, in a stable order."""
    urls: dict[str, list[Place]] = defaultdict(list)
    raws = read_sources(settings.root, settings.content_dir, settings.bibliography_dir, Diagnostics())
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


_OPENER = urllib.request.build_opener(_KeepMethod)


def _request(url: str, method: str, timeout: float) -> tuple[int, str, str]:
    request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    with _OPENER.open(request, timeout=timeout) as response:
        if method == "GET":
            response.read(1024)
        return response.status, response.reason, response.geturl()


def check(url: str, timeout: float = 10.0) -> Result:
    """Whether ``url`` answers: HEAD, then GET if HEAD fails in a way GET might not."""
    if not is_http_url(url):
        return Result(url, False, None, "not an http(s) URL")
    last: Result | None = None
    for method in ("HEAD", "GET"):
        try:
            status, reason, final = _request(url, method, timeout)
            return Result(url, True, status, reason, final)
        except urllib.error.HTTPError as error:
            last = Result(url, False, error.code, str(error.reason or error.msg))
            if error.code not in _RETRY_WITH_GET:
                break
        except TimeoutError:
            last = Result(url, False, None, f"no answer within {timeout:g} s")
            break
        except urllib.error.URLError as error:
            reason = error.reason
            if isinstance(reason, TimeoutError):
                last = Result(url, False, None, f"no answer within {timeout:g} s")
                break
            last = Result(url, False, None, _reason(reason))
            if isinstance(reason, ssl.SSLError | ConnectionResetError):
                continue
            break
        except (HTTPException, OSError, ValueError) as error:
            last = Result(url, False, None, _reason(error))
    assert last is not None
    return last


def _reason(error: object) -> str:
    if isinstance(error, socket.gaierror):
        return "host not found"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    text = str(getattr(error, "strerror", None) or error)
    return text or type(error).__name__


def check_all(urls: list[str], timeout: float = 10.0, workers: int = 8) -> dict[str, Result]:
    """Check each URL once, at most ``workers`` at a time."""
    if not urls:
        return {}
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(urls)))) as pool:
        return dict(zip(urls, pool.map(lambda u: check(u, timeout), urls), strict=True))


def findings(
    places: dict[str, list[Place]], results: dict[str, Result], archived: dict[tuple[str, str], str] | None = None
) -> list[Diagnostic]:
    """A warning at each place a dead URL is used, each followed by a notice offering its archived copy."""
    out = []
    for url, result in results.items():
        if result.ok:
            continue
        status = f"{result.status} {result.reason}" if result.status else result.reason
        for place in places[url]:
            found = [Diagnostic(place.path, place.line, place.col, f"dead link {url} ({status})", "warning")]
            copy = (archived or {}).get((url, place.entry))
            if copy:
                found.append(Diagnostic(place.path, place.line, place.col, _offer(copy), "notice"))
            out.append(found)
    return [d for found in sorted(out) for d in found]


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
    dead = {u: r for u, r in results.items() if not r.ok}
    moved = {u: r for u, r in results.items() if r.moved}
    lines = [
        "## External link check",
        "",
        f"{len(results)} URLs checked in {elapsed:.0f} s: **{len(dead)} dead**, {len(moved)} redirected.",
    ]
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


def run(settings: Settings, timeout: float = 10.0, workers: int = 8) -> tuple[dict[str, list[Place]], dict[str, Result], float]:
    started = time.monotonic()
    places = collect(settings)
    results = check_all(list(places), timeout, workers)
    return places, results, time.monotonic() - started
