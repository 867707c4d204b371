"""Stage 5: write the generated files into the folders the build owns, touching only what changed.

Rewriting an unchanged file would wake ``mkdocs serve``'s watcher and loop; a file the build
no longer generates must go, or a deleted entry would live on in the site. But only a file the
build wrote may go: the manifest in each folder's marker (``ownership.py``) lists them, and a
file placed there by hand stays, with a warning.

Writing is in two phases, so that a failure (a full disk, a read-only folder, a file where a
folder should be) leaves the previous output as it was: first every new or changed file is
written beside its target under a name unique to this process (concurrent builds never share
one), then each is renamed over its target. The manifest lists a file before it is written,
so a build killed at any point leaves nothing behind that the next build does not know it wrote.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

from knowledgebase.diagnostics import Diagnostic
from knowledgebase.publish import atomic
from knowledgebase.publish.ownership import MARKER, TEMPORARY_PREFIX, manifest, marker_bytes, owned, strangers

#: Temporary names: ``.kb-tmp-<pid>-<token>-<n>``; a dead process's leftovers are deleted.
_TEMPORARY = re.compile(rf"^{re.escape(TEMPORARY_PREFIX)}(\d+)-")
_TOKEN = secrets.token_hex(4)
_ADVICE = {
    errno.ENOSPC: "free some disk space and build again",
    errno.EDQUOT: "free some disk space and build again",
    errno.EACCES: "make the folder writable (or choose another docs_dir) and build again",
    errno.EPERM: "make the folder writable (or choose another docs_dir) and build again",
    errno.EROFS: "the file system is read-only: choose a docs_dir on a writable disk",
    errno.ENOTDIR: "a file stands where the build needs a folder: move it away and build again",
    errno.EISDIR: "a folder stands where the build writes a file: move it away and build again",
    errno.EEXIST: "a file stands where the build needs a folder: move it away and build again",
    errno.ENAMETOOLONG: "the path is too long for this file system: use shorter ids or a shorter docs_dir",
}


class OutputError(Exception):
    """A file-system failure, as the findings to report; nothing was replaced."""

    def __init__(self, findings: list[Diagnostic]) -> None:
        super().__init__("\n".join(map(str, findings)))
        self.findings = findings


def failure(path: str, error: OSError) -> Diagnostic:
    """``path: error: what went wrong; what to do`` for an OSError."""
    advice = _ADVICE.get(error.errno or 0, "fix the file system problem and build again")
    return Diagnostic(path, 0, 0, f"cannot write: {error.strerror or error}; {advice}")


@dataclass
class _Tree:
    folder: Path
    shown: str  # the folder as a contributor names it
    files: dict[str, bytes]
    before: set[str] = field(default_factory=set)
    changed: dict[str, bytes] = field(default_factory=dict)  # new or different files only
    pending: list[tuple[str, str]] = field(default_factory=list)  # (temporary, target)


class Writer:
    """Writes several folders as one: nothing is replaced until every new file is on disk."""

    def __init__(self) -> None:
        self.trees: list[_Tree] = []
        self.warnings: list[Diagnostic] = []
        self._count = 0
        self._planned = False

    def add(self, folder: Path, shown: str, files: dict[str, bytes]) -> None:
        self.trees.append(_Tree(folder, shown.rstrip("/"), files))

    def plan(self) -> None:
        """Find what is to be written, and whether it may be: OutputError, with nothing touched, if not."""
        problems: list[Diagnostic] = []
        for tree in self.trees:
            problems += self._plan(tree)
        if problems:
            raise OutputError(problems)
        self._planned = True

    def foreseeably_writable(self) -> bool:
        """Whether, as far as can be told before writing (planned), nothing stops the write: the
        disks have room for the new files, twice over, and every folder they go in may be
        written into. A build that hands its pages on before writing them asks (plugin.py)."""
        known: dict[str, bool] = {}
        for tree in self.trees:
            if not tree.changed:
                continue
            try:
                disk = os.statvfs(tree.folder)
            except (AttributeError, OSError):  # no statvfs (Windows), or the folder went away
                return False
            block = disk.f_frsize or 4096
            blocks = sum(len(data) // block + 2 for data in tree.changed.values())  # rounded up, and a block of metadata
            if disk.f_bavail < 2 * blocks or (disk.f_files and disk.f_favail < 2 * len(tree.changed)):
                return False
            for rel in tree.changed:
                if not _writable(os.path.dirname(os.path.join(tree.folder, *rel.split("/"))), known):
                    return False
        return True

    def held(self, folder: Path) -> list[str]:
        """Every file ``folder`` will hold once written (planned): the build's, and those left in place."""
        tree = next(tree for tree in self.trees if tree.folder == folder)
        wanted = set(tree.files) | {MARKER}
        for directory, _subfolders, names in os.walk(tree.folder):
            for name in names:
                rel = os.path.relpath(os.path.join(directory, name), tree.folder).replace(os.sep, "/")
                if rel not in tree.before and not _TEMPORARY.match(name):
                    wanted.add(rel)  # placed by hand (a dotfile, or with a warning): it stays
        return sorted(wanted)

    def write(self) -> tuple[int, int]:
        """Write every folder; returns (written, removed). Raises OutputError with nothing replaced."""
        if not self._planned:
            self.plan()
        try:
            for tree in self.trees:
                self._stage(tree)
        except OutputError:
            self._discard()
            raise
        written = removed = 0
        for tree in self.trees:
            for index, (temporary, target) in enumerate(tree.pending):
                try:
                    os.replace(temporary, target)  # a rename in one folder: needs no space, rarely fails
                except OSError as error:
                    tree.pending = tree.pending[index:]
                    self._discard()
                    raise OutputError([failure(os.path.join(tree.shown, os.path.relpath(target, tree.folder)), error)]) from None
            written += len(tree.pending)
            removed += self._finish(tree)
        return written, removed

    # --- phase 0: what to write, and whether it may be written -------------------------------

    def _plan(self, tree: _Tree) -> list[Diagnostic]:
        folder, shown = tree.folder, tree.shown
        try:
            if not owned(folder):
                # A build running at the same time may have claimed the folder and written into it
                # since the check above: its marker comes before its files, so look again.
                if folder.exists() and strangers(set(os.listdir(folder))) and not owned(folder):
                    return [Diagnostic(shown, 0, 0, f"holds files the build did not write (no {MARKER}); nothing was written")]
                folder.mkdir(parents=True, exist_ok=True)
                try:
                    atomic.create(folder / MARKER, marker_bytes([]), self._temporary(folder))
                except FileExistsError:
                    pass  # a build running at the same time claimed it first
        except OSError as error:
            return [failure(shown, error)]
        tree.before = manifest(folder)
        problems = []
        changed = tree.changed
        blocked: set[str] = set()
        for rel, data in tree.files.items():
            parts = rel.split("/")
            # Paths are made from ids (slugs), but a path must never leave the folder whatever made it.
            if rel.startswith("/") or any(part in ("", ".", "..") for part in parts):
                raise ValueError(f"refusing to write outside {folder}: {rel}")
            target = os.path.join(folder, *parts)
            existing = _read_existing(target)
            above = None
            if existing is _UNDER_A_FILE:
                # Found now, not when the folder is made: nothing may fail once the pages are handed on.
                above = next((p for p in range(1, len(parts)) if os.path.isfile(os.path.join(folder, *parts[:p]))), None)
            if above is not None:
                if "/".join(parts[:above]) not in blocked:
                    blocked.add("/".join(parts[:above]))
                    problems.append(
                        Diagnostic(
                            f"{shown}/{rel}",
                            0,
                            0,
                            f"a file stands where the build needs a folder ({shown}/{'/'.join(parts[:above])}): move it away",
                        )
                    )
            elif existing is None or existing is _UNDER_A_FILE:  # (moved away meanwhile: the write will tell)
                changed[rel] = data
            elif isinstance(existing, str):
                problems.append(
                    Diagnostic(f"{shown}/{rel}", 0, 0, f"{existing} stands where the build writes a file: move it away")
                )
            elif existing != data:
                if rel not in tree.before:
                    problems.append(
                        Diagnostic(
                            f"{shown}/{rel}", 0, 0, "was not written by the build, which would replace it: move it elsewhere"
                        )
                    )
                changed[rel] = data
        return problems

    # --- phase 1: every new file beside its target ---------------------------------------------

    def _temporary(self, directory: Path | str) -> str:
        self._count += 1
        return os.path.join(directory, f"{TEMPORARY_PREFIX}{os.getpid()}-{_TOKEN}-{self._count}")

    def _stage(self, tree: _Tree) -> None:
        # Listed before written: a build killed from here on leaves only files it knows it wrote.
        listed = tree.before | set(tree.files)
        try:
            if listed != tree.before:
                atomic.replace(tree.folder / MARKER, marker_bytes(listed), self._temporary(tree.folder))
        except OSError as error:
            raise OutputError([failure(f"{tree.shown}/{MARKER}", error)]) from None
        tree.pending = []
        made: set[str] = set()
        for rel, data in tree.changed.items():
            target = os.path.join(tree.folder, *rel.split("/"))
            parent = os.path.dirname(target)
            try:
                if parent not in made:
                    os.makedirs(parent, exist_ok=True)
                    made.add(parent)
                temporary = self._temporary(parent)
                with open(temporary, "xb") as out:
                    tree.pending.append((temporary, target))
                    out.write(data)
            except OSError as error:
                raise OutputError([failure(f"{tree.shown}/{rel}", error)]) from None

    def _discard(self) -> None:
        for tree in self.trees:
            for temporary, _target in tree.pending:
                try:
                    os.unlink(temporary)
                except OSError:
                    pass
            tree.pending = []

    # --- phase 2 done: stale files out, hand-placed ones named, the manifest exact -------------

    def _finish(self, tree: _Tree) -> int:
        removed = 0
        root = str(tree.folder)
        emptied: set[str] = set()
        for rel in sorted(tree.before - set(tree.files)):
            path = os.path.join(root, *rel.split("/"))
            try:
                if not stat.S_ISDIR(os.lstat(path).st_mode):
                    os.unlink(path)
                    removed += 1
                    emptied.add(os.path.dirname(path))
            except OSError:
                pass  # gone already (another build), or never written
        # Bottom-up, so that a folder emptied of stale files goes too; never the owned folder itself.
        for directory in sorted(emptied, key=len, reverse=True):
            while directory != root and directory.startswith(root + os.sep):
                try:
                    os.rmdir(directory)
                except OSError:
                    break  # not empty: something else lives there
                directory = os.path.dirname(directory)
        wanted = set(tree.files)
        for directory, subfolders, names in os.walk(root):
            subfolders[:] = [name for name in subfolders if not name.startswith(".")]
            for name in names:
                temporary = _TEMPORARY.match(name)
                if temporary:
                    _remove_if_orphaned(os.path.join(directory, name), int(temporary.group(1)))
                    continue
                rel = os.path.relpath(os.path.join(directory, name), root).replace(os.sep, "/")
                if rel in wanted or name.startswith("."):
                    continue  # ours, or a dotfile (.gitkeep, editors' files) that no builder publishes
                self.warnings.append(
                    Diagnostic(f"{tree.shown}/{rel}", 0, 0, "was not written by the build; left in place", "warning")
                )
        if tree.before != wanted:
            try:
                atomic.replace(tree.folder / MARKER, marker_bytes(wanted), self._temporary(tree.folder))
            except OSError:
                pass  # the longer list stays: it names only files this build wrote
        return removed


