"""`mkdocs build` reads the generated pages while its build child writes the docs folder
(handover.py): the files MkDocs is given are those its own walk of the written folder finds, and
the site is the one a build that waits for the folder makes."""

from __future__ import annotations

import errno
import logging
import multiprocessing
import os
import shutil
import threading

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort
from mkdocs.structure.files import File, Files, get_files

from kbtest import Project
from knowledgebase import handover, plugin
from knowledgebase.pipeline import build as kb_build
from knowledgebase.publish import output
from knowledgebase.settings import Settings


def test_the_files_handed_over_are_those_mkdocs_finds_in_the_written_folder(project: Project):
    docs = project.root / "build" / "docs"
    assert project.kb("build").returncode == 0
    # Files a build finds there and did not write: one placed by hand (left, with a warning), a
    # dotfile, a folder of its own; and a page the sources no longer make (deleted by the build).
    (docs / "notes.md").write_text("# Notes\n")
    (docs / ".editorconfig").write_text("root = true\n")
    (docs / "zz" / "deep").mkdir(parents=True)
    (docs / "zz" / "deep" / "index.md").write_text("# Deep\n")
    (project.root / "content" / "podcasts" / "moshi.yaml").unlink()
    handed: list[handover.Handover] = []
    loaded = kb_build(
        Settings.from_mkdocs_yml(project.root / "mkdocs.yml"), ready=lambda f, p: handed.append(handover.Handover.of(f, p))
    )
    assert loaded.ok and len(handed) == 1
    sent = handed[0]

    config = load_config(str(project.root / "mkdocs.yml"))
    walked = get_files(config)
    theme = File("assets/extra.css", "/theme", config.site_dir, config.use_directory_urls)
    planned = handover.planned_files(sent, Files([*walked, theme]), config)
    assert [f.src_uri for f in planned] == [f.src_uri for f in walked] + ["assets/extra.css"]  # in the walk's order
    assert [f.abs_src_path for f in planned][:-1] == [f.abs_src_path for f in walked]
    assert "podcasts/moshi.md" not in sent.paths and "notes.md" in sent.paths
    written = {f.src_uri: (docs / f.src_uri).read_bytes() for f in walked if f.src_uri.endswith(".md")}
    written.pop("notes.md"), written.pop("zz/deep/index.md")  # placed by hand: MkDocs reads them from the folder
    assert sent.pages == written  # every page the build wrote, as it wrote it


