"""A new type of entry is one schema file: added with nothing else, it becomes a whole section.

The project is copied with its code (``scripts/knowledgebase``, run in place of the installed
package through PYTHONPATH), a ``course`` schema is put beside the others, and one course and
one link to it are written: a real ``mkdocs build --strict`` must give the course a page showing
its fields, a section index listing it, a place in the navigation, a backlink, the cite box and
its downloads, its schema.org type, a search entry and a place in the open data.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest

from kbtest import ROOT, Project, copy_mini

COURSE_SCHEMA = """{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "course.schema.json",
  "title": "Course",
  "description": "A course that teaches openness in AI.",
  "x-kb": {
    "folder": "courses",
    "url": "courses",
    "singular": "Course",
    "plural": "Courses on open AI",
    "order": 95,
%(jsonld)s    "nav": {"title": "Courses", "under": "More"}
  },
  "type": "object",
  "additionalProperties": false,
  "required": ["title", "summary", "sources"],
  "properties": {
    "title": {"$ref": "common.schema.json#/$defs/text"},
    "provider": {"$ref": "common.schema.json#/$defs/ref", "title": "Offered by"},
    "level": {"type": "string", "enum": ["introductory", "advanced"]},
    "start_date": {"$ref": "common.schema.json#/$defs/date"},
    "url": {"$ref": "common.schema.json#/$defs/url"},
    "summary": {"$ref": "common.schema.json#/$defs/markdown"},
    "syllabus": {"$ref": "common.schema.json#/$defs/markdown"},
    "readings": {"$ref": "common.schema.json#/$defs/refs"},
    "tags": {"$ref": "common.schema.json#/$defs/tags"},
    "related": {"$ref": "common.schema.json#/$defs/refs"},
    "sources": {"$ref": "common.schema.json#/$defs/sources"}
  }
}
"""
COURSE = """\
title: Open models in practice
provider: osi
level: introductory
start_date: "2025-09-01"
url: https://example.org/courses/open-models
summary: An introduction to [[open-weights]] for newcomers.
syllabus: Week one reads the case for public AI [@case-for-public-ai] and compares licences.
readings: [case-for-public-ai]
tags: [teaching]
sources: [explainer]
"""
SCHEMA_PATH = "scripts/knowledgebase/schemas/course.schema.json"


def with_course(root: Path, monkeypatch: pytest.MonkeyPatch, jsonld: str = '    "jsonld": "Course",\n') -> Project:
    """The mini knowledge base with its own copy of the code, to which only a course schema and
    one course are added (and a link to the course from an existing entry)."""
    project = copy_mini(root)
    shutil.copytree(
        ROOT / "scripts" / "knowledgebase", root / "scripts" / "knowledgebase", ignore=shutil.ignore_patterns("__pycache__")
    )
    # The copy, not the installed package, is what kb and mkdocs import (plugin entry point included).
    monkeypatch.setenv("PYTHONPATH", str(root / "scripts"))
    project.write(SCHEMA_PATH, COURSE_SCHEMA % {"jsonld": jsonld})
    project.write("content/courses/open-models.yaml", COURSE)
    mnist = root / "content" / "datasets" / "mnist.yaml"
    mnist.write_text(
        mnist.read_text(encoding="utf-8").replace(
            "summary: Handwritten digits.", "summary: Handwritten digits, used in [[open-models]]."
        ),
        encoding="utf-8",
    )
    return project


def text_of(page: str) -> str:
    """A page's visible text, tags dropped and whitespace folded, to assert what a reader sees."""
    page = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", page)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def jsonld(page: str) -> dict:
    [data] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return json.loads(data)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Project:
    with pytest.MonkeyPatch.context() as monkeypatch:
        project = with_course(tmp_path_factory.mktemp("course") / "kb", monkeypatch)
        assert (
            "course"
            in project.run("python", "-c", "from knowledgebase.model.schema import entry_types; print(*entry_types())").stdout
        )
        result = project.mkdocs_build()
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        # The nav of mkdocs.yml has no Courses: the plugin adds it and says so.
        assert "the nav has no courses/index.md; added 'Courses'" in result.stderr
    return project


def test_the_entry_page_shows_every_field(built):
    page = built.site("courses/open-models/index.html")
    text = text_of(page)
    assert "Open models in practice" in text
    assert "An introduction to open weights for newcomers." in text
    for label, value in (("Offered by", "Open Source Initiative"), ("Level", "introductory"), ("Start date", "2025-09-01")):
        assert re.search(rf"{label}\s+{value}", text), (label, text[:2000])
    assert 'href="../../organisations/osi/"' in page  # the reference is a link to the organisation's page
    assert 'href="https://example.org/courses/open-models"' in page  # the outside address, with its archived copy
    assert "web.archive.org/web/" in page and "archived copy" in text
    assert "Syllabus ¶ Week one reads the case for public AI ( An Alternative to Regulation" in text  # prose, citation resolved
    assert 'href="../../papers/case-for-public-ai/"' in page  # the citation and the reading
    assert "Readings An Alternative to Regulation: The Case for Public AI" in text
    assert "Referenced by ¶ Data sets MNIST" in text  # the backlink from the entry that links to it


