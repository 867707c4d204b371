"""What a reader does in the browser, as functions that report what happened rather than assert.

The tests of the real site (test_reader.py, test_accessibility.py) assert on what they return;
test_checkers.py runs the same functions on sites with a fault and shows they catch it.
Each takes a ``Reader`` (kit.py): a Selenium driver plus the server it reads from.
"""

from __future__ import annotations

import json
import re
import time
from html import unescape
from pathlib import Path

import yaml

from . import checks

TOOLTIP = ".md-tooltip2--active .md-tooltip2__inner"
WIDTH, HEIGHT = 1280, 900
TALLEST = 12000  # the tallest window axe is run in; longer pages are checked a slice at a time


def wait_until(condition, timeout: float = 10.0, what: str = "condition"):
    """``condition()``'s first true value, or AssertionError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.05)


def heading(driver) -> str | None:
    """The page's h1 as text, without its permalink sign."""
    return driver.execute_script(
        "const h = document.querySelector('article h1'); if (!h) return null;"
        "const c = h.cloneNode(true); c.querySelectorAll('.headerlink').forEach(e => e.remove());"
        "return c.textContent.trim();"
    )


def without_query(url: str) -> str:
    return re.split(r"[?#]", url)[0]


# --- search ---------------------------------------------------------------------------------------


def rare_summary_word(project_root: Path, site_dir: Path) -> tuple[str, str, str]:
    """(word, page path, title): a word of some entry's summary that as few pages as possible contain."""
    index = json.loads((site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))
    pages: dict[str, set[str]] = {}
    for doc in index["docs"]:
        text = unescape(re.sub(r"<[^>]+>", " ", f"{doc['title']} {doc['text']}")).lower()
        pages.setdefault(doc["location"].partition("#")[0], set()).update(re.split(r"[\s\-]+", text))
    best = None
    for source in sorted((project_root / "content").glob("*/*.yaml")):
        entry = yaml.safe_load(source.read_text(encoding="utf-8"))
        if not isinstance(entry.get("summary"), str) or source.parent.name in ("pages",):
            continue
        path = f"{'guides' if source.parent.name == 'stakeholders' else source.parent.name}/{source.stem}/"
        if path not in pages:
            continue
        summary = re.sub(r"\[\[[^\]]*\]\]|\[@[^\]]*\]", " ", entry["summary"])
        for word in set(re.findall(r"\b[a-z]{7,}\b", summary.lower())):
            count = sum(1 for tokens in pages.values() if any(t.startswith(word) for t in tokens))
            if path in pages and any(t.startswith(word) for t in pages[path]):
                candidate = (count, word, path, entry["title"])
                best = min(best, candidate) if best else candidate
    assert best, "no entry with a summary in the search index"
    return best[1], best[2], best[3]


def search(reader, word: str, wanted: str, timeout: float = 10.0) -> list[str]:
    """Type ``word`` in the search box; the result links shown once ``wanted`` is among them (or at the timeout)."""
    boxes = [b for b in reader.driver.find_elements("css selector", "input.md-search__input") if b.is_displayed()]
    if not boxes:
        return []
    boxes[0].click()
    boxes[0].send_keys(word)

    def shown() -> list[str]:  # in one call: the list is redrawn as results come in
        hrefs = reader.driver.execute_script("return [...document.querySelectorAll('.md-search-result__link')].map(a => a.href)")
        return [without_query(href) for href in hrefs]  # ?h=word: search.highlight

    try:  # results come as the letters are typed: wait for those of the whole word
        wait_until(lambda: wanted in shown(), timeout=timeout)
    except AssertionError:
        pass
    return shown()


def open_result(reader, wanted: str) -> None:
    """Click the search result that leads to ``wanted``."""
    from selenium.common.exceptions import StaleElementReferenceException

    def click() -> bool:
        try:
            links = reader.driver.find_elements("css selector", ".md-search-result__link")
            link = next(a for a in links if without_query(a.get_attribute("href")) == wanted)
            link.click()
            return True
        except StaleElementReferenceException:  # the list was redrawn under us: look again
            return False

    wait_until(click, what=f"a search result for {wanted} to click")
    wait_until(lambda: without_query(reader.driver.current_url) == wanted, what=f"{wanted} to open")


# --- links a reader follows -----------------------------------------------------------------------


def follow(reader, href: str) -> str | None:
    """Click the first link to ``href`` on the current page; the h1 of the page it opens."""
    links = [a for a in reader.driver.find_elements("css selector", "a[href]") if a.get_attribute("href") == href]
    if not links:
        return None
    reader.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", links[0])
    links[0].click()
    wait_until(lambda: reader.driver.current_url == href, what=f"{href} to open")
    return heading(reader.driver)


# --- glossary tooltips ----------------------------------------------------------------------------


def tooltip_on_hover(reader, abbr) -> str | None:
    """Point at ``abbr``; the text of the tooltip that appears, or None."""
    from selenium.webdriver.common.action_chains import ActionChains

    reader.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", abbr)
    ActionChains(reader.driver).move_to_element(abbr).perform()
    try:
        return wait_until(lambda: tooltip_of(reader, abbr), timeout=3)
    except AssertionError:
        return None


