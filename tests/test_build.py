"""End to end: real `kb build` and `mkdocs build --strict` runs on a temporary knowledge base."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from mkdocs.utils.meta import get_data

from browser.checks import Links, broken_links, parse_links
from knowledgebase.model.schema import entry_types

ENTRY_URLS = {
    "definitions/osaid-1-0/index.html",
    "definitions/open-weight-definition/index.html",
    "papers/widder2024why/index.html",
    "papers/case-for-public-ai/index.html",
    "podcasts/moshi/index.html",
    "podcasts/is-open-source-ai-dangerous/index.html",
    "recommendations/avoid-broad-restrictions/index.html",
    "recommendations/use-secure-practices/index.html",
    "guides/policymakers/index.html",
    "guides/developers/index.html",
    "glossary/open-weights/index.html",
    "glossary/osaid/index.html",
    "topics/ai-and-open-weights/index.html",
    "organisations/osi/index.html",
    "datasets/mnist/index.html",
    "sources/reading-list/index.html",
}


def parse(html: str) -> Links:
    return parse_links(html)


def test_every_entry_has_its_page(built_mini):
    for url in ENTRY_URLS:
        assert (built_mini.root / "site" / url).is_file(), url
    for kind in entry_types().values():  # every type the schemas define has its section
        assert (built_mini.root / "site" / kind.url / "index.html").is_file(), kind.url


def test_entry_page_shows_its_fields_and_links(built_mini):
    html = built_mini.site("podcasts/moshi/index.html")
    assert "<h1" in html and "Moshi - An open source version of GPT-4o?" in html
    assert "Andrey Kurenkov, Jeremie Harris" in html
    assert "1:00:45–1:04:07" in html and "(3:22)" in html
    assert 'href="https://www.youtube.com/watch?v=gZGrA52A834"' in html
    # A link in prose is rendered with the target's title, and resolves.
    guide = built_mini.site("guides/policymakers/index.html")
    assert re.search(r'<a href="../../definitions/osaid-1-0/">(<abbr [^>]*>)?Open Source AI Definition(</abbr>)?</a>', guide)
    # A citation in prose is an author-year link to the work, with a references list.
    developers = built_mini.site("guides/developers/index.html")
    assert re.search(r'\(<a href="../../papers/widder2024why/">Widder et al\., 2024, p\. 830</a>\)', developers)
    assert 'id="references"' in developers


def test_internal_links_all_resolve(built_mini):
    broken = broken_links(built_mini.root / "site")  # shared with tests/browser, which checks the real site
    assert not broken, "\n".join(broken)


def test_site_loads_nothing_from_other_hosts(built_mini):
    site = built_mini.root / "site"
    offenders = []
    for page in site.rglob("*.html"):
        for tag, url in parse(page.read_text(encoding="utf-8")).urls:
            # Outbound <a> links are navigation, not loads; anything else must be local.
            if tag != "a" and re.match(r"^(https?:)?//", url):
                offenders.append(f"{page.relative_to(site)}: <{tag}> {url}")
    for sheet in site.rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?((?:https?:)?//[^)'\"]+)", sheet.read_text(encoding="utf-8")):
            offenders.append(f"{sheet.relative_to(site)}: {url}")
    assert not offenders, "\n".join(offenders)


def test_glossary_terms_get_tooltips_on_every_page(built_mini):
    html = built_mini.site("recommendations/avoid-broad-restrictions/index.html")
    assert '<abbr title="Trained model parameters that anyone may download and use.">open weights</abbr>' in html
    home = built_mini.site("index.html")
    assert '<abbr title="The Open Source Initiative&#39;s definition of open source AI.">' in home or (
        '<abbr title="The Open Source Initiative\'s definition of open source AI.">' in home
    )


def test_backlinks_and_provenance_warning(built_mini):
    html = built_mini.site("definitions/osaid-1-0/index.html")
    assert "Referenced by" in html
    assert 'href="../../guides/policymakers/"' in html  # policymakers' summary links here
    assert 'href="../open-weight-definition/"' in html
    topic = built_mini.site("topics/ai-and-open-weights/index.html")
    assert "Drawn from AI-generated text" in topic
    assert "Drawn from AI-generated text" not in built_mini.site("topics/public-ai/index.html")


def test_broken_source_fails_build_and_keeps_previous_site(project):
    first = project.mkdocs_build()
    assert first.returncode == 0, first.stderr
    before = project.snapshot("site")
    docs_before = project.snapshot("build/docs")
    project.write("content/glossary/open-weights.yaml", "title: open weights\nshort: [unclosed\n")
    project.write("content/datasets/mnist.yaml", "title: MNIST\nsumary: Handwritten digits.\nsources: [explainer]\n")
    result = project.mkdocs_build()
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    # Where the unclosed '[' is, not where the parser noticed it (the end of the file).
    assert "content/glossary/open-weights.yaml:2:8: error: YAML syntax error: the '[' opened" in result.stderr, result.stderr
    assert "content/datasets/mnist.yaml:2:1: error: unknown field 'sumary' (did you mean 'summary'?)" in result.stderr
    assert project.snapshot("site") == before
    assert project.snapshot("build/docs") == docs_before


def test_kb_build_rewrites_only_changes_and_removes_stale_pages(project):
    assert project.kb("build").returncode == 0
    docs = project.root / "build" / "docs"
    untouched = docs / "definitions" / "osaid-1-0.md"
    stamp = untouched.stat().st_mtime_ns
    (project.root / "content/datasets/common-crawl.yaml").unlink()
    text = (project.root / "content/datasets/mnist.yaml").read_text()
    project.write("content/datasets/mnist.yaml", text.replace("Handwritten digits.", "Scanned handwritten digits."))
    assert project.kb("build").returncode == 0
    assert untouched.stat().st_mtime_ns == stamp
    assert not (docs / "datasets" / "common-crawl.md").exists()
    assert "Scanned handwritten digits." in (docs / "datasets" / "mnist.md").read_text()


def test_front_matter_carries_page_metadata(project):
    assert project.kb("build").returncode == 0
    page = (project.root / "build/docs/papers/widder2024why.md").read_text()
    body, meta = get_data(page)  # as MkDocs reads it
    # HTML-escaped, since themes print it as it is.
    assert meta["title"] == "Why &#39;open&#39; AI systems are actually closed, and why this matters"
    assert meta["kb"] == {"id": "widder2024why", "type": "paper"}
    assert body.startswith("# ") and "---" not in body.splitlines()[0]


def test_front_matter_reads_back_as_written_whatever_the_characters():
    from knowledgebase.render.front_matter import front

    # Line and paragraph separators, NEL, BOM, controls, quotes, YAML indicators, astral characters.
    tricky = [
        "a\x85b",
        "x\u2028y\u2029z",
        "\ufeffbom",
        "tab\there",
        "two\nlines",
        "q\"uote'",
        "\x7f\x80\x9f",
        "😀 é 中文",
        "--- not the end",
        "...",
        "#hash",
        "key: value",
        "{[,]}",
        "\\back",
        "\x00\x01\x1f",
        "null",
        "~",
    ]
    for text in tricky:
        meta = {"title": text, "tags": [text, "b"], "kb": {"id": "x", "n": 3, "ok": False}}
        assert get_data(front(meta) + "# Body\n") == ("# Body\n", meta), repr(text)


def test_a_site_replaces_any_template_redirect_and_default_pages_too(project):
    """Every generated page's Markdown comes from a template that a site may replace in its
    templates_dir: entry pages, redirects from former ids, the default how-to-cite and data pages,
    and the glossary's tooltips."""
    config = project.root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "  - knowledgebase\n" in text
    config.write_text(text.replace("  - knowledgebase\n", "  - knowledgebase:\n      templates_dir: templates\n", 1))
    project.write(
        "templates/redirect.md.j2",
        "# Gone elsewhere\n\nOur {{ kind.singular.lower() }} [{{ entry.title }}]({{ entry.id }}.md).\n",
    )
    project.write("templates/how-to-cite.md.j2", "# How to cite\n\nCite us in APA, please.\n")
    project.write(
        "templates/abbreviation.md.j2", "{% macro definition(word, text) %}*[{{ word }}]: Glossary: {{ text }}{% endmacro %}\n"
    )
    project.write("templates/open-data.md.j2", "# Open data\n\nEverything is in [one file](data/knowledge-base.json).\n")
    result = project.mkdocs_build()
    assert result.returncode == 0, result.stderr
    moved = project.site("datasets/mnist-digits/index.html")
    assert "Gone elsewhere" in moved and "This page has moved" not in moved
    assert re.search(r'Our data set <a href="../mnist/">MNIST<', moved)
    assert "Cite us in APA, please." in project.site("how-to-cite/index.html")
    assert 'href="knowledge-base.json">one file</a>' in project.site("data/index.html")
    # A glossary word's tooltip, wherever it stands.
    assert re.search(r'<abbr title="Glossary: [^"]+">open weights</abbr>', project.site("topics/ai-and-open-weights/index.html"))
    # Templates not replaced are the package's own.
    assert "Handwritten digits." in project.site("datasets/mnist/index.html")


