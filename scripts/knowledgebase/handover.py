"""The docs folder handed to MkDocs before it is written.

``mkdocs build`` runs ``kb build`` in a forked child (plugin.py). Writing the docs folder (thousands
of files, two of them for every entry) is the child's last step, and MkDocs used to wait for it
before reading a page. Now the child sends, once nothing can stop the write, every Markdown page
and the list of every file the folder will hold, then writes it. MkDocs gets its files from that
list, in the order its own walk of the folder would give them, and reads each page from what was
sent, while the child writes; the other files (downloads, open data, images) are copied from the
folder once the child is done (``on_env``), before MkDocs copies anything.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files


@dataclass
class Handover:
    """What the build child sends before writing the docs folder."""

    #: Every Markdown page the folder will hold, by its path there, as it will be written.
    pages: dict[str, bytes]
    #: Every file the folder will hold (the build's, and those placed there by hand), by its path.
    paths: list[str]

    @classmethod
    def of(cls, files: dict[str, bytes], paths: list[str]) -> Handover:
        """What to hand over of the files the build is about to write (``pipeline.Ready``)."""
        return cls(dict(_pages(files)), paths)


def _pages(files: dict[str, bytes]) -> Iterator[tuple[str, bytes]]:
    return ((rel, data) for rel, data in files.items() if rel.endswith(".md"))


#: Pages go in batches of about this many bytes: sent in one message, they made a pickle as large
#: as all the site's Markdown in the build child, at its peak (+25 MB at N = 2,000).
BATCH_BYTES = 1 << 20


def send(connection: Connection, files: dict[str, bytes], paths: list[str]) -> None:
    """Send the ``Handover`` of ``files`` over ``connection``: the paths, then the pages in batches."""
    connection.send(Handover({}, paths))
    batch: list[tuple[str, bytes]] = []
    size = 0
    for rel, data in _pages(files):
        batch.append((rel, data))
        size += len(data)
        if size >= BATCH_BYTES:
            connection.send(batch)
            batch, size = [], 0
    connection.send(batch)
    if batch:
        connection.send([])  # the end


def receive(connection: Connection, handover: Handover) -> Handover | None:
    """``handover`` (as first received) with its pages, as ``send`` sends them; None if the sender died meanwhile."""
    try:
        while batch := connection.recv():
            handover.pages.update(batch)
    except EOFError:
        return None
    return handover


def _walk_order(rel: str) -> list[tuple[int, object]]:
    """Where ``os.walk`` (top-down, sorted folders) and MkDocs' ``get_files`` (index and README
    first, then by name) place a file: a folder's own files before its subfolders'."""
    *folders, name = rel.split("/")
    return [*((1, folder) for folder in folders), (0, (os.path.splitext(name)[0] not in ("index", "README"), name))]


def planned_files(handover: Handover, files: Files, config: MkDocsConfig) -> Files:
    """``files`` (MkDocs' walk of the docs folder as it was, with the theme's files) with the docs
    folder's files as they will be once the child has written it."""
    docs = config.docs_dir
    planned = [
        File(os.path.join(*rel.split("/")), docs, config.site_dir, config.use_directory_urls)
        for rel in sorted(handover.paths, key=_walk_order)
    ]
    # The theme's files, and any a plugin added before this one, as they came.
    return Files(planned + [file for file in files if file.src_dir != docs])


def source_text(data: bytes) -> str:
    """A page's Markdown as MkDocs reads it from its file (``File.content_string``: UTF-8, a
    byte-order mark dropped, every line ending read as a newline)."""
    return data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")


__all__ = ["Handover", "planned_files", "receive", "send", "source_text"]