def _writable(directory: str, known: dict[str, bool]) -> bool:
    """Whether a file may be made in ``directory`` (in its nearest existing folder, if it is yet to be made)."""
    if directory not in known:
        parent = os.path.dirname(directory)
        if os.path.isdir(directory) or parent == directory:
            known[directory] = os.access(directory, os.W_OK | os.X_OK)
        else:
            known[directory] = _writable(parent, known)
    return known[directory]


#: What ``_read_existing`` answers for a path one of whose folders is a file.
_UNDER_A_FILE = "a file where a folder should be"


def _read_existing(target: str) -> bytes | str | None:
    """The bytes of the file at ``target``; None if there is none; what it is if it is not a file
    (``_UNDER_A_FILE`` if a folder on its way is one)."""
    try:
        descriptor = os.open(target, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        return _UNDER_A_FILE
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "a symbolic link"
        return f"something that cannot be read ({error.strerror})"
    with os.fdopen(descriptor, "rb") as handle:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            return "a folder"
        if not stat.S_ISREG(mode):
            return "a special file (a pipe, socket or device)"
        return handle.read()


def _remove_if_orphaned(path: str, pid: int) -> None:
    """Delete a temporary file left by a build that was killed (its process is gone)."""
    if pid == os.getpid() or os.name == "nt":
        return  # (on Windows, os.kill would end the process instead of asking after it)
    try:
        os.kill(pid, 0)
        return  # that build is still running
    except ProcessLookupError:
        pass
    except OSError:
        return  # alive, but someone else's
    try:
        os.unlink(path)
    except OSError:
        pass


def write_tree(folder: Path, files: dict[str, bytes]) -> tuple[int, int]:
    """Make ``folder`` hold ``files`` (relative posix path -> bytes). Returns (written, removed)."""
    writer = Writer()
    writer.add(folder, str(folder), files)
    return writer.write()