def test_two_builds_are_byte_identical(project, tmp_path):
    env_epoch = {"SOURCE_DATE_EPOCH": "1700000000"}
    import os

    os.environ.update(env_epoch)
    try:
        assert project.mkdocs_build().returncode == 0
        first = project.snapshot("site")
        shutil.rmtree(project.root / "site")
        shutil.rmtree(project.root / "build")
        (project.root / "build" / "docs").mkdir(parents=True)
        assert project.mkdocs_build().returncode == 0
        second = project.snapshot("site")
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    changed = [k for k in first if first.get(k) != second.get(k)]
    assert first.keys() == second.keys() and not changed, changed[:5]


@pytest.mark.skipif(
    shutil.which("zensical") is None and not (Path(__import__("sys").executable).parent / "zensical").exists(),
    reason="zensical is not installed",
)
def test_zensical_builds_the_same_pages(project):
    assert project.kb("build").returncode == 0
    result = project.run("zensical", "build", "--clean")
    assert result.returncode == 0, result.stdout + result.stderr
    for url in ENTRY_URLS:
        page = project.root / "site" / url
        assert page.is_file(), url
    assert "Moshi - An open source version of GPT-4o?" in project.site("podcasts/moshi/index.html")


def test_write_tree_keeps_dotfiles_drops_stale_files_and_never_leaves_its_folder(tmp_path):
    from knowledgebase.publish.output import Writer, write_tree

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / ".gitkeep").touch()  # an empty folder, as committed: the build may take it
    assert write_tree(docs, {"keep.md": b"same", "old/deep/gone.md": b"stale"}) == (2, 0)
    stamp = (docs / "keep.md").stat().st_mtime_ns
    (docs / "mine.md").write_text("placed by hand")
    writer = Writer()
    writer.add(docs, "docs", {"keep.md": b"same", "new/page.md": b"fresh", "changed.md": b"v2"})
    assert writer.write() == (2, 1)
    assert [str(w) for w in writer.warnings] == ["docs/mine.md: warning: was not written by the build; left in place"]
    assert (docs / "keep.md").stat().st_mtime_ns == stamp  # unchanged, so not rewritten
    assert (docs / "new" / "page.md").read_bytes() == b"fresh"
    assert (docs / ".gitkeep").exists() and not (docs / "old").exists()
    assert (docs / "mine.md").read_text() == "placed by hand"  # only what the build wrote is deleted
    assert write_tree(docs, {"keep.md": b"same", "new/page.md": b"fresh", "changed.md": b"v3"}) == (1, 0)
    assert (docs / "changed.md").read_bytes() == b"v3" and not [p for p in docs.rglob("*") if "kb-tmp" in p.name]
    for rel in ("../escape.md", "/etc/passwd", "a/../../b.md", "a//b.md"):
        with pytest.raises(ValueError, match="refusing to write outside"):
            write_tree(docs, {rel: b"x"})
    assert not (tmp_path / "escape.md").exists()


