"""The site as the deployment publishes it: built by scripts/build-site.sh, the script the deploy
workflow and ``make site`` run, in a copy of the real knowledge base with a git history of its
own, under a sub-path (as a GitHub Pages project site is), with the repository's address set.

What citers and readers get there: absolute addresses under the sub-path in every citation
surface, each entry's own dates from the history of its source, the licence on every page and
in the open data, links back to each entry's source, sharing tags, robots.txt, and a 404 page
that is styled when served under the sub-path.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shutil
import subprocess
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from mkdocs.utils.meta import get_data

from kbtest import (
    BIN,
    FIRST,
    REPO_URL,
    ROOT,
    SECOND,
    Project,
    Published,
    build_site,
    citeproc,
    git,
    http_server,
    needs_pandoc,
    read_page,
)
from kbtest import PUBLISHED_BASE as BASE

LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
ATOM = "{http://www.w3.org/2005/Atom}"
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _attribute(html: str, css_class: str, attribute: str = "href") -> list[str]:
    """The ``attribute`` of every element whose class list has ``css_class``."""
    found = []
    for tag in re.findall(r"<[a-z]+\b[^>]*>", html):
        classes = re.search(r'\bclass="([^"]*)"', tag)
        value = re.search(rf'\b{attribute}="([^"]*)"', tag)
        if classes and css_class in classes.group(1).split() and value:
            found.append(value.group(1).replace("&amp;", "&"))
    return found


def _property(html: str, name: str) -> list[str]:
    return [m.replace("&amp;", "&") for m in re.findall(rf'<meta property="{re.escape(name)}" content="([^"]*)"', html)]


def _feed(site: Path) -> ET.Element:
    return ET.parse(site / "feed.xml").getroot()


def _sitemap(site: Path) -> dict[str, str | None]:
    root = ET.parse(site / "sitemap.xml").getroot()
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    return {u.findtext(f"{ns}loc"): u.findtext(f"{ns}lastmod") for u in root.findall(f"{ns}url")}


# --- addresses --------------------------------------------------------------------------------


def test_every_citation_surface_carries_absolute_addresses_under_the_sub_path(published: Published):
    site = published.site
    assert json.loads((site / "data" / "knowledge-base.json").read_text(encoding="utf-8"))["url"] == BASE
    sitemap = _sitemap(site)
    assert len(sitemap) > len(published.entries) and all(loc.startswith(BASE) for loc in sitemap), list(sitemap)[:3]
    for entry_id, record in published.entries.items():
        url = record["url"]
        assert url.startswith(BASE) and url.count("/") == 6, url  # https://example.github.io/kb/<section>/<id>/
        html = published.html(entry_id)
        page = read_page(published.page(entry_id))
        assert page.canonical == url, entry_id
        assert _property(html, "og:url") == [url], entry_id
        assert _attribute(html, "kb-cite__permalink") == [url], entry_id
        assert page.references[-1].endswith(url), page.references[-1]  # APA: "... from <url>" or "... <url>"
        assert f"  url = {{{url}}},\n" in page.code[-1], page.code[-1]  # the page's BibTeX
        csl = json.loads((published.page(entry_id).parent / "page.csl.json").read_text(encoding="utf-8"))
        assert csl[0]["URL"] == url, entry_id
        assert any(json.loads(c)[0].get("URL") == url for c in page.clipboard if c.startswith("[{")), entry_id
        ld = json.loads(page.jsonld[0])  # the WebPage of the entry
        assert ld["@id"] == ld["url"] == url and ld["isPartOf"]["url"] == BASE, entry_id
        assert page.tags("citation_public_url") == [url], entry_id
        assert url in sitemap, url

    feed = _feed(site)
    links = [link.get("href") for link in feed.iter(f"{ATOM}link")]
    assert links and all(href.startswith(BASE) for href in links), links
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == BASE + "feed.xml"
    entry_links = [e.find(f"{ATOM}link").get("href") for e in feed.findall(f"{ATOM}entry")]
    assert set(entry_links) <= {r["url"] for r in published.entries.values()}

    llms = (site / "llms.txt").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)]+)\)", llms)
    assert len(targets) > len(published.entries) and all(t.startswith(BASE) for t in targets), targets[:3]
    assert (site / "robots.txt").read_text(encoding="utf-8").splitlines()[-1] == f"Sitemap: {BASE}sitemap.xml"


# --- dates ------------------------------------------------------------------------------------


def _apa_date(iso: str) -> str:
    import datetime as dt

    day = dt.date.fromisoformat(iso)
    return f"({day.year}, {day:%B} {day.day})"


def test_each_entry_carries_the_dates_of_its_own_source_everywhere(published: Published):
    first, second = FIRST[:10], SECOND[:10]
    expected = {
        published.changed: (first, second),
        published.unchanged: (first, first),
        published.changed_work: (first, second),
        published.unchanged_work: (first, first),
    }
    sitemap = _sitemap(published.site)
    feed = {e.find(f"{ATOM}link").get("href"): e for e in _feed(published.site).findall(f"{ATOM}entry")}
    for entry_id, (added, updated) in expected.items():
        html = published.html(entry_id)
        page = read_page(published.page(entry_id))
        # The page itself, in the cite box.
        assert _attribute(html, "kb-cite__published", "datetime") == [added], entry_id
        assert _attribute(html, "kb-cite__updated", "datetime") == [updated], entry_id
        # APA, BibTeX and CSL-JSON of the page: its own date; accessed is the build's (the last commit's).
        assert page.references[-1].startswith(f"Open Source AI Knowledge Base. {_apa_date(updated)}."), page.references[-1]
        bibtex = page.code[-1]
        assert f"  date = {{{updated}}},\n" in bibtex and f"  urldate = {{{second}}},\n" in bibtex, bibtex
        csl = json.loads((published.page(entry_id).parent / "page.csl.json").read_text(encoding="utf-8"))[0]
        assert csl["issued"] == {"date-parts": [[int(p) for p in updated.split("-")]]}, entry_id
        assert csl["accessed"] == {"date-parts": [[int(p) for p in second.split("-")]]}, entry_id
        # Highwire and Dublin Core tags describe the page.
        assert page.tags("citation_publication_date") == [updated.replace("-", "/")], entry_id
        assert (page.tags("DCTERMS.created"), page.tags("DCTERMS.modified")) == ([added], [updated]), entry_id
        webpage = json.loads(page.jsonld[0])
        assert (webpage["datePublished"], webpage["dateModified"]) == (added, updated), entry_id
        record = published.entries[entry_id]
        assert (record["published"], record["updated"]) == (added, updated), entry_id
        assert sitemap[published.url(entry_id)] == updated, entry_id
        item = feed[published.url(entry_id)]
        assert item.findtext(f"{ATOM}published") == FIRST, entry_id
        # Updated on the day of the last change (midnight, never before the first publication).
        assert item.findtext(f"{ATOM}updated") == (f"{second}T00:00:00Z" if updated == second else FIRST), entry_id


def test_two_builds_of_one_commit_are_byte_identical(published: Published, tmp_path: Path):
    again = tmp_path / "again"
    result = build_site(published.root, "--site-dir", str(again))
    assert result.returncode == 0, result.stderr

    def files(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

    first, second = files(published.site), files(again)
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


# --- licence ----------------------------------------------------------------------------------


def test_the_licence_is_on_every_page_and_in_the_open_data(published: Published):
    site = published.site
    pages = sorted(site.rglob("*.html"))
    assert site / "404.html" in pages and len(pages) > len(published.entries)
    for path in pages:
        html = path.read_text(encoding="utf-8")
        if 'http-equiv="refresh"' in html:
            continue  # a redirect from a former id: no page to read
        footer = html[html.index('<footer class="md-footer">') :]
        assert f'<a href="{LICENCE_URL}" rel="license">CC BY 4.0</a>' in footer, path
        assert "MIT licence" in footer, path
        for ld in read_page(path).jsonld:
            data = json.loads(ld)
            assert data.get("license") == LICENCE_URL, path
    data = json.loads((site / "data" / "knowledge-base.json").read_text(encoding="utf-8"))
    assert data["license"] == {"name": "CC BY 4.0", "spdx": "CC-BY-4.0", "url": LICENCE_URL}
    bib = (site / "data" / "bibliography.bib").read_text(encoding="utf-8")
    assert bib.startswith("@comment{") and LICENCE_URL in bib.split("\n", 1)[0]
    assert LICENCE_URL in _feed(site).findtext(f"{ATOM}rights")
    assert f"CC BY 4.0 ({LICENCE_URL})" in (site / "llms.txt").read_text(encoding="utf-8")
    for page in ("data/index.html", "how-to-cite/index.html"):
        text = (site / page).read_text(encoding="utf-8")
        assert text.count(LICENCE_URL) >= 2, page  # in the text, not only in the footer
    # The code: MIT, in the form packaging tools read without a deprecation warning.
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["license"] == "MIT"


# --- back to the source -----------------------------------------------------------------------


def test_every_entry_links_its_source_and_the_error_form(published: Published):
    form = yaml.safe_load((ROOT / ".github" / "ISSUE_TEMPLATE" / "report-error.yml").read_text(encoding="utf-8"))
    assert "entry" in [field.get("id") for field in form["body"]]
    for entry_id in published.entries:
        html = published.html(entry_id)
        edit, report = _attribute(html, "kb-source__edit"), _attribute(html, "kb-source__report")
        assert len(edit) == 1 and len(report) == 1, entry_id
        parts = urlsplit(report[0])
        assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{REPO_URL}/issues/new", report
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        assert query == {"template": "report-error.yml", "title": f"Error in {entry_id}", "entry": published.url(entry_id)}
    for entry_id, (path, line) in published.source.items():
        [edit] = _attribute(published.html(entry_id), "kb-source__edit")
        if path.endswith(".yaml"):
            assert edit == f"{REPO_URL}/edit/main/{path}", edit
        else:  # the .bib file, at the line its record starts on
            assert edit == f"{REPO_URL}/blob/main/{path}#L{line}", edit
            text = (published.root / path).read_text(encoding="utf-8").splitlines()[line - 1]
            assert re.match(rf"@\w+\{{{re.escape(entry_id)},", text), text
        assert (published.root / path).is_file()


def test_a_build_without_addresses_keeps_relative_links_and_says_so(built_repo: Project):
    site = built_repo.root / "site"
    records = {e["id"]: e for e in json.loads((site / "data/knowledge-base.json").read_text(encoding="utf-8"))["entries"]}
    entry_id, record = sorted(records.items())[0]
    html = (site / record["url"] / "index.html").read_text(encoding="utf-8")
    # The page's address relative to the site's root, linked relative to the page itself.
    assert f'<a class="kb-cite__permalink" href="./">{record["url"]}</a>' in html, entry_id
    assert "this build has no site address" in html
    assert "kb-source" not in html and 'rel="canonical"' not in html and "md-source" not in html, entry_id
    assert (site / "robots.txt").read_text(encoding="utf-8") == "User-agent: *\nAllow: /\n"


# --- sharing ----------------------------------------------------------------------------------


def test_shared_links_show_the_title_and_summary(published: Published):
    entry_id = published.changed
    html = published.html(entry_id)
    title = json.loads(read_page(published.page(entry_id)).jsonld[0])["name"]
    assert _property(html, "og:title") == [title] and _property(html, "og:type") == ["article"]
    assert _property(html, "og:site_name") == ["Open Source AI Knowledge Base"]
    [description] = _property(html, "og:description")
    assert description.startswith("Reviewed. "), description  # the entry's own (reworded) summary
    assert re.findall(r'<meta name="twitter:card" content="([^"]+)">', html) == ["summary"]
    assert f'<meta name="twitter:title" content="{title}">' in html
    assert "og:image" not in html and "twitter:image" not in html
    home = (published.site / "index.html").read_text(encoding="utf-8")
    assert _property(home, "og:url") == [BASE] and _property(home, "og:type") == ["website"]


# --- the exports through their real clients ------------------------------------------------


@needs_pandoc
def test_pandoc_and_pybtex_read_the_exports_with_their_absolute_addresses(published: Published, tmp_path: Path):
    from pybtex import errors
    from pybtex.database import parse_file, parse_string

    errors.set_strict_mode(True)
    try:
        works = parse_file(str(published.site / "data" / "bibliography.bib"), bib_format="bibtex").entries
        assert published.changed_work in works and published.unchanged_work in works
        for entry_id in (published.changed, published.changed_work):
            url = published.url(entry_id)
            bibtex = read_page(published.page(entry_id)).code[-1]
            [(key, entry)] = parse_string(bibtex, "bibtex").entries.items()
            assert key == f"kb-{entry_id}" and entry.fields["url"] == url
            result = subprocess.run(["pandoc", "-f", "bibtex", "-t", "csljson"], input=bibtex, capture_output=True, text=True)
            assert result.returncode == 0 and json.loads(result.stdout)[0]["URL"] == url, result.stderr
            csl = published.page(entry_id).parent / "page.csl.json"
            result = citeproc(csl)
            assert result.returncode == 0 and url in result.stdout and not result.stderr, result.stdout + result.stderr
    finally:
        errors.set_strict_mode(False)


# --- the 404 page under the sub-path ----------------------------------------------------------


class PagesHandler(SimpleHTTPRequestHandler):
    """A static server that answers a missing path with the site's 404 page, as GitHub Pages does."""

    not_found: Path

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code != 404:
            super().send_error(code, message, explain)
            return
        body = self.not_found.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@contextlib.contextmanager