def test_a_site_built_from_the_pages_handed_over_is_the_one_built_from_the_folder(project: Project, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764500000")
    read: list[str] = []
    real = handover.source_text

    def counted(data: bytes) -> str:
        read.append(data.decode("utf-8")[:20])
        return real(data)

    monkeypatch.setattr(plugin, "source_text", counted)
    build(load_config(str(project.root / "mkdocs.yml"), strict=True))
    handed = project.snapshot("site"), project.snapshot("build/docs")
    pages = [rel for rel in handed[1] if rel.endswith(".md")]
    assert len(read) == len(pages) > 30  # every page read from what the child sent

    for folder in ("site", "build"):
        shutil.rmtree(project.root / folder)
    (project.root / "build" / "docs").mkdir(parents=True)
    (project.root / "build" / "docs" / ".gitkeep").touch()  # as the fixture has it
    read.clear()
    waiting = plugin.BuildApart.__init__
    monkeypatch.setattr(plugin.BuildApart, "__init__", lambda self, settings, hand_over: waiting(self, settings, False))
    build(load_config(str(project.root / "mkdocs.yml"), strict=True))
    assert read == []  # read from the folder, once written
    assert (project.snapshot("site"), project.snapshot("build/docs")) == handed


def test_a_write_that_fails_after_the_handover_fails_the_build_with_its_message(
    project: Project, monkeypatch, caplog: pytest.LogCaptureFixture
):
    """A failure nobody could foresee (the disk filled meanwhile): the build stops with the finding,
    and the docs folder is as it was; the site folder, which MkDocs has emptied, is built again
    by the next build, as after a failure of MkDocs' own writing."""
    assert project.kb("build").returncode == 0
    before = project.snapshot("build/docs")
    moshi = project.root / "content" / "podcasts" / "moshi.yaml"
    moshi.write_text(moshi.read_text().replace("title: ", "title: Edited ", 1))

    def full(self, tree) -> None:  # noqa: ANN001 - the writer's folder
        raise output.OutputError(
            [output.failure("build/docs/podcasts/moshi.md", OSError(errno.ENOSPC, "No space left on device"))]
        )

    monkeypatch.setattr(output.Writer, "_stage", full)  # inherited by the build child
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        build(load_config(str(project.root / "mkdocs.yml"), strict=True))
    assert "build/docs/podcasts/moshi.md: error: cannot write: No space left on device; free some disk space" in caplog.text
    assert project.snapshot("build/docs") == before  # nothing replaced


@pytest.mark.parametrize("obstacle", ["a full disk", "a file where a folder goes"])
def test_a_foreseeable_write_failure_fails_the_build_before_the_site_is_touched(project: Project, monkeypatch, obstacle: str):
    """The child hands its pages on only once nothing foreseeable can stop the write: otherwise the
    build stops before MkDocs empties the site folder, and the last site stays."""
    assert project.mkdocs_build().returncode == 0
    site = project.snapshot("site")
    docs = project.root / "build" / "docs"
    moshi = project.root / "content" / "podcasts" / "moshi.yaml"
    moshi.write_text(moshi.read_text().replace("title: ", "title: Edited ", 1))
    if obstacle == "a full disk":
        real = os.statvfs

        def nearly_full(path):  # noqa: ANN001, ANN202 - as os.statvfs
            found = real(path)
            return os.statvfs_result((*found[:4], 1, *found[5:]))  # one block left

        monkeypatch.setattr(os, "statvfs", nearly_full)  # inherited by the build child
        staged = output.Writer._stage

        def failing(self, tree) -> None:  # noqa: ANN001 - the writer's folder
            if tree.changed:
                raise output.OutputError([output.failure("build/docs/podcasts/moshi.md", OSError(errno.ENOSPC, "No space"))])
            staged(self, tree)

        monkeypatch.setattr(output.Writer, "_stage", failing)
    else:
        shutil.rmtree(docs / "podcasts")
        (docs / "podcasts").write_text("in the way\n")
    with pytest.raises(Abort):
        build(load_config(str(project.root / "mkdocs.yml"), strict=True))
    assert project.snapshot("site") == site  # MkDocs never got as far as emptying it


def test_mkdocs_failing_while_the_child_writes_raises_its_own_error_once_the_folder_is_written(project: Project, monkeypatch):
    import mkdocs.commands.build

    def broken(*args, **kwargs) -> None:  # noqa: ANN002, ANN003 - MkDocs' own arguments
        raise RuntimeError("a plugin failed on a page")

    monkeypatch.setattr(mkdocs.commands.build, "_populate_page", broken)
    with pytest.raises(RuntimeError, match="a plugin failed on a page"):  # not hidden by anything of ours
        build(load_config(str(project.root / "mkdocs.yml"), strict=True))
    written = project.snapshot("build/docs")
    assert ".kb-build.json" in written
    assert project.kb("build").returncode == 0
    assert project.snapshot("build/docs") == written  # the child had finished: nothing left to write


@pytest.mark.parametrize("batch_bytes", [1, 10, 1 << 20])
def test_the_pages_go_over_in_batches_and_arrive_whole(monkeypatch, batch_bytes: int):
    files = {f"p/{n}.md": f"# Page {n}\n".encode() * n for n in range(1, 40)}
    files |= {"data/x.json": b"{}", "index.md": b""}
    monkeypatch.setattr(handover, "BATCH_BYTES", batch_bytes)
    receiving, sending = multiprocessing.Pipe(duplex=False)
    paths = sorted(files)
    # A thread, as the child sends while the parent reads: a pipe holds only so much.
    sender = threading.Thread(target=handover.send, args=(sending, files, paths))
    sender.start()
    got = handover.receive(receiving, receiving.recv())
    sender.join()
    assert got == handover.Handover.of(files, paths) and "data/x.json" not in got.pages
    sending.close()
    assert handover.receive(receiving, handover.Handover({}, [])) is None  # the sender gone: None, not an exception
