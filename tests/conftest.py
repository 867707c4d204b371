"""The fixtures several test modules share; the helpers behind them are in kbtest.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kbtest import Project, copy_mini, copy_repo, link_server, local_only, organisation, published_copy
from knowledgebase.cite.record import citations
from knowledgebase.pipeline import load
from knowledgebase.render.pages import Renderer
from knowledgebase.settings import Settings


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A copy of tests/fixtures/mini: every entry type, every kind of link."""
    return copy_mini(tmp_path / "kb")


@pytest.fixture(scope="session")
def built_mini(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The mini knowledge base built once with ``mkdocs build --strict``, for read-only checks."""
    project = copy_mini(tmp_path_factory.mktemp("built") / "kb")
    project.run("mkdocs", "build", "--strict", check=True)
    return project


@pytest.fixture(scope="session")
def built_repo(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The repository's own knowledge base built once with ``mkdocs build --strict``."""
    project = copy_repo(tmp_path_factory.mktemp("repo") / "kb")
    project.run("mkdocs", "build", "--strict", check=True)
    return project


@pytest.fixture(scope="module")
def repo(built_repo: Project):  # noqa: ANN201 - (project, graph, renderer)
    """The built repository with its graph and renderer, to compare the pages with the data."""
    settings = Settings.from_mkdocs_yml(built_repo.root / "mkdocs.yml")
    loaded = load(settings)
    assert loaded.ok
    return built_repo, loaded.graph, Renderer(loaded.graph, settings, citations(loaded.graph, settings, loaded.dates))


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201 - kbtest.Published
    """The site as the deployment publishes it, from a copy with a history of its own (read only)."""
    return published_copy(tmp_path_factory.mktemp("published") / "repo")


@pytest.fixture
def server() -> Iterator[str]:
    """A local web server answering by path (kbtest.Handler): its address."""
    with link_server() as address:
        yield address


@pytest.fixture
def linked(project: Project, server: str) -> Project:
    """The mini knowledge base with every URL on the local server, and organisations at its dead ones."""
    local_only(project, server)
    organisation(project, "dead-org", f"{server}/missing")
    organisation(project, "gone-org", f"{server}/gone")
    organisation(project, "moved-org", f"{server}/moved")
    organisation(project, "moved-dead-org", f"{server}/moved-to-nowhere")
    organisation(project, "no-head-org", f"{server}/no-head")
    organisation(project, "slow-org", f"{server}/slow")
    organisation(project, "error-org", f"{server}/error")
    organisation(project, "refused-org", "http://127.0.0.1:9/nothing-listens-here")
    organisation(project, "prose-org", f"{server}/ok", summary=f"See [their report]({server}/missing?from=prose).")
    return project
