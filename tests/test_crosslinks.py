"""The site as a web of links: backlinks, guides, glossary, definitions matrix, tags, timeline."""

from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser

from knowledgebase.model.duration import listening_seconds
from knowledgebase.render.pages import entry_path

OTHER_TYPES = ("topic", "definition", "podcast", "paper", "glossary", "organisation", "dataset", "source")


def url_of(entry) -> str:
    return entry_path(entry).removesuffix(".md") + "/"


def href(from_entry, to_entry) -> str:
    return posixpath.relpath(url_of(to_entry), url_of(from_entry)) + "/"


def section(html: str, heading_id: str) -> str:
    """The HTML from the h2 with ``heading_id`` up to the next h2."""
    match = re.search(rf'<h2 id="{heading_id}">.*?(?=<h2 |</article>)', html, re.S)
    return match.group() if match else ""


def test_every_reference_shows_up_as_a_backlink(repo):
    project, graph, _ = repo
    missing = []
    for edge in graph.edges:
        if edge.source.startswith("page:") or edge.source == edge.target:
            continue
        source, target = graph.entries[edge.source], graph.entries[edge.target]
        backlinks = section(project.site(url_of(target) + "index.html"), "referenced-by")
        if f'href="{href(target, source)}"' not in backlinks:
            missing.append(f"{source.id} -> {target.id} ({edge.field})")
    assert not missing, f"{len(missing)} references not shown as backlinks, e.g. {missing[:5]}"
    assert len(graph.edges) > 1000  # the knowledge base is densely linked


def test_guides_list_recommendations_with_sources_and_every_other_type(repo):
    project, graph, renderer = repo
    guides = sorted(graph.by_type("stakeholder"), key=lambda e: e.get("order"))
    assert [g.id for g in guides] == ["policymakers", "researchers", "ai-companies", "developers", "civil-society"]
    for guide in guides:
        html = project.site(url_of(guide) + "index.html")
        recommendations = [r for r in graph.by_type("recommendation") if r.get("stakeholder") == guide.id]
        assert recommendations, guide.id
        listed = section(html, "recommendations")
        for recommendation in recommendations:
            assert f'href="{href(guide, recommendation)}"' in listed, (guide.id, recommendation.id)
            for source in recommendation.get("sources"):
                assert f'href="{href(guide, graph.entries[source])}"' in listed, (guide.id, source)
        content = renderer.guide(guide)
        present = {kind.name for kind, items in content["sections"] if items}
        assert set(OTHER_TYPES) <= present, (guide.id, set(OTHER_TYPES) - present)
        for _kind, items in content["sections"]:
            for item in items:
                assert f'href="{href(guide, item)}"' in html, (guide.id, item.id)
        podcasts = [e for k, items in content["sections"] if k.name == "podcast" for e in items]
        total = sum(listening_seconds(p) for p in podcasts)
        hours, rest = divmod(total, 3600)
        assert f"Total listening and viewing time: {hours}:{rest // 60:02d}:{rest % 60:02d}" in html


def test_guides_are_reached_from_the_home_page(repo):
    project, graph, _ = repo
    home = project.site("index.html")
    for guide in graph.by_type("stakeholder"):
        assert f'href="guides/{guide.id}/"' in home, guide.id


class Abbrs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.titles: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "abbr" and attributes.get("title"):
            self.titles.append(attributes["title"])
        if attributes.get("id"):
            self.ids.add(attributes["id"])


def abbrs(html: str) -> Abbrs:
    parser = Abbrs()
    parser.feed(html)
    return parser


def test_glossary_lists_every_term_with_an_anchor(repo):
    project, graph, _ = repo
    html = project.site("glossary/index.html")
    ids = abbrs(html).ids
    terms = graph.by_type("glossary")
    assert len(terms) >= 40
    for term in terms:
        assert term.id in ids, term.id
    titles = [t.title for t in sorted(terms, key=lambda t: t.title.casefold())]
    positions = [html.find(f'id="{t.id}"') for t in sorted(terms, key=lambda t: t.title.casefold())]
    assert positions == sorted(positions), "terms are not in A-Z order"
    assert titles


def test_tooltips_on_generated_and_hand_written_pages(repo):
    project, graph, renderer = repo
    shorts = {renderer.tooltip(t) for t in graph.by_type("glossary")}  # the definition, flagged if AI-drawn
    home = abbrs(project.site("index.html")).titles
    assert home and set(home) <= shorts
    topic = abbrs(project.site("topics/ai-and-open-weights/index.html")).titles
    assert topic and set(topic) <= shorts
    # The keyboard and link behaviour comes from this script, on every page.
    assert 'src="../../assets/javascripts/glossary.js"' in project.site("topics/ai-and-open-weights/index.html")
    assert (project.root / "site/glossary/terms.json").is_file()


def test_definitions_matrix_cells_come_from_the_data(repo):
    project, graph, _ = repo
    html = project.site("definitions/index.html")
    table = re.search(r"<table>.*?</table>", html, re.S).group()
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)
    columns = [graph.entries[i] for i in re.findall(r'href="([^"./]+)/"', rows[0])]
    assert sorted(c.id for c in columns) == sorted(e.id for e in graph.by_type("definition"))
    labels = {"required": "required", "information": "information", "optional": "optional", "not-required": "not required"}
    expected = {}
    for freedom in ("use", "study", "modify", "share"):
        expected[f"Grants: {freedom}"] = [
            "not stated" if not d.get("grants") else ("yes" if freedom in d.get("grants") else "no") for d in columns
        ]
    for component, label in (
        ("data", "data"),
        ("code", "code"),
        ("weights", "weights"),
        ("documentation", "documentation"),
        ("licence", "licence terms"),
    ):
        expected[f"Requires: {label}"] = [
            labels.get((d.get("requires") or {}).get(component, {}).get("level"), "not stated") for d in columns
        ]
    seen = set()
    for row in rows[1:]:
        # The row's label (less its "differs" mark), then each cell's value (less its source links).
        row = re.sub(r'<span class="kb-differs".*?</span>|<a class="kb-cell-source".*?</a>', "", row)
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        if cells[0] in expected:
            assert cells[1:] == expected[cells[0]], (cells[0], cells[1:])
            seen.add(cells[0])
    assert seen == set(expected)


def test_tags_and_timeline(repo):
    project, graph, _ = repo
    tags = project.site("tags/index.html")
    assert "open-weights" in tags or "open weights" in tags
    timeline = project.site("timeline/index.html")
    dates = re.findall(r"<strong>(\d{4}(?:-\d{2}(?:-\d{2})?)?)</strong>", timeline)
    assert len(dates) >= 20
    assert dates == sorted(dates, reverse=True)


def test_unknown_link_in_hand_written_page_is_an_error(project):
    page = project.root / "content/pages/index.md"
    page.write_text(page.read_text() + "\nSee [[osaid-10]].\n")
    result = project.kb("validate")
    assert result.returncode == 1
    assert re.search(
        r"content/pages/index\.md:9:5: error: unknown id 'osaid-10' \(did you mean 'osaid-1-0'\?\)", result.stderr
    ), result.stderr


def test_citation_with_locator_and_references_list(built_mini):
    html = built_mini.site("guides/developers/index.html")
    assert "Widder et al., 2024, p. 830" in html
    references = section(html, "references")
    assert "Widder, D. G., Whittaker, M., &amp; West, S. M. (2024)" in references
    assert "<em>Nature</em>, <em>635</em>(8040), 827–833" in references
