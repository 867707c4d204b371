"""`make serve` rebuilds only what changed (`mkdocs serve --dirty`), and serves what a clean build makes.

Edits are made in a served copy of the mini knowledge base (a summary, a title other pages link
to, a new tagged entry linking to another, a deleted entry); once each shows, the folder MkDocs
serves from (a temporary site_dir) is compared with a clean `mkdocs build` of the same sources:
every file the same but for the build's own timestamps.
"""

from __future__ import annotations

import dataclasses
import difflib
import gzip
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from benchmarks.run import fetch, free_port, make_serve_args  # the harness times the same rebuild

from kbtest import set_site_fields, wait_for
from knowledgebase import pipeline, workers
from knowledgebase.cite import record as citation_records
from knowledgebase.render.reuse import RECORDS_FILE, STATE_FILE, Reuse
from knowledgebase.settings import Settings


def served_command() -> list[str]:
    """`make serve`'s mkdocs command line, less its address."""
    return [str(Path(sys.executable).parent / "mkdocs"), "serve", *make_serve_args()]


def snapshot(site: Path) -> dict[str, bytes]:
    files = {}
    for path in sorted(site.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)  # the gzip header holds the build time
            files[path.relative_to(site).as_posix()] = data
    return files


def diff(a: bytes, b: bytes) -> str:
    return "".join(list(difflib.unified_diff(a.decode().splitlines(True), b.decode().splitlines(True), n=1))[:30])


#: `mkdocs serve` with every page of its first build rendered in worker processes (prerender.py).
SERVE_IN_WORKERS = (
    "import sys; from knowledgebase import prerender; prerender.PARALLEL_FROM = 1; "
    "from mkdocs.__main__ import cli; cli(['serve', *sys.argv[1:]])"
)


