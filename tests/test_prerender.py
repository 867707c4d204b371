"""`mkdocs build` renders its pages' Markdown (prerender.py) and builds its pages (prebuild.py) in
worker processes: the site, and every warning MkDocs gives about a page, are those of MkDocs
rendering and building each page itself."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest
from mkdocs.config import load_config
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import get_navigation

from kbtest import BIN, Project
from knowledgebase import prerender, workers

#: `mkdocs build` with prerender's and prebuild's PARALLEL_FROM set: 1, every page in workers; a huge number, none.
BUILD = (
    "import sys; from knowledgebase import prebuild, prerender; "
    "prerender.PARALLEL_FROM = prebuild.PARALLEL_FROM = int(sys.argv[1]); "
    "from mkdocs.__main__ import cli; cli(['build', *sys.argv[2:]])"
)
BUILT = re.compile(r"knowledgebase: (\d+) pages built in worker processes")
EVERY_CORE = pytest.mark.skipif(
    sys.platform != "linux" or workers.cores() < 2, reason="worker processes are forked, one per core"
)


def mkdocs_build(project: Project, parallel_from: int, *args: str) -> subprocess.CompletedProcess[str]:
    return project.run(str(BIN / "python"), "-c", BUILD, str(parallel_from), *args)


def warnings(output: str) -> list[str]:
    return sorted(line for line in output.splitlines() if line.startswith("WARNING"))


@EVERY_CORE
def test_a_site_rendered_in_workers_is_the_one_mkdocs_renders_page_by_page(project: Project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764500000")
    one_by_one = mkdocs_build(project, sys.maxsize)
    assert one_by_one.returncode == 0, one_by_one.stderr
    assert "rendered in worker processes" not in one_by_one.stderr
    assert not BUILT.search(one_by_one.stderr)
    site = project.snapshot("site")

    in_workers = mkdocs_build(project, 1)
    assert in_workers.returncode == 0, in_workers.stderr
    pages = len([rel for rel in project.snapshot("build/docs") if rel.endswith(".md")])
    done = re.search(r"knowledgebase: (\d+) pages' Markdown rendered in worker processes", in_workers.stderr)
    assert done and int(done.group(1)) == pages > 30
    built = BUILT.search(in_workers.stderr)
    assert built and int(built.group(1)) == pages
    # MkDocs' own process built none of them again: it would have said it wrote nothing for each.
    assert "Page skipped" not in in_workers.stdout + in_workers.stderr
    # Byte for byte: the nav's titles from mkdocs.yml ("Home"), tables of contents, the tags page
    # (whose Markdown the tags plugin changes: rendered here), the search index (its entries made
    # by the workers' search plugins, in page order).
    assert project.snapshot("site") == site


@EVERY_CORE
def test_pages_left_out_of_the_site_or_the_nav_are_as_mkdocs_has_them(project: Project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764500000")
    config = project.root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    for line in ("      - How to cite: how-to-cite.md\n", "      - Timeline: timeline.md\n"):
        assert line in text
        text = text.replace(line, "")
    # As a site may set them: a page left out, a draft, a page kept out of the nav.
    text += "exclude_docs: |\n  how-to-cite.md\ndraft_docs: |\n  timeline.md\nnot_in_nav: |\n  data.md\n"
    config.write_text(text, encoding="utf-8")
    sites = []
    for parallel_from in (sys.maxsize, 1):
        result = mkdocs_build(project, parallel_from)
        assert result.returncode == 0, result.stderr
        sites.append(project.snapshot("site"))
    assert "how-to-cite/index.html" not in sites[0] and "data/index.html" in sites[0]
    assert "rendered in worker processes" in result.stderr
    assert sites[1] == sites[0]


@EVERY_CORE
def test_a_page_a_worker_cannot_build_is_built_and_reported_by_mkdocs_itself(project: Project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764500000")
    # A hand-written page whose template makes nothing (MkDocs says so, and writes no HTML), then
    # one whose template does not exist (the build fails, naming it).
    (project.root / "overrides" / "blank.html").write_text("{# nothing #}\n", encoding="utf-8")
    notes = project.root / "content" / "pages" / "notes.md"
    notes.write_text("---\ntemplate: blank.html\n---\n# Notes\n", encoding="utf-8")
    outputs = [mkdocs_build(project, parallel_from) for parallel_from in (sys.maxsize, 1)]
    for result in outputs:
        assert result.returncode == 0, result.stderr
        assert (result.stdout + result.stderr).count("Page skipped: 'notes.md'. Generated empty output.") == 1
        assert not (project.root / "site" / "notes" / "index.html").exists()
    assert BUILT.search(outputs[1].stderr)

    notes.write_text("---\ntemplate: nowhere.html\n---\n# Notes\n", encoding="utf-8")
    outputs = [mkdocs_build(project, parallel_from) for parallel_from in (sys.maxsize, 1)]
    errors = []
    for result in outputs:
        assert result.returncode == 1
        said = result.stdout + result.stderr
        assert said.count("Error building page 'notes.md'") == 1 and "nowhere.html" in said
        errors.append([line for line in said.splitlines() if line.startswith("ERROR")])
    assert errors[0] == errors[1]


@EVERY_CORE
def test_pages_are_built_by_mkdocs_itself_where_another_plugin_has_a_page_event(project: Project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764500000")
    # A hook that numbers the pages as it sees them: in worker processes, each would count on its own.
    (project.root / "hooks.py").write_text(
        "seen = []\n\ndef on_post_page(output, page, config):\n"
        "    seen.append(page.file.src_uri)\n    return output + f'<!-- page {len(seen)} -->'\n",
        encoding="utf-8",
    )
    config = project.root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "hooks:\n  - hooks.py\n", encoding="utf-8")
    assert mkdocs_build(project, sys.maxsize).returncode == 0
    one_by_one = project.snapshot("site")
    result = mkdocs_build(project, 1)
    assert result.returncode == 0, result.stderr
    pages = [data.decode() for rel, data in one_by_one.items() if rel.endswith(".html") and rel != "404.html"]
    numbers = sorted(int(re.search(r"</html>\n?<!-- page (\d+) -->$", page).group(1)) for page in pages)
    assert numbers == list(range(1, len(pages) + 1)) and len(pages) > 30
    assert project.snapshot("site") == one_by_one
    assert "rendered in worker processes" in result.stderr  # the Markdown still is
    assert not BUILT.search(result.stderr)


@EVERY_CORE
def test_a_dirty_build_renders_in_workers_only_the_pages_it_rebuilds(project: Project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764500000")
    assert mkdocs_build(project, sys.maxsize).returncode == 0
    pages = len([rel for rel in project.snapshot("build/docs") if rel.endswith(".md")])
    shutil.copytree(project.root / "site", project.root / "site-b")  # the times kept: --dirty compares them
    mnist = project.root / "content" / "datasets" / "mnist.yaml"
    mnist.write_text(mnist.read_text(encoding="utf-8").replace("Handwritten digits.", "Digits, edited."), encoding="utf-8")
    # MkDocs warns of every dirty build, which strict (mkdocs.yml) would count.
    one_by_one = mkdocs_build(project, sys.maxsize, "--dirty", "--no-strict")
    assert one_by_one.returncode == 0, one_by_one.stderr
    in_workers = mkdocs_build(project, 1, "--dirty", "--no-strict", "--site-dir", "site-b")
    assert in_workers.returncode == 0, in_workers.stderr
    done = re.search(r"knowledgebase: (\d+) pages' Markdown rendered in worker processes", in_workers.stderr)
    assert done and 0 < int(done.group(1)) < pages
    assert "Digits, edited." in project.snapshot("site-b")["datasets/mnist/index.html"].decode()
    assert project.snapshot("site-b") == project.snapshot("site")


@EVERY_CORE
def test_what_mkdocs_warns_of_a_page_rendered_in_a_worker_is_said_once_and_fails_a_strict_build(project: Project):
    assert project.kb("build").returncode == 0
    # A page placed by hand, with a link to no page and one to an anchor no page has.
    (project.root / "build" / "docs" / "notes.md").write_text(
        "# Notes\n\nSee [nowhere](nowhere.md) and [a heading](definitions/index.md#no-such-heading).\n", encoding="utf-8"
    )
    outputs = [mkdocs_build(project, parallel_from) for parallel_from in (sys.maxsize, 1)]
    for result in outputs:
        assert result.returncode == 1  # strict: true in mkdocs.yml
        said = warnings(result.stderr)
        assert len([line for line in said if "'nowhere.md'" in line]) == 1
        assert len([line for line in said if "no-such-heading" in line]) == 1
        assert "Aborted with" in result.stdout + result.stderr
    assert "rendered in worker processes" in outputs[1].stderr
    assert warnings(outputs[0].stderr) == warnings(outputs[1].stderr)


@pytest.mark.parametrize("absolute", ["warn", "relative_to_docs"])
def test_pages_made_ahead_have_the_titles_mkdocs_nav_gives_them(project: Project, monkeypatch, absolute: str):
    monkeypatch.setattr(prerender, "PARALLEL_FROM", 1)
    monkeypatch.setattr(prerender, "can_fork", lambda: True)  # whatever threads the test process has
    assert project.kb("build").returncode == 0
    settings = project.root / "mkdocs.yml"
    text = settings.read_text(encoding="utf-8")
    assert "\n  absolute_links: warn\n" in text
    settings.write_text(text.replace("\n  absolute_links: warn\n", f"\n  absolute_links: {absolute}\n"), encoding="utf-8")
    config = load_config(str(settings))
    # Beyond mkdocs.yml's nav: a file named twice (first bare, then with a title), and a page named
    # by an absolute path (the docs folder's, where validation.absolute_links says relative_to_docs).
    config.nav = [
        *config.nav,
        {"Twice": ["definitions/index.md", {"Again": "topics/index.md"}]},
        {"Rooted": "/glossary/open-weights.md"},
    ]

    def navigation(ahead: bool) -> dict[str, object]:
        from mkdocs.structure.files import get_files

        files = Files([*get_files(config), File("extra.md", "/nowhere", config.site_dir, True)])
        made = prerender.make_pages(files, config) if ahead else 0
        assert made == (len(files.documentation_pages()) if ahead else 0)
        nav = get_navigation(files, config)
        assert all(isinstance(page, prerender.PrerenderedPage) == ahead for page in nav.pages)
        return {page.file.src_uri: vars(page).get("title") for page in nav.pages}

    titles = navigation(ahead=False)
    assert titles["index.md"] == "Home" and titles["timeline.md"] == "Timeline"
    assert titles.get("glossary/open-weights.md") == ("Rooted" if absolute == "relative_to_docs" else None)
    assert navigation(ahead=True) == titles


def test_pages_are_left_to_mkdocs_where_a_plugin_adds_an_extension_object(project: Project, monkeypatch):
    from markdown.extensions.toc import TocExtension
    from mkdocs.structure.files import get_files

    monkeypatch.setattr(prerender, "PARALLEL_FROM", 1)
    monkeypatch.setattr(prerender, "can_fork", lambda: True)  # whatever threads the test process has
    assert project.kb("build").returncode == 0
    config = load_config(str(project.root / "mkdocs.yml"))
    assert prerender.make_pages(get_files(config), config) > 30
    # As a plugin's on_config may add it: an object that may keep what it sees of every page.
    config.markdown_extensions.append(TocExtension())
    files = get_files(config)
    assert prerender.make_pages(files, config) == 0
    assert all(file.page is None for file in files)
