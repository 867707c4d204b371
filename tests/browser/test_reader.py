"""The real site in headless Chromium, doing what readers do."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from . import checks, flows
from .flows import heading, wait_until
from .kit import PAGE_TYPES, ROOT, page_of_type

STAKEHOLDERS = sorted(p.stem for p in (ROOT / "content" / "stakeholders").glob("*.yaml"))


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# --- every type of page loads cleanly -------------------------------------------------------------


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_page_loads_without_errors_or_other_hosts(reader, site, site_dir, kind):
    visit = reader.visit(page_of_type(site_dir, kind))
    assert heading(reader.driver) or kind == "404", f"{kind}: no h1 on {visit.url}"
    assert not visit.errors(), f"console errors on {visit.url}:\n" + "\n".join(visit.errors())
    assert not visit.failures(), f"failed requests on {visit.url}:\n" + "\n".join(visit.failures())
    assert not visit.outbound(site.origin), f"requests to other hosts from {visit.url}:\n" + "\n".join(
        visit.outbound(site.origin)
    )
    loaded = checks.requests_made(visit.events)
    assert any(r.kind == "Stylesheet" for r in loaded) and any(r.kind == "Script" for r in loaded), "the page loaded no CSS or JS"


# --- search --------------------------------------------------------------------------------------


def test_search_finds_an_entry_by_a_word_of_its_summary(reader, built_repo, site_dir):
    word, path, title = flows.rare_summary_word(built_repo.root, site_dir)
    reader.visit("")
    wanted = reader.server.url + path
    shown = flows.search(reader, word, wanted)
    assert wanted in shown, f"searching {word!r} does not list {path}; it lists:\n" + "\n".join(shown)
    flows.open_result(reader, wanted)
    assert heading(reader.driver) == title
    wait_until(
        lambda: reader.driver.find_elements("css selector", "article mark"), what=f"{word!r} to be highlighted on the page"
    )


# --- guides --------------------------------------------------------------------------------------


def test_every_guide_is_reached_from_the_home_page(reader, built_repo):
    for stakeholder in STAKEHOLDERS:
        title = load(built_repo.root / "content" / "stakeholders" / f"{stakeholder}.yaml")["title"]
        reader.visit("")
        assert flows.follow(reader, reader.server.url + f"guides/{stakeholder}/") == title, f"no way from home to {title}"


ITEMS_JS = """
// Each item of the guide: recommendations ("Read the recommendation" after an h3 "N. Title")
// and the first link of every list item under the later h2 sections; with what the item says
// it leads to.
const items = [];
let section = null, recommendation = null;
for (const el of document.querySelectorAll('article h2, article h3, article p > a, article li > a:first-child')) {
  const text = el.cloneNode(true);
  text.querySelectorAll('.headerlink').forEach(e => e.remove());
  if (el.tagName === 'H2') { section = text.textContent.trim(); continue; }
  if (el.tagName === 'H3') { recommendation = text.textContent.trim().replace(/^\\d+\\.\\s*/, ''); continue; }
  if (section === 'Recommendations' && el.textContent.trim() === 'Read the recommendation')
    items.push({section, href: el.href, title: recommendation});
  else if (section && section !== 'Recommendations' && section !== 'References' && el.parentElement.tagName === 'LI')
    items.push({section, href: el.href, title: text.textContent.trim()});
}
return items;
"""

FETCH_TITLES_JS = """
const [hrefs, done] = [arguments[0], arguments[arguments.length - 1]];
Promise.all(hrefs.map(href => fetch(href).then(async r => {
  if (!r.ok) return `HTTP ${r.status}`;
  const page = new DOMParser().parseFromString(await r.text(), 'text/html');
  const h = page.querySelector('article h1');
  if (!h) return 'no h1';
  h.querySelectorAll('.headerlink').forEach(e => e.remove());
  return h.textContent.trim();
}))).then(done, e => done(String(e)));
"""


@pytest.mark.parametrize("stakeholder", STAKEHOLDERS)
def test_guide_items_lead_to_their_pages(reader, stakeholder):
    guide = f"guides/{stakeholder}/"
    reader.visit(guide)
    items = reader.driver.execute_script(ITEMS_JS)
    assert any(i["section"] == "Recommendations" for i in items), f"{guide} lists no recommendations"
    assert len({i["section"] for i in items}) > 1, f"{guide} lists nothing but recommendations"
    # Every item's page exists and is the page the item names...
    titles = reader.driver.execute_async_script(FETCH_TITLES_JS, [i["href"] for i in items])
    wrong = [
        f"{i['section']}: {i['title']!r} -> {i['href']} shows {t!r}"
        for i, t in zip(items, titles, strict=True)
        if t != i["title"]
    ]
    assert not wrong, "\n".join(wrong)
    # ...and a click on an item opens it: the first recommendation, and the last item listed.
    for item in (items[0], items[-1]):
        reader.visit(guide)
        assert flows.follow(reader, item["href"]) == item["title"]


# --- glossary tooltips -----------------------------------------------------------------------------


AI_WARNING = "⚠ Drawn from an AI-generated overview: "


def glossary_terms(project_root: Path) -> dict[str, str]:
    """Each glossary word (title, alias, abbreviation) -> its definition as the tooltip gives it.

    A term drawn from AI-generated text (it, or a source it names, says ``provenance: ai-generated``)
    has the tooltip say so before the definition.
    """
    generated = {
        source.stem
        for folder in ("sources", "glossary")
        for source in (project_root / "content" / folder).glob("*.yaml")
        if load(source).get("provenance") == "ai-generated"
    }
    terms = {}
    for source in sorted((project_root / "content" / "glossary").glob("*.yaml")):
        entry = load(source)
        short = " ".join(str(entry["short"]).split())
        if {source.stem, *entry.get("sources", [])} & generated:
            short = AI_WARNING + short
        for word in [entry["title"], *entry.get("aliases", []), *entry.get("abbreviations", [])]:
            terms.setdefault(word, short)
    return terms


def test_glossary_tooltip_on_hover(reader, built_repo):
    terms = glossary_terms(built_repo.root)
    reader.visit("guides/policymakers/")
    abbr = next(a for a in reader.driver.find_elements("css selector", "article p abbr") if a.text in terms)
    assert flows.visible_tooltip(reader) is None
    assert flows.tooltip_on_hover(reader, abbr) == terms[abbr.text]
    flows.tooltip_on_hover(reader, reader.driver.find_element("css selector", "article h1"))
    wait_until(lambda: flows.tooltip_of(reader, abbr) is None, what="the tooltip to close")


def test_tooltip_of_a_term_drawn_from_ai_generated_text_warns_first(reader, built_repo):
    terms = glossary_terms(built_repo.root)
    reader.visit("topics/ai-and-open-data/")  # "open data sets": a term the overview supplies
    flagged = [
        a for a in reader.driver.find_elements("css selector", "article p abbr") if terms.get(a.text, "").startswith(AI_WARNING)
    ]
    assert flagged, "no term drawn from the AI-generated overview in the topic's running text"
    shown = flows.tooltip_on_hover(reader, flagged[0])
    assert shown == terms[flagged[0].text] and shown.startswith("⚠ Drawn from an AI-generated overview:")


def test_glossary_tooltip_on_keyboard_focus(reader, built_repo):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    terms = glossary_terms(built_repo.root)
    reader.visit("guides/policymakers/")
    found = flows.tooltip_on_focus(reader)  # a keyboard reader tabs from the top of the page
    assert found, "Tab never reaches a glossary term (<abbr>) on the guide"
    abbr, term, tooltip = found
    assert tooltip == terms[term]
    ActionChains(reader.driver).send_keys(Keys.TAB).perform()
    wait_until(lambda: flows.tooltip_of(reader, abbr) is None, what="the tooltip to leave with the focus")


def test_glossary_term_leads_to_its_entry_with_enter(reader, built_repo):
    from selenium.webdriver.common.keys import Keys

    reader.visit("guides/policymakers/")
    abbr = reader.wait_for("article p abbr[data-glossary-href]", timeout=5)
    target = abbr.get_attribute("data-glossary-href")
    abbr.send_keys(Keys.ENTER)
    wait_until(lambda: reader.driver.current_url == target, what=f"{target} to open")
    assert reader.driver.current_url.startswith(reader.server.url + "glossary/")


# --- the cite box ----------------------------------------------------------------------------------

CITE_BOX = ".kb-cite"


def test_cite_box_copy_button_puts_the_citation_on_the_clipboard(reader, site_dir):
    reader.visit(page_of_type(site_dir, "paper page"))
    boxes = reader.driver.find_elements("css selector", CITE_BOX)
    if not boxes:
        pytest.skip(f"no cite box ({CITE_BOX}) on paper pages yet: overrides/partials/kb-cite.html is not in this tree")
    flows.grant_clipboard(reader)
    buttons = boxes[0].find_elements("css selector", flows.COPY_BUTTONS)
    assert buttons, "the cite box has no copy button"
    for button in buttons:
        exposed, copied = flows.copy_with(reader, button)
        assert exposed and exposed.strip(), "a copy button with nothing to copy"
        if copied.startswith("ERROR"):  # headless Chromium without clipboard access: the exposed text was checked
            pytest.skip(f"headless Chromium cannot read the clipboard here ({copied})")
        assert copied.strip() == exposed.strip()


# --- palettes --------------------------------------------------------------------------------------

SCREENSHOT_PAGES = ("home", "guide page", "definitions index", "glossary term page")


@pytest.mark.parametrize("scheme", ["default", "slate"], ids=["light", "dark"])
def test_palette_renders_and_is_remembered(reader, site_dir, scheme):
    name = {"default": "light", "slate": "dark"}[scheme]
    for number, kind in enumerate(SCREENSHOT_PAGES):
        reader.visit(page_of_type(site_dir, kind))
        if number == 0:
            reader.set_palette(scheme)  # the reader's toggle, on the first page...
        shown = flows.palette(reader)  # ...and the choice holds on the next ones
        assert shown["scheme"] == scheme, f"{kind}: the {name} palette chosen on the home page was not kept"
        assert (shown["background"] > 0.8) if scheme == "default" else (shown["background"] < 0.1), f"{kind}: {shown}"
        assert shown["contrast"] >= 7, f"{kind}: running text on the background: {shown}"
        path = reader.screenshot(f"{kind.replace(' ', '-')}-{name}")
        assert path.stat().st_size > 10_000, "an empty screenshot"