def test_the_linking_entry_links_to_it(built):
    assert 'href="../../courses/open-models/"' in built.site("datasets/mnist/index.html")


def test_the_section_index_lists_it_and_the_nav_has_it(built):
    index = built.site("courses/index.html")
    assert "Courses on open AI" in text_of(index)
    assert 'href="open-models/"' in index and "Open models in practice — An introduction to open weights" in text_of(index)
    home = " ".join(built.site("index.html").split())
    assert re.search(r'<a href="courses/" class="md-nav__link[^"]*"> <span class="md-ellipsis"> Courses </span>', home), (
        "no Courses in the nav"
    )
    # Under More, after Sources, as its x-kb.nav says (order 95 after the sources' 90).
    more = home[home.index("More </label>") :]
    assert more.index('href="sources/"') < more.index('href="courses/"')


def test_it_is_citable(built):
    page = built.site("courses/open-models/index.html")
    assert 'aria-label="How to cite"' in page and "Open models in practice [Knowledge base entry]" in text_of(page)
    assert "@misc{kb-open-models," in page
    csl = json.loads(built.site("courses/open-models/page.csl.json"))
    assert csl[0]["id"] == "kb-open-models" and csl[0]["title"] == "Open models in practice"


def test_its_json_ld_type_comes_from_x_kb(built):
    data = jsonld(built.site("courses/open-models/index.html"))
    assert data["@type"] == "WebPage"
    assert data["about"] == {
        "@type": "Course",
        "name": "Open models in practice",
        "url": "https://example.org/courses/open-models",
    }


def test_kb_build_warns_that_builders_without_plugins_miss_the_section(built, monkeypatch):
    """The MkDocs plugin adds the section; kb build (before Zensical, which runs no plugins) says to name it."""
    monkeypatch.setenv("PYTHONPATH", str(built.root / "scripts"))
    result = built.kb("build")
    line = next(n for n, text in enumerate((built.root / "mkdocs.yml").read_text().splitlines(), 1) if text.startswith("nav:"))
    assert result.returncode == 0, result.stderr
    assert (
        f"mkdocs.yml:{line}:1: warning: the nav has no Courses (courses/index.md); the MkDocs plugin adds it under More, "
        "but builders that run no plugins (Zensical) leave it out: add '- Courses: courses/index.md' there"
    ) in result.stderr


def test_it_is_searchable_and_in_the_open_data(built):
    index = json.loads(built.site("search/search_index.json"))
    assert any(doc["location"] == "courses/open-models/" and doc["title"] == "Open models in practice" for doc in index["docs"])
    data = json.loads(built.site("data/knowledge-base.json"))
    assert data["types"]["course"]["plural"] == "Courses on open AI"
    [course] = [e for e in data["entries"] if e["id"] == "open-models"]
    assert course["type"] == "course" and course["url"] == "courses/open-models/" and course["data"]["level"] == "introductory"


def test_a_schema_without_its_json_ld_type_is_an_error_at_its_place(tmp_path, monkeypatch):
    project = with_course(tmp_path / "kb", monkeypatch, jsonld="")
    lines = (tmp_path / "kb" / SCHEMA_PATH).read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if '"x-kb"' in text)
    expected = f'{SCHEMA_PATH}:{line}:3: error: x-kb has no "jsonld": add the schema.org type of what an entry describes'
    for result in (project.kb("validate"), project.kb("build"), project.mkdocs_build()):
        output = result.stdout + result.stderr
        assert result.returncode != 0
        assert "Traceback" not in output
        # That one finding: the course and the link to it are still read, not reported as unknown.
        errors = [line.removeprefix("ERROR   -  ") for line in output.splitlines() if ": error: " in line]
        assert len(errors) == 1 and errors[0].startswith(expected), output
    assert not (tmp_path / "kb" / "site").exists()


# --- in process: the x-kb block and the nav it gives ----------------------------------------------


