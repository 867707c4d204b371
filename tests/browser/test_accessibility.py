"""axe-core finds no serious or critical accessibility violation on any type of page, in either palette."""

from __future__ import annotations

import time

import pytest

from . import checks
from .flows import axe_whole_page
from .kit import PAGE_TYPES, page_of_type


@pytest.mark.parametrize("scheme", ["default", "slate"], ids=["light", "dark"])
@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_no_serious_accessibility_violation(reader, site_dir, axe_source, kind, scheme):
    reader.visit(page_of_type(site_dir, kind))
    reader.set_palette(scheme)
    violations = axe_whole_page(reader.driver, axe_source)
    assert not violations, f"{kind} ({scheme}):\n{checks.describe_violations(violations)}"


@pytest.mark.parametrize("scheme", ["default", "slate"], ids=["light", "dark"])
def test_search_dialog_has_no_serious_violation(reader, axe_source, scheme):
    """The search dialog, open and showing results, as a reader sees it."""
    reader.visit("")
    reader.set_palette(scheme)
    query = reader.driver.find_element("css selector", "input.md-search__input")
    query.click()
    query.send_keys("licence")
    reader.wait_for(".md-search-result__item")
    time.sleep(0.5)  # the list is redrawn as the letters come in, and fades in
    violations = checks.axe_violations(reader.driver, axe_source, context={"include": [[".md-search"]]})
    assert not violations, f"search dialog ({scheme}):\n{checks.describe_violations(violations)}"
