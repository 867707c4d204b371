"""The reader's views as built (no browser): index tables with the fields readers choose by, the
definitions matrix as CSV, the glossary's "how each definition treats this", and a guide's time to
set aside. What JavaScript does with them is in tests/browser/test_views.py."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from html.parser import HTMLParser

import yaml

from knowledgebase.cite import labels as citation
from knowledgebase.model.duration import hms, listening_seconds
from knowledgebase.pipeline import build
from knowledgebase.settings import Settings


class Table(HTMLParser):
    """The listing table of a page: its header labels and, per body row, its attributes and cell texts and links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.headers: list[str] = []
        self.rows: list[dict] = []
        self.cell: list[str] | None = None
        self.part = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and "data-kb-listing" in attrs:
            self.inside = True
        if not self.inside:
            return
        if tag in ("thead", "tbody"):
            self.part = tag
        elif tag == "tr" and self.part == "tbody":
            self.rows.append({"attrs": attrs, "cells": [], "links": []})
        elif tag in ("th", "td"):
            self.cell = []
        elif tag == "a" and self.part == "tbody":
            self.rows[-1]["links"].append(attrs["href"])

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self.cell is not None:
            text = " ".join("".join(self.cell).split())
            (self.headers if self.part == "thead" else self.rows[-1]["cells"]).append(text)
            self.cell = None
        elif tag == "table":
            self.inside = False


def table(html: str) -> Table:
    parser = Table()
    parser.feed(html)
    return parser


def test_podcast_index_is_a_complete_table(repo):
    project, graph, renderer = repo
    found = table(project.site("podcasts/index.html"))
    assert found.headers == ["Title", "Show", "Date", "Duration", "Shorter or longer", "Format", "Stakeholders"]
    podcasts = renderer.entries_of("podcast")
    assert len(found.rows) == len(podcasts) == 18
    formats = {"podcast": "Podcast", "video": "Video", "podcast-video": "Podcast and video"}
    for row, entry in zip(found.rows, podcasts, strict=True):
        duration = hms(listening_seconds(entry)) + (" (segment)" if entry.get("segment") else "")
        assert row["cells"][:6] == [
            entry.title,
            entry.get("show"),
            entry.get("date"),
            duration,
            entry.get("length"),
            formats[entry.get("format")],
        ]
        assert row["links"][0] == f"{entry.id}/"
        assert row["attrs"]["data-year"] == entry.get("date")[:4]
        assert row["attrs"]["data-length"] == {"shorter": "short", "longer": "long"}[entry.get("length")]
        assert row["attrs"]["data-kind"] == entry.get("format")
        stakeholders = row["attrs"]["data-stakeholder"].split()
        assert set(entry.get("stakeholders", [])) <= set(stakeholders)  # and any guide whose recommendations link it
        assert row["links"][1:] == [f"../guides/{s}/" for s in stakeholders]
        assert row["cells"][6] == ", ".join(graph.entries[s].title for s in stakeholders)


def test_paper_index_is_a_complete_table(repo):
    project, graph, renderer = repo
    found = table(project.site("papers/index.html"))
    assert found.headers == ["Title", "Authors", "Year", "Venue", "Kind", "Stakeholders"]
    papers = renderer.entries_of("paper")
    assert len(found.rows) == len(papers)
    for row, entry in zip(found.rows, papers, strict=True):
        assert row["cells"][0] == entry.title
        assert row["cells"][1] == citation.author_list(entry)
        assert row["cells"][2] == citation.year(entry)
        assert row["cells"][4] == citation.kind(entry)
        assert entry.get("journal", row["cells"][3]) == row["cells"][3]
        assert set(entry.get("stakeholders", [])) <= set(row["attrs"].get("data-stakeholder", "").split())
    # The kinds a reader filters by are the works' own labels (issue 18): articles, papers,
    # arXiv preprints, reports, web articles, and works of no narrower kind.
    assert {row["cells"][4] for row in found.rows} == {"Article", "Paper", "Preprint", "Report", "Web article", "Work"}


