"""Citable pages: the cite box, Highwire tags and JSON-LD, APA through a CSL processor, permalinks.

Every check reads what a reader, a reference manager or a search engine gets: the HTML of a real
``mkdocs build --strict``. Values are compared with the BibTeX sources as pybtex (an independent
parser) reads them, and APA references with pandoc's own citation processor.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from mkdocs.utils.meta import get_data

from kbtest import Project, copy_repo, git, latex_plain, person_text, pybtex_works, read_page, set_site_fields
from knowledgebase.cite.apa import apa
from knowledgebase.cite.names import latex_text, name_text, split_names
from knowledgebase.pipeline import load
from knowledgebase.settings import Settings

SITE_URL = "https://kb.example.org/"  # example.org is reserved for examples (RFC 2606)


# --- a paper page against its BibTeX, as pybtex reads it ---------------------------------------


def reference_tags(content: str) -> list[tuple[str, str]]:
    """The citation_* pairs of a citation_reference tag: 'citation_title=...; citation_author=...;'."""
    pairs = []
    for part in content.split("; "):
        name, _, value = part.rstrip(";").partition("=")
        pairs.append((name, value))
    return pairs


def check_paper_page(site: Path, key: str, work, site_url: str | None = None) -> None:  # noqa: ANN001
    """The page of one work describes itself (the page) in its Highwire tags, and the work, with the
    values of its BibTeX, in its first citation_reference and in its JSON-LD's ``about``."""
    page = read_page(site / "papers" / key / "index.html")
    fields = {k.lower(): v for k, v in work.fields.items()}
    persons = work.persons.get("author", [])
    authors = [person_text(p) for p in persons]  # an abridged list ends in 'others'
    title = latex_plain(fields["title"])

    # The page: its title, the knowledge base as publisher, no author of the work.
    assert page.tags("citation_title") == [title], key
    assert page.tags("citation_publisher") == ["Open Source AI Knowledge Base"], key
    assert page.tags("citation_author") == [] and page.tags("citation_journal_title") == [], key
    # The work, in the first citation_reference.
    reference = reference_tags(page.tags("citation_reference")[0])
    values = {}
    for name, value in reference:
        values.setdefault(name, []).append(value)
    assert values["citation_title"] == [title.replace(";", ",")], key
    assert values.get("citation_author", []) == authors, key  # every author, in the order of the source
    year = fields.get("year", "")
    if re.fullmatch(r"\d{4}", year):
        assert values["citation_publication_date"][0].startswith(year), key
    else:
        assert "citation_publication_date" not in values, key
    arxiv = fields.get("archiveprefix", "").lower() == "arxiv"
    expected = {
        "citation_journal_title": fields.get("journal") if work.type == "article" else None,
        "citation_conference_title": fields.get("booktitle") if work.type == "inproceedings" else None,
        "citation_volume": fields.get("volume"),
        "citation_doi": fields.get("doi"),
        "citation_arxiv_id": fields.get("eprint") if arxiv else None,
        "citation_technical_report_number": fields.get("number") if work.type == "techreport" else None,
        "citation_issue": fields.get("number") if work.type == "article" else None,
    }
    for tag, value in expected.items():
        assert values.get(tag, []) == ([latex_plain(value)] if value else []), (key, tag)
    if "pages" in fields:
        first, _, last = fields["pages"].partition("--")
        assert values["citation_firstpage"] == [first] and values.get("citation_lastpage", []) == ([last] if last else [])
    if site_url:
        assert page.tags("citation_public_url") == [f"{site_url}papers/{key}/"], key

    [ld] = [json.loads(text) for text in page.jsonld]
    assert ld["@context"] == "https://schema.org"
    assert ld["@type"] == "WebPage" and ld["name"] == title
    about = ld["about"]
    assert about["name"] == title
    kind = {"article": "ScholarlyArticle", "inproceedings": "ScholarlyArticle", "techreport": "Report", "online": "Article"}
    assert about["@type"] == ("ScholarlyArticle" if arxiv else kind.get(work.type, "CreativeWork")), key
    ld_authors = [
        a["name"] if a["@type"] == "Organization" else ", ".join(p for p in (a["familyName"], a.get("givenName")) if p)
        for a in about.get("author", [])
    ]
    assert ld_authors == [a for a in authors if a != "others"], key
    assert ("creditText" in about) == ("others" in authors), key  # an abridged list says so
    if re.fullmatch(r"\d{4}", year):
        assert about["datePublished"].startswith(year)
    else:
        assert "datePublished" not in about
    if site_url:
        assert ld["@id"] == ld["url"] == f"{site_url}papers/{key}/"


