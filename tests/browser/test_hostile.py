"""Hostile text in every field stays text in a real browser: no script runs, no dialog opens.

The mini knowledge base is copied and every text field of every entry (titles, summaries,
definitions, bodies, and the BibTeX summaries) gets payloads that would run script if any
reached the page as markup: script elements, event handlers, javascript: links. (Markdown links
to javascript: are refused by `kb validate`, so they never reach a build.) The pages of every type are then opened, their glossary tooltips shown, and the
browser asked whether anything ran.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from kbtest import Project, copy_mini

from . import flows
from .kit import Reader, serve

PAYLOAD = (
    '<script>window.__pwned="script";alert("script")</script>'
    " <img src=x onerror=\"window.__pwned='onerror';alert('onerror')\">"
    ' "><svg onload="window.__pwned=\'svg\'">'
    " <a href=\"javascript:window.__pwned='a-href'\">or me</a>"
)
VISIBLE = '<script>window.__pwned="script";alert("script")</script>'  # as a reader must see it
TEXT_FIELDS = ("summary", "body", "roles_note")

PAGES = (
    "",
    "datasets/mnist/",
    "definitions/osaid-1-0/",
    "glossary/open-weights/",
    "glossary/",
    "guides/developers/",
    "organisations/osi/",
    "papers/case-for-public-ai/",
    "podcasts/moshi/",
    "recommendations/avoid-broad-restrictions/",
    "sources/explainer/",
    "topics/public-ai/",
    "papers/",
    "timeline/",
    "tags/",
)


def hostile_kb(root: Path, fields: tuple[str, ...], payload: str = PAYLOAD) -> Path:
    """The mini knowledge base with ``payload`` appended to ``fields`` of every entry; its built site."""
    project = copy_mini(root)
    for source in sorted((project.root / "content").glob("*/*.yaml")):
        entry = yaml.safe_load(source.read_text(encoding="utf-8"))
        for field in fields:
            if isinstance(entry.get(field), str):
                entry[field] = f"{entry[field].rstrip()} {payload}"
        source.write_text(yaml.safe_dump(entry, sort_keys=False, allow_unicode=True, width=10**6), encoding="utf-8")
    bib = project.root / "bibliography" / "works.bib"
    for field in set(fields) & {"summary", "title"}:
        pattern = re.compile(rf"^(  {field} = \{{)(.*)(\}},)$", re.M)
        bib.write_text(pattern.sub(lambda m: f"{m[1]}{m[2]} {payload}{m[3]}", bib.read_text(encoding="utf-8")), encoding="utf-8")
    result = project.run("mkdocs", "build", "--strict")
    assert result.returncode == 0, result.stderr
    return project.root / "site"


def signs_of_script(reader) -> list[str]:
    """What shows that a payload ran: an open dialog, window.__pwned, a javascript: link on the page."""
    from selenium.common.exceptions import NoAlertPresentException

    signs = []
    try:
        alert = reader.driver.switch_to.alert
        signs.append(f"an alert opened: {alert.text!r}")
        alert.dismiss()
        return signs
    except NoAlertPresentException:
        pass
    pwned = reader.driver.execute_script("return window.__pwned")
    if pwned is not None:
        signs.append(f"window.__pwned = {pwned!r}")
    links = reader.driver.execute_script(
        "return [...document.querySelectorAll('a[href]')]"
        ".map(a => a.getAttribute('href')).filter(h => /^\\s*javascript:/i.test(h))"
    )
    signs += [f"a javascript: link: {href}" for href in links]
    return signs


ENTRY_PAGES = tuple(p for p in PAGES if p.count("/") == 2)


def read_like_a_reader(
    reader, server, pages: dict[str, list[str]], search_for: str, tooltip_shows: str | None = None
) -> list[str]:
    """Open the pages, show their glossary tooltips, search; every sign that script ran.

    ``pages`` maps each page to the texts a reader must see on it, as text; ``tooltip_shows``,
    if given, is text the first glossary tooltip reached by keyboard must show.
    """
    from selenium.common.exceptions import UnexpectedAlertPresentException

    found: list[str] = []

    def step(where: str, action):
        """Run one thing a reader does; an alert it opens is a finding, not a crash."""
        try:
            result = action()
        except UnexpectedAlertPresentException as error:
            found.append(f"{where}: an alert opened: {error.alert_text!r}")
            result = None
        found.extend(f"{where}: {sign}" for sign in signs_of_script(reader))
        return result

    for page, visible in pages.items():
        where = page or "home"
        visit = step(where, lambda page=page: reader.visit(page))
        if visit is None:
            continue
        found.extend(f"{where}: {request}" for request in visit.outbound(server.origin))
        text = step(where, lambda: reader.driver.execute_script("return document.body.innerText")) or ""
        found.extend(f"{where}: not shown as text: {v!r}" for v in visible if v not in text)
        for abbr in reader.driver.find_elements("css selector", "article abbr[title]")[:1]:
            step(f"{where}: hovering a glossary term", lambda abbr=abbr: flows.tooltip_on_hover(reader, abbr))
    glossary = next(p for p in pages if p.startswith("glossary/") and p.count("/") == 2)
    step(glossary, lambda: reader.visit(glossary))
    focused = step("focusing a glossary term", lambda: flows.tooltip_on_focus(reader))
    if tooltip_shows and not (focused and focused[2] and tooltip_shows in focused[2]):
        found.append(f"the tooltip does not show {tooltip_shows!r} as text: {focused!r}")
    step("home", lambda: reader.visit(""))
    step("search results", lambda: flows.search(reader, search_for, server.url + "nowhere/", timeout=3))
    return list(dict.fromkeys(found))


def mini_pages(shown_on: tuple[str, ...]) -> dict[str, list[str]]:
    return {page: [VISIBLE] if page in shown_on else [] for page in PAGES}


def test_hostile_text_in_entry_fields_stays_text(browser, tmp_path):
    """Summaries, bodies, notes, BibTeX summaries: shown as text on every type of page, never run."""
    site = hostile_kb(tmp_path / "kb", TEXT_FIELDS)
    with serve(site) as server:
        found = read_like_a_reader(Reader(browser, server), server, mini_pages(ENTRY_PAGES), "pwned")
    assert found == [], "\n".join(found)


def test_hostile_glossary_definitions_stay_text_in_tooltips(browser, tmp_path):
    site = hostile_kb(tmp_path / "kb", ("short",))
    with serve(site) as server:
        found = read_like_a_reader(
            Reader(browser, server), server, mini_pages(("glossary/", "glossary/open-weights/")), "pwned", VISIBLE
        )
    assert found == [], "\n".join(found)


def test_hostile_titles_stay_text(browser, tmp_path):
    """Titles reach the header, <title>, the tags listing and every list of entries: text there too."""
    site = hostile_kb(tmp_path / "kb", ("title",), payload=PAYLOAD + " </title><script>window.__pwned='title'</script>")
    with serve(site) as server:
        found = read_like_a_reader(Reader(browser, server), server, mini_pages((*ENTRY_PAGES, "tags/", "timeline/")), "pwned")
    assert found == [], "\n".join(found)


def test_hostile_knowledge_base_of_tests_hostile_py(browser, tmp_path):
    """tests/hostile.py's knowledge base (every field of every type hostile, traced by kb-xss-<n>), read in Chromium."""
    from hostile import write_hostile_kb

    kb = write_hostile_kb(tmp_path / "kb")
    result = Project(kb.root).run("mkdocs", "build", "--strict")
    assert result.returncode == 0, result.stdout + result.stderr
    pages = {"": [], **kb.pages}
    for section in sorted({url.split("/")[0] for url in kb.pages}):
        pages.setdefault(f"{section}/", [])
    pages.update({"timeline/": [], "tags/": []})
    with serve(kb.root / "site") as server:
        found = read_like_a_reader(Reader(browser, server), server, pages, "kb-xss")
    assert found == [], "\n".join(found)
