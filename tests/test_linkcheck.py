"""`kb linkcheck` against a local web server: never the internet."""

from __future__ import annotations

import re

from kbtest import TIMEOUT, Handler, local_only, organisation
from knowledgebase.settings import Settings
from knowledgebase.tools import linkcheck


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