# --- the mini knowledge base ------------------------------------------------------------------


def entry_pages(site: Path) -> dict[str, dict]:
    """Every entry of the built site, from its own open data: id -> record."""
    data = json.loads((site / "data" / "knowledge-base.json").read_text(encoding="utf-8"))
    return {e["id"]: e for e in data["entries"]}


def test_every_entry_page_can_be_cited(built_mini):
    site = built_mini.root / "site"
    entries = entry_pages(site)
    assert len(entries) == 22
    for entry_id, record in entries.items():
        page_dir = site / record["url"]
        page = read_page(page_dir / "index.html")
        assert "Cite this page" in page.headings, entry_id
        # APA, BibTeX and CSL-JSON, each with its copy button.
        bibtex = page.code[-1]
        assert bibtex.startswith(f"@misc{{kb-{entry_id},"), bibtex
        assert bibtex in page.clipboard
        apa = page.references[-1]
        assert apa in page.clipboard
        assert apa.startswith("Open Source AI Knowledge Base. (") and apa.endswith(record["url"]), apa
        [csl_copy] = [c for c in page.clipboard if c.startswith("[{") and f'"kb-{entry_id}"' in c]
        download = page_dir / page.downloads[-1]
        assert json.loads(download.read_text(encoding="utf-8")) == json.loads(csl_copy)
        item = json.loads(csl_copy)[0]
        assert item["type"] == "webpage" and item["publisher"] == "Open Source AI Knowledge Base"
        assert item["genre"] == "Knowledge base entry" and f"{item['title']} [Knowledge base entry]" in apa
        assert item["title"] in apa and item["URL"] == record["url"]
    # A paper's page cites the work itself too, from its BibTeX source.
    page = read_page(site / "papers/widder2024why/index.html")
    assert page.headings == ["Cite the work itself", "Cite this page"]
    assert page.references[0] == (
        "Widder, D. G., Whittaker, M., & West, S. M. (2024). Why 'open' AI systems are actually closed, and why "
        "this matters. Nature, 635(8040), 827–833. https://www.nature.com/articles/s41586-024-08141-1.pdf"
    )
    assert page.code[0].startswith("@article{widder2024why,\n  title = {Why 'open' {AI} systems")
    assert "summary" not in page.code[0] and "stakeholders" not in page.code[0]
    html_text = (site / "papers/widder2024why/index.html").read_text(encoding="utf-8")
    assert "<i>Nature</i>, <i>635</i>(8040)" in html_text  # APA's italics, from the CSL processor


def test_paper_pages_carry_their_bibtex_in_highwire_tags_and_json_ld(built_mini):
    works = pybtex_works(built_mini.root / "bibliography")
    assert works
    for key, work in works.items():
        check_paper_page(built_mini.root / "site", key, work)


def test_json_ld_says_what_each_entry_page_is_about(built_mini):
    site = built_mini.root / "site"
    expected = {
        "papers/widder2024why": "ScholarlyArticle",
        "papers/case-for-public-ai": "CreativeWork",
        "podcasts/moshi": ["Episode", "VideoObject"],
        "podcasts/is-open-source-ai-dangerous": ["PodcastEpisode", "VideoObject"],
        "glossary/open-weights": "DefinedTerm",
        "datasets/mnist": "Dataset",
        "organisations/osi": "Organization",
        "definitions/osaid-1-0": "CreativeWork",
        "topics/public-ai": None,
        "guides/developers": None,
        "recommendations/use-secure-practices": None,
    }
    for url, kind in expected.items():
        [ld] = [json.loads(t) for t in read_page(site / url / "index.html").jsonld]
        assert ld["@type"] == "WebPage", url  # every entry page is a page of the knowledge base
        assert (ld["about"]["@type"] if "about" in ld else None) == kind, url
    moshi = json.loads(read_page(site / "podcasts/moshi/index.html").jsonld[0])["about"]
    assert moshi["partOfSeries"]["name"] == "Last Week in AI" and moshi["episodeNumber"] == "173"
    assert [a["name"] for a in moshi["author"]] == ["Andrey Kurenkov", "Jeremie Harris"]  # the hosts
    term = json.loads(read_page(site / "glossary/open-weights/index.html").jsonld[0])["about"]
    assert term["description"] == "Trained model parameters that anyone may download and use."
    assert term["alternateName"] == ["open-weight", "Open weights"]
    guide = json.loads(read_page(site / "guides/policymakers/index.html").jsonld[0])
    assert guide["audience"]["audienceType"] == "Policymakers"
    # Pages that are not entries describe themselves as web pages of the site.
    home = read_page(site / "index.html")
    assert [json.loads(t)["@type"] for t in home.jsonld] == ["WebPage"]