def test_recommendation_and_dataset_indexes(repo):
    project, graph, renderer = repo
    recommendations = table(project.site("recommendations/index.html"))
    assert recommendations.headers == ["Recommendation", "For", "No.", "In short"]
    for row, entry in zip(recommendations.rows, renderer.entries_of("recommendation"), strict=True):
        assert row["cells"][:3] == [entry.title, graph.entries[entry.get("stakeholder")].title, str(entry.get("order", ""))]
        assert row["attrs"]["data-stakeholder"].split() == [entry.get("stakeholder")]
    datasets = table(project.site("datasets/index.html"))
    assert datasets.headers == ["Data set", "Holds", "Link", "Stakeholders"]
    assert len(datasets.rows) == len(renderer.entries_of("dataset"))
    for row, entry in zip(datasets.rows, renderer.entries_of("dataset"), strict=True):
        assert row["cells"][:2] == [entry.title, entry.get("modality", "")]
        if entry.get("url"):
            assert entry.get("url") in row["links"] and any(
                link.startswith("https://web.archive.org/web/") for link in row["links"]
            )


def test_filters_offer_what_the_rows_hold(repo):
    project, _, _ = repo
    html = project.site("podcasts/index.html")
    form = re.search(r"<form[^>]*data-kb-filter.*?</form>", html, re.S).group()
    assert " hidden " in form.split(">", 1)[0] + " "  # shown by listing.js; without it the table is all there is
    options = {
        name: re.findall(r'<option value="([^"]*)"', select)
        for name, select in re.findall(r'<select name="(\w+)">(.*?)</select>', form, re.S)
    }
    assert options["length"] == ["", "short", "long"]
    assert options["kind"] == ["", "podcast", "podcast-video", "video"]
    assert options["year"] == ["", "2024", "2023"]
    assert options["stakeholder"] == ["", "policymakers", "researchers", "ai-companies", "developers", "civil-society"]


# --- definitions ----------------------------------------------------------------------------------


def test_definitions_matrix_downloads_as_csv(project):
    owd = project.root / "content/definitions/open-weight-definition.yaml"
    owd.write_text(owd.read_text() + "short_title: '=HYPERLINK(\"http://evil.example\")'\n")
    project.mkdocs_build("-q").check_returncode()
    html = project.site("definitions/index.html")
    assert re.search(r'<a download="definitions-comparison.csv" href="comparison.csv">Download the matrix as CSV</a>', html)
    rows = list(csv.reader(io.StringIO(project.site("definitions/comparison.csv"), newline="")))
    assert rows[0] == ["Aspect", "OSAID 1.0", '\'=HYPERLINK("http://evil.example")']  # read as text, never a formula
    by_aspect = {row[0]: row[1:] for row in rows[1:]}
    assert by_aspect["Publisher"] == ["Open Source Initiative", "Open Source Alliance"]
    assert by_aspect["Status"] == ["released 1.0", "draft"]
    assert by_aspect["Grants: study"] == ["yes", "no"]
    assert by_aspect["Requires: data"] == ["information", "not stated"]
    assert by_aspect["Requires: weights"] == ["required", "required"]
    assert by_aspect["Page"] == ["definitions/osaid-1-0/", "definitions/open-weight-definition/"]
    assert len(rows) == 1 + 2 + 4 + 5 + 1


def test_matrix_marks_rows_that_differ_and_links_each_cell(built_mini):
    html = built_mini.site("definitions/index.html")
    rows = dict(re.findall(r'<tr data-kb-row="([\w-]+)">(.*?)</tr>', html, re.S))
    differs = {key for key, row in rows.items() if "data-kb-differs>differs" in row}
    assert differs == {"publisher", "status", "grants-study", "grants-modify", "requires-data", "requires-code"}
    data = rows["requires-data"]
    assert (
        '<td data-kb-definition="osaid-1-0" data-value="information"><a href="osaid-1-0/#requires-data">information</a>' in data
    )
    assert '<a class="kb-cell-source" href="../sources/explainer/"' in data
    page = built_mini.site("definitions/osaid-1-0/index.html")
    assert '<span id="requires-data"></span>' in page and '<span id="grants"></span>' in page


