"""Stage 5: write the generated pages into the docs folder, touching only what changed.

Rewriting an unchanged file would wake ``mkdocs serve``'s watcher and loop; a file the
build no longer generates must go, or a deleted entry would live on in the site.
"""

from __future__ import annotations

import os
from pathlib import Path


def write_tree(folder: Path, files: dict[str, bytes]) -> tuple[int, int]:
    """Make ``folder`` hold exactly ``files`` (relative posix path -> bytes). Returns (written, removed)."""
    folder.mkdir(parents=True, exist_ok=True)
    root = str(folder)
    made: set[str] = {root}
    written = removed = 0
    for rel, data in files.items():
        parts = rel.split("/")
        # Paths are made from ids (slugs), but a path must never leave the folder whatever made it.
        if rel.startswith("/") or any(part in ("", ".", "..") for part in parts):
            raise ValueError(f"refusing to write outside {folder}: {rel}")
        target = os.path.join(root, *parts)
        try:
            with open(target, "rb") as existing:
                if existing.read() == data:
                    continue
            # Replaced, not rewritten in place: a reader (the serve watcher) never sees half a file.
            temporary = os.path.join(os.path.dirname(target), f".{parts[-1]}.tmp")
        except FileNotFoundError:
            temporary = None
        parent = os.path.dirname(target)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        with open(temporary or target, "wb") as out:
            out.write(data)
        if temporary:
            os.replace(temporary, target)
        written += 1
    wanted = {os.path.join(root, *rel.split("/")) for rel in files}
    # Bottom-up, so that a folder emptied of stale files goes too.
    for directory, _subfolders, names in os.walk(root, topdown=False):
        for name in names:
            path = os.path.join(directory, name)
            # .gitkeep and editors' files: MkDocs ignores them, and they are not ours.
            if not name.startswith(".") and path not in wanted:
                os.unlink(path)
                removed += 1
        if directory != root and not os.path.basename(directory).startswith(".") and not os.listdir(directory):
            os.rmdir(directory)
    return written, removed