def test_pages_that_cite_works_list_them_as_citation_reference(built_mini):
    page = read_page(built_mini.root / "site/guides/developers/index.html")
    [reference] = page.tags("citation_reference")
    assert reference.startswith("citation_title=Why 'open' AI systems are actually closed, and why this matters;")
    assert "citation_author=Widder, D. G.; citation_author=Whittaker, M.; citation_author=West, S. M.;" in reference
    assert "citation_journal_title=Nature;" in reference and "citation_publication_date=2024;" in reference
    topic = read_page(built_mini.root / "site/topics/public-ai/index.html")
    assert topic.tags("citation_reference") == ["citation_title=An Alternative to Regulation: The Case for Public AI;"]
    assert read_page(built_mini.root / "site/datasets/mnist/index.html").tags("citation_reference") == []


def test_every_page_links_the_feed(built_mini):
    text = (built_mini.root / "site/podcasts/moshi/index.html").read_text(encoding="utf-8")
    assert '<link rel="alternate" type="application/atom+xml"' in text and 'href="../../feed.xml"' in text


# --- APA 7 by the CSL processor, checked against pandoc's ---------------------------------------


# (Every CSL-JSON item of the real site against pandoc: tests/test_citation_data.py.)


def test_apa_repairs_what_citeproc_py_leaves_undone():
    page = {
        "id": "p",
        "type": "webpage",
        "title": "Is open source AI dangerous?",
        "publisher": "Open Source AI Knowledge Base",
        "issued": {"date-parts": [[2024, 11, 3]]},
        "URL": "https://kb.example.org/podcasts/x/",
    }
    reference = apa(page)
    # Cited under its publisher, which is not repeated; no period after the question mark.
    assert reference.text == (
        "Open Source AI Knowledge Base. (2024, November 3). Is open source AI dangerous? https://kb.example.org/podcasts/x/"
    )
    assert reference.segments[1] == {"text": "Is open source AI dangerous?", "italic": True}
    untitled = apa({"id": "w", "type": "document", "title": "Dual-Use Foundation Models"})
    assert untitled.text == "Dual-Use Foundation Models. (n.d.)."  # the title stands in for the author, once
    undated = apa({"id": "w", "type": "document", "title": "T", "author": [{"family": "A"}], "URL": "https://e.org/"})
    assert undated.text == "A. (n.d.). T. https://e.org/"  # no dangling "Retrieved"
    et_al = apa({"id": "w", "type": "document", "title": "T", "author": [{"family": "A", "given": "B."}]}, et_al=True)
    assert et_al.text == "A, B., et al. (n.d.). T."
    report = apa({"id": "r", "type": "report", "title": "T", "author": [{"literal": "Tidelift"}], "publisher": "Tidelift"})
    assert report.text == "Tidelift. (n.d.). T."


def test_names_are_split_as_bibtex_splits_them():
    names, others = split_names(r"Shrestha, Y. R. and von Krogh, G. and {Partnership on AI} and Angela Luna and others")
    assert others
    assert names == [
        {"family": "Shrestha", "given": "Y. R."},
        {"family": "Krogh", "given": "G.", "non-dropping-particle": "von"},
        {"literal": "Partnership on AI"},
        {"family": "Luna", "given": "Angela"},
    ]
    assert [name_text(n) for n in names] == ["Shrestha, Y. R.", "von Krogh, G.", "Partnership on AI", "Luna, Angela"]
    assert latex_text(r"Caf{\'e} \& G{\"o}del's {AI} 100\%") == "Café & Gödel's AI 100%"


