"""`mkdocs serve` rebuilds when a source changes, and settles instead of looping."""

from __future__ import annotations

from pathlib import Path

from benchmarks.run import fetch  # the harness times the same rebuild

from kbtest import mkdocs_serve, wait_for


def test_serve_rebuilds_on_yaml_and_bibtex_changes(project):
    with mkdocs_serve(project) as (url, log):
        check_rebuilds(project, url, log)


def check_rebuilds(project, url: str, log: Path) -> None:
    def builds() -> int:
        # Started builds: MkDocs' build logger drops a line it has logged before, so the same
        # "Documentation built in 0.47 seconds" twice would count once.
        return log.read_text().count("Building documentation")

    def settle() -> int:
        """The count of builds once it has stopped climbing for 8 s (a loop would keep it climbing)."""
        history = [builds()]

        def still() -> bool:
            history.append(builds())
            return len(history) > 16 and history[-1] == history[-16]

        assert wait_for(still, timeout=120), log.read_text()[-2000:]
        return history[-1]

    assert wait_for(lambda: fetch(url + "datasets/mnist/") is not None), log.read_text()
    before = settle()
    entry = project.root / "content/datasets/mnist.yaml"
    entry.write_text(entry.read_text().replace("Handwritten digits.", "Handwritten digits, edited while serving."))
    assert wait_for(lambda: "edited while serving" in (fetch(url + "datasets/mnist/") or "")), log.read_text()
    # One build per edit: the pages the build writes into docs_dir must not wake the watcher
    # for a second build (nor, since only changed pages are written, for a loop of them).
    assert settle() == before + 1, log.read_text()[-2000:]
    bib = project.root / "bibliography/works.bib"
    bib.write_text(bib.read_text().replace("Makes the case for AI", "Argues at length for AI"))
    assert wait_for(lambda: "Argues at length" in (fetch(url + "papers/case-for-public-ai/") or "")), log.read_text()
    assert settle() == before + 2, log.read_text()[-2000:]


def test_serve_starts_on_broken_sources(project):
    """A fresh clone whose sources are already broken: no site was ever built, yet the preview
    starts, answers, and its home page says what to fix; the first good build brings the site."""
    assert not (project.root / "build" / "docs" / "index.md").exists()
    project.write("content/glossary/broken.yaml", "title: x\n\tshort: y\n")
    with mkdocs_serve(project) as (url, log):
        assert wait_for(lambda: "kb-preview__list" in (fetch(url) or "")), log.read_text()
        assert "content/glossary/broken.yaml:2:1</code>: error: tab character" in fetch(url)
        assert "The server will appear stuck" not in log.read_text()
        project.write("content/glossary/broken.yaml", "title: x\nshort: y\naliases: []\nsources: [explainer]\n")
        assert wait_for(lambda: "Handwritten digits" in (fetch(url + "datasets/mnist/") or "")), log.read_text()
        assert "kb-preview" not in fetch(url)


def test_dirty_serve_shows_and_clears_the_banner(project):
    """With --dirty MkDocs renders only pages whose Markdown changed; the banner must still reach
    every page when an error appears, and leave every page when it is fixed."""
    untouched = ("", "papers/case-for-public-ai/")  # pages whose Markdown no edit below changes

    # --no-strict: in strict mode MkDocs counts its own "A 'dirty' build is being performed" warning.
    with mkdocs_serve(project, "--dirty", "--no-strict") as (url, log):

        def everywhere(wanted: bool) -> bool:
            return all(("kb-preview__list" in (fetch(url + page) or "")) == wanted for page in untouched)

        assert wait_for(lambda: fetch(url + "datasets/mnist/") is not None), log.read_text()
        mnist = project.root / "content/datasets/mnist.yaml"
        good = mnist.read_text()
        mnist.write_text(good.replace("sources: [explainer]", "sources: [explainer-typo]"))
        assert wait_for(lambda: everywhere(True)), log.read_text()[-2000:]
        assert "unknown id &#39;explainer-typo&#39;" in fetch(url)
        mnist.write_text(good.replace("Handwritten digits.", "Handwritten digits, fixed."))
        assert wait_for(lambda: "fixed." in (fetch(url + "datasets/mnist/") or "")), log.read_text()[-2000:]
        assert wait_for(lambda: everywhere(False)), log.read_text()[-2000:]


def test_a_build_warning_does_not_stop_the_preview(project):
    """mkdocs.yml is strict, and in strict mode MkDocs turns any warning into a failed build, after
    which its server waits for ever. A warning of ours (here: a file placed by hand in the docs
    folder, which the build leaves in place) must not stop the preview from showing the next edit."""
    with mkdocs_serve(project) as (url, log):
        assert wait_for(lambda: fetch(url + "datasets/mnist/") is not None), log.read_text()
        project.write("build/docs/notes.txt", "placed by hand\n")
        entry = project.root / "content/datasets/mnist.yaml"
        entry.write_text(entry.read_text().replace("Handwritten digits.", "Handwritten digits, still served."))
        assert wait_for(lambda: "still served" in (fetch(url + "datasets/mnist/") or "")), log.read_text()[-2000:]
        assert "build/docs/notes.txt: warning: was not written by the build" in log.read_text()
        assert "The server will appear stuck" not in log.read_text()
