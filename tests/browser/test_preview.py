"""`mkdocs serve` while the sources are broken: it keeps answering, and the reader sees what to fix.

MkDocs' own server stops answering requests while a build fails ("The server will appear stuck
until build errors are resolved"). The knowledge base's plugin keeps serving the last good site
with the errors in a banner on every page, as `kb validate` prints them, and the banner goes with
the next good build.
"""

from __future__ import annotations

import html
import re
import time
import urllib.error
import urllib.request
from pathlib import Path

from benchmarks.run import fetch
from selenium.common.exceptions import StaleElementReferenceException

from kbtest import Project, mkdocs_serve, wait_for

from . import checks
from .kit import Reader

#: A request may wait for a build in progress (the mini knowledge base builds in about a second):
#: a few seconds, never the minutes a frozen server took.
ANSWER_WITHIN = 10.0

FINDING = re.compile(r"^\S+:\d+:\d+: error: .+$", re.MULTILINE)

EPISODE = (
    "title: My Episode\n"
    "show: A Show\n"
    "hosts: [A Host]\n"
    'date: "2024-05-01"\n'
    'duration: "30:00"\n'
    "format: podcast\n"
    "url: https://example.org/my-episode\n"
    "summary: An episode about open models.\n"
    "sources: [reading-list]\n"
)


def get(url: str) -> tuple[int, str, float]:
    """(status, body, seconds) of one request; a request that does not answer fails the test."""
    start = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=ANSWER_WITHIN) as response:
            status, body = response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read().decode("utf-8", "replace")
    except OSError as error:  # a timeout: the server froze
        raise AssertionError(f"{url} did not answer within {ANSWER_WITHIN:g} s ({error})") from None
    seconds = time.monotonic() - start
    assert seconds < ANSWER_WITHIN, f"{url} took {seconds:.1f} s"
    return status, body, seconds


def findings(project: Project) -> list[str]:
    """What `kb validate` says is wrong, one `path:line:col: error: message` each."""
    result = project.kb("validate")
    assert result.returncode == 1, result.stderr
    return FINDING.findall(result.stderr)


def banner(reader: Reader) -> list[str]:
    """The errors the banner lists, as the reader sees them."""
    for _attempt in range(10):
        try:
            section = reader.wait_for(".kb-preview", timeout=15)
            assert section.get_attribute("role") == "alert"
            return [item.text for item in section.find_elements("css selector", ".kb-preview__list li")]
        except StaleElementReferenceException:
            # A rebuild still under way reloaded the page (livereload) while it was being read.
            time.sleep(0.5)
    raise AssertionError("the page kept reloading: the preview never settled")


def test_preview_shows_errors_and_keeps_answering(project, browser, axe_source):
    reader = Reader(browser, None)
    mnist = project.root / "content/datasets/mnist.yaml"
    osi = project.root / "content/organisations/osi.yaml"
    good_mnist, good_osi = mnist.read_text(), osi.read_text()
    with mkdocs_serve(project) as (url, log):
        assert wait_for(lambda: fetch(url + "datasets/mnist/") is not None), log.read_text()

        # Three kinds of broken entry at once: a YAML syntax error, a missing required field and
        # a fresh `kb new` skeleton, whose TODOs are what is left to fill in.
        mnist.write_text(good_mnist.replace("title: MNIST", "title: [Draft] MNIST digits"))
        osi.write_text(good_osi.replace("summary: Steward of the Open Source Definition.\n", ""))
        assert project.kb("new", "podcast", "my-episode").returncode == 0
        expected = findings(project)
        assert "content/datasets/mnist.yaml:1:8: error: YAML syntax error: a value cannot start with '['" in "\n".join(expected)
        assert "content/organisations/osi.yaml:1:1: error: missing required field 'summary'" in expected
        assert any(line.startswith("content/podcasts/my-episode.yaml:") and "'TODO'" in line for line in expected)

        # Every request answers while the sources are broken, and soon shows all the errors (the
        # edits may take more than one rebuild); the new entry's address has a page of its own.
        def shows_errors() -> bool:
            pages = {path: get(url + path) for path in ("", "datasets/mnist/", "podcasts/my-episode/", "no-such-page/")}
            texts = [html.unescape(re.sub(r"<[^>]+>", "", body)) for _, body, _ in pages.values()]
            return pages["podcasts/my-episode/"][0] == 200 and all(f in text for text in texts for f in expected)

        assert wait_for(shows_errors, timeout=60), log.read_text()[-3000:]
        assert "The server will appear stuck" not in log.read_text()

        # What a reader sees: every finding, as `kb validate` prints it, on the last good pages
        # and on the new entry's page; nothing in the banner that axe finds serious.
        for path in ("datasets/mnist/", "podcasts/my-episode/", ""):
            reader.visit(path, base=url)
            assert banner(reader) == expected, path
        violations = checks.axe_violations(reader.driver, axe_source, context={"include": [[".kb-preview"]]})
        assert not violations, checks.describe_violations(violations)
        reader.visit("datasets/mnist/", base=url)
        assert "its entry has errors" in reader.wait_for(".kb-preview").text
        assert reader.driver.find_element("css selector", "h1").text == "MNIST", "the last good page stays"

        # The fix: the page the reader has open reloads by itself, without the banner, with the edit.
        mnist.write_text(good_mnist.replace("title: MNIST", 'title: "[Draft] MNIST digits"'))
        osi.write_text(good_osi)
        (project.root / "content/podcasts/my-episode.yaml").write_text(EPISODE)
        assert project.kb("validate").returncode == 0

        def fixed() -> bool:
            heading = reader.driver.find_elements("css selector", "h1")
            return bool(heading) and heading[0].text == "[Draft] MNIST digits"

        assert wait_for(fixed, timeout=60), log.read_text()[-3000:]
        assert not reader.driver.find_elements("css selector", ".kb-preview")
        reader.visit("podcasts/my-episode/", base=url)
        assert reader.driver.find_element("css selector", "h1").text == "My Episode"
        assert not reader.driver.find_elements("css selector", ".kb-preview")
        assert "kb-preview" not in get(url)[1]


def test_built_site_never_has_the_banner(built_repo):
    """`mkdocs build` fails on broken sources (tests/test_mistakes.py); a good one has no banner."""
    site = Path(built_repo.root / "site")
    assert not any("kb-preview" in page.read_text(encoding="utf-8") for page in site.rglob("*.html"))
