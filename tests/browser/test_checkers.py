"""The checks catch their faults: each runs on a page or site with the fault, and on one without.

Small hand-written pages carry one fault each (a broken link, an image without alt text, a
request to another host, a console error, invalid HTML, a copy button that copies nothing);
the mini knowledge base is built three ways: as the project builds it, with stock Material
(none of the accessibility fixes in overrides/), and with reader-facing features broken
(tooltips, keyboard access to terms, search, the dark palette, a guide's link from the home page).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from kbtest import Project, copy_mini, set_site_fields

from . import checks, flows
from .kit import Reader, serve

HEAD = '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title><link rel="icon" href="data:,">'

GOOD = (
    HEAD.format(title="A good page")
    + """
<style>body { color: #222; background: #fff; } a { color: #1a4fb5; text-decoration: underline; }</style>
</head><body><main>
<h1 id="top">A good page</h1>
<p>Text with <a href="other.html#part">a link to a part of another page</a> and
<a href="#top">one to its own top</a>, an image <img src="pixel.svg" alt="a grey square" width="8" height="8">,
and a script that runs: <span id="ran">not yet</span>.</p>
<p><button type="button" id="copy" data-clipboard-text="Doe, J. (2024). A work.">Copy the citation</button></p>
<script src="good.js"></script>
</main></body></html>
"""
)

PAGES = {
    "good.html": GOOD,
    "good.js": """
document.getElementById('ran').textContent = 'yes';
document.getElementById('copy').addEventListener('click', e =>
  navigator.clipboard.writeText(e.currentTarget.getAttribute('data-clipboard-text')));
""",
    "pixel.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="#888"/></svg>',
    "other.html": HEAD.format(title="Other") + '</head><body><main><h1>Other</h1><h2 id="part">Part</h2></main></body></html>',
    # One fault each.
    "broken-link.html": GOOD.replace('href="other.html#part"', 'href="missing.html"'),
    "broken-anchor.html": GOOD.replace('href="other.html#part"', 'href="other.html#no-such-part"'),
    "broken-src.html": GOOD.replace('src="pixel.svg"', 'src="images/missing.svg"'),
    "console-error.html": GOOD.replace("</main>", "<script>undefinedFunction();</script></main>"),
    "failed-request.html": GOOD.replace('src="good.js"', 'src="missing.js"'),
    "outbound.html": GOOD.replace(
        "</main>",
        '<img src="http://tracker.invalid/pixel.gif" alt=""><script>fetch("https://cdn.invalid/lib.js").catch(() => {});</script></main>',
    ),
    "no-alt.html": GOOD.replace(' alt="a grey square"', ""),
    "low-contrast.html": GOOD.replace("color: #222;", "color: #aaa;"),
    "link-by-colour.html": GOOD.replace("text-decoration: underline;", "text-decoration: none;"),
    "unnamed-dialog.html": GOOD.replace("</main>", '<div role="dialog"><p>Search</p></div></main>'),
    "invalid.html": GOOD.replace('<h1 id="top">', '<h1 id="ran">')
    .replace("</p>", "</span></p>", 1)
    .replace('<button type="button"', '<button type="button" colour="blue"'),
    "dead-copy-button.html": GOOD.replace('src="good.js"', 'src="pixel.svg" hidden').replace(
        "<script ", '<script>document.getElementById("ran").textContent = "yes";</script><script '
    ),
}


@pytest.fixture(scope="session")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fault-pages")
    for name, text in PAGES.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def page_reader(browser, pages):
    with serve(pages) as server:
        reader = Reader(browser, server)
        reader.drain()
        yield reader


# --- links and anchors (no browser) -------------------------------------------------------------


def test_broken_links_finds_missing_pages_anchors_and_files(tmp_path):
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "a" / "index.html").write_text('<h2 id="here">A</h2><a href="../">home</a>', encoding="utf-8")
    (site / "style.css").write_text("", encoding="utf-8")
    good = '<link href="style.css" rel="stylesheet"><a href="a/">a</a><a href="a/#here">here</a><a href="https://example.org/">out</a>'
    (site / "index.html").write_text(good, encoding="utf-8")
    assert checks.broken_links(site) == []
    faults = '<a href="missing/">x</a><a href="a/#nowhere">x</a><img src="img/none.png" alt="x"><a href="/abs/">x</a><a href="#gone">x</a>'
    (site / "index.html").write_text(good + faults, encoding="utf-8")
    assert sorted(checks.broken_links(site)) == sorted(
        [
            "index.html: <a> missing/",
            "index.html: <a> a/#nowhere (no such anchor)",
            "index.html: <img> img/none.png",
            "index.html: <a> /abs/",
            "index.html: <a> #gone (no such anchor)",
        ]
    )


def test_broken_links_on_the_fault_pages(pages, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    for name in ("good.html", "other.html", "pixel.svg", "good.js"):
        shutil.copy(pages / name, site / name)
    assert checks.broken_links(site) == []
    for fault in ("broken-link.html", "broken-anchor.html", "broken-src.html"):
        shutil.copy(pages / fault, site / fault)
        assert len(checks.broken_links(site)) == 1, fault
        (site / fault).unlink()


# --- the Nu HTML checker (no browser) -----------------------------------------------------------


def test_nu_checker_reports_invalid_html_and_only_the_accepted_theme_findings_pass(vnu, pages, tmp_path):
    java, jar = vnu
    theme = tmp_path / "theme.html"
    theme.write_text(
        GOOD.replace(
            "<main>",
            # Material's own markup (accepted), and the same mistake elsewhere (not accepted).
            '<input class="md-toggle" data-md-toggle="drawer" type="checkbox" id="__drawer" autocomplete="off">'
            '<input type="checkbox" id="mine" autocomplete="off"><label for="mine">mine</label><main>',
        ),
        encoding="utf-8",
    )
    findings = checks.nu_findings(
        [pages / "good.html", pages / "invalid.html", theme], jar, java=java, accepted=checks.ACCEPTED_NU
    )
    by_file: dict[str, list[str]] = {}
    for finding in findings:
        by_file.setdefault(Path(finding.file).name, []).append(finding.message)
    assert "good.html" not in by_file, by_file.get("good.html")
    invalid = "\n".join(by_file.get("invalid.html", []))
    assert "Duplicate ID “ran”" in invalid
    assert "Stray end tag “span”" in invalid
    assert "Attribute “colour” not allowed" in invalid
    assert by_file.get("theme.html") and len(by_file["theme.html"]) == 1, by_file.get("theme.html")
    assert "autocomplete" in by_file["theme.html"][0]
    # Without the allow-list, the theme's own finding is reported too.
    unfiltered = checks.nu_findings([theme], jar, java=java)
    assert len(unfiltered) == 2


# --- what a page does in the browser ------------------------------------------------------------


def test_good_page_is_clean(page_reader, axe_source):
    visit = page_reader.visit("good.html")
    assert page_reader.driver.find_element("id", "ran").text == "yes"
    assert visit.errors() == [] and visit.failures() == [] and visit.outbound(page_reader.server.origin) == []
    assert checks.axe_violations(page_reader.driver, axe_source) == []


def test_console_error_is_caught(page_reader):
    visit = page_reader.visit("console-error.html")
    assert any("undefinedFunction is not defined" in e for e in visit.errors()), visit.errors()


def test_failed_request_is_caught(page_reader):
    visit = page_reader.visit("failed-request.html")
    assert visit.failures() == [f"HTTP 404 {page_reader.server.url}missing.js"]


def test_request_to_another_host_is_caught(page_reader):
    visit = page_reader.visit("outbound.html")
    outbound = visit.outbound(page_reader.server.origin)
    assert "Image http://tracker.invalid/pixel.gif" in outbound
    assert "Fetch https://cdn.invalid/lib.js" in outbound


@pytest.mark.parametrize(
    ("page", "rule"),
    [
        ("no-alt.html", "image-alt"),
        ("low-contrast.html", "color-contrast"),
        ("link-by-colour.html", "link-in-text-block"),
        ("unnamed-dialog.html", "aria-dialog-name"),
    ],
)
def test_accessibility_fault_is_caught(page_reader, axe_source, page, rule):
    page_reader.visit(page)
    found = checks.axe_violations(page_reader.driver, axe_source)
    assert [v["id"] for v in found] == [rule], checks.describe_violations(found)


def test_copy_check_tells_a_working_button_from_a_dead_one(page_reader):
    for page, works in (("good.html", True), ("dead-copy-button.html", False)):
        page_reader.visit(page)
        flows.grant_clipboard(page_reader)
        exposed, copied = flows.copy_with(page_reader, page_reader.driver.find_element("id", "copy"))
        assert exposed == "Doe, J. (2024). A work."
        assert not copied.startswith("ERROR"), f"headless Chromium could not read the clipboard: {copied}"
        assert (copied == exposed) is works, (page, copied)


# --- the mini knowledge base: as built, with stock Material, with features broken ---------------


def build(project: Project) -> Path:
    project.run("mkdocs", "build", "--strict", check=True)
    return project.root / "site"


@pytest.fixture(scope="session")
def stock_theme_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini knowledge base without this project's accessibility fixes: Material as it comes."""
    project = copy_mini(tmp_path_factory.mktemp("stock") / "kb")
    (project.root / "overrides" / "partials" / "search.html").unlink()
    project.write("overrides/assets/stylesheets/a11y.css", "/* stock theme */\n")
    return build(project)


@pytest.fixture(scope="session")
def broken_features_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini knowledge base with what readers rely on broken, one fault per check."""
    project = copy_mini(tmp_path_factory.mktemp("broken") / "kb")
    # A plain YAML reader knows no !ENV: the addresses set as a local build has them (none).
    set_site_fields(project.root / "mkdocs.yml", site_url="", repo_url="")
    config = yaml.safe_load((project.root / "mkdocs.yml").read_text(encoding="utf-8"))
    config["theme"]["features"].remove("content.tooltips")  # no tooltip on hover
    config["extra_javascript"].remove("assets/javascripts/glossary.js")  # terms not reachable by keyboard
    config["plugins"] = [p for p in config["plugins"] if p != "search"]  # no search
    config["theme"]["palette"] = config["theme"]["palette"][:1]  # no dark palette, no toggle
    project.write("mkdocs.yml", yaml.safe_dump(config, sort_keys=False))
    home = (project.root / "content" / "pages" / "index.md").read_text(encoding="utf-8")
    assert " and [[developers]]" in home
    project.write("content/pages/index.md", home.replace(" and [[developers]]", ""))  # a guide not linked from home
    return build(project)


@pytest.fixture(scope="session")
def mini_sites(built_mini, broken_features_site):
    with serve(built_mini.root / "site") as good, serve(broken_features_site) as broken:
        yield good, broken


def test_stock_material_fails_axe_and_the_overrides_fix_it(browser, built_mini, stock_theme_site, axe_source):
    reader = Reader(browser, None)
    with serve(stock_theme_site) as stock, serve(built_mini.root / "site") as fixed:
        found = set()
        for page in ("", "guides/developers/"):
            reader.visit(page, base=stock.url)
            reader.set_palette("default")
            found |= {v["id"] for v in flows.axe_whole_page(browser, axe_source)}
        assert {"aria-dialog-name", "color-contrast", "link-in-text-block"} <= found, found
        for scheme in ("default", "slate"):
            for page in ("", "guides/developers/"):
                reader.visit(page, base=fixed.url)
                reader.set_palette(scheme)
                violations = flows.axe_whole_page(browser, axe_source)
                assert violations == [], checks.describe_violations(violations)


def test_tooltip_checks_catch_missing_tooltips(browser, mini_sites):
    for server, works in zip(mini_sites, (True, False), strict=True):
        reader = Reader(browser, server)
        reader.visit("recommendations/avoid-broad-restrictions/")
        abbr = reader.driver.find_element("css selector", "article abbr[title]")
        title = abbr.get_attribute("title")
        assert (flows.tooltip_on_hover(reader, abbr) == title) is works
        reader.visit("recommendations/avoid-broad-restrictions/")
        titles = {a.text: a.get_attribute("title") for a in reader.driver.find_elements("css selector", "article abbr[title]")}
        focused = flows.tooltip_on_focus(reader)
        assert (focused is not None and focused[2] == titles[focused[1]]) is works, focused


def test_search_check_catches_missing_search(browser, built_mini, mini_sites):
    word, path, _title = flows.rare_summary_word(built_mini.root, built_mini.root / "site")
    for server, works in zip(mini_sites, (True, False), strict=True):
        reader = Reader(browser, server)
        reader.visit("")
        wanted = server.url + path
        assert (wanted in flows.search(reader, word, wanted, timeout=5)) is works


def test_guide_check_catches_a_guide_missing_from_home(browser, mini_sites):
    for server, works in zip(mini_sites, (True, False), strict=True):
        reader = Reader(browser, server)
        reader.visit("")
        assert flows.follow(reader, server.url + "guides/policymakers/") == "Policymakers"
        reader.visit("")
        assert (flows.follow(reader, server.url + "guides/developers/") == "Developers") is works


def test_palette_check_catches_a_missing_dark_palette(browser, mini_sites):
    good, broken = (Reader(browser, server) for server in mini_sites)
    good.visit("")
    good.set_palette("slate")
    assert flows.palette(good)["background"] < 0.1
    broken.visit("")
    with pytest.raises(AssertionError, match="palette toggle"):  # none, or one that leads nowhere
        broken.set_palette("slate")
    assert flows.palette(broken)["scheme"] == "default"
