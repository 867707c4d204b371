"""``mkdocs serve`` with invalid sources: keep serving the last good site, with the errors on it.

MkDocs' server answers no request while a build is failing ("The server will appear stuck until
build errors are resolved"), so in serve mode the plugin never fails the build. The generated
pages stay as the last good build wrote them, and this module gives the theme what it needs to
show the errors: a ``kb_preview`` template global (read by ``overrides/partials/kb-preview.html``)
and a placeholder page at the address of each entry that has no good page yet, such as a fresh
``kb new`` skeleton. ``mkdocs build`` never gets here: it fails as ``kb build`` does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

from knowledgebase.diagnostics import Diagnostic
from knowledgebase.model.schema import entry_types
from knowledgebase.model.validate import SLUG
from knowledgebase.render.front_matter import front
from knowledgebase.settings import Settings


@dataclass
class Preview:
    """What the theme shows while the sources are invalid."""

    errors: list[Diagnostic]
    #: Ids of the YAML entries with errors, to mark their (last good) pages.
    broken: set[str] = field(default_factory=set)
    #: Docs paths of the placeholder pages, for entries that have no good page yet.
    placeholders: dict[str, str] = field(default_factory=dict)

    def context(self) -> dict[str, object]:
        """The ``kb_preview`` template global: plain values, escaped by the template."""
        return {
            "errors": [
                {"where": f"{d.path}:{d.line}:{d.col}", "severity": d.severity, "message": d.message, "text": str(d)}
                for d in self.errors
            ],
            "broken": sorted(self.broken),
        }


def entry_pages(settings: Settings, errors: list[Diagnostic]) -> dict[str, tuple[str, str]]:
    """Docs path -> (id, source path) of every YAML entry file with an error."""
    folders = {kind.folder: kind for kind in entry_types().values() if not kind.is_bibtex}
    pages: dict[str, tuple[str, str]] = {}
    for diagnostic in errors:
        path = PurePosixPath(diagnostic.path)
        if path.suffix != ".yaml" or not SLUG.match(path.stem) or path.parent.name not in folders:
            continue
        if settings.root / path.parent.parent != settings.content_dir:
            continue
        pages[folders[path.parent.name].page_path(path.stem)] = (path.stem, diagnostic.path)
    return pages


def prepare(settings: Settings, config: MkDocsConfig, errors: list[Diagnostic]) -> Preview:
    """Ready the last good site to be served with ``errors`` on it."""
    preview = Preview(errors)
    pages = entry_pages(settings, errors)
    preview.broken = {entry_id for entry_id, _ in pages.values()}
    docs = Path(config.docs_dir)
    for rel, (entry_id, source) in pages.items():
        if not (docs / rel).is_file():
            preview.placeholders[rel] = front({"title": f"{entry_id} (not built yet)", "kb_preview_source": source})
    if not (docs / "index.md").is_file():
        # No good build yet (a fresh clone whose sources are already broken): a home page that
        # shows the errors, and no navigation to the pages that do not exist.
        preview.placeholders["index.md"] = front({"title": settings.site_name})
        config.nav = None
    return preview


def add_placeholders(preview: Preview, files: Files, config: MkDocsConfig) -> Files:
    """The placeholder pages, where the docs folder has no page of that path."""
    for rel, text in preview.placeholders.items():
        if files.get_file_from_path(rel) is None:
            files.append(File.generated(config, rel, content=text))
    return files


def mark_stale(files: Files) -> None:
    """Have ``mkdocs serve --dirty`` render every page again: the banner appeared, changed or went.

    A dirty build renders a page only when its built HTML is older than its Markdown (MkDocs'
    ``File.is_modified``), so the built pages, in the server's own temporary site folder, are
    dated back to 1970.
    """
    for file in files.documentation_pages():
        if file.abs_src_path and os.path.isfile(file.abs_dest_path):
            os.utime(file.abs_dest_path, (0, 0))