def test_glossary_term_shows_how_each_definition_treats_it(project):
    for term, component in (("open-weights", "data"), ("osaid", "weights")):
        path = project.root / f"content/glossary/{term}.yaml"
        path.write_text(path.read_text() + f"component: {component}\n")
    project.mkdocs_build("-q").check_returncode()
    data = project.site("glossary/open-weights/index.html")
    section = re.search(r'<h2 id="how-each-definition-treats-this">.*?</table>', data, re.S)
    assert section, "the definitions differ on data: the term shows how each treats it"
    cells = [unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td>(.*?)</td>", section.group(), re.S)]
    assert cells[:3] == ["OSAID 1.0", "information", "Detailed information about the training data."]
    assert cells[4:7] == ["Open Weight Definition", "not stated", "—"]
    assert '<a href="../../definitions/osaid-1-0/#requires-data">information</a>' in section.group()
    # Both definitions require the weights: nothing to set side by side.
    assert "how-each-definition-treats-this" not in project.site("glossary/osaid/index.html")


# --- an entry's facts -----------------------------------------------------------------------------


class Facts(HTMLParser):
    """The facts of an entry page (the (term, value) pairs of its list of facts) and its empty header cells."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pairs: list[list[str]] = []
        self.open: str | None = None
        self.text: list[str] = []
        self.blocks_in_values: list[str] = []
        self.header: list[str] | None = None
        self.empty_headers = 0
        self.facts = False  # after a fact's term, until its value

    def handle_starttag(self, tag, attrs):
        term = tag == "dt" and ("class", "kb-fact") in attrs
        if term or (tag == "dd" and self.facts):
            self.open, self.text, self.facts = tag, [], term
        elif self.open == "dd" and tag in ("ol", "ul", "h1", "h2", "h3", "blockquote", "pre"):
            self.blocks_in_values.append(tag)
        if tag == "th":
            self.header = []

    def handle_endtag(self, tag):
        if tag == self.open:
            text = " ".join("".join(self.text).split())
            if tag == "dt":
                self.pairs.append([text])
            else:
                self.pairs[-1].append(text)
            self.open = None
        if tag == "th" and self.header is not None:
            self.empty_headers += not "".join(self.header).strip()
            self.header = None

    def handle_data(self, data):
        if self.open:
            self.text.append(data)
        if self.header is not None:
            self.header.append(data)


def facts(html: str) -> Facts:
    found = Facts()
    found.feed(html)
    return found


def test_an_entrys_facts_are_terms_and_values_whatever_their_text(project):
    """Screen readers announce a definition list's terms with their values; the table it replaced
    had a header row of empty cells. A value that looks like the start of a list or a heading
    is printed as the text it is, on the line of its term."""
    bib = project.root / "bibliography/works.bib"
    text = bib.read_text()
    assert "journal = {Nature}," in text and "volume = {635}," in text
    bib.write_text(
        text.replace("journal = {Nature},", "journal = {1. Nature},").replace("volume = {635},", "volume = {- 635 #2},")
    )
    project.mkdocs_build("-q").check_returncode()

    paper = facts(project.site("papers/widder2024why/index.html"))
    assert paper.pairs[:3] == [["Type", "Article"], ["Authors", "Widder, D. G.; Whittaker, M.; West, S. M."], ["Year", "2024"]]
    assert ["Journal", "1. Nature"] in paper.pairs and ["Volume", "- 635 #2"] in paper.pairs
    assert not paper.blocks_in_values, "a value must stay text, not become a list or a heading"
    podcast = dict(facts(project.site("podcasts/moshi/index.html")).pairs)
    assert {"Show", "Hosts", "Date", "Format", "Listen or watch"} <= podcast.keys()
    definition = project.site("definitions/osaid-1-0/index.html")
    assert dict(facts(definition).pairs)["Publisher"] == "Open Source Initiative"
    assert '<dt class="kb-fact"><span id="grants"></span>Grants the freedom to</dt>' in definition
    for page in sorted(project.root.glob("site/*/*/index.html")):
        assert not facts(page.read_text(encoding="utf-8")).empty_headers, f"{page}: a table header cell with no text"


# --- guides ---------------------------------------------------------------------------------------


class Paragraphs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []
        self.tag = ""

    def handle_starttag(self, tag, attrs):
        if tag in ("h1", "p"):
            self.blocks.append((tag, ""))
            self.tag = tag

    def handle_data(self, data):
        if self.tag and self.blocks:
            tag, text = self.blocks[-1]
            self.blocks[-1] = (tag, text + data)

    def handle_endtag(self, tag):
        if tag == self.tag:
            self.tag = ""


def test_guide_states_reading_and_listening_time_up_front(repo):
    project, graph, renderer = repo
    for stakeholder in renderer.entries_of("stakeholder"):
        parser = Paragraphs()
        parser.feed(project.site(f"guides/{stakeholder.id}/index.html"))
        blocks = [(tag, " ".join(text.split())) for tag, text in parser.blocks]
        first = blocks[[tag for tag, _ in blocks].index("h1") + 1][1]  # the paragraph right after the title
        guide = renderer.guide(stakeholder)
        podcasts = [e for kind, items in guide["sections"] if kind.name == "podcast" for e in items]
        texts = [stakeholder.get(k) for k in ("summary", "body", "roles_note")]
        texts += [r.get(k) for r in guide["recommendations"] for k in ("summary", "body")]
        words = sum(len(renderer.plain(t).split()) for t in texts if t)
        minutes = max(1, round(words / 238))
        count = len(guide["recommendations"])
        listening = hms(sum(listening_seconds(p) for p in podcasts))
        assert first == (
            f"Time to set aside: about {minutes} min of reading (this guide and its {count} recommendations in full)"
            f" and {listening} of listening and viewing ({len(podcasts)} podcasts and videos)."
        )
        assert f"Total listening and viewing time: {listening}." in project.site(f"guides/{stakeholder.id}/index.html")


def test_a_long_guide_section_lists_titles_and_points_to_the_filtered_index(project):
    """Past 30 entries a guide's section lists titles only (a summary edit then leaves every guide as it
    was); one whose index has a stakeholder filter links to it; a short section keeps its blurbs."""
    content = project.root / "content"
    for number in range(31):
        (content / "glossary" / f"term-{number:02d}.yaml").write_text(
            f"title: term number {number}\naliases: []\nshort: The blurb of term {number}.\nsources: [reading-list]\nstakeholders: [developers]\n"
        )
        episode = yaml.safe_load((content / "podcasts" / "moshi.yaml").read_text())
        episode.update(title=f"Episode {number}", stakeholders=["developers"])
        (content / "podcasts" / f"episode-{number:02d}.yaml").write_text(yaml.safe_dump(episode, sort_keys=False))
    assert build(Settings.from_mkdocs_yml(project.root / "mkdocs.yml")).ok
    guide = (project.root / "build" / "docs" / "guides" / "developers.md").read_text()
    sections = {s.split("\n", 1)[0]: s for s in guide.split("\n## ")[1:]}
    glossary, podcasts = sections["Glossary"], sections["Podcasts and videos"]
    terms = len(re.findall(r"^- \[", glossary, re.M))
    assert terms > 31 and f"\nAll {terms}, by title.\n" in glossary
    assert "- [term number 7](../glossary/term-07.md)\n" in glossary and "The blurb of term" not in glossary
    episodes = len(re.findall(r"^- \[", podcasts, re.M))
    link = "[the podcasts and videos index](../podcasts/index.md?stakeholder=developers)"
    assert f"\nAll {episodes}, by title; {link} shows them with their details.\n" in podcasts
    # Built by MkDocs, the link keeps its filter, which the index's own script reads.
    project.run("mkdocs", "build", "--strict", check=True)
    assert 'href="../../podcasts/?stakeholder=developers"' in project.site("guides/developers/index.html")
    # A short section keeps each entry's blurb, and has no count.
    short = [s for title, s in sections.items() if title in ("Definitions", "Source documents")]
    assert short and all("\nAll " not in s and " — " in s for s in short)
