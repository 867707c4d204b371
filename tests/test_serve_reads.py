"""`mkdocs serve` reads every source for every rebuild; what a file read to is kept while its bytes
stay the same (sources/reader.py ``keep_reads``): an edit is read, a finding is reported every time."""

from __future__ import annotations

import pytest

from kbtest import Project
from knowledgebase.diagnostics import Diagnostics
from knowledgebase.pipeline import read
from knowledgebase.settings import Settings
from knowledgebase.sources import reader


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the YAML and BibTeX readers parse, in order."""
    parsed: list[str] = []
    for name in ("read_yaml", "read_bibtex"):
        real = getattr(reader, name)

        def counted(path, display, *args, real=real):  # noqa: ANN001, ANN202 - the readers' own arguments
            parsed.append(display)
            return real(path, display, *args)

        monkeypatch.setattr(reader, name, counted)
    monkeypatch.setattr(reader, "_kept", reader._Kept())  # this test's own, whatever others did
    return parsed


def read_all(project: Project) -> tuple[dict[str, object], Diagnostics]:
    diagnostics = Diagnostics()
    raws = read(Settings.from_mkdocs_yml(project.root / "mkdocs.yml"), diagnostics)
    return {f"{raw.source.path}#{raw.id}": raw for raw in raws}, diagnostics


def test_each_read_parses_every_file_unless_serving(project: Project, reads: list[str]):
    first, _ = read_all(project)
    count = len(reads)
    assert count > 10
    read_all(project)
    assert len(reads) == 2 * count


def test_serving_parses_again_only_the_files_whose_bytes_changed(project: Project, reads: list[str]):
    reader.keep_reads()
    first, diagnostics = read_all(project)
    assert not diagnostics.errors
    reads.clear()
    again, _ = read_all(project)
    assert reads == [] and all(again[key] is first[key] for key in first)  # nothing parsed again

    # An edit of the same length (as fast as a contributor's save: the bytes tell, not the time).
    glossary = project.root / "content" / "glossary" / "open-weights.yaml"
    text = glossary.read_text(encoding="utf-8")
    edited = text.replace("title: open weights", "title: Open weights", 1)
    assert edited != text and len(edited) == len(text)
    glossary.write_text(edited, encoding="utf-8")
    reads.clear()
    after, _ = read_all(project)
    assert reads == ["content/glossary/open-weights.yaml"]
    [key] = [k for k in after if k.startswith("content/glossary/open-weights.yaml")]
    assert after[key].data["title"] == "Open weights"

    # A mistake is reported by every read; a deleted file is gone.
    glossary.write_text("term: [unclosed\n", encoding="utf-8")
    for _ in range(2):
        _, diagnostics = read_all(project)
        assert [d.path for d in diagnostics.errors] == ["content/glossary/open-weights.yaml"]
    glossary.unlink()
    after, _ = read_all(project)
    assert not any(k.startswith("content/glossary/open-weights.yaml") for k in after)
    assert not any(key[0].endswith("glossary/open-weights.yaml") for key in reader._kept.known)
    files = [*(project.root / "content").glob("*/*.yaml"), *(project.root / "bibliography").glob("*.bib")]
    assert len(reader._kept.known) == len(files)  # what every file still there read to, and nothing else
