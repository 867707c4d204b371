"""Files written whole or not at all: beside their target, then renamed (or linked) into place.

A reader never sees half a file, and a process killed at any moment leaves the old file (or no
file) as it was, plus at worst a dotfile beside it under a name unique to that process. Used for
the generated output (``output.py``) and for the sources ``kb new`` edits (``scaffold.py``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def _write(temporary: str | Path, data: bytes, durable: bool, mode: int | None) -> None:
    with open(temporary, "xb") as handle:
        handle.write(data)
        if durable:  # a source someone wrote: on the disk before it replaces the old one
            handle.flush()
            os.fsync(handle.fileno())
    if mode is not None:
        os.chmod(temporary, mode)


def _discard(temporary: str | Path) -> None:
    try:
        os.unlink(temporary)
    except OSError:
        pass  # renamed into place, or never written


def replace(
    path: str | Path,
    data: bytes,
    temporary: str | Path,
    durable: bool = False,
    mode: int | None = None,
    check: Callable[[], None] | None = None,
) -> None:
    """Make ``path`` hold ``data``. ``check`` runs just before the rename and may raise to stop it."""
    try:
        _write(temporary, data, durable, mode)
        if check is not None:
            check()
        os.replace(temporary, path)
    finally:
        _discard(temporary)


def create(path: str | Path, data: bytes, temporary: str | Path, durable: bool = False) -> None:
    """Make ``path`` hold ``data`` if no file has that name; FileExistsError if one has: never replaced."""
    try:
        _write(temporary, data, durable, None)
        try:
            # A hard link, unlike a rename, fails if the name is taken: nobody's file is replaced.
            os.link(temporary, path)
        except FileExistsError:
            raise
        except OSError:
            # No hard links here (FAT, some network disks): take the name first, then fill it.
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL))
            os.replace(temporary, path)
    finally:
        _discard(temporary)
