"""Sources are untrusted: hostile text stays text, bad URLs are refused, nothing escapes the site.

A knowledge base whose every text field of every type carries script tags, event handlers,
javascript: links, broken-out attributes, attribute lists and snippet markers
(tests/hostile.py) is validated and built for real; the generated HTML is then parsed and
searched for anything a browser would run. (The same knowledge base, opened in a real
browser, is the browser tests' business.)
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from hostile import MARKER, REFUSED_URLS, text_visible, write_hostile_kb
from kbtest import Project, copy_mini, printed, validate
from knowledgebase.model.schema import entry_types

#: Elements no entry text may bring into a page.
FORBIDDEN_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "style",
    "img",
    "svg",
    "details",
    "form",
    "input",
    "base",
    "link",
    "meta",
    "textarea",
    "title",
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcdoc", "data", "poster", "background"}
SAFE_URL = re.compile(r"^(https?://|mailto:|#|\.{0,2}/|[\w.-]+(/|\.html|$)|\?|$)", re.I)


class Scan(HTMLParser):
    """Everything in a page that would run, load or navigate, and the text a reader sees."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.findings: list[tuple[bool, str]] = []  # (inside <article>, what)
        self.article_text: list[str] = []
        self.hrefs: list[str] = []
        self._article = 0
        self._stack: list[str] = []
        self._hidden = 0
        self._in_title = False
        self._view_form = False
        self.title = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        inside = self._article > 0
        text = " ".join(f"{k}={v!r}" for k, v in attrs)
        if tag == "article":
            self._article += 1
        if tag == "title":
            self._in_title = True
        if tag in ("script", "style"):
            self._hidden += 1
            # A data block (JSON-LD) is not run; a payload inside it is inert as long as it stays inside.
            kind = (dict(attrs).get("type") or "").lower()
            self._stack.append("data" if tag == "script" and kind and "javascript" not in kind and kind != "module" else tag)
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.findings.append((inside, f"<{tag} {name}={value!r}>"))
            if name in URL_ATTRIBUTES and value and not SAFE_URL.match(value.strip()):
                self.findings.append((inside, f"<{tag} {name}={value!r}>"))
        if MARKER.search(text) and tag in FORBIDDEN_TAGS - {"meta", "title"}:
            self.findings.append((inside, f"<{tag} {text}> carries a payload marker"))
        if inside and tag == "a":
            self.hrefs.append(dict(attrs).get("href") or "")
        if tag == "form" and {"data-kb-filter", "data-kb-compare-form"} & {k for k, _ in attrs}:
            self._view_form = True  # a view's own filter form (listing.md.j2, definition-index.md.j2)
        if inside and tag in FORBIDDEN_TAGS and not (self._view_form and tag in ("form", "input")):
            self.findings.append((inside, f"<{tag} {text}> inside the article"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._article -= 1
        if tag == "form":
            self._view_form = False
        if tag == "title":
            self._in_title = False
        if tag in ("script", "style") and self._stack:
            self._stack.pop()
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        if self._stack and self._stack[-1] != "data" and MARKER.search(data):
            self.findings.append((self._article > 0, f"<{self._stack[-1]}> holds a payload: {data[:80]!r}"))
        if self._article and not self._hidden:
            self.article_text.append(data)

    @property
    def visible(self) -> str:
        return " ".join("".join(self.article_text).split())


def scan(html: str) -> Scan:
    parser = Scan()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The hostile knowledge base, validated and built once with ``mkdocs build --strict``."""
    root = tmp_path_factory.mktemp("hostile") / "kb"
    kb = write_hostile_kb(root)
    project = Project(root)
    validated = project.kb("validate")
    assert validated.returncode == 0, validated.stderr
    built = project.mkdocs_build()
    assert built.returncode == 0, built.stderr
    pages = {
        p.relative_to(root / "site").as_posix(): scan(p.read_text(encoding="utf-8")) for p in (root / "site").rglob("*.html")
    }
    return kb, project, pages


def test_every_text_field_of_every_type_is_hostile(hostile):
    """The generator really covers every type and every text, Markdown and URL field."""
    from knowledgebase.model.schema import entry_types, walk

    kb, _, _ = hostile
    placed = {(p.type, re.sub(r"\[\d+\]", "[*]", p.field)) for p in kb.placed}
    for name, kind in entry_types().items():
        for path, schema in walk(kind.schema):
            if schema.get("type") != "string" or schema.get("enum") or schema.get("x-ref"):
                continue
            if "pattern" in schema and "plain text" not in schema.get("x-message", ""):
                continue  # slugs, dates, durations, years, DOIs: the pattern admits no markup
            if schema.get("format") == "kb-date":
                continue
            field = ".".join(str(p) for p in path).replace(".*", "[*]")
            assert (name, field) in placed, f"{name}.{field} carries no payload"


def test_no_markup_from_entries_reaches_the_content(hostile):
    """In the content of every page: no script, no event handler, no javascript: link, no element from a payload."""
    _, _, pages = hostile
    found = [f"{page}: {what}" for page, parsed in pages.items() for inside, what in parsed.findings if inside]
    assert found == [], "\n".join(found[:40])


def test_no_markup_from_entries_reaches_any_part_of_any_page(hostile):
    """Nor anywhere else: <title>, <meta> tags, the header, the tags index, the redirect pages."""
    _, _, pages = hostile
    found = [f"{page}: {what}" for page, parsed in pages.items() for _inside, what in parsed.findings]
    assert found == [], "\n".join(found[:40])


def test_titles_are_shown_as_text_in_the_page_title(hostile):
    """The browser tab shows the entry's title as written: not run, and not escaped twice."""
    kb, _, pages = hostile
    titles = [p for p in kb.placed if p.field == "title"]
    assert len(titles) == len(kb.entries) - 1  # every entry but the hand-written glossary term
    for placed in titles:
        url = f"{entry_types()[placed.type].url}/{placed.entry}/index.html"
        assert pages[url].title.startswith(text_visible(placed.n, placed.type == "paper")), (url, pages[url].title[:200])


def test_hostile_text_is_shown_as_text(hostile):
    """What the contributor wrote is what the reader reads: every payload, literally, on its entry's page."""
    kb, _, pages = hostile
    missing = []
    for url, texts in kb.pages.items():
        visible = pages[f"{url}index.html"].visible
        for text in texts:
            if " ".join(text.split()) not in visible:
                missing.append(f"{url}: {text[:90]!r}")
    assert missing == [], "\n".join(missing) + f"\n\nvisible text of the last page:\n{visible[:3000]}"


class Abbreviations(HTMLParser):
    """The <abbr> elements of a page: their words and their titles (the tooltips)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.titles: list[str] = []
        self.words: list[str] = []
        self._open = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "abbr":
            self.titles.append(dict(attrs).get("title") or "")
            self.words.append("")
            self._open += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "abbr":
            self._open -= 1

    def handle_data(self, data: str) -> None:
        if self._open:
            self.words[-1] += data


def test_hostile_glossary_words_stay_text_in_tooltips(hostile):
    """Glossary words and definitions become tooltips on every page: the definition as attribute text only."""
    _, project, pages = hostile
    parsed = Abbreviations()
    parsed.feed(project.site("glossary/hostile-term/index.html"))
    short = '"><img src=x onerror=alert("kb-xss-9002")> {onclick="alert(1)"} </abbr><script>alert(1)</script>'
    # The title holds the definition HTML-escaped, since Material's tooltip sets it as innerHTML:
    # there it shows as exactly the text above.
    as_text = short.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # (A term drawn from AI-generated text has its tooltip start with a warning, then the definition.)
    assert "KBXSS" in parsed.words and any(t.endswith(as_text) for t in parsed.titles), (parsed.words, parsed.titles)
    assert 'Alias " onmouseover="alert(9003)" kbxss9003' in parsed.words
    assert 'Hostile <script>alert("kb-xss-9001")</script> term' in pages["glossary/hostile-term/index.html"].visible
    for page in pages.values():
        assert not any(re.search(r"900[1-5]", what) for inside, what in page.findings if inside)


def test_links_from_url_fields_stay_inside_their_attribute(hostile):
    """A URL with quotes and brackets is percent-encoded: the href is that URL, and nothing else."""
    kb, _, pages = hostile
    hrefs = [href for parsed in pages.values() for href in parsed.hrefs if "example.org/kb-xss" in href]
    linked = {int(m.group(1)) for href in hrefs for m in [re.search(r"kb-xss-(\d+)\?", href)] if m}
    placed = {p.n for p in kb.placed if p.kind == "url"}
    assert placed and placed <= linked, f"URL fields not linked: {sorted(placed - linked)}"
    for href in hrefs:  # the URL itself, or the Wayback Machine's copy of it (a type with no archived_url field)
        assert re.match(r"(https://web\.archive\.org/web/\d{8}/)?https://example\.org/kb-xss-", href), href
        assert not set('"<> `') & set(href), href


def test_snippet_markers_include_nothing(hostile):
    _, project, _ = hostile
    for page in (project.root / "site").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "root:x:0:0" not in text, page


def test_search_index_holds_text_not_markup(hostile):
    """The search index is rendered as HTML by the theme's search: its titles and texts must be inert."""
    _, project, _ = hostile
    index = json.loads((project.root / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    found = []
    for doc in index["docs"]:
        for key in ("title", "text"):
            parsed = scan(f"<article>{doc.get(key, '')}</article>")
            found += [f"{doc['location']} {key}: {what}" for _inside, what in parsed.findings]
    assert found == [], "\n".join(sorted(set(found))[:40])


# --- URLs that validation refuses -----------------------------------------------------------------


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_bad_urls_are_refused_in_url_fields(project, url):
    path = project.root / "content/podcasts/moshi.yaml"
    text = path.read_text()
    path.write_text(text.replace("url: https://www.youtube.com/watch?v=gZGrA52A834", f"url: {json.dumps(url)}"))
    output = printed(validate(project.root))  # as kb validate finds it, in this process
    assert "content/podcasts/moshi.yaml:8:6: error: 'url':" in output
    assert "must be an absolute http:// or https:// URL" in output


@pytest.mark.parametrize(
    "url",
    [u for u in REFUSED_URLS if not any(c.isspace() for c in u) and u not in ("https://", "http:///no-host")]
    + ["https:///x", "<javascript:alert(1)>"],
)
def test_bad_urls_are_refused_in_markdown_links(project, url):
    project.write(
        "content/organisations/linker.yaml",
        f"title: Linker\nkind: company\nsummary: |\n  Fine text, then [a link]({url}) and\n\n  [ref]: {url}\nsources: [explainer]\n",
    )
    output = printed(validate(project.root))  # as kb validate finds them, in this process
    found = re.findall(r"^content/organisations/linker\.yaml:(\d+):(\d+): error: (.*)$", output, re.M)
    assert ("4", "19") in [(line, col) for line, col, _ in found], output
    assert all("is not allowed: only http:// and https:// URLs" in message for _, _, message in found), output


def test_bad_urls_are_refused_in_bibtex(project):
    project.write(
        "bibliography/bad.bib",
        "@misc{bad-url,\n  title = {T},\n  year = {2024},\n  url = {javascript:alert(1)},\n  summary = {S [x](data:text/html,x).},\n}\n",
    )
    output = printed(validate(project.root))  # as kb validate finds them, in this process
    assert "bibliography/bad.bib:4:9: error: 'url': 'javascript:alert(1)' must be an absolute http:// or https:// URL" in output
    assert "bibliography/bad.bib:5:16: error: link to 'data:text/html,x' is not allowed" in output


# --- ids and paths ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> Project:
    """The mini knowledge base after a good build, to copy for each attempt to break out."""
    project = copy_mini(tmp_path_factory.mktemp("good") / "kb")
    result = project.mkdocs_build()
    assert result.returncode == 0, result.stderr
    return project


def _outside(project: Project) -> set[str]:
    """Every file next to the project (its parent folder), where an escaping write would land."""
    base = project.root.parent
    return {p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file() and not p.is_relative_to(project.root)}


@pytest.mark.parametrize(
    ("rel", "content", "fragment"),
    [
        ("content/glossary/%2e%2e%2f%2e%2e%2fevil.yaml", None, "must be a slug"),
        ("content/glossary/évil.yaml", None, "must be a slug"),
        ("content/glossary/ｅｖｉｌ.yaml", None, "must be a slug"),  # fullwidth letters
        ("content/glossary/evil\u202e.yaml", None, "must be a slug"),  # right-to-left override
        ("content/glossary/EVIL.yaml", None, "must be a slug"),
        (
            "bibliography/evil.bib",
            "@misc{../../../evil,\n  title = {x},\n  year = {2024},\n  summary = {y},\n}\n",
            "must be a slug",
        ),
        ("bibliography/evil2.bib", "@misc{a/b,\n  title = {x},\n  year = {2024},\n  summary = {y},\n}\n", "must be a slug"),
    ],
)
def test_no_id_can_name_a_path(built_once, tmp_path, rel, content, fragment):
    project = Project(tmp_path / "kb")
    shutil.copytree(built_once.root, project.root, symlinks=True)
    site, outside = project.snapshot("site"), _outside(project)
    assert site, "the good build comes first"
    project.write(
        rel,
        content
        if content is not None
        else "title: Evil\nshort: x.\naliases: []\nsources: [explainer]\nredirect_from: [../../etc]\n",
    )
    for result in (project.kb("validate"), project.mkdocs_build()):
        assert result.returncode == 1, result.stdout + result.stderr
        assert fragment in result.stderr and "Traceback" not in result.stderr
    assert project.snapshot("site") == site
    assert _outside(project) == outside


def test_hidden_files_are_not_sources(project):
    """Names starting with a dot (editors' files, '..%2f...') are skipped, never written anywhere."""
    project.write("content/glossary/..%2f..%2fevil.yaml", "title: Evil\nshort: x.\naliases: []\nsources: [explainer]\n")
    outside = _outside(project)
    result = project.mkdocs_build()
    assert result.returncode == 0, result.stderr
    assert not list((project.root / "site").rglob("*evil*")) and not list((project.root / "build").rglob("*evil*"))
    assert _outside(project) == outside


@pytest.mark.parametrize(
    "rel",
    ["content/glossary/linked.yaml", "bibliography/linked.bib", "content/pages/linked.md", "content/pages/leak.txt"],
)
def test_symbolic_links_are_refused(project, tmp_path, rel):
    """A link in a pull request could publish a file of the machine that builds the site."""
    secret = tmp_path / "secret.txt"
    secret.write_text("title: SECRET-VALUE\nshort: x.\naliases: []\nsources: [explainer]\n")
    link = project.root / rel
    link.symlink_to(secret)
    for result in (project.kb("validate"), project.mkdocs_build()):
        assert result.returncode == 1, result.stdout + result.stderr
        assert f"{rel}:1:1: error: file is a symbolic link" in result.stderr, result.stderr
    site = project.root / "site"
    assert not site.exists() or not any("SECRET-VALUE" in p.read_text(errors="replace") for p in site.rglob("*") if p.is_file())


def test_yaml_is_loaded_safely(project):
    """No tag constructs an object: python/object, python/name and friends are refused, not run."""
    marker = project.root.parent / "pwned"
    for tag in ("!!python/object/apply:os.system", "!!python/name:os.system", "!!python/object/new:os.system", "!!binary"):
        project.write(
            "content/glossary/tagged.yaml", f"title: {tag} [touch {marker}]\nshort: x.\naliases: []\nsources: [explainer]\n"
        )
        output = printed(validate(project.root))  # as kb validate finds it, in this process
        assert ": error: " in output, tag
        assert "is not allowed" in output or "must be text" in output, output
    assert not marker.exists()


def test_hostile_kb_module_api(tmp_path):
    """The generator is reusable (the browser tests build it too): fresh folder, valid, complete."""
    kb = write_hostile_kb(tmp_path / "again")
    assert (tmp_path / "again" / "mkdocs.yml").is_file()
    assert set(kb.entries.values()) >= {
        "definition",
        "podcast",
        "paper",
        "glossary",
        "stakeholder",
        "topic",
        "organisation",
        "dataset",
        "source",
        "recommendation",
    }
    assert all(MARKER.search(p.source) for p in kb.placed)
    assert len({p.n for p in kb.placed}) == len(kb.placed)
    assert all(url.endswith("/") for url in kb.pages)
    assert isinstance(Path(kb.root), Path)
