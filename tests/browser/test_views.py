"""The reader's views of issue 17 in headless Chromium: index tables filtered and sorted by mouse and
keyboard with their state in the address, the definitions compared two at a time, the tables
without JavaScript, axe on each view, no request to another host, and a guide printed to PDF.
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from . import checks
from .flows import axe_whole_page, wait_until
from .kit import ROOT, missing


def rows(driver) -> list[dict]:
    """Every body row of the page's listing table, in order: shown or not, its facets and sort values."""
    return driver.execute_script(
        """
        return Array.from(document.querySelectorAll('[data-kb-listing] tbody tr')).map(tr => ({
          shown: tr.offsetParent !== null,
          title: tr.cells[0].textContent.trim(),
          text: tr.textContent.toLowerCase(),
          stakeholder: (tr.dataset.stakeholder || '').split(' '),
          length: tr.dataset.length || '', kind: tr.dataset.kind || '', year: tr.dataset.year || '',
          sort: Array.from(tr.cells).map(c => c.getAttribute('data-sort') || c.textContent.trim()),
        }));
        """
    )


def query(driver) -> dict[str, list[str]]:
    return parse_qs(urlsplit(driver.current_url).query)


def column(driver, key: str) -> int:
    headers = driver.find_elements("css selector", "[data-kb-listing] thead th")
    return next(i for i, th in enumerate(headers) if th.get_attribute("data-kb-key") == key)


def status(driver) -> str:
    return driver.find_element("css selector", "[data-kb-listing] [data-kb-status]").text


def no_other_host(visit, site) -> None:
    assert not visit.outbound(site.origin), "requests to other hosts:\n" + "\n".join(visit.outbound(site.origin))
    assert not visit.errors(), "console errors:\n" + "\n".join(visit.errors())


def choose(driver, name: str, value: str) -> None:
    """Pick an option as a mouse does: open the select, click the option."""
    from selenium.webdriver.support.select import Select

    select = driver.find_element("css selector", f":is([data-kb-filter], [data-kb-compare-form]) [name={name}]")
    select.click()
    Select(select).select_by_value(value)


# --- filtering ------------------------------------------------------------------------------------


def test_filter_by_mouse_narrows_the_table_and_writes_the_address(reader, site):
    no_other_host(reader.visit("podcasts/"), site)
    every = rows(reader.driver)
    assert len(every) == len(list((ROOT / "content/podcasts").glob("*.yaml")))
    assert all(r["shown"] for r in every)
    choose(reader.driver, "stakeholder", "policymakers")
    choose(reader.driver, "length", "short")
    shown = [r["title"] for r in rows(reader.driver) if r["shown"]]
    wanted = [r["title"] for r in every if "policymakers" in r["stakeholder"] and r["length"] == "short"]
    assert shown == wanted and 0 < len(shown) < len(every)
    assert status(reader.driver) == f"Showing {len(shown)} of {len(every)}."
    assert query(reader.driver) == {"stakeholder": ["policymakers"], "length": ["short"]}
    # Every podcast the policymakers' guide lists names policymakers in its own YAML or is linked from
    # one of their recommendations: the filter shows at least those the YAML names.
    named = {
        yaml.safe_load(p.read_text())["title"]
        for p in (ROOT / "content/podcasts").glob("*.yaml")
        if "policymakers" in (yaml.safe_load(p.read_text()).get("stakeholders") or [])
        and yaml.safe_load(p.read_text()).get("length") == "shorter"
    }
    assert named <= set(shown)
    reader.driver.find_element("css selector", "[data-kb-filter] [type=reset]").click()
    wait_until(lambda: all(r["shown"] for r in rows(reader.driver)), what="Show all to clear the filters")
    assert query(reader.driver) == {}


def test_filter_by_keyboard(reader, site):
    from selenium.webdriver.common.keys import Keys

    no_other_host(reader.visit("papers/"), site)
    every = rows(reader.driver)
    box = reader.driver.find_element("css selector", "[data-kb-filter] [name=text]")
    box.send_keys("open source")
    shown = [r for r in rows(reader.driver) if r["shown"]]
    assert shown and len(shown) < len(every)
    assert all("open" in r["text"] and "source" in r["text"] for r in shown)
    assert all(not ("open" in r["text"] and "source" in r["text"]) for r in rows(reader.driver) if not r["shown"])
    assert query(reader.driver)["text"] == ["open source"]
    box.send_keys(Keys.TAB)  # on to the next control, the stakeholder choice, and down to its first option
    focused = reader.driver.switch_to.active_element
    assert focused.get_attribute("name") == "stakeholder"
    focused.send_keys(Keys.ARROW_DOWN)
    chosen = focused.get_attribute("value")
    assert chosen
    shown = [r for r in rows(reader.driver) if r["shown"]]
    assert all(chosen in r["stakeholder"] and "open" in r["text"] for r in shown)
    assert query(reader.driver)["stakeholder"] == [chosen]


