"""Prose reads as an editor wrote it: on the built site, and in what ``kb validate`` warns about.

The site checks read every page of the real knowledge base, built once with ``mkdocs build
--strict``, as a reader gets it: the text of each paragraph, list item, table cell and heading of
the article, with its links, and the page's description.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from knowledgebase.graph.style import title_style
from knowledgebase.pipeline import load
from knowledgebase.settings import Settings

BLOCKS = {"p", "li", "td", "th", "h1", "h2", "h3", "h4", "dd", "dt", "figcaption"}


class Blocks(HTMLParser):
    """The article's text blocks, each as (text, [(offset in text, href, link text)])."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, list[tuple[int, str, str]]]] = []
        self.description = ""
        self._depth = 0  # inside <article>
        self._stack: list[tuple[list[str], list[tuple[int, str, str]]]] = []
        self._link: tuple[int, str, list[str]] | None = None
        self._skip = 0  # inside <pre>, <script>, <style> (inline <code> is text the reader reads)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if tag == "meta" and attr.get("name") == "description":
            self.description = attr.get("content") or ""
        if tag == "article":
            self._depth += 1
        if not self._depth:
            return
        if tag in ("pre", "script", "style"):
            self._skip += 1
        if tag in BLOCKS:
            self._stack.append(([], []))
        if tag == "a" and self._stack:
            self._link = (len("".join(self._stack[-1][0])), attr.get("href") or "", [])

    def handle_endtag(self, tag: str) -> None:
        if not self._depth:
            return
        if tag in ("pre", "script", "style"):
            self._skip -= 1
        if tag == "a" and self._link and self._stack:
            offset, href, text = self._link
            self._stack[-1][1].append((offset, href, "".join(text)))
            self._link = None
        if tag in BLOCKS and self._stack:
            parts, links = self._stack.pop()
            self.blocks.append(("".join(parts), links))
        if tag == "article":
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._depth and self._stack and not self._skip:
            self._stack[-1][0].append(data)
            if self._link:
                self._link[2].append(data)


def pages(site: Path) -> dict[str, Blocks]:
    parsed = {}
    for path in sorted(site.rglob("index.html")):
        rel = path.relative_to(site).as_posix()
        if rel.startswith(("search/", "assets/")):
            continue
        reader = Blocks()
        reader.feed(path.read_text("utf-8"))
        parsed[rel] = reader
    return parsed


@pytest.fixture(scope="module")
def site(built_repo):
    settings = Settings.from_mkdocs_yml(built_repo.root / "mkdocs.yml")
    loaded = load(settings)
    assert loaded.ok
    return pages(built_repo.root / "site"), loaded.graph


THE_BEFORE = re.compile(r"\bthe\s+$", re.IGNORECASE)
MID_SENTENCE = re.compile(r"[a-z,;]\s+$")  # a word of the sentence (or its comma) just before
SPACE_BEFORE_PUNCTUATION = re.compile(r"\w\s+[.,;:](?=\s|$)")
DOUBLED = re.compile(r"\b(the|a|an|of|to|and)\s+\1\b", re.IGNORECASE)


def repetitions(text: str) -> list[str]:
    """'Open Source AI Definition 1.0 (Open Source AI Definition)': a parenthesis repeating what precedes it."""
    found = []
    for match in re.finditer(r"\(([^()]{4,80})\)", text):
        inner = match.group(1).strip().casefold()
        before = " ".join(text[: match.start()].split()).casefold()
        if before[-(len(inner) + 8) :].find(inner) >= 0:
            found.append(text[max(0, match.start() - 60) : match.end()])
    return found


def test_no_doubled_article_before_a_link(site):
    parsed, _ = site
    found = [
        f"{rel}: ...{text[max(0, offset - 30) : offset]}[{link}]"
        for rel, page in parsed.items()
        for text, links in page.blocks
        for offset, _href, link in links
        if THE_BEFORE.search(text[:offset]) and re.match(r"the\b", link, re.IGNORECASE)
    ]
    assert not found, found[:10]
    doubled = [
        f"{rel}: {m.group()!r} in {text[:120]!r}"
        for rel, page in parsed.items()
        for text, _ in page.blocks
        for m in DOUBLED.finditer(text)
    ]
    assert not doubled, doubled[:10]
    described = [f"{rel}: {page.description[:120]}" for rel, page in parsed.items() if DOUBLED.search(page.description)]
    assert not described, described[:10]