def serve_under_sub_path(site: Path, folder: Path) -> Iterator[str]:
    """Serve ``site`` at /kb/ of a local server (rooted above it); yields the server's origin."""
    (folder / "kb").symlink_to(site, target_is_directory=True)
    handler = type("Handler", (PagesHandler,), {"not_found": site / "404.html"})
    with http_server(functools.partial(handler, directory=str(folder))) as origin:
        yield origin


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    from browser.kit import headless_chromium

    with headless_chromium() as driver:
        yield driver


def test_the_404_page_is_styled_under_the_sub_path(published: Published, chromium, tmp_path: Path):
    from browser import checks
    from browser.kit import ARTIFACTS

    with serve_under_sub_path(published.site, tmp_path) as origin:
        missing = f"{origin}/kb/no/such/page/"
        chromium.get_log("performance")
        chromium.get(missing)
        checks.settle_transitions(chromium)
        events = checks.network_events(chromium.get_log("performance"))
        assert chromium.find_element("css selector", "h1").text == "404 - Not found"
        sheets = chromium.execute_script("return [...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.href)")
        assert sheets and all(s.startswith(f"{origin}/kb/assets/") for s in sheets), sheets
        # Every stylesheet loaded and applied: rules readable, the header painted in the theme's colour.
        rules = chromium.execute_script("return [...document.styleSheets].map(s => s.cssRules.length)")
        assert len(rules) == len(sheets) and all(rules), rules
        header = chromium.execute_script("return getComputedStyle(document.querySelector('.md-header')).backgroundColor")
        assert header not in ("", "transparent", "rgba(0, 0, 0, 0)"), header
        # Requests of the page only: not the 404 of the page itself, nor what Chromium was still
        # doing for its start page (chrome:// resources, requests sent before the page was asked for).
        asked = {e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"}
        failed = [f for f in checks.failed_requests(events) if f.split()[-1] in asked and f.split()[-1] != missing]
        outbound = [o for o in checks.outbound_requests(events, origin) if " chrome://" not in o]
        assert failed == [] and outbound == [], failed + outbound
        ARTIFACTS.mkdir(exist_ok=True)
        chromium.save_screenshot(str(ARTIFACTS / "published-404.png"))
        # The home link of the 404 page leads to the site under its sub-path.
        home = chromium.execute_script("return document.querySelector('a.md-header__button.md-logo').href")
        assert home == f"{origin}/kb/", home


# --- a shallow clone ----------------------------------------------------------------------------


def test_a_shallow_clone_builds_and_dates_only_what_its_history_shows(project: Project, tmp_path: Path):
    """Its oldest commit seems to add every file: that says nothing of when they were written."""
    origin = project.root
    git(origin, "init", "-q", "-b", "main")
    git(origin, "add", "content", "bibliography", "mkdocs.yml", "overrides")
    git(origin, "commit", "-q", "-m", "first", when=FIRST)
    for when, name in ((SECOND, "mnist"), ("2025-09-01T12:00:00Z", "common-crawl")):
        path = origin / "content" / "datasets" / f"{name}.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("summary: ", "summary: Reviewed. ", 1), encoding="utf-8")
        git(origin, "commit", "-q", "-am", f"reword {name}", when=when)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "2", f"file://{origin}", str(clone))  # commits 2 and 3: 2 is the boundary
    (clone / "build" / "docs").mkdir(parents=True)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1756728000"}  # the last commit's time, as build-site.sh sets it
    result = subprocess.run(
        [str(BIN / "mkdocs"), "build", "--strict"], cwd=clone, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    assert "a shallow clone" in result.stderr and "fetch-depth: 0" in result.stderr
    dates = {e["id"]: e for e in json.loads((clone / "site/data/knowledge-base.json").read_text(encoding="utf-8"))["entries"]}
    # Changed after the boundary: its last change is known, its first publication no earlier.
    assert (dates["common-crawl"]["published"], dates["common-crawl"]["updated"]) == ("2025-09-01", "2025-09-01")
    # Not changed since: no date from history, so SOURCE_DATE_EPOCH, like a file never committed.
    assert (dates["mnist"]["published"], dates["mnist"]["updated"]) == ("2025-09-01", "2025-09-01")
    assert (dates["widder2024why"]["published"], dates["widder2024why"]["updated"]) == ("2025-09-01", "2025-09-01")


# --- the published pages as a reader's tools see them ------------------------------------------


def test_published_pages_are_valid_html_and_accessible(published: Published, chromium, tmp_path: Path):
    """What only the published build has (source links, the repository link, sharing tags) is
    valid HTML and passes axe-core, like the rest of the site."""
    from browser import checks
    from browser import kit as browser
    from browser.checks import ACCEPTED_NU
    from browser.flows import axe_whole_page

    java = shutil.which("java")
    if not java or not browser.VNU_JAR.is_file():
        browser.missing("Java and the Nu HTML checker", f"{browser.INSTALL_JAVA}; {browser.INSTALL_NODE}")
    if not browser.AXE_JS.is_file():
        browser.missing("axe-core (tests/browser/node_modules)", browser.INSTALL_NODE)
    pages = [published.page(i) for i in (published.changed, published.changed_work)]
    files = [*pages, published.site / "index.html", published.site / "404.html"]
    findings = checks.nu_findings(files, browser.VNU_JAR, java=java, accepted=ACCEPTED_NU)
    assert not findings, "\n".join(map(str, findings))
    axe = browser.AXE_JS.read_text(encoding="utf-8")
    with serve_under_sub_path(published.site, tmp_path) as origin:
        for page in pages:
            chromium.get(f"{origin}/kb/{page.parent.relative_to(published.site).as_posix()}/")
            violations = axe_whole_page(chromium, axe)
            assert not violations, f"{page}:\n{checks.describe_violations(violations)}"


def test_a_renamed_entry_keeps_the_date_it_was_first_published(project: Project, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    root = project.root
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "content", "bibliography")
    git(root, "commit", "-q", "-m", "first", when=FIRST)
    old = root / "content" / "datasets" / "common-crawl.yaml"
    new = old.with_name("common-crawl-corpus.yaml")
    new.write_text(old.read_text(encoding="utf-8") + "redirect_from: [common-crawl]\n", encoding="utf-8")
    old.unlink()
    git(root, "add", "-A", "content")
    git(root, "commit", "-q", "-m", "rename common-crawl", when=SECOND)
    assert project.kb("build").returncode == 0
    cite_meta = get_data((root / "build/docs/datasets/common-crawl-corpus.md").read_text(encoding="utf-8"))[1]["cite"]
    assert (cite_meta["published"], cite_meta["updated"]) == (FIRST[:10], SECOND[:10])