def test_a_filter_that_matches_nothing_says_so(reader, site):
    reader.visit("recommendations/?text=zzzzqqq")
    assert not any(r["shown"] for r in rows(reader.driver))
    assert "none matches" in status(reader.driver)


# --- sorting --------------------------------------------------------------------------------------


def test_sort_by_mouse(reader, site):
    reader.visit("podcasts/")
    index = column(reader.driver, "duration")
    header = reader.driver.find_elements("css selector", "[data-kb-listing] thead th")[index]
    header.click()
    seconds = [int(r["sort"][index]) for r in rows(reader.driver)]
    assert seconds == sorted(seconds) and seconds[0] < seconds[-1]
    assert header.get_attribute("aria-sort") == "ascending"
    header.click()
    seconds = [int(r["sort"][index]) for r in rows(reader.driver)]
    assert seconds == sorted(seconds, reverse=True)
    assert query(reader.driver) == {"sort": ["duration"], "order": ["desc"]}


def test_sort_by_keyboard(reader, site):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    reader.visit("papers/")
    reset = reader.driver.find_element("css selector", "[data-kb-filter] [type=reset]")
    reader.driver.execute_script("arguments[0].focus()", reset)  # start from the form's last control
    index = column(reader.driver, "year")
    ActionChains(reader.driver).send_keys(Keys.TAB * (index + 1)).perform()  # through the headers
    focused = reader.driver.switch_to.active_element
    assert focused.get_attribute("data-kb-key") == "year", focused.get_attribute("outerHTML")
    ActionChains(reader.driver).send_keys(Keys.ENTER).perform()
    years = [int(r["sort"][index]) for r in rows(reader.driver)]
    assert years == sorted(years) and years[0] < years[-1]
    ActionChains(reader.driver).send_keys(Keys.ENTER).perform()
    years = [int(r["sort"][index]) for r in rows(reader.driver)]
    assert years == sorted(years, reverse=True)
    assert query(reader.driver) == {"sort": ["year"], "order": ["desc"]}


# --- the address ----------------------------------------------------------------------------------


def test_address_round_trips(reader, site):
    address = "podcasts/?stakeholder=policymakers&length=short&sort=date&order=desc&text=open"
    visit = reader.visit(address)
    no_other_host(visit, site)

    def state() -> tuple:
        form = reader.driver.execute_script(
            "return Object.fromEntries(Array.from(document.querySelector('[data-kb-filter]').elements)"
            ".filter(e => e.name).map(e => [e.name, e.value]))"
        )
        shown = [r["title"] for r in rows(reader.driver) if r["shown"]]
        return form, shown, query(reader.driver)

    form, shown, asked = state()
    assert form == {"text": "open", "stakeholder": "policymakers", "kind": "", "length": "short", "year": ""}
    assert asked == {"stakeholder": ["policymakers"], "length": ["short"], "sort": ["date"], "order": ["desc"], "text": ["open"]}
    index = column(reader.driver, "date")
    dates = [r["sort"][index] for r in rows(reader.driver) if r["shown"]]
    assert shown and dates == sorted(dates, reverse=True)
    reader.driver.refresh()
    wait_until(lambda: state() == (form, shown, asked), what="the same view after reloading")
    choose(reader.driver, "kind", "podcast")
    changed = query(reader.driver)
    assert changed["kind"] == ["podcast"] and changed["stakeholder"] == ["policymakers"]
    reader.visit(urlsplit(reader.driver.current_url).path.lstrip("/") + "?" + urlsplit(reader.driver.current_url).query)
    assert state()[0]["kind"] == "podcast"
    # A value no option has is dropped, from the form and from the address.
    reader.visit("podcasts/?stakeholder=nobody&year=1999")
    assert state()[0]["stakeholder"] == "" and all(r["shown"] for r in rows(reader.driver))
    assert "stakeholder" not in query(reader.driver) and "year" not in query(reader.driver)


# --- definitions compared -------------------------------------------------------------------------


