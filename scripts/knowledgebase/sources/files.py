"""Reading source files safely: the bytes or UTF-8 text of a regular file, the files of a folder,
and each path as a contributor would type it.

Everything here is untrusted input: a link, a pipe, a device, an unreadable or oversized file
becomes a ``Diagnostic`` at the file, never an exception or a read that blocks.
"""

from __future__ import annotations

import errno
import functools
import os
import stat
from pathlib import Path

from knowledgebase.diagnostics import Diagnostics

#: Larger files are refused before parsing: no entry needs a megabyte.
MAX_FILE_BYTES = 1024 * 1024

_BOM = b"\xef\xbb\xbf"
SYMLINK = "file is a symbolic link; sources must be plain files (commit the file itself)"
_PERMISSION = "check that you may read it (chmod u+r)"


def kind_of(mode: int) -> str | None:
    """What a file that is not a regular file is, in a contributor's words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def special_file(display: str, kind: str) -> tuple[str, int, int, str]:
    return display, 1, 1, f"is {kind}, not a regular file; sources must be plain files: replace or delete it"


def read_bytes(path: Path | str, display: str, diagnostics: Diagnostics, limit: int | None = None) -> bytes | None:
    """The bytes of a regular file, or None after reporting why it cannot be read as a source.

    Only regular files are read: a named pipe would block for ever, a device never end.
    """
    # One open that refuses a symbolic link (and does not wait on a pipe), then fstat and read
    # on it: thousands of files are read, and each extra system call showed in the benchmarks.
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    if not nofollow and os.path.islink(path):
        diagnostics.error(display, 1, 1, SYMLINK)
        return None
    try:
        descriptor = os.open(path, os.O_RDONLY | nofollow | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as error:
        if error.errno == errno.ELOOP:  # O_NOFOLLOW met a link
            # A link could pull any file of the machine that builds the site into it.
            diagnostics.error(display, 1, 1, SYMLINK)
        elif error.errno == errno.ENXIO:  # a socket
            diagnostics.error(*special_file(display, "a socket"))
        else:
            diagnostics.error(display, 1, 1, f"cannot read file: {error.strerror}; {_PERMISSION}")
        return None
    try:
        info = os.fstat(descriptor)
        kind = kind_of(info.st_mode)
        if kind:
            diagnostics.error(*special_file(display, kind))
            return None
        if limit is not None and info.st_size > limit:
            diagnostics.error(display, 1, 1, f"file is too large ({info.st_size} bytes; the limit is {limit})")
            return None
        # Read to the end on the descriptor itself: a buffered file object for each of thousands
        # of files cost more than the reading (0.03 s at N=8,000, see benchmarks/).
        chunks = []
        while chunk := os.read(descriptor, max(info.st_size + 1, 1 << 16)):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as error:
        diagnostics.error(display, 1, 1, f"cannot read file: {error.strerror}; {_PERMISSION}")
        return None
    finally:
        os.close(descriptor)


def read_text(path: Path | str, display: str, diagnostics: Diagnostics) -> str | None:
    """The file's text, or None after reporting why it cannot be read as a source."""
    raw = read_bytes(path, display, diagnostics, MAX_FILE_BYTES)
    if raw is None:
        return None
    if raw.startswith(_BOM):
        diagnostics.error(display, 1, 1, "file starts with a byte-order mark; save it as UTF-8 without BOM")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        col = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        diagnostics.error(display, line, col, f"invalid UTF-8 byte 0x{raw[error.start]:02x}; save the file as UTF-8")
        return None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        diagnostics.error(display, line, 1, "file contains a NUL character")
        return None
    if not text.strip():
        diagnostics.error(display, 1, 1, "file is empty")
        return None
    return text


def sorted_listing(folder: Path, root: Path, diagnostics: Diagnostics) -> list[os.DirEntry[str]]:
    """The entries of ``folder`` sorted by name; none (after a finding) if it cannot be read."""
    try:
        with os.scandir(folder) as items:
            return sorted(items, key=lambda item: item.name)
    except FileNotFoundError:
        return []  # an optional folder (no bibliography yet, say)
    except NotADirectoryError:
        diagnostics.error(display_path(root, folder), 1, 1, "is a file, but a folder is expected here")
    except OSError as error:
        diagnostics.error(
            display_path(root, folder), 1, 1, f"cannot read folder: {error.strerror}; check that you may open it (chmod u+rx)"
        )
    return []


def files_under(root: Path, folder: Path, diagnostics: Diagnostics) -> list[Path]:
    """Every file below ``folder``, sorted, without following links; unreadable folders and
    special files (pipes, sockets, devices) become findings instead of being skipped in silence."""
    found: list[Path] = []

    def unreadable(error: OSError) -> None:
        shown = display_path(root, Path(error.filename)) if error.filename else display_path(root, folder)
        diagnostics.error(shown, 1, 1, f"cannot read folder: {error.strerror}; check that you may open it (chmod u+rx)")

    for directory, subfolders, names in os.walk(folder, onerror=unreadable):
        subfolders.sort()
        for name in sorted(names):
            if name.startswith("."):
                continue
            path = Path(directory, name)
            try:
                mode = os.lstat(path).st_mode
            except OSError:
                continue  # gone meanwhile
            kind = kind_of(mode)
            if kind and not stat.S_ISLNK(mode):
                diagnostics.error(*special_file(display_path(root, path), kind))
            else:
                found.append(path)
    return sorted(found)


def display_path(root: Path, path: Path) -> str:
    """The path as a contributor would type it: relative to the project, with forward slashes."""
    try:
        return _resolved(path).relative_to(_resolved_folder(root)).as_posix()
    except ValueError:
        return path.as_posix()


def _resolved(path: Path) -> Path:
    """``path.resolve()``, reusing its folder's resolution: one system call instead of one per folder above it."""
    if path.name in ("", ".", "..") or path.is_symlink():
        return path.resolve()
    return _resolved_folder(path.parent) / path.name


@functools.lru_cache(maxsize=64)
def _resolved_folder(folder: Path) -> Path:
    return folder.resolve()


def forget_resolved_folders() -> None:
    """Called before each reading of the sources: links may change between two builds."""
    _resolved_folder.cache_clear()