# --- hostile titles ---------------------------------------------------------------------------


def test_a_title_cannot_leave_its_attribute_or_the_json_ld(project: Project):
    title = '</script><script>alert("kb")</script> & "quoted" <b>{x}</b>'
    path = project.root / "content/datasets/mnist.yaml"
    path.write_text(path.read_text().replace("title: MNIST", f"title: '{title}'"), encoding="utf-8")
    result = project.mkdocs_build()
    assert result.returncode == 0, result.stderr
    text = project.site("datasets/mnist/index.html")
    # What this feature prints: the citation_* tags, the JSON-LD and the cite box. (Material's own
    # <title> and header are another matter: see the xfail in tests/test_security.py.)
    ours = "".join(re.findall(r'<meta name="citation_[^>]*>', text))
    ours += "".join(re.findall(r'<script type="application/ld\+json">.*?</script>', text, re.S))
    ours += text[text.index('<aside class="kb-cite') : text.index("</aside>")]
    assert "<script>alert" not in ours and "<b>" not in ours and '"quoted"' not in ours
    assert ours.count("<script") == 1
    head = text[: text.index("</head>")]
    page = read_page(project.root / "site/datasets/mnist/index.html")
    [ld] = [json.loads(t) for t in page.jsonld]
    assert ld["name"] == title  # the JSON-LD holds the title, escaped for the <script> element
    assert "\\u003c/script\\u003e" in head
    assert page.tags("citation_title") == [title]
    assert any(title in c for c in page.clipboard)
    assert page.references[-1].startswith("Open Source AI Knowledge Base. (") and title in page.references[-1]


# --- permalinks and redirects -------------------------------------------------------------------


def test_a_renamed_entry_keeps_its_old_url(project: Project):
    old = project.root / "content/podcasts/moshi.yaml"
    text = old.read_text(encoding="utf-8")
    old.unlink()
    project.write("content/podcasts/moshi-voice-model.yaml", text + "redirect_from: [moshi]\n")
    config = project.root / "mkdocs.yml"
    set_site_fields(config, SITE_URL)
    result = project.mkdocs_build()
    assert result.returncode == 0, result.stderr

    site = project.root / "site"
    new = read_page(site / "podcasts/moshi-voice-model/index.html")
    assert new.tags("citation_public_url") == [f"{SITE_URL}podcasts/moshi-voice-model/"]
    moved = site / "podcasts/moshi/index.html"
    assert moved.is_file(), "the old URL must still answer"
    page = read_page(moved)
    assert page.refresh == "0; url=../moshi-voice-model/"
    assert page.canonical == f"{SITE_URL}podcasts/moshi-voice-model/"
    assert ("robots", "noindex") in page.meta
    html_text = moved.read_text(encoding="utf-8")
    # A visible link for readers (and for builders that ignore the front matter, such as Zensical).
    assert '<a href="../moshi-voice-model/">Moshi - An open source version of GPT-4o?</a>' in html_text
    target = (moved.parent / "../moshi-voice-model/index.html").resolve()
    assert target.is_file()
    # The old page is not offered as a result of its own in search.
    index = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    assert not any(doc["location"].startswith("podcasts/moshi/") for doc in index["docs"])


def test_redirect_pages_build_with_zensical_too(project: Project):
    if shutil.which("zensical") is None and not (Path(sys.executable).parent / "zensical").exists():
        pytest.skip("zensical is not installed")
    assert project.kb("build").returncode == 0
    result = project.run("zensical", "build", "--clean")
    assert result.returncode == 0, result.stdout + result.stderr
    moved = (project.root / "site/datasets/mnist-digits/index.html").read_text(encoding="utf-8")
    assert 'href="../mnist/"' in moved
    page = read_page(project.root / "site/papers/widder2024why/index.html")
    work = page.tags("citation_reference")[0]
    assert "citation_author=Widder, D. G.; citation_author=Whittaker, M.; citation_author=West, S. M.;" in work
    assert "Cite this page" in page.headings


