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
from dataclasses import dataclass

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
        """What to send of the files the build is about to write (``pipeline.Ready``)."""
        return cls({rel: data for rel, data in files.items() if rel.endswith(".md")}, paths)


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


__all__ = ["Handover", "planned_files", "source_text"]
