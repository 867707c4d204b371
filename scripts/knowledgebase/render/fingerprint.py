"""What a build's pages hang on besides the sources: the settings, the site's own templates, this
package's code and templates, and the libraries installed beside it. ``reuse.py`` renders every
page again when any of them changes."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib.metadata
import os
import sys
from pathlib import Path

from knowledgebase.settings import Settings


def settings_text(settings: Settings) -> str:
    """The settings, their folders relative to the project's: a clone elsewhere builds the same pages."""

    def shown(value: object) -> object:
        if isinstance(value, Path):
            return value.relative_to(settings.root).as_posix() if value.is_relative_to(settings.root) else value.as_posix()
        return value

    return repr([(f.name, shown(getattr(settings, f.name))) for f in dataclasses.fields(settings) if f.name != "root"])


def templates(settings: Settings) -> tuple[tuple[str, str], ...]:
    """The site's own templates and their contents' digests: an edit of one renders everything."""
    folder = settings.templates_dir
    if not folder or not folder.is_dir():
        return ()
    found = []
    for parent, _folders, names in os.walk(folder):
        for name in sorted(names):
            path = Path(parent, name)
            found.append((path.relative_to(folder).as_posix(), hashlib.sha256(path.read_bytes()).hexdigest()))
    return tuple(sorted(found))


def made_by(version: int) -> str:
    """What the pages hang on besides the sources and settings: this package's code, templates and
    schemas (read for every build: a template edited while ``mkdocs serve`` runs renders
    everything again), every library installed beside it (by version), Python's own version and
    ``version``, that of the format the caller stores its state in."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(_libraries(version).encode("utf-8"))
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@functools.cache
def _libraries(version: int) -> str:
    """The installed distributions and their versions, Python's version, the state's format (once a process)."""
    libraries = sorted({(d.metadata["Name"] or "", d.version) for d in importlib.metadata.distributions()})
    return repr((libraries, sys.version, version))


__all__ = ["made_by", "settings_text", "templates"]