# --- dates from git and from SOURCE_DATE_EPOCH --------------------------------------------------


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_is_asked_once_before_rendering_and_little(project: Project, monkeypatch):
    """The dates come from git once per build, with the loaded sources: one rev-parse, one log and
    one blame per .bib file, however many entries; rendering the pages and writing the exports
    (citations, feed, open data) read them and never run git again. Validating runs no git."""
    from knowledgebase import pipeline
    from knowledgebase.sources import git as git_module

    git(project.root, "init", "-q")
    git(project.root, "add", "content", "bibliography")
    git(project.root, "commit", "-q", "-m", "first", when="2024-03-05T10:00:00Z")
    calls: list[str] = []
    run = git_module.run
    monkeypatch.setattr(git_module, "run", lambda cwd, *args: calls.append(args[0]) or run(cwd, *args))
    settings = Settings.from_mkdocs_yml(project.root / "mkdocs.yml")
    loaded = load(settings, lint=True)  # as kb validate loads
    assert loaded.ok and calls == []
    assert loaded.dates.updated["mnist"].isoformat() == "2024-03-05"
    assert loaded.dates is loaded.dates  # asked once
    loading = list(calls)
    bib_files = len(list((project.root / "bibliography").glob("*.bib")))
    assert sorted(loading) == sorted(["rev-parse", "log"] + ["blame"] * bib_files)
    calls.clear()
    built = pipeline.build(settings)
    assert built.ok and built.dates.updated["mnist"].isoformat() == "2024-03-05"
    assert calls == loading  # the build's load, and nothing after it


