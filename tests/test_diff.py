"""`kb diff BASE`: the change to the knowledge base, entry by entry, in a real git repository."""

from __future__ import annotations

import re

import pytest

from kbtest import Project, git

# Part of `make check`, the contributor's quick check (see the Makefile).
pytestmark = pytest.mark.quick


@pytest.fixture
def repo(project):
    git(project.root, "init", "-q", "-b", "main")
    git(project.root, "add", "-A")
    git(project.root, "commit", "-q", "-m", "base")
    return project


def section(output: str, title: str) -> str:
    match = re.search(rf"^### {re.escape(title)}\n(.*?)(?=^### |\Z)", output, re.S | re.M)
    return match.group(1) if match else ""


def test_no_change(repo):
    result = repo.kb("diff", "main")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("## Knowledge base changes against `main`")
    assert "No entries or links changed." in result.stdout


def test_added_removed_renamed_changed_and_links(repo):
    root = repo.root
    # Added: a podcast linking an existing entry.
    repo.write(
        "content/podcasts/new-episode.yaml",
        'title: A new episode\nshow: A show\nhosts: [A Host]\ndate: "2024-05-01"\nduration: "30:00"\n'
        "format: podcast\nurl: https://example.org/episode\nsummary: On [[osaid-1-0]].\nsources: [reading-list]\n",
    )
    # Removed: a data set nothing links to.
    (root / "content/datasets/common-crawl.yaml").unlink()
    # Renamed: open-weights becomes open-weight-models, keeping the old id as a redirect.
    old = (root / "content/glossary/open-weights.yaml").read_text()
    (root / "content/glossary/open-weights.yaml").unlink()
    repo.write("content/glossary/open-weight-models.yaml", old + "redirect_from: [open-weights]\n")
    # Changed: an enum, a list, and one word deep in a long text.
    moshi = root / "content/podcasts/moshi.yaml"
    moshi.write_text(
        moshi.read_text()
        .replace("format: video", "format: podcast-video")
        .replace("stakeholders: [developers]", "stakeholders: [developers, policymakers]")
    )
    bib = root / "bibliography/works.bib"
    bib.write_text(bib.read_text().replace("openness alone does not undo", "openness by itself does not undo"))

    result = repo.kb("diff", "main")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "**2 added, 2 removed, 2 changed**" in out, out

    added = section(out, "Added")
    assert "- Podcast or video `new-episode` — A new episode (`content/podcasts/new-episode.yaml`)" in added
    assert "`open-weight-models`" in added
    removed = section(out, "Removed")
    assert "Data set `common-crawl` — Common Crawl (`content/datasets/common-crawl.yaml`)" in removed
    assert "`open-weights` — open weights (`content/glossary/open-weights.yaml`) — renamed to `open-weight-models`" in removed

    changed = section(out, "Changed")
    assert "#### Podcast or video `moshi` — Moshi - An open source version of GPT-4o?" in changed
    assert "| `format` | video | podcast-video |" in changed
    assert "| `stakeholders` |  | added: policymakers |" in changed
    assert "#### Paper `widder2024why`" in changed
    summary = next(line for line in changed.splitlines() if line.startswith("| `summary`"))
    assert "openness alone does not undo" in summary and "openness by itself does not undo" in summary
    assert len(summary) < 250  # shortened around the change, not the whole text twice

    # The prose link [[open-weights]] in a recommendation now points nowhere.
    broken = section(out, "Broken links")
    assert (
        "- `content/recommendations/avoid-broad-restrictions.yaml`: `avoid-broad-restrictions` → `open-weights` (prose): no such entry"
        in broken
    )
    assert "`avoid-broad-restrictions` → `open-weights` (relies\\_on)" not in broken  # field names are code, not escaped text
    assert "`avoid-broad-restrictions` → `open-weights` (relies_on)" in broken
    new_links = section(out, "New links")
    assert "- `new-episode` → `osaid-1-0` (prose)" in new_links
    assert "- `moshi` → `policymakers` (stakeholders)" in new_links
    gone = section(out, "Links gone")
    assert "- `open-weights` → `osaid` (prose)" in gone
    assert "`kb validate` finds" in out  # the broken links are errors


def test_merge_base_shows_only_the_branch(repo):
    git(repo.root, "checkout", "-q", "-b", "feature")
    repo.write("content/organisations/new-org.yaml", "title: New Org\nkind: company\nsummary: A company.\nsources: [explainer]\n")
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-q", "-m", "feature")
    git(repo.root, "checkout", "-q", "main")
    repo.write(
        "content/organisations/main-only.yaml", "title: Main Only\nkind: company\nsummary: A company.\nsources: [explainer]\n"
    )
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-q", "-m", "main moves on")
    git(repo.root, "checkout", "-q", "feature")

    result = repo.kb("diff", "main")
    assert result.returncode == 0, result.stderr
    assert re.search(r"against `main \(merge base [0-9a-f]{10}\)`", result.stdout)
    assert "`new-org`" in section(result.stdout, "Added")
    assert "main-only" not in result.stdout  # main's own change is not the branch's doing
    direct = repo.kb("diff", "main", "--no-merge-base")
    assert "`main-only`" in section(direct.stdout, "Removed")


def test_untrusted_text_is_inert_in_the_report(repo):
    repo.write(
        "content/organisations/hostile.yaml",
        'title: "<script>alert(1)</script> | [x](javascript:alert(1)) `code` **bold**"\nkind: company\nsummary: x\nsources: [explainer]\n',
    )
    out = repo.kb("diff", "main").stdout
    line = next(line for line in out.splitlines() if "`hostile`" in line)
    assert "<script>" not in line and "&lt;script&gt;" in line
    assert "\\|" in line and "\\[x\\]" in line and "`code`" not in line and "\\*\\*bold\\*\\*" in line


def test_bad_revision_and_no_repository_are_usage_errors(repo, tmp_path):
    result = repo.kb("diff", "no-such-branch")
    assert result.returncode == 2
    assert "kb: error: 'no-such-branch' is not a commit here (in CI, check out with fetch-depth: 0)" in result.stderr
    assert "Traceback" not in result.stderr
    # A shallow clone has no history to compare with: the same clear message.
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo.root}", str(shallow))
    result = Project(shallow).kb("diff", "HEAD~1")
    assert result.returncode == 2 and "fetch-depth: 0" in result.stderr, result.stderr


def test_outside_a_repository(project):
    result = project.kb("diff", "main")
    assert result.returncode == 2
    assert "kb: error:" in result.stderr and "Traceback" not in result.stderr