def tooltip_of(reader, element) -> str | None:
    """The text of the tooltip shown for ``element`` (Material links it with aria-describedby), or None."""
    return reader.driver.execute_script(
        "const id = arguments[0].getAttribute('aria-describedby'), t = id && document.getElementById(id);"
        "if (!t || !t.classList.contains('md-tooltip2--active')) return null;"
        "const inner = t.querySelector('.md-tooltip2__inner'); return inner && inner.innerText.trim();",
        element,
    )


def visible_tooltip(reader) -> str | None:
    """The text of any tooltip on show."""
    shown = [t.text for t in reader.driver.find_elements("css selector", TOOLTIP) if t.is_displayed()]
    return shown[0] if shown else None


def tab_to_first_term(reader, limit: int = 300):
    """Press Tab from the top of the page until a glossary term (<abbr>) has the focus; it, or None."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    reader.driver.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    seen = set()
    for _ in range(limit):
        ActionChains(reader.driver).send_keys(Keys.TAB).perform()
        focused = reader.driver.switch_to.active_element
        if focused.tag_name == "abbr":
            return focused
        if focused.id in seen:  # round the page and back: no term is focusable
            return None
        seen.add(focused.id)
    return None


def tooltip_on_focus(reader):
    """Tab to the first glossary term; (the term, its text, the tooltip shown), or None if Tab never reaches one."""
    abbr = tab_to_first_term(reader)
    if abbr is None:
        return None
    try:
        return abbr, abbr.text, wait_until(lambda: tooltip_of(reader, abbr), timeout=3)
    except AssertionError:
        return abbr, abbr.text, None


# --- copy buttons ---------------------------------------------------------------------------------

COPY_BUTTONS = "button.md-clipboard, [data-clipboard-text], [data-clipboard-target]"


def grant_clipboard(reader) -> None:
    reader.driver.execute_cdp_cmd(
        "Browser.grantPermissions",
        {"origin": reader.server.origin, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]},
    )


def copy_with(reader, button) -> tuple[str | None, str]:
    """Click a copy button; (the text it exposes for copying, what the clipboard then holds).

    The clipboard is read with navigator.clipboard.readText() (permission granted over CDP);
    where headless Chromium cannot read it, the second value starts with "ERROR".
    """
    exposed = reader.driver.execute_script(
        "const b = arguments[0];"
        "if (b.hasAttribute('data-clipboard-text')) return b.getAttribute('data-clipboard-text');"
        "const t = b.getAttribute('data-clipboard-target') && document.querySelector(b.getAttribute('data-clipboard-target'));"
        "return t ? t.innerText : null;",
        button,
    )
    reader.driver.execute_async_script(
        "const done = arguments[arguments.length - 1]; navigator.clipboard.writeText('').then(done, done);"
    )
    reader.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", button)
    button.click()
    time.sleep(0.2)
    copied = reader.driver.execute_async_script(
        "const done = arguments[arguments.length - 1];navigator.clipboard.readText().then(done, e => done('ERROR ' + e));"
    )
    return exposed, copied


# --- palettes -------------------------------------------------------------------------------------


def luminance(css_colour: str) -> float:
    r, g, b = (float(c) / 255 for c in re.findall(r"[\d.]+", css_colour)[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def palette(reader) -> dict:
    """The scheme the page shows, and the luminance of its background and running text."""
    scheme, background, text = reader.driver.execute_script(
        "const s = getComputedStyle(document.body), a = getComputedStyle(document.querySelector('article') || document.body);"
        "return [document.body.getAttribute('data-md-color-scheme'), s.backgroundColor, a.color];"
    )
    bright, dim = sorted((luminance(background), luminance(text)), reverse=True)
    return {"scheme": scheme, "background": luminance(background), "contrast": (bright + 0.05) / (dim + 0.05)}


# --- accessibility --------------------------------------------------------------------------------


def axe_whole_page(driver, axe_source: str) -> list[dict]:
    """axe's serious and critical violations anywhere on the page, footer included.

    axe judges colour contrast only in the viewport, so the window is stretched to the page's
    height (and, for very long pages, the page checked a slice at a time) and the results merged.
    """
    height = driver.execute_script("return document.documentElement.scrollHeight")
    window = min(height + 150, TALLEST)
    driver.set_window_size(WIDTH, window)
    merged: dict[str, dict] = {}
    try:
        for top in range(0, max(height - window, 0) + 1, window - 300):
            driver.execute_script("window.scrollTo(0, arguments[0])", top)
            checks.settle_transitions(driver)
            for violation in checks.axe_violations(driver, axe_source):
                known = merged.setdefault(violation["id"], {**violation, "nodes": []})
                seen = {str(node["target"]) for node in known["nodes"]}
                known["nodes"] += [node for node in violation["nodes"] if str(node["target"]) not in seen]
    finally:
        driver.set_window_size(WIDTH, HEIGHT)
    return list(merged.values())