@pytest.mark.parametrize(
    "first_build",
    [
        "page by page",
        pytest.param(
            "in workers",
            marks=pytest.mark.skipif(sys.platform != "linux" or workers.cores() < 2, reason="workers are forked, one per core"),
        ),
    ],
)
def test_dirty_preview_serves_what_a_clean_build_makes(project, tmp_path, first_build):
    assert "--dirty" in served_command()
    command = served_command()
    if first_build == "in workers":
        command = [sys.executable, "-c", SERVE_IN_WORKERS, *command[2:]]
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    temporary = tmp_path / "tmp"  # where mkdocs serve makes its site_dir, so the test can find it
    temporary.mkdir()
    log = project.root / "serve.log"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "TMPDIR": str(temporary)}
    with open(log, "w") as out:
        server = subprocess.Popen(
            [*command, "--dev-addr", f"127.0.0.1:{port}"],
            cwd=project.root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )

    def built() -> int:
        """Finished builds. Not "Documentation built": MkDocs' build logger drops a repeated line."""
        text = log.read_text()
        return text.count("Reloading browsers") + ("Serving on" in text)

    def edit(rel: str, old: str, new: str) -> None:
        path = project.root / rel
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new))

    def shows(page: str, text: str, builds: int) -> None:
        """Wait until ``page`` shows ``text`` (or, with text "", is gone) and the build has finished."""

        def done() -> bool:
            html = fetch(url + page)
            return (text in (html or "") if text else html is None) and built() > builds

        assert wait_for(done, timeout=120), log.read_text()[-3000:]

    clean = tmp_path / "clean"

    def same_as_a_clean_build() -> dict[str, bytes]:
        """The served site, once checked to be a clean build's of the same sources, file for file."""
        shutil.rmtree(clean, ignore_errors=True)
        # mkdocs serve sets site_url to the address it serves at (canonical links, sitemap).
        (project.root / "clean.yml").write_text(f"INHERIT: mkdocs.yml\nsite_url: {url}\n")
        subprocess.run(
            [str(Path(sys.executable).parent / "mkdocs"), "build", "--strict", "-f", "clean.yml", "--site-dir", str(clean)],
            cwd=project.root,
            env=env,
            check=True,
            capture_output=True,
        )
        expected, got = snapshot(clean), snapshot(served)
        # What `mkdocs build` lists of what it wrote, so that the next build empties nothing else;
        # `mkdocs serve` builds into a new temporary folder of its own and keeps no such list.
        expected.pop(".kb-build.json")
        assert sorted(got) == sorted(expected)
        different = [rel for rel in expected if got[rel] != expected[rel]]
        assert different == [], [(rel, diff(expected[rel], got[rel])) for rel in different[:3]]
        return got

    try:
        assert wait_for(lambda: built() == 1, timeout=120), log.read_text()[-3000:]
        served = next(temporary.glob("mkdocs_*"))

        builds = built()
        edit("content/datasets/mnist.yaml", "Handwritten digits.", "Handwritten digits, edited while serving.")
        shows("datasets/mnist/", "edited while serving", builds)

        # A tagged entry's summary: the tags page lists no summary, so it is not rebuilt, and the
        # entry's page, rebuilt, still links each of its tags to it.
        tags_page = served / "tags" / "index.html"
        listed = tags_page.stat().st_mtime_ns
        builds = built()
        edit("content/definitions/osaid-1-0.yaml", "The OSI's definition of open source AI.", "The OSI's definition, edited.")
        shows("definitions/osaid-1-0/", "definition, edited", builds)
        assert tags_page.stat().st_mtime_ns == listed
        assert 'href="../../tags/#tag:definitions"' in same_as_a_clean_build()["definitions/osaid-1-0/index.html"].decode()

        builds = built()
        edit("content/organisations/osi.yaml", "title: Open Source Initiative", "title: Open Source Initiative (renamed)")
        shows("organisations/osi/", "Open Source Initiative (renamed)", builds)

        builds = built()
        (project.root / "content/datasets/laion.yaml").write_text(
            "title: LAION\nmodality: images\nsummary: Image and text pairs, like [[mnist]] but larger.\n"
            "tags: [images, brand-new-tag]\nrelated: [mnist]\nsources: [explainer]\n"
        )
        shows("datasets/laion/", "Image and text pairs", builds)

        builds = built()
        (project.root / "content/datasets/common-crawl.yaml").unlink()
        shows("datasets/common-crawl/", "", builds)
        time.sleep(1)  # the page is gone once the build has begun deleting: let it end

        # Bad sources: the last good site is served with the errors on every page, then without.
        builds = built()
        edit("content/datasets/mnist.yaml", "modality: handwriting", "modality: smells")
        assert wait_for(lambda: "serving the last good site" in log.read_text() and built() > builds, timeout=120)
        builds = built()
        edit("content/datasets/mnist.yaml", "modality: smells", "modality: handwriting")
        assert wait_for(lambda: built() > builds, timeout=120), log.read_text()[-3000:]

        # The configuration is on every page (the site's name): every page is rebuilt.
        builds = built()
        edit("mkdocs.yml", "site_name: Open Source AI Knowledge Base", "site_name: Renamed Knowledge Base")
        shows("datasets/mnist/", "Renamed Knowledge Base", builds)

        got = same_as_a_clean_build()
        # The edits are in it: the renamed title on the pages that link to it, the new tag listed.
        linking = [rel for rel, data in got.items() if rel.endswith(".html") and b"Open Source Initiative (renamed)" in data]
        assert len(set(linking) - {"organisations/osi/index.html"}) >= 2, linking
        assert "brand-new-tag" in got["tags/index.html"].decode()
        assert "datasets/laion/" in got["search/search_index.json"].decode()
        assert "common-crawl" not in got["search/search_index.json"].decode()
        # Only the first build: the rebuilds run beside the server's threads, where forking is unsafe.
        assert log.read_text().count("rendered in worker processes") == (first_build == "in workers")
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_preview_renders_again_only_the_pages_an_edit_changes(project):
    """`kb build` as the preview runs it (keeping the entry pages an edit leaves as they were)
    writes, edit after edit, the very docs folder a clean `kb build` of the same sources writes."""
    set_site_fields(project.root / "mkdocs.yml", "https://example.org/kb/", "https://github.com/example/kb")  # as deployed
    settings = Settings.from_mkdocs_yml(project.root / "mkdocs.yml")
    clean = dataclasses.replace(settings, docs_dir=project.root / "build" / "clean")
    reuse = Reuse(remember=True)  # as the preview keeps it (plugin.py)
    assert pipeline.build(settings, reuse).ok
    assert reuse.rendered == len(pipeline.load(settings).graph.entries)

    def edit(rel: str, old: str, new: str) -> None:
        path = project.root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, rel
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    edits = {
        "a summary": lambda: edit("content/datasets/mnist.yaml", "Handwritten digits.", "Handwritten digits, edited."),
        "a title other pages link to": lambda: edit(
            "content/organisations/osi.yaml", "title: Open Source Initiative", "title: Open Source Initiative (renamed)"
        ),
        "a paper's title, in BibTeX": lambda: edit("bibliography/works.bib", "actually closed", "actually quite closed"),
        # The records after it move down a line, and each one's "Edit" link points at its line.
        "a BibTeX record a line longer": lambda: edit("bibliography/works.bib", " in AI. See", " in AI.\n    See"),
        "a new link": lambda: edit("content/datasets/mnist.yaml", "Handwritten digits, edited.", "Digits; see [[moshi]]."),
        # The glossary's index lists what refers to each term.
        "a link to a glossary term": lambda: edit("content/datasets/mnist.yaml", "see [[moshi]].", "see [[moshi]], [[osaid]]."),
        # A recommendation puts what it links to in its stakeholder's guide, which every index shows.
        "a recommendation's link": lambda: edit(
            "content/recommendations/use-secure-practices.yaml", "is built.", "is built, as [[mnist]] was."
        ),
        # The guides' order is the order of every index's stakeholder filter.
        "the guides' order": lambda: edit("content/stakeholders/policymakers.yaml", "order: 1", "order: 3"),
        "a summary after it": lambda: edit("content/datasets/mnist.yaml", "Digits; see", "Handwritten digits; see"),
        "a glossary term's definition": lambda: edit("content/glossary/open-weights.yaml", "anyone may", "anyone can"),
        "provenance": lambda: edit("content/sources/ai-overview.yaml", "provenance: ai-generated\n", ""),
        "a glossary term the definitions treat differently": lambda: edit(
            "content/glossary/open-weights.yaml", "sources: [reading-list]\n", "sources: [reading-list]\ncomponent: data\n"
        ),
        # Its page compares the definitions, each with the titles of its sources: two links away.
        "the title of a source the definitions name": lambda: edit(
            "content/sources/explainer.yaml", "title: Open source AI explainer", "title: Open source AI explained"
        ),
        "a new entry": lambda: project.write(
            "content/datasets/laion.yaml",
            "title: LAION\nmodality: images\nsummary: Image and text pairs, like [[mnist]].\nrelated: [mnist]\n"
            "sources: [explainer]\n",
        ),
        "a deleted entry": lambda: (project.root / "content/datasets/common-crawl.yaml").unlink(),
    }
    rendered, sections = {}, {}
    for name, make in edits.items():
        make()
        loaded = pipeline.build(settings, reuse)
        assert loaded.ok, name
        rendered[name] = reuse.rendered / len(loaded.graph.entries)  # the share of entry pages rendered again
        sections[name] = reuse.lists_kept  # the section indexes not rendered again
        shutil.rmtree(clean.docs_dir, ignore_errors=True)  # a build from nothing: no page kept
        assert pipeline.build(clean, None).ok, name
        expected, got = project.snapshot("build/clean"), project.snapshot("build/docs")
        for files in (expected, got):
            files.pop(".kb-build.json")  # the folder's own list of what it holds
            files.pop(STATE_FILE)  # what the folder was built from, its settings (and so its own path) among them
            files.pop(".gitkeep", None)
        assert sorted(got) == sorted(expected), name
        different = [rel for rel in expected if got[rel] != expected[rel]]
        assert different == [], (name, [(rel, diff(expected[rel], got[rel])) for rel in different[:3]])
    # An edit that reaches only an entry and its neighbours renders only their pages again; one
    # that may reach any page, all of them.
    assert rendered["a summary"] < 0.5 and rendered["a title other pages link to"] < 1, rendered
    assert rendered["a glossary term's definition"] == rendered["provenance"] == rendered["a new entry"] == 1, rendered
    # A summary reaches its own section's index only; a title, a link or the guides, every index.
    for name in ("a summary", "a summary after it"):
        assert "datasets/index.md" not in sections[name] and {"papers/index.md", "glossary/index.md"} <= sections[name], name
    for name in (
        "a title other pages link to",
        "a new link",
        "a link to a glossary term",
        "a recommendation's link",
        "the guides' order",
    ):
        assert sections[name] == set(), name