@pytest.mark.quick
def test_the_schemas_express_the_nav_of_mkdocs_yml():
    """Take every type's section out of mkdocs.yml's nav: the plugin puts back the same nav."""
    import yaml

    from knowledgebase.model.schema import entry_types
    from knowledgebase.navigation import section_page, with_sections
    from knowledgebase.settings import LenientLoader

    nav = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=LenientLoader)["nav"]
    sections = {section_page(kind) for kind in entry_types().values()}

    def without(items: list) -> list:
        kept = []
        for item in items:
            [(title, value)] = item.items() if isinstance(item, dict) else [(None, item)]
            if isinstance(value, list):
                kept.append({title: without(value)})
            elif value not in sections:
                kept.append(item)
        return kept

    bare = without(nav)
    assert bare == [
        {"Home": "index.md"},
        {"More": [{"Timeline": "timeline.md"}, {"Tags": "tags.md"}, {"How to cite": "how-to-cite.md"}, {"Open data": "data.md"}]},
    ]
    # mkdocs.yml names every type's section (for builders that run no plugins); if a type was just
    # added, the plugin puts in its section as it would have put in all the others.
    full, _ = with_sections(nav, entry_types().values())
    rebuilt, added = with_sections(bare, entry_types().values())
    assert rebuilt == full and len(added) == len(entry_types())
    assert with_sections(full, entry_types().values()) == (full, [])  # nothing added to a complete nav
    assert with_sections(None, entry_types().values()) == (None, [])  # no nav: MkDocs lists every page


@pytest.mark.quick
def test_every_json_ld_type_in_x_kb_is_a_schema_org_type():
    from knowledgebase.model.schema import entry_types

    known = json.loads((Path(__file__).parent / "fixtures" / "schemaorg.json").read_text(encoding="utf-8"))["types"]
    assert "Course" in known and "Thing" in known["Course"]  # the table knows every type, not only those in use
    for name, kind in entry_types().items():
        assert kind.jsonld is None or kind.jsonld in known, f"{name}: '{kind.jsonld}' is no schema.org type"


X_KB = '"x-kb": {"folder": "courses", "url": "courses", "singular": "Course", "plural": "Courses", "order": 95, %s}'


@pytest.mark.quick
@pytest.mark.parametrize(
    ("x_kb", "found"),
    [
        (
            X_KB % '"jsonld": "Course", "nav": {"titel": "Courses"}',
            [
                ('"titel"', "unknown key 'titel' in x-kb.nav (did you mean 'title'?)"),
                (
                    '"nav"',
                    'x-kb.nav has no "title": add the name of its section in the navigation, such as "title": "Courses"',
                ),
            ],
        ),
        (
            X_KB.replace('"url": "courses"', '"url": "Our Courses"') % '"jsonld": "Course", "nav": {"title": "Courses"}',
            [
                (
                    '"Our Courses"',
                    '"url" must be a slug: write the address of its section in the site, a slug such as "url": "courses"',
                )
            ],
        ),
        (
            X_KB % '"jsonld": "a course", "nav": {"title": "Courses"}',
            [('"a course"', '"jsonld" must be a schema.org type name: write the schema.org type of what an entry describes')],
        ),
        (
            X_KB % '"jsonld": null',
            [
                (
                    '"x-kb"',
                    'x-kb has no "nav": add its entry in the site\'s navigation, such as "nav": {"title": "Courses", "under": "More"}',
                )
            ],
        ),
        (
            '"title": "Course"',
            [
                (
                    "{",
                    'the schema\'s x-kb block is missing; the type needs one saying how it is published, such as "x-kb": {"folder": "courses"',
                )
            ],
        ),
    ],
)
def test_x_kb_mistakes_are_findings_at_their_place(x_kb, found):
    """Each mistake at the character it is about (line 2 holds the block), saying what to write."""
    from knowledgebase.model import xkb

    text = "{\n  " + x_kb + ',\n  "type": "object"\n}\n'
    read = xkb.read("course", text)
    expected = [((1, 1) if needle == "{" else (2, 3 + x_kb.index(needle)), message) for needle, message in found]
    assert [
        ((line, col), message[: len(m)]) for (line, col, message), (_, m) in zip(read.problems, expected, strict=True)
    ] == expected


@pytest.mark.quick
def test_two_types_cannot_share_a_folder_or_an_address():
    from knowledgebase.model import xkb
    from knowledgebase.model.schema import entry_types

    taken = {(key, getattr(kind, key)): name for name, kind in entry_types().items() for key in ("folder", "url")}
    x_kb = X_KB.replace('"url": "courses"', '"url": "papers"') % '"jsonld": "Course", "nav": {"title": "Courses"}'
    read = xkb.read("course", "{\n  " + x_kb + "\n}\n", taken)
    assert read.meta is None  # left out: its pages would take the papers' place
    assert read.problems == [
        (2, 3 + x_kb.index('"papers"'), "\"url\" 'papers' is the url of the type 'paper' already; choose another")
    ]
