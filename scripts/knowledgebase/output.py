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
    written = removed = 0
    for rel, data in files.items():
        target = folder / rel
        if _inside(folder, target) is False:
            raise ValueError(f"refusing to write outside {folder}: {rel}")
        try:
            if target.read_bytes() == data:
                continue
        except OSError:
            pass
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, target)
        written += 1
    wanted = {Path(rel) for rel in files}
    for path in sorted(folder.rglob("*"), reverse=True):
        rel = path.relative_to(folder)
        if rel.name.startswith("."):
            continue  # .gitkeep and editors' files: MkDocs ignores them, and they are not ours
        if path.is_dir():
            if not any(path.iterdir()):
                path.rmdir()
        elif rel not in wanted:
            path.unlink()
            removed += 1
    return written, removed


def _inside(folder: Path, target: Path) -> bool:
    return os.path.commonpath([folder.resolve(), target.resolve()]) == str(folder.resolve())