def test_no_capitalised_common_noun_term_mid_sentence(site):
    parsed, graph = site
    terms = {term.id: term for term in graph.by_type("glossary") if title_style(term) == "term" and term.title[:1].isupper()}
    assert {"transparency", "marginal-risk", "open-weights"} <= set(terms)  # the examples that read badly
    found, checked = [], 0
    for rel, page in parsed.items():
        for text, links in page.blocks:
            for offset, href, link in links:
                target = re.search(r"glossary/([a-z0-9-]+)/?(?:#.*)?$", href)
                if not target or target.group(1) not in terms or not MID_SENTENCE.search(text[:offset]):
                    continue
                checked += 1
                word = link.split(" ", 1)[0]
                if word[:1].isupper() and word[1:].islower():
                    found.append(f"{rel}: ...{text[max(0, offset - 30) : offset]}[{link}]")
    assert checked > 100  # glossary terms are linked mid-sentence all over the site
    assert not found, found[:10]


def test_no_space_before_punctuation(site):
    parsed, _ = site
    found = [
        f"{rel}: {m.group()!r} in ...{text[max(0, m.start() - 40) : m.end() + 10]!r}"
        for rel, page in parsed.items()
        for text in [b[0] for b in page.blocks] + [page.description]
        for m in SPACE_BEFORE_PUNCTUATION.finditer(text)
    ]
    assert not found, found[:10]


def test_no_name_repeated_in_parentheses(site):
    parsed, _ = site
    found = [
        f"{rel}: {r}"
        for rel, page in parsed.items()
        for text in [b[0] for b in page.blocks] + [page.description]
        for r in repetitions(text)
    ]
    assert not found, found[:10]
    # What the site writes instead: the abbreviation.
    osi = parsed["organisations/osi/index.html"]
    assert any("Open Source AI Definition 1.0 (OSAID)" in text for text, _ in osi.blocks)


def test_notes_on_seed_errors_are_shown_on_the_page(site):
    parsed, _ = site
    moshi = " ".join(text for text, _ in parsed["podcasts/moshi-open-source-version-of-gpt-4o/index.html"].blocks)
    assert "Notes on the sources" in moshi
    assert "1:00:45 to 1:04:07" in moshi and "AlphaFold 3 segment of episode 169" in moshi
    lecun = " ".join(text for text, _ in parsed["podcasts/yann-lecun-meta-ai-open-source-limits-of-llms/index.html"].blocks)
    assert "Yann LeCun" in lecun and '"Yann Lecun"' in lecun  # the right name, and what the source had


def test_ai_generated_lists_and_tooltips_are_flagged_where_they_stand(site, built_repo):
    parsed, graph = site
    page = parsed["topics/ai-and-open-data/index.html"]
    texts = [text for text, _ in page.blocks]
    benefits = next(i for i, text in enumerate(texts) if text.startswith("Benefits"))
    following = " ".join(texts[benefits : benefits + 3])
    assert "These benefits come from AI-generated text" in following
    human = " ".join(text for text, _ in parsed["topics/why-open-source-ai-matters/index.html"].blocks)
    assert "as the explainer lists them" in human and "AI-generated text" not in human
    # The glossary tooltip of a term drawn from the overview warns before the definition.
    html = (built_repo.root / "site" / "glossary" / "index.html").read_text("utf-8")
    short = graph.entries["open-data"].get("short")
    assert re.search(r'title="⚠ Drawn from an AI-generated overview: ' + re.escape(short[:40]), html)
    clean = graph.entries["transparency"].get("short")
    assert re.search(r'title="' + re.escape(clean[:40]), html)
