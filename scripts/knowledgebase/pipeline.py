"""The whole pipeline, sources -> validated model -> linked graph -> pages, as two calls."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import style
from .diagnostics import Diagnostics
from .graph import Graph, link, read_pages
from .output import write_tree
from .settings import Settings
from .sources import gc_paused, read_sources
from .validate import rejected, validate


@dataclass
class Loaded:
    graph: Graph
    assets: list[Path]
    diagnostics: Diagnostics

    @property
    def ok(self) -> bool:
        return not self.diagnostics.errors


@gc_paused  # over all three stages: resumed in between, it would walk what they have built
def load(settings: Settings, lint: bool = False) -> Loaded:
    """Read, validate and link every source; every problem is in ``diagnostics``.

    ``lint`` adds warnings about seams in the prose (``kb validate``); a build does not stop for them.
    """
    diagnostics = Diagnostics()
    raws = read_sources(settings.root, settings.content_dir, settings.bibliography_dir, diagnostics)
    entries = validate(raws, diagnostics)
    pages, assets = read_pages(settings.root, settings.pages_dir, diagnostics)
    graph = link(entries, pages, diagnostics, rejected(raws, entries))
    if lint:
        style.check(graph, diagnostics)  # warnings only: seams in prose, such as "the The ..."
    return Loaded(graph, assets, diagnostics)


def build(settings: Settings) -> Loaded:
    """Validate, then (only if every source is sound) write the generated docs folder."""
    loaded = load(settings)
    if not loaded.ok:
        return loaded
    from .render import render_site  # Jinja2 and the templates: not needed to validate

    pages, abbreviations = render_site(loaded.graph, settings)
    files = {rel: text.encode("utf-8") for rel, text in pages.items()}
    for asset in loaded.assets:
        files[asset.relative_to(settings.pages_dir).as_posix()] = asset.read_bytes()
    from .publish import site_files  # open data, citation downloads, feed, llms.txt, redirects

    for rel, data in site_files(loaded.graph, settings).items():
        files.setdefault(rel, data)  # a page of the same path wins
    write_tree(settings.docs_dir, files)
    write_tree(settings.snippets_dir, {"abbreviations.md": abbreviations.encode("utf-8")})
    return loaded
