"""The ``kb`` command where a contributor runs it: from any folder of the project, in a git
checkout with files not yet added, and in the virtual environment `make` creates."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from kbtest import BIN, GIT_IDENTITY, git

TERM = "title: New term\nshort: A new term.\naliases: []\nsources: [explainer]\n"


def kb(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **GIT_IDENTITY, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([str(BIN / "kb"), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.quick  # part of `make check`
def test_kb_finds_the_project_from_a_subfolder(project):
    here = kb(project.root, "validate")
    assert here.returncode == 0 and "using the project" not in here.stderr, here.stderr
    below = kb(project.root / "content" / "glossary", "validate")
    assert below.returncode == 0, below.stderr
    assert below.stdout == here.stdout
    assert below.stderr.startswith(f"kb: using the project in {project.root} (paths below are relative to it)\n")
    # Paths stay relative to the project, and new entries go into its folders.
    new = kb(project.root / "content" / "podcasts", "new", "glossary", "new-term")
    assert new.returncode == 0 and "wrote content/glossary/new-term.yaml" in new.stdout, new.stderr
    assert (project.root / "content" / "glossary" / "new-term.yaml").is_file()
    broken = kb(project.root / "bibliography", "validate")
    assert broken.returncode == 1 and "\ncontent/glossary/new-term.yaml:" in broken.stderr


@pytest.mark.quick  # part of `make check`
def test_kb_outside_any_project(tmp_path):
    elsewhere = tmp_path / "not-a-project"
    elsewhere.mkdir()
    result = kb(elsewhere, "validate")
    assert result.returncode == 2
    assert f"kb: error: no mkdocs.yml in {elsewhere} or any folder above it" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.quick  # part of `make check`
def test_explicit_config_file(project, tmp_path):
    result = kb(tmp_path, "-f", str(project.root / "mkdocs.yml"), "validate")
    assert result.returncode == 0 and "using the project" not in result.stderr, result.stderr
    missing = kb(project.root, "-f", "nope.yml", "validate")
    assert missing.returncode == 2 and "kb: error: no such config file: nope.yml" in missing.stderr


@pytest.mark.quick  # part of `make check`
def test_validate_warns_about_sources_git_does_not_track(project):
    # Not a git repository: nothing to compare with, and nothing said.
    project.write("content/glossary/new-term.yaml", TERM)
    outside = kb(project.root, "validate")
    assert outside.returncode == 0 and "warning" not in outside.stderr, outside.stderr
    git(project.root, "init", "--quiet")
    git(project.root, "add", "-A")
    git(project.root, "commit", "--quiet", "-m", "start")
    assert "warning" not in kb(project.root, "validate").stderr
    project.write("content/glossary/newer-term.yaml", TERM)
    project.write(
        "bibliography/contributions.bib", "@misc{new2024work,\n  title = {A work},\n  year = {2024},\n  summary = {A.},\n}\n"
    )
    project.write("content/glossary/.new-term.yaml.swp", "editor state")  # not a source
    result = kb(project.root, "validate")
    assert result.returncode == 0, "a warning is not an error"
    assert result.stderr.splitlines() == [
        "bibliography/contributions.bib:1:1: warning: not tracked by git, so not part of your commit or pull request: "
        "git add bibliography/contributions.bib",
        "content/glossary/newer-term.yaml:1:1: warning: not tracked by git, so not part of your commit or pull request: "
        "git add content/glossary/newer-term.yaml",
        "2 warnings",
    ]
    annotations = kb(project.root, "validate", "--format", "github")
    assert "::warning file=content/glossary/newer-term.yaml,line=1,col=1::not tracked by git" in annotations.stdout
    git(project.root, "add", "content", "bibliography")
    assert "warning" not in kb(project.root, "validate").stderr


def test_activated_environment_quiets_the_mkdocs_banner(project):
    """`mkdocs build` typed in the environment `make` makes prints no end-of-life banner."""
    activate = BIN / "activate"
    if not activate.is_file() or "NO_MKDOCS_2_WARNING" not in activate.read_text(encoding="utf-8"):
        pytest.skip(f"{BIN.parent} was not made by this Makefile (make clean, then make)")
    env = {k: v for k, v in os.environ.items() if k not in ("NO_MKDOCS_2_WARNING", "VIRTUAL_ENV")}
    result = subprocess.run(
        ["bash", "-c", f". {activate} && mkdocs build --strict"], cwd=project.root, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "end of life" not in result.stdout + result.stderr
    bare = subprocess.run([str(BIN / "mkdocs"), "build", "--strict"], cwd=project.root, env=env, capture_output=True, text=True)
    assert "end of life" in bare.stderr, "the banner this guards against is gone: drop the test and the Makefile lines"
