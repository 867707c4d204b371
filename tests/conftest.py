"""Shared fixtures: a small but complete knowledge base copied into a temporary project."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"
BIN = Path(sys.executable).parent
#: A contributor's git identity, and no configuration of the machine's, for commits in tests.
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "A Contributor",
    "GIT_AUTHOR_EMAIL": "contributor@example.org",
    "GIT_COMMITTER_NAME": "A Contributor",
    "GIT_COMMITTER_EMAIL": "contributor@example.org",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": "/dev/null",
}


class Project:
    """A knowledge base in a temporary folder, driven through the real commands."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, rel: str, text: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    def run(self, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}
        command = [str(BIN / args[0]), *args[1:]] if (BIN / args[0]).exists() else list(args)
        result = subprocess.run(command, cwd=self.root, env=env, capture_output=True, text=True, timeout=600)
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result

    def kb(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run("kb", *args)

    def mkdocs_build(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run("mkdocs", "build", "--strict", *args)

    def site(self, rel: str) -> str:
        return (self.root / "site" / rel).read_text(encoding="utf-8")

    def snapshot(self, folder: str = "site") -> dict[str, bytes]:
        base = self.root / folder
        return {p.relative_to(base).as_posix(): p.read_bytes() for p in sorted(base.rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A copy of tests/fixtures/mini: every entry type, every kind of link."""
    return _copy_mini(tmp_path / "kb")


@pytest.fixture(scope="session")
def built_mini(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The mini knowledge base built once with ``mkdocs build --strict``, for read-only checks."""
    project = _copy_mini(tmp_path_factory.mktemp("built") / "kb")
    project.run("mkdocs", "build", "--strict", check=True)
    return project


def config_line(start: str) -> int:
    """The line of the repository's mkdocs.yml that starts with ``start``: tests of messages at a
    setting follow mkdocs.yml as it changes instead of counting its lines."""
    lines = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if line.startswith(start))


#: Where the settings that tests edit stand in mkdocs.yml (the plugin's options go on the line
#: after ``  - knowledgebase``).
DOCS_LINE, SITE_LINE, PLUGIN_LINE = config_line("docs_dir:"), config_line("site_dir:"), config_line("  - knowledgebase") + 1


def _copy_mini(root: Path) -> Project:
    shutil.copytree(MINI, root, ignore=shutil.ignore_patterns("build", "site"))
    # The real site configuration and theme overrides, so the tests build what readers get.
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "overrides", root / "overrides")
    # As in a fresh clone: the generated docs folder exists, empty (see .gitignore).
    (root / "build" / "docs").mkdir(parents=True)
    (root / "build" / "docs" / ".gitkeep").touch()
    return Project(root)


def set_site_fields(config: Path, site_url: str | None = None, repo_url: str | None = None) -> None:
    """Give mkdocs.yml a site_url (and repo_url) of its own, in place of the deployment's !ENV ones
    (a second site_url key would not do: YAML keeps the last)."""
    text = config.read_text(encoding="utf-8")
    for key, value in (("site_url", site_url), ("repo_url", repo_url)):
        if value is not None:
            line = f"{key}: !ENV [KB_{key.upper()}, null]"
            assert line in text, f"{config} has no {line!r}"
            text = text.replace(line, f"{key}: {value}")
    config.write_text(text, encoding="utf-8")


def copy_repo(root: Path) -> Project:
    """The real knowledge base (content, bibliography, configuration, overrides) in ``root``."""
    for name in ("content", "bibliography", "overrides"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    (root / "build" / "docs").mkdir(parents=True)
    return Project(root)


@pytest.fixture(scope="session")
def built_repo(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The repository's own knowledge base built once with ``mkdocs build --strict``."""
    project = copy_repo(tmp_path_factory.mktemp("repo") / "kb")
    project.run("mkdocs", "build", "--strict", check=True)
    return project


def wait_for(predicate: Callable[[], object], timeout: float = 90) -> bool:
    """Whether ``predicate()`` became true within ``timeout`` seconds (asked twice a second)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


@contextlib.contextmanager
def mkdocs_serve(project: Project, *options: str) -> Iterator[tuple[str, Path]]:
    """``mkdocs serve --livereload`` on ``project`` at a free port: yields its URL and its log file."""
    from benchmarks.run import free_port  # the harness times the same server

    port = free_port()
    log = project.root / "serve.log"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    with open(log, "w") as out:
        server = subprocess.Popen(
            [str(BIN / "mkdocs"), "serve", "--livereload", "--dev-addr", f"127.0.0.1:{port}", *options],
            cwd=project.root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield f"http://127.0.0.1:{port}/", log
    finally:
        server.terminate()
        server.wait(timeout=30)
