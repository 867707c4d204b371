"""Glossary tooltips per page give the reader exactly what appending the whole glossary gave.

The site used to append every glossary definition to every page (pymdownx.snippets'
``auto_append``); now each page carries only the definitions of the words in it. Both are built
here from the same knowledge base with real MkDocs runs, and every ``<abbr>`` of every page must
be the same word with the same tooltip, in the same place.
"""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser

import pytest
import yaml

from kbtest import Project, copy_repo, set_site_fields
from knowledgebase import pipeline
from knowledgebase.cite.record import citations
from knowledgebase.render.pages import Renderer
from knowledgebase.render.tooltips import Tooltips, definitions
from knowledgebase.settings import Settings


class Abbrs(HTMLParser):
    """Each <abbr> of a page's article: (its word, its title)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._title: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        if tag == "abbr":
            self._title, self._text = dict(attrs).get("title") or "", ""

    def handle_data(self, data):
        if self._title is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "abbr" and self._title is not None:
            self.found.append((self._text, self._title))
            self._title = None


def article(html: str) -> str:
    return re.search(r"<article.*?</article>", html, re.S).group()


def abbrs(html: str) -> list[tuple[str, str]]:
    parser = Abbrs()
    parser.feed(article(html))
    return parser.found


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """The real knowledge base built as it is now, and as it was built with the whole glossary appended."""
    now = copy_repo(tmp_path_factory.mktemp("now") / "kb")
    # The plain YAML reader below knows no !ENV: the addresses set as a local build has them (none).
    set_site_fields(now.root / "mkdocs.yml", site_url="", repo_url="")
    now.run("mkdocs", "build", "--strict", check=True)

    # The old way: the same pages without their own definitions, every definition appended by
    # pymdownx.snippets, and no knowledgebase plugin to regenerate the pages.
    before = Project(tmp_path_factory.mktemp("before") / "kb")
    shutil.copytree(now.root / "content", before.root / "content")
    shutil.copytree(now.root / "bibliography", before.root / "bibliography")
    shutil.copytree(now.root / "overrides", before.root / "overrides")
    config = yaml.safe_load((now.root / "mkdocs.yml").read_text(encoding="utf-8"))
    (before.root / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    settings = Settings.from_mkdocs_yml(before.root / "mkdocs.yml")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Tooltips, "page", lambda self, text: text)
        loaded = pipeline.build(settings)
    assert loaded.ok
    renderer = Renderer(loaded.graph, settings, citations(loaded.graph, settings, loaded.dates))
    terms = renderer.entries_of("glossary")  # the glossary's order, as rendered
    snippets = before.root / "build" / "snippets"
    snippets.mkdir(parents=True)
    (snippets / "abbreviations.md").write_text(
        "\n\n".join(line for _, line in definitions(terms, renderer.tooltip, renderer.abbreviation)) + "\n", encoding="utf-8"
    )
    config["plugins"] = [p for p in config["plugins"] if p != "knowledgebase"]
    config["markdown_extensions"].append(
        {"pymdownx.snippets": {"base_path": ["build/snippets"], "auto_append": ["abbreviations.md"], "check_paths": True}}
    )
    (before.root / "mkdocs.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    before.run("mkdocs", "build", "--strict", check=True)
    return now, before, loaded.graph


def test_every_page_has_the_tooltips_the_whole_glossary_gave(both):
    now, before, graph = both
    pages = sorted(p.relative_to(before.root / "site").as_posix() for p in (before.root / "site").rglob("*.html"))
    assert len(pages) > len(graph.entries)
    total = 0
    for rel in pages:
        if "<article" not in before.site(rel):
            continue  # redirect pages of renamed entries
        expected = abbrs(before.site(rel))
        assert abbrs(now.site(rel)) == expected, rel
        # Nothing else on the page moved either: the appended definitions left no trace.
        assert article(now.site(rel)) == article(before.site(rel)), rel
        total += len(expected)
    assert total > 1000  # the comparison is not vacuous: the real site has thousands of tooltips


def test_a_page_carries_only_the_definitions_of_its_words(both):
    now, _before, graph = both
    docs = now.root / "build" / "docs"
    every = len(definitions(graph.by_type("glossary"), lambda term: term.get("short"), lambda word, text: text))
    counts = {p.relative_to(docs).as_posix(): p.read_text(encoding="utf-8").count("\n*[") for p in docs.rglob("*.md")}
    assert counts["glossary/index.md"] == every  # the glossary lists every word
    assert sorted(counts.values())[len(counts) // 2] < every / 10  # a typical page uses a few
    # A hand-written page goes through the same step: the home page defines the words it uses.
    home = (docs / "index.md").read_text(encoding="utf-8")
    defined = re.findall(r"^\*\[(.+?)\]: ", home, re.M)
    assert defined and all(word in home.split("\n*[")[0] for word in defined)


TRICKY = [
    "Plain open weights and OSAID here.",
    "Emphasis: __open weights__, _OSAID_, *open*weights, **R&D** and R&amp;D.",
    "Escaped: open\\_weights, open\\-weights, `open weights` in code, [open weights](x.md) linked.",
    "Inside words: reopen weightsy, OSAIDs, open_weights_x, open-weights-x.",
    "A heading\n\n# open weights {#ow}\n\n| OSAID | open weights model |\n|---|---|\n| a | b |\n",
    "Near misses: open  weights, open\nweights, Open Weights, C++ and .NET, R&D.",
    "Nothing glossary here.",
]


def test_tricky_markdown_gets_the_same_abbreviations_as_the_whole_glossary():
    """Python-Markdown itself, on text where markup, escapes and entities touch glossary words."""
    markdown = pytest.importorskip("markdown")
    words = ["open weights", "open weights model", "OSAID", "open", "weights", "R&D", "C++", ".NET", "open-weights", "x"]
    lines = [(word, f"*[{word}]: Definition of {word.replace('&', '&amp;amp;')}.") for word in words]
    whole = "\n\n".join(line for _, line in lines) + "\n"
    tooltips = Tooltips(lines)
    for text in TRICKY:
        extensions = ["abbr", "attr_list", "tables", "toc"]
        expected = markdown.markdown(text + "\n\n" + whole, extensions=extensions)
        got = markdown.markdown(tooltips.page(text), extensions=extensions)
        assert got == expected, text
    assert tooltips.used(TRICKY[-1]) == []
