"""Stage 1: every entry of the source tree (``content/<folder>/*.yaml``, ``bibliography/*.bib``)
read into plain data, keeping where every key and value stands.

Everything here is untrusted input. Whatever the bytes, a problem becomes a ``Diagnostic``
with a line and column, never an exception. Files are read by ``files``, parsed by ``yaml``
and ``bibtex``.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from knowledgebase.diagnostics import Diagnostics
from knowledgebase.sources.bibtex import read_bibtex
from knowledgebase.sources.files import (
    MAX_FILE_BYTES,
    SYMLINK,
    display_path,
    files_under,
    forget_resolved_folders,
    kind_of,
    read_bytes,
    sorted_listing,
    special_file,
)
from knowledgebase.sources.positions import SourceFile
from knowledgebase.sources.raw import RawEntry
from knowledgebase.sources.yaml import read_yaml

_F = TypeVar("_F", bound=Callable[..., Any])


def gc_paused(function: _F) -> _F:
    """Run ``function`` with Python's cyclic garbage collector paused (reference counting goes on).

    Reading, validating and linking build hundreds of thousands of small dicts, lists and tuples
    that all stay alive and hold no reference cycles; the collector would walk them over and over
    for nothing: a third of the time of ``kb validate`` at 8,000 entries (see benchmarks/).
    """

    @functools.wraps(function)
    def paused(*args: Any, **kwargs: Any) -> Any:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return paused  # type: ignore[return-value]


@gc_paused
def read_sources(
    root: Path, content_dir: Path, bibliography_dir: Path, folders: Mapping[str, str], diagnostics: Diagnostics
) -> list[RawEntry]:
    """Every entry under ``content/<folder>/*.yaml`` and ``bibliography/*.bib``, in a stable order.

    ``folders`` maps each entry folder of ``content/`` to the type of the entries it holds (the
    model knows the types; the pipeline passes them in, so reading needs nothing from a later stage).
    """
    forget_resolved_folders()
    _kept.seen.clear()
    entries: list[RawEntry] = []
    for folder_item in sorted_listing(content_dir, root, diagnostics):
        folder = content_dir / folder_item.name
        if folder.name == "pages" or not folder_item.is_dir():
            continue
        if folder_item.is_symlink():
            diagnostics.error(display_path(root, folder), 1, 1, "folder is a symbolic link; sources must be plain files")
            continue
        type_name = folders.get(folder.name)
        folder_display = display_path(root, folder)
        # os.scandir knows each name's kind without a system call per file (pathlib asks).
        for item in sorted_listing(folder, root, diagnostics):
            if item.name.startswith("."):
                continue  # dotfiles and editors' files
            # Paths as os.scandir gives them: a Path for each of thousands of files cost more
            # than reading it needs (see read_yaml); made only where a finding needs one.
            display = f"{folder_display}/{item.name}"
            if type_name is None:
                choices = ", ".join(sorted(folders))
                diagnostics.error(display, 1, 1, f"'{folder.name}' is not an entry folder; use one of: {choices}")
                break
            if item.is_symlink():
                # Never followed: a link to / would walk the whole machine, and publish any of it.
                diagnostics.error(display, 1, 1, SYMLINK)
                continue
            if item.is_dir(follow_symlinks=False):
                message = f"entry files go directly in {folder_display}/, not in a subfolder"
                for nested in files_under(root, folder / item.name, diagnostics):
                    diagnostics.error(display_path(root, nested), 1, 1, message)
                continue
            if not item.is_file(follow_symlinks=False):
                try:
                    kind = kind_of(item.stat(follow_symlinks=False).st_mode) or "not a regular file"
                except OSError:
                    continue  # gone since the folder was listed
                diagnostics.error(*special_file(display, kind))
                continue
            if not item.name.endswith(".yaml"):
                hint = " (rename it to .yaml)" if item.name.endswith(".yml") else ""
                diagnostics.error(display, 1, 1, f"entry files must end in .yaml{hint}")
                continue
            entry = _kept.read(read_yaml, item.path, display, diagnostics, type_name)
            if entry is None:
                # Already reported; its id is still taken, and links to it are not "unknown".
                entry_id = item.name.removesuffix(".yaml")  # Path.stem of a name ending in .yaml
                entry = RawEntry(id=entry_id, type=type_name, data={}, source=SourceFile(display), broken=True)
            entries.append(entry)
    for item in sorted_listing(bibliography_dir, root, diagnostics):
        if item.name.endswith(".bib") and not item.name.startswith("."):
            path = bibliography_dir / item.name
            entries.extend(_kept.read(read_bibtex, path, display_path(root, path), diagnostics) or [])
    _kept.forget_unseen()
    return entries


class _Kept:
    """What each source file read to last time, while its bytes stay the same: ``mkdocs serve``
    reads every source for every rebuild, and parsing them all again was a tenth of a rebuild
    after a summary edit (N = 2,000). Only while serving (``keep_reads``): a command that reads
    once would read each file twice."""

    def __init__(self) -> None:
        self.active = False
        self.known: dict[tuple[str, str, tuple[Any, ...]], tuple[bytes, Any]] = {}
        self.seen: set[tuple[str, str, tuple[Any, ...]]] = set()

    def read(self, reader: Callable[..., Any], path: Path | str, display: str, diagnostics: Diagnostics, *args: Any) -> Any:
        """``_guarded(reader, ...)``, or what it gave last time if the file's bytes are the same."""
        if not self.active:
            return _guarded(reader, path, display, diagnostics, *args)
        key = (str(path), display, args)
        self.seen.add(key)
        # Findings about the bytes, if any, are the reader's to report, below.
        data = read_bytes(path, display, Diagnostics(), MAX_FILE_BYTES)
        known = self.known.get(key)
        if data is not None and known is not None and known[0] == data:
            return known[1]
        count = len(diagnostics)
        result = _guarded(reader, path, display, diagnostics, *args)
        if data is not None and result is not None and len(diagnostics) == count:
            self.known[key] = (data, result)  # read without a finding: a file with findings is read again
        else:
            self.known.pop(key, None)
        return result

    def forget_unseen(self) -> None:
        for key in self.known.keys() - self.seen:
            del self.known[key]


_kept = _Kept()


def keep_reads() -> None:
    """Keep what each source read to, for the next ``read_sources`` of this process (``mkdocs serve``)."""
    _kept.active = True


def _guarded(reader, path: Path | str, display: str, diagnostics: Diagnostics, *args: Any) -> Any:
    """Run a reader; a failure nobody foresaw still becomes a finding at the file, not a traceback."""
    try:
        return reader(path, display, *args, diagnostics) if args else reader(path, display, diagnostics)
    except RecursionError:
        diagnostics.error(display, 1, 1, "the file nests too deeply to be read")
    except Exception as error:  # noqa: BLE001 - deliberate: bad input must never crash the build
        diagnostics.error(display, 1, 1, f"cannot read this file ({type(error).__name__}: {error})")
    return None