def matrix(driver) -> dict:
    return driver.execute_script(
        """
        const table = document.querySelector('[data-kb-compare] table');
        const shown = e => e.offsetParent !== null;
        return {
          columns: Array.from(table.tHead.rows[0].cells).filter(shown).map(c => c.dataset.kbDefinition || ''),
          rows: Array.from(table.tBodies[0].rows).map(tr => ({
            key: tr.dataset.kbRow, shown: shown(tr),
            marked: shown(tr.querySelector('[data-kb-differs]')),
            values: Array.from(tr.querySelectorAll('td')).filter(shown).map(td => td.dataset.value),
          })),
        };
        """
    )


def test_compare_two_definitions(reader, site):
    from selenium.webdriver.common.keys import Keys

    no_other_host(reader.visit("definitions/"), site)
    full = matrix(reader.driver)
    assert len(full["columns"]) == 1 + len(list((ROOT / "content/definitions").glob("*.yaml")))
    choose(reader.driver, "a", "osaid-1-0")
    choose(reader.driver, "b", "open-weight-definition")
    pair = matrix(reader.driver)
    assert pair["columns"] == ["", "osaid-1-0", "open-weight-definition"]
    for row in pair["rows"]:
        assert len(row["values"]) == 2
        assert row["marked"] == (row["values"][0] != row["values"][1]), row
    assert any(r["marked"] for r in pair["rows"]) and not all(r["marked"] for r in pair["rows"])
    assert query(reader.driver) == {"a": ["osaid-1-0"], "b": ["open-weight-definition"]}
    only = reader.driver.find_element("css selector", "[data-kb-compare] [name=only]")
    only.send_keys(Keys.SPACE)  # the keyboard's way to tick a box
    differing = matrix(reader.driver)
    assert [r["key"] for r in differing["rows"] if r["shown"]] == [r["key"] for r in pair["rows"] if r["marked"]]
    assert query(reader.driver)["only"] == ["differences"]
    reader.driver.refresh()
    wait_until(lambda: matrix(reader.driver) == differing, what="the same comparison after reloading")
    text = reader.driver.find_element("css selector", "[data-kb-compare] [data-kb-status]").text
    assert text.startswith("Comparing OSAID 1.0 and OWD (draft): they differ on")


def test_matrix_cells_link_to_note_and_source(reader, site):
    reader.visit("definitions/")
    cell = reader.driver.find_element(
        "css selector", "[data-kb-row=requires-data] td[data-kb-definition=osaid-1-0] a:not(.kb-cell-source)"
    )
    assert cell.get_attribute("href").endswith("/definitions/osaid-1-0/#requires-data")
    source = reader.driver.find_element(
        "css selector", "[data-kb-row=requires-data] td[data-kb-definition=osaid-1-0] .kb-cell-source"
    )
    assert source.get_attribute("href").endswith("/sources/open-source-ai-explainer/")
    cell.click()
    wait_until(lambda: reader.driver.current_url.endswith("#requires-data"), what="the definition's note")
    note = reader.driver.find_element("id", "requires-data")
    assert "training data" in note.find_element("xpath", "ancestor::tr").text.lower()


# --- without JavaScript ---------------------------------------------------------------------------


@pytest.fixture
def no_javascript(browser):
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    yield
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


@pytest.mark.parametrize("section", ["podcasts", "papers", "recommendations", "datasets", "definitions"])
def test_without_javascript_the_whole_table_is_there(reader, site, built_repo, no_javascript, section):
    reader.visit(f"{section}/")
    driver = reader.driver
    assert not any(
        f.is_displayed() for f in driver.find_elements("css selector", "form[data-kb-filter], form[data-kb-compare-form]")
    )
    table = driver.find_element("css selector", "[data-kb-listing] table, [data-kb-compare] table")
    body = table.find_elements("css selector", "tbody tr")
    assert all(row.is_displayed() for row in body)
    site_dir = built_repo.root / "site"
    entries = sorted(p.parent.name for p in (site_dir / section).glob("*/index.html"))
    linked = {
        a.get_attribute("href").rstrip("/").rsplit("/", 1)[-1]
        for a in table.find_elements("css selector", "a")
        if f"/{section}/" in a.get_attribute("href")
    }
    assert set(entries) <= linked, set(entries) - linked
    if section != "definitions":
        assert len(body) == len(entries)
        headers = [th.text for th in table.find_elements("css selector", "thead th")]
        assert all(len(row.find_elements("css selector", "th, td")) == len(headers) for row in body)


