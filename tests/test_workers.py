"""A build from nothing renders its entry pages, and finds the glossary words in them, on every
core (workers.py): the same pages as rendered one by one in the build's own process."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from kbtest import Project, generated_project, in_a_forked_child
from knowledgebase import workers
from knowledgebase.cite import apa
from knowledgebase.cite.record import citations
from knowledgebase.pipeline import load
from knowledgebase.render import entries
from knowledgebase.render import pages as rendering
from knowledgebase.settings import Settings


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return generated_project(tmp_path_factory.mktemp("generated") / "kb", 300)


@pytest.mark.skipif(sys.platform != "linux" or workers.cores() < 2, reason="worker processes are forked, one per core")
def test_entry_pages_rendered_on_every_core_are_those_rendered_one_by_one(
    generated: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764500000")
    loaded = load(Settings.from_mkdocs_yml(generated.root / "mkdocs.yml"))
    assert loaded.ok and len(loaded.graph.entries) == 300
    with apa.stored(None):
        records = citations(loaded.graph, loaded.settings, loaded.dates)
    log = tmp_path / "rendered-by.txt"
    real = rendering.Renderer.entry_page

    def logged(renderer: rendering.Renderer, job) -> str:  # noqa: ANN001 - the renderer's job
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"{os.getpid()} {job.path}\n")
        return real(renderer, job)

    monkeypatch.setattr(rendering.Renderer, "entry_page", logged)

    def rendered(parallel_from: int) -> tuple[dict[str, str], dict[str, int]]:
        log.write_text("", encoding="utf-8")
        monkeypatch.setattr(entries, "PARALLEL_FROM", parallel_from)
        texts, tooltips = rendering.render_site(loaded.graph, loaded.settings, records)
        # With the glossary definitions each page needs, as the build writes it.
        pages = {path: tooltips.page(text) for path, text in texts.items()}
        lines = [line.split(" ", 1) for line in log.read_text(encoding="utf-8").splitlines()]
        return pages, {path: int(pid) for pid, path in lines}

    one_by_one, here = rendered(sys.maxsize)
    assert set(here.values()) == {os.getpid()} and len(here) == 300

    # In a forked child, as the plugin builds (a process with one thread).
    pages, where, child = in_a_forked_child(lambda: (*rendered(10), os.getpid()))
    assert sorted(where) == sorted(here)  # every entry page rendered once
    by_child = [path for path, pid in where.items() if pid == child]
    types = {path.split("/")[0] for path in here}
    assert len(by_child) == len(types)  # the first page of each type, before the workers start
    assert os.getpid() not in where.values() and len(set(where.values()) - {child}) >= 1  # the rest in the child's workers
    assert pages == one_by_one  # every page with its glossary definitions, byte for byte, entry pages and the others