def test_a_new_build_starts_from_what_the_last_one_stored(project, monkeypatch):
    """`kb build` and `mkdocs build` (a new process each: a new Reuse) render again only what an edit
    reaches, from the state the last build stored in the docs folder; a page changed in the docs
    folder, a damaged state file or other code makes them render it, or everything, again. The docs
    folder is always the one a build from nothing writes."""
    settings = Settings.from_mkdocs_yml(project.root / "mkdocs.yml")
    clean = dataclasses.replace(settings, docs_dir=project.root / "build" / "clean")
    state = settings.docs_dir / STATE_FILE

    last: list[Reuse] = []

    def built() -> float:
        """A build as a new process makes it: the share of entry pages it rendered again."""
        reuse = Reuse()
        last[:] = [reuse]
        loaded = pipeline.build(settings, reuse)
        assert loaded.ok
        shutil.rmtree(clean.docs_dir, ignore_errors=True)
        assert pipeline.build(clean).ok
        expected, got = project.snapshot("build/clean"), project.snapshot("build/docs")
        for files in (expected, got):
            for own in (".kb-build.json", STATE_FILE, ".gitkeep"):
                files.pop(own, None)
        assert got == expected
        return reuse.rendered / len(loaded.graph.entries)

    assert built() == 1  # nothing stored yet
    assert built() == 0  # nothing changed
    # The citation records too are the last build's, read from its records file, not made again
    # (only the clean build in built() makes them); one the build did not write is not trusted.
    made: list[str] = []
    make = citation_records.record
    monkeypatch.setattr(citation_records, "record", lambda entry, *rest: made.append(entry.id) or make(entry, *rest))
    assert built() == 0
    entries = len(pipeline.load(settings).graph.entries)
    assert len(made) == entries  # the clean build's
    records = settings.docs_dir / RECORDS_FILE
    title = b'"title":"MNIST"'  # in the page's CSL-JSON download, datasets/mnist/page.csl.json
    assert title in gzip.decompress(records.read_bytes())
    records.write_bytes(gzip.compress(gzip.decompress(records.read_bytes()).replace(title, b'"title":"Tampered"')))
    made.clear()
    assert built() == 0  # the pages are still the last build's; the records made again, and right
    assert len(made) == 2 * entries
    path = project.root / "content/datasets/mnist.yaml"
    path.write_text(path.read_text().replace("Handwritten digits.", "Handwritten digits, edited."))
    assert 0 < built() < 0.5
    assert "papers/index.md" in last[0].lists_kept and "datasets/index.md" not in last[0].lists_kept
    # A page edited by hand in the docs folder is not the page the last build wrote: rendered again.
    page = settings.docs_dir / "datasets" / "mnist.md"
    page.write_text(page.read_text().replace("edited", "tampered"))
    index = settings.docs_dir / "papers" / "index.md"
    index.write_text(index.read_text().replace("Papers", "Tampered", 1))
    assert 0 < built() < 0.5
    assert "tampered" not in page.read_text() and "Tampered" not in index.read_text()
    assert "papers/index.md" not in last[0].lists_kept
    # A state file cut short, or not JSON: none at all.
    for damaged in (state.read_bytes()[:100], b"\xff\xfe", b"[]", b'{"made-by": 1}'):
        state.write_bytes(damaged)
        assert built() == 1
    # Other code (this package, a library, Python): everything again.
    monkeypatch.setattr("knowledgebase.render.reuse._made_by", lambda version: "other code")
    assert built() == 1
    assert built() == 0
    # Within one process too (mkdocs serve keeps its Reuse): a template of this package edited
    # while it runs renders everything again.
    serving = Reuse(remember=True)
    assert pipeline.build(settings, serving).ok and serving.rendered == 0
    monkeypatch.setattr("knowledgebase.render.reuse._made_by", lambda version: "a template edited")
    loaded = pipeline.build(settings, serving)
    assert loaded.ok and serving.rendered == len(loaded.graph.entries)