# --- accessibility and other hosts ----------------------------------------------------------------

VIEWS = [
    "podcasts/?stakeholder=policymakers&sort=duration&order=asc",
    "papers/?text=open",
    "recommendations/",
    "datasets/",
    "definitions/?a=osaid-1-0&b=open-weight-definition&only=differences",
    "glossary/training-data/",
    "guides/policymakers/",
]


@pytest.mark.parametrize("scheme", ["default", "slate"], ids=["light", "dark"])
@pytest.mark.parametrize("view", VIEWS)
def test_views_have_no_serious_accessibility_violation(reader, site, axe_source, view, scheme):
    visit = reader.visit(view)
    no_other_host(visit, site)
    reader.set_palette(scheme)
    violations = axe_whole_page(reader.driver, axe_source)
    assert not violations, f"{view} ({scheme}):\n{checks.describe_violations(violations)}"


# --- a guide on paper -----------------------------------------------------------------------------


def pdf_text(pdf: bytes, tmp_path: Path) -> list[str]:
    """The PDF's pages as text, by pdftotext (poppler-utils); -layout keeps the hyphens of URLs broken across lines."""
    tool = shutil.which("pdftotext")
    if not tool:
        missing("pdftotext", "sudo apt-get install poppler-utils (or run `make system-deps` as root)")
    path = tmp_path / "guide.pdf"
    path.write_bytes(pdf)
    text = subprocess.run([tool, "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return [page.strip() for page in text.split("\f") if page.strip()]


def test_a_guide_prints_as_a_handout(reader, site, tmp_path):
    from selenium.webdriver.common.print_page_options import PrintOptions

    visit = reader.visit("guides/policymakers/")
    no_other_host(visit, site)
    driver = reader.driver
    on_screen = driver.execute_script(
        """
        const article = document.querySelector('article');
        const nav = Array.from(document.querySelectorAll('.md-header, .md-tabs, .md-sidebar, .md-footer'))
          .flatMap(e => Array.from(e.querySelectorAll('a, label, input')))
          .map(e => (e.textContent || e.placeholder || '').trim()).filter(t => t.length > 3);
        return {
          title: article.querySelector('h1').textContent.replace('¶', '').trim(),
          time: article.querySelector('.kb-guide-time').textContent.trim(),
          sections: Array.from(article.querySelectorAll('h2')).map(h => h.textContent.replace('¶', '').trim()),
          recommendations: Array.from(article.querySelectorAll('h3')).map(h => h.textContent.replace('¶', '').trim()),
          links: Array.from(article.querySelectorAll('a[href]:not(.headerlink):not(.md-button)')).map(a => a.href)
            .filter(h => !h.includes('#')),
          article: article.textContent,
          nav: [...new Set(nav)],
        };
        """
    )
    pages = pdf_text(base64.b64decode(driver.print_page(PrintOptions())), tmp_path)
    text = "\n".join(pages)
    flat = re.sub(r"\s+", "", text)
    # The text is there, the time to set aside first of all.
    assert on_screen["title"] in pages[0]
    assert re.sub(r"\s+", "", on_screen["time"]) in re.sub(r"\s+", "", pages[0])
    assert re.search(r"about \d+ min of reading", on_screen["time"]) and re.search(
        r"\d+:\d\d:\d\d of listening", on_screen["time"]
    )
    for title in on_screen["recommendations"]:
        assert re.sub(r"\s+", "", title) in flat, title
    # No navigation: nothing of the header, tabs, sidebars or footer that the article does not say itself.
    navigation_only = [t for t in on_screen["nav"] if t not in on_screen["article"]]
    assert navigation_only, "the page should have navigation of its own to leave out"
    assert not [t for t in navigation_only if re.sub(r"\s+", "", t) in flat]
    # Links shown as URLs, made absolute.
    unprinted = [url for url in on_screen["links"] if re.sub(r"\s+", "", url) not in flat]
    assert on_screen["links"] and not unprinted, unprinted
    assert reader.server.url + "recommendations/" in flat
    # Each section starts a page.
    starts = [re.sub(r"\s+", " ", page) for page in pages]
    missing_breaks = [s for s in on_screen["sections"] if not any(start.startswith(s) for start in starts)]
    assert not missing_breaks, f"sections not starting a page: {missing_breaks}\npage starts: {[s[:40] for s in starts]}"