def test_the_theme_is_compiled_while_the_knowledge_base_builds_and_only_once(tmp_path):
    """`mkdocs build` compiles the theme's templates while its child builds the knowledge base
    (``compile_ahead``); the theme's environment then compiles none of them again, stops when
    told to, skips other languages and a template that does not compile without its plugin."""
    import jinja2

    from knowledgebase.render.environment import compile_ahead, compiled_for

    (tmp_path / "partials" / "languages").mkdir(parents=True)
    for name, text in {
        "main.html": "{% extends 'base.html' %}",
        "base.html": "<p>{{ page }}</p>",
        "partials/languages/en.html": "en",
        "partials/languages/de.html": "de",
        "blog-post.html": "{{ page | date }}",  # the blog plugin's filter: not here
        "sitemap.xml": "<urlset/>",
    }.items():
        (tmp_path / name).write_text(text)

    compiled: list[str] = []

    class Counted(jinja2.Environment):
        def compile(self, source, name=None, filename=None, raw=False, defer_init=False):  # noqa: ANN001, ANN201
            compiled.append(name)
            return super().compile(source, name, filename, raw, defer_init)

    def theme() -> jinja2.Environment:
        return Counted(loader=jinja2.FileSystemLoader(tmp_path), autoescape=True)

    compile_ahead(theme(), "en", stop=lambda: False)
    assert sorted(compiled) == ["base.html", "blog-post.html", "main.html", "partials/languages/en.html", "sitemap.xml"]
    compiled.clear()
    later = theme()  # as MkDocs makes it; the plugin's on_env gives it the same cache
    later.bytecode_cache = compiled_for(later)
    assert later.get_template("main.html").render(page="x") == "<p>x</p>"
    assert compiled == []  # neither main.html nor base.html compiled again
    compiled.clear()
    compile_ahead(theme(), "en", stop=lambda: True)
    assert compiled == []