def test_dates_come_from_git_and_source_date_epoch_is_only_the_fallback(project: Project, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    git(project.root, "init", "-q")
    git(project.root, "add", "content", "bibliography")
    git(project.root, "commit", "-q", "-m", "first", when="2024-03-05T10:00:00Z")
    mnist = project.root / "content/datasets/mnist.yaml"
    mnist.write_text(mnist.read_text().replace("Handwritten digits.", "Scanned handwritten digits."), encoding="utf-8")
    bib = project.root / "bibliography/works.bib"
    bib.write_text(
        bib.read_text(encoding="utf-8")
        + "\n@misc{later2025,\n  title = {A Later Work},\n  year = {2025},\n  summary = {Added later.},\n}\n",
        encoding="utf-8",
    )
    git(project.root, "commit", "-q", "-am", "second", when="2025-06-07T08:09:10Z")

    settings = Settings.from_mkdocs_yml(project.root / "mkdocs.yml")
    loaded = load(settings)
    assert loaded.ok, loaded.diagnostics.sorted()
    dates = loaded.dates
    assert str(dates.updated["mnist"]) == "2025-06-07" and str(dates.added["mnist"].date()) == "2024-03-05"
    assert str(dates.updated["common-crawl"]) == "2024-03-05"
    # Entries of one .bib file are dated by their own lines.
    assert str(dates.updated["widder2024why"]) == "2024-03-05"
    assert str(dates.added["later2025"].date()) == "2025-06-07"

    assert project.kb("build").returncode == 0
    docs = project.root / "build/docs"
    assert get_data((docs / "datasets/mnist.md").read_text(encoding="utf-8"))[1]["cite"]["updated"] == "2025-06-07"
    feed = (docs / "feed.xml").read_text(encoding="utf-8")
    assert feed.index("A Later Work") < feed.index("MNIST")  # newest first
    assert "<published>2025-06-07T08:09:10Z</published>" in feed

    # SOURCE_DATE_EPOCH dates the build, and only the entries with no history of their own.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14
    project.write(
        "content/datasets/fresh.yaml", "title: Fresh\nmodality: text\nsummary: Not committed yet.\nsources: [explainer]\n"
    )
    assert project.kb("build").returncode == 0
    mnist = get_data((docs / "datasets/mnist.md").read_text(encoding="utf-8"))[1]["cite"]
    assert (mnist["published"], mnist["updated"]) == ("2024-03-05", "2025-06-07")
    fresh = get_data((docs / "datasets/fresh.md").read_text(encoding="utf-8"))[1]["cite"]
    assert (fresh["published"], fresh["updated"]) == ("2023-11-14", "2023-11-14")
    csl = json.loads((docs / "datasets/mnist/page.csl.json").read_text(encoding="utf-8"))[0]
    assert csl["issued"] == {"date-parts": [[2025, 6, 7]]} and csl["accessed"] == {"date-parts": [[2023, 11, 14]]}


def test_outside_git_without_source_date_epoch_a_page_has_no_date(project: Project, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert project.kb("build").returncode == 0
    page = (project.root / "build/docs/datasets/mnist.md").read_text(encoding="utf-8")
    cite_meta = get_data(page)[1]["cite"]
    assert "updated" not in cite_meta and cite_meta["permalink"] == "datasets/mnist/"
    csl = json.loads((project.root / "build/docs/datasets/mnist/page.csl.json").read_text(encoding="utf-8"))
    assert "issued" not in csl[0] and "accessed" in csl[0]  # APA: (n.d.), retrieved on the day of the build


# --- the real knowledge base ------------------------------------------------------------------


@pytest.fixture(scope="module")
def built_real(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The real content, bibliography and theme, built with a site_url as the deployment sets one."""
    project = copy_repo(tmp_path_factory.mktemp("real") / "kb")
    set_site_fields(project.root / "mkdocs.yml", SITE_URL)
    project.run("mkdocs", "build", "--strict", check=True)
    return project


def test_every_paper_of_the_real_knowledge_base_carries_its_bibtex(built_real):
    works = pybtex_works(built_real.root / "bibliography")
    assert len(works) >= 15
    for key, work in works.items():
        check_paper_page(built_real.root / "site", key, work, SITE_URL)


def _shown(html_fragment: str) -> str:
    """The text a reader sees in a fragment of HTML, with the archived copy after a link left out."""
    text = html.unescape(re.sub(r"<[^>]+>", "", html_fragment))
    return " ".join(text.replace(" (archived copy)", "").split())


def test_pages_print_the_same_apa_reference_as_the_cite_box(built_real):
    """One APA: the reference at the top of a work's page, and in the References of every page that
    cites the work, is the cite box's (made by the CSL processor from the work's one CSL item)."""
    site = built_real.root / "site"
    apa_of = {}
    for index in sorted((site / "papers").glob("*/index.html")):
        page_html = index.read_text(encoding="utf-8")
        offered = read_page(index).references[0]  # "Cite the work itself"
        top = next(p for p in re.findall(r"<p>(.*?)</p>", page_html, re.S) if 'href="./"' in p)
        assert _shown(top) == offered, index.parent.name
        apa_of[index.parent.name] = offered
    assert apa_of["aschenbrenner2024lockdown"].startswith("Aschenbrenner, L. (2024, June). Lock Down the Labs")
    assert apa_of["tidelift2024maintainer"].startswith("Tidelift. (2024). 2024 Tidelift State")  # APA 9.24: no publisher
    listed = 0
    for index in sorted(site.glob("*/*/index.html")):
        section = re.search(r'<h2 id="references">.*?</h2>\s*<ul>(.*?)</ul>', index.read_text(encoding="utf-8"), re.S)
        for item in re.findall(r"<li>(.*?)</li>", section.group(1), re.S) if section else []:
            key = re.search(r'href="(?:\.\./)+papers/([^/"]+)/"', item).group(1)
            assert _shown(item) == apa_of[key], (index.parent.name, key)
            listed += 1
    assert listed >= 10


def test_the_real_site_links_its_pages_downloads_and_redirects(built_real):
    from browser.checks import broken_links

    site = built_real.root / "site"
    assert broken_links(site) == []
    how = (site / "how-to-cite/index.html").read_text(encoding="utf-8")
    assert "CITATION.cff" in how
    data = (site / "data/index.html").read_text(encoding="utf-8")
    for name in ("knowledge-base.json", "bibliography.bib", "bibliography.csl.json", "schemas/paper.schema.json"):
        assert f'href="{name}"' in data, name
    assert 'href="../feed.xml"' in data and 'href="../llms.txt"' in data
    for record in entry_pages(site).values():
        assert record["url"].startswith(SITE_URL)
