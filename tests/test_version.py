"""Each entry's history and "Cite this version", on a copy of the knowledge base with a real git
history (test_published's two commits a year apart, built as the deployment builds it), read
back by pandoc and pybtex; and a shallow clone, which says the history is not available."""

from __future__ import annotations

import json
import os
import re
import subprocess
from html import unescape
from pathlib import Path

from kbtest import BIN, FIRST, REPO_URL, SECOND, Project, Published, citeproc, git, needs_pandoc, read_page


def rev(root: Path, name: str) -> str:
    return subprocess.run(["git", "rev-parse", name], cwd=root, capture_output=True, text=True, check=True).stdout.strip()


def history(html: str) -> list[tuple[str, str, str]]:
    """(date, subject, commit link) of each change the page lists, newest first."""
    section = re.search(r'<section[^>]*aria-labelledby="kb-history">.*?</section>', html, re.S)
    assert section, "the page has no history"
    items = re.findall(r"<li>(.*?)</li>", section.group(), re.S)
    found = []
    for item in items:
        date = re.search(r'<time datetime="([^"]+)"', item).group(1)
        subject = unescape(re.sub(r"<[^>]+>", "", item.split("·")[1])).strip()
        link = re.search(r'href="([^"]+)"', item)
        found.append((date, subject, unescape(link.group(1)) if link else ""))
    return found


def test_each_entry_lists_the_changes_to_its_own_source(published: Published):
    first, second = rev(published.root, "HEAD~1"), rev(published.root, "HEAD")
    older = (FIRST[:10], "The knowledge base", f"{REPO_URL}/commit/{first}")
    newer = (SECOND[:10], "Reword two entries", f"{REPO_URL}/commit/{second}")
    assert history(published.html(published.changed)) == [newer, older]
    assert history(published.html(published.unchanged)) == [older]
    assert history(published.html(published.changed_work)) == [newer, older]  # a BibTeX record: by its lines
    assert history(published.html(published.unchanged_work)) == [older]


def test_cite_this_version_gives_the_commit_and_the_source_at_it(published: Published):
    second, first = rev(published.root, "HEAD"), rev(published.root, "HEAD~1")
    for entry_id, sha in ((published.changed, second), (published.unchanged, first), (published.changed_work, second)):
        path, line = published.source[entry_id]
        source = f"{REPO_URL}/blob/{sha}/{path}" + (f"#L{line}" if path.endswith(".bib") else "")
        [item] = json.loads((published.page(entry_id).parent / "version.csl.json").read_text(encoding="utf-8"))
        assert item["version"] == sha[:7] and item["URL"] == source and item["id"] == f"kb-{entry_id}-{sha[:7]}"
        when = SECOND if sha == second else FIRST
        assert item["issued"] == {"date-parts": [[int(when[:4]), int(when[5:7]), int(when[8:10])]]}
        html = published.html(entry_id)
        section = re.search(r'aria-labelledby="kb-cite-version">.*?</section>', html, re.S).group()
        apa = unescape(re.sub(r"<[^>]+>", "", re.search(r'<p class="kb-cite__reference">(.*?)</p>', section, re.S).group(1)))
        assert f"[Version {sha[:7]}]" in apa and apa.endswith(source)
        assert f"version = {{{sha[:7]}}}" in unescape(section) and f"commit {sha}" in unescape(section)


@needs_pandoc
def test_pandoc_and_pybtex_read_the_versioned_citations(published: Published):
    from pybtex import errors
    from pybtex.database import parse_string

    sha = rev(published.root, "HEAD")
    entry_id = published.changed_work
    path, line = published.source[entry_id]
    source = f"{REPO_URL}/blob/{sha}/{path}#L{line}"
    bibtex = [code for code in read_page(published.page(entry_id)).code if f"kb-{entry_id}-{sha[:7]}" in code][0]
    errors.set_strict_mode(True)
    try:
        [(key, entry)] = parse_string(bibtex, "bibtex").entries.items()
    finally:
        errors.set_strict_mode(False)
    assert key == f"kb-{entry_id}-{sha[:7]}" and entry.fields["version"] == sha[:7] and entry.fields["url"] == source
    result = subprocess.run(["pandoc", "-f", "bibtex", "-t", "csljson"], input=bibtex, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    [item] = json.loads(result.stdout)
    assert item["version"] == sha[:7] and item["URL"] == source
    csl = published.page(entry_id).parent / "version.csl.json"
    result = citeproc(csl)
    assert result.returncode == 0 and source in result.stdout and not result.stderr, result.stdout + result.stderr


def test_a_shallow_clone_says_the_history_is_not_available(project: Project, tmp_path: Path):
    origin = project.root
    git(origin, "init", "-q", "-b", "main")
    git(origin, "add", "content", "bibliography", "mkdocs.yml", "overrides")
    git(origin, "commit", "-q", "-m", "first", when=FIRST)
    path = origin / "content" / "datasets" / "mnist.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("summary: ", "summary: Reviewed. ", 1), encoding="utf-8")
    git(origin, "commit", "-q", "-am", "reword mnist", when=SECOND)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{origin}", str(clone))
    (clone / "build" / "docs").mkdir(parents=True)
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1749283750"}
    result = subprocess.run(
        [str(BIN / "mkdocs"), "build", "--strict"], cwd=clone, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr
    for page in ("datasets/mnist", "datasets/common-crawl", "papers/widder2024why"):
        html = (clone / "site" / page / "index.html").read_text(encoding="utf-8")
        assert "History not available: this build's copy of the repository is a shallow clone" in html, page
        assert 'id="kb-cite-version"' not in html and not (clone / "site" / page / "version.csl.json").exists()
