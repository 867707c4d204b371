"""Archived copies: a Wayback Machine link beside every external URL of the site, made offline from
the day the source was last checked, and offered by `kb linkcheck` as the fix for a dead URL."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

from kbtest import TIMEOUT
from knowledgebase.model.entry import Entry
from knowledgebase.render.archive import checked_on, wayback
from knowledgebase.sources.positions import SourceFile

#: SOURCE_DATE_EPOCH for the builds here: 2024-05-01 00:00 UTC, the "last updated" day of every entry.
EPOCH = "1714521600"
WAYBACK = re.compile(r"https://web\.archive\.org/web/(\d{8})/(.+)")


def entry(**data) -> Entry:
    return Entry("x", "podcast", data, SourceFile("content/podcasts/x.yaml"))


def test_the_day_asked_for_is_accessed_else_last_updated_else_the_build():
    updated, build = dt.date(2024, 5, 1), dt.date(2026, 1, 2)
    assert checked_on(entry(accessed="2023-03-04"), updated, build) == dt.date(2023, 3, 4)
    assert checked_on(entry(urldate="2022-02"), updated, build) == dt.date(2022, 2, 1)  # BibTeX's accessed date
    assert checked_on(entry(), updated, build) == updated
    assert checked_on(entry(), None, build) == build
    url = "https://example.org/a?b=c&d=e#f"
    assert wayback(url, dt.date(2023, 3, 4)) == "https://web.archive.org/web/20230304/https://example.org/a?b=c&d=e#f"


class ArticleLinks(HTMLParser):
    """The hrefs of the links in a page's article, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "article":
            self.depth += 1
        elif tag == "a" and self.depth and dict(attrs).get("href"):
            self.hrefs.append(dict(attrs)["href"])

    def handle_endtag(self, tag):
        if tag == "article":
            self.depth -= 1


def test_every_external_url_has_a_well_formed_archived_copy(project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    moshi = project.root / "content/podcasts/moshi.yaml"
    text = moshi.read_text().replace(
        "summary: A segment on an open voice model.", "summary: See [the notes](https://example.org/notes?a=1&b=2)."
    )
    moshi.write_text(text + 'accessed: "2023-03-04"\n')
    crawl = project.root / "content/datasets/common-crawl.yaml"
    own = "https://web.archive.org/web/20200101000000/https://commoncrawl.org/"
    crawl.write_text(crawl.read_text() + f"url: https://commoncrawl.org/\narchived_url: {own}\n")
    works = project.root / "bibliography/works.bib"
    works.write_text(works.read_text().replace("  year = {2024},\n", "  year = {2024},\n  urldate = {2022-02-02},\n", 1))
    project.mkdocs_build("-q").check_returncode()

    expected = {
        "https://www.youtube.com/watch?v=gZGrA52A834": "https://web.archive.org/web/20230304/https://www.youtube.com/watch?v=gZGrA52A834",
        "https://commoncrawl.org/": own,
        "https://example.org/notes?a=1&b=2": "https://web.archive.org/web/20230304/https://example.org/notes?a=1&b=2",  # in prose
        "https://www.nature.com/articles/s41586-024-08141-1.pdf": (
            "https://web.archive.org/web/20220202/https://www.nature.com/articles/s41586-024-08141-1.pdf"
        ),
    }
    seen: dict[str, int] = {}
    for page in sorted((project.root / "site").rglob("*.html")):
        parser = ArticleLinks()
        parser.feed(page.read_text(encoding="utf-8"))
        hrefs = parser.hrefs
        for index, href in enumerate(hrefs):
            if not href.startswith(("http://", "https://")) or href.startswith("https://web.archive.org/"):
                continue
            where = f"{page.relative_to(project.root / 'site')}: {href}"
            following = hrefs[index + 1] if index + 1 < len(hrefs) else ""
            if href in expected:
                assert following == expected[href], where
            else:
                match = WAYBACK.fullmatch(following)
                assert match, f"{where} has no archived copy beside it"
                assert match.groups() == ("20240501", href), where  # the entry's last-updated day
            seen[href] = seen.get(href, 0) + 1
    assert set(expected) <= set(seen)
    # Each is on its entry's page, in its index table or in the references of the pages citing it.
    assert seen["https://www.youtube.com/watch?v=gZGrA52A834"] >= 1
    assert seen["https://commoncrawl.org/"] >= 2
    assert seen["https://example.org/notes?a=1&b=2"] >= 1
    assert seen["https://www.nature.com/articles/s41586-024-08141-1.pdf"] >= 2


def test_an_archived_url_must_be_a_web_address(project):
    crawl = project.root / "content/datasets/common-crawl.yaml"
    crawl.write_text(crawl.read_text() + "archived_url: ftp://archive.example/copy\naccessed: 2024-13-01\n")
    result = project.kb("validate")
    assert result.returncode == 1
    assert (
        "content/datasets/common-crawl.yaml:5:15: error: 'archived_url': 'ftp://archive.example/copy' "
        "must be an absolute http:// or https:// URL" in result.stderr
    )
    assert (
        "content/datasets/common-crawl.yaml:6:11: error: 'accessed': '2024-13-01' must be a real ISO 8601 date" in result.stderr
    )


def test_linkcheck_offers_the_archived_copy_of_each_dead_url(linked, server, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    linked.write(
        "content/organisations/checked-org.yaml",
        f"title: checked-org\nkind: company\nurl: {server}/gone?checked\naccessed: 2023-03-04\nsummary: A.\nsources: [explainer]\n",
    )
    linked.write(
        "content/organisations/own-copy-org.yaml",
        f"title: own-copy-org\nkind: company\nurl: {server}/missing?own\narchived_url: {server}/ok?copy\n"
        "summary: A.\nsources: [explainer]\n",
    )
    result = linked.kb("linkcheck", "--timeout", TIMEOUT, "--workers", "4")
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    advice = " (check that it shows the page, then link it instead, or give it as archived_url)"
    dead = f"content/organisations/dead-org.yaml:3:6: warning: dead link {server}/missing (404 Not Found)"
    offer = (
        f"content/organisations/dead-org.yaml:3:6: notice: archived copy: https://web.archive.org/web/20240501/{server}/missing"
    )
    assert lines[lines.index(dead) + 1] == offer + advice
    checked = f"content/organisations/checked-org.yaml:3:6: notice: archived copy: https://web.archive.org/web/20230304/{server}/gone?checked"
    assert checked + advice in lines
    assert f"content/organisations/own-copy-org.yaml:3:6: notice: archived copy: {server}/ok?copy" + advice in lines
    assert re.search(r"\d+ URLs checked, 9 dead", result.stderr), result.stderr  # notices are not counted

    github = linked.kb("linkcheck", "--timeout", TIMEOUT, "--format", "github")
    assert (
        f"::notice file=content/organisations/dead-org.yaml,line=3,col=6::archived copy: "
        f"https://web.archive.org/web/20240501/{server}/missing" in github.stdout
    )
    report = linked.kb("linkcheck", "--timeout", TIMEOUT, "--format", "markdown").stdout
    assert "| URL | problem | used in | archived copy |" in report
    assert (
        f"| {server}/missing | 404 Not Found | `content/organisations/dead-org.yaml:3` (dead-org) | "
        f"https://web.archive.org/web/20240501/{server}/missing |" in report
    )
