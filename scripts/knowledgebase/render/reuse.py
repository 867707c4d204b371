"""The entry pages an edit leaves as they were, kept from the last build by ``mkdocs serve``.

An entry's page shows its own data and that of the entries it refers to or that refer to it:
their titles in links and backlinks, a cited work's citation, a named source's provenance. Every
such reference is an edge of the graph. So after an edit, the entry pages to render again are
those of the entries whose data or dates changed, and of their neighbours before and after the
edit; every other entry page is the text the last build rendered. The pages that gather over many
entries (section indexes, guides, the timeline, tags, hand-written pages, the glossary's data) are
rendered every time, and every page goes through the glossary tooltips again unless both its text
and the glossary are those of the last build.

Everything is rendered again when an edit reaches further than the neighbours: an entry added or
removed, or moved to another file; a glossary term changed (its tooltip is on every page with
the word); a definition changed (glossary pages show how all definitions treat a component); a
change of ``provenance`` (a page says whether the sources of the sources it quotes are
AI-generated); another build date, other settings or templates.

Only the preview keeps one of these: ``mkdocs build`` and ``kb build`` render every page.
"""

from __future__ import annotations

import os
from collections import defaultdict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from knowledgebase.cite.history import Stamps
    from knowledgebase.graph.resolve import Graph
    from knowledgebase.render.tooltips import Tooltips
    from knowledgebase.settings import Settings

#: Types whose change can reach any page (tooltips, the definitions matrix): all is rendered again.
EVERYWHERE = ("glossary", "definition")
#: Types whose pages gather over the whole knowledge base (the guides): rendered every time.
GATHERING = ("stakeholder",)


class Reuse:
    """What one preview remembers of its last build, to render only what an edit changed."""

    def __init__(self) -> None:
        self._prints: dict[str, str] = {}  # entry id -> what its page may show of it
        self._provenance: dict[str, object] = {}  # entry id -> its provenance
        self._neighbours: dict[str, set[str]] = {}
        self._setup: object = None
        self._pages: dict[str, str] = {}  # entry page path -> its text, as rendered last time
        self._next: tuple = ({}, {}, {}, None, {})  # the same, of the build under way
        self._written: dict[str, tuple[str, bytes]] = {}  # page path -> (its text, its bytes with tooltips)
        self._definitions: object = None
        self.rendered = 0  # entry pages rendered by the last build, for the log

    def kept(self, graph: Graph, settings: Settings, dates: Stamps, paths: dict[str, str]) -> dict[str, str]:
        """The texts of the entry pages this build need not render (by page path).

        ``dates`` are the entries' dates from git, ``paths`` each entry's page path. Call once per
        build, before rendering.
        """
        shallow = set(dates.shallow)
        prints = {
            entry.id: repr(
                (
                    entry.type,
                    entry.source.path,
                    entry.data,
                    dates.updated.get(entry.id),
                    dates.added.get(entry.id),
                    dates.changes.get(entry.id),
                    entry.id in shallow,
                )
            )
            for entry in graph.entries.values()
        }
        provenance = {entry.id: entry.get("provenance") for entry in graph.entries.values()}
        neighbours: dict[str, set[str]] = defaultdict(set)
        for edge in graph.edges:
            neighbours[edge.source].add(edge.target)
            neighbours[edge.target].add(edge.source)
        setup = (repr(settings), dates.build, dates.epoch, _templates(settings), paths)
        old_prints, old_neighbours, old_pages = self._prints, self._neighbours, self._pages
        everything = setup != self._setup or prints.keys() != old_prints.keys()
        changed = [i for i in prints if prints[i] != old_prints.get(i)] if not everything else []
        for entry_id in changed:
            if graph.entries[entry_id].type in EVERYWHERE or provenance[entry_id] != self._provenance.get(entry_id):
                everything = True
        # Taken as this build's only once it has rendered: a build that fails keeps the last one's.
        self._next = (prints, provenance, neighbours, setup, paths)
        if everything:
            return {}
        again = set(changed)
        for entry_id in changed:
            again |= neighbours.get(entry_id, set()) | old_neighbours.get(entry_id, set())
        again |= {e.id for e in graph.entries.values() if e.type in GATHERING}
        return {paths[i]: old_pages[paths[i]] for i in paths if i not in again and paths[i] in old_pages}

    def rendered_pages(self, pages: dict[str, str], kept: dict[str, str]) -> None:
        """Remember this build's entry pages, and what they show, for the next one."""
        self._prints, self._provenance, self._neighbours, self._setup, paths = self._next
        self._pages = {path: pages[path] for path in paths.values() if path in pages}
        self.rendered = len(self._pages) - len(kept)

    def tooltips(self, tooltips: Tooltips) -> None:
        """Forget every page's tooltips if the glossary's definitions are not those of the last build."""
        if tooltips.definitions != self._definitions:
            self._written = {}
        self._definitions = tooltips.definitions

    def page_bytes(self, rel: str, text: str, tooltips: Tooltips) -> bytes:
        """A page's bytes with its glossary definitions, as the last build made them if its text is the same."""
        last = self._written.get(rel)
        if last is not None and last[0] == text:
            return last[1]
        data = tooltips.page(text).encode("utf-8")
        self._written[rel] = (text, data)
        return data


def _templates(settings: Settings) -> tuple[tuple[str, int], ...]:
    """The site's own templates and when each last changed: an edit of one renders everything."""
    folder = settings.templates_dir
    if not folder or not folder.is_dir():
        return ()
    found = []
    for parent, _folders, names in os.walk(folder):
        for name in sorted(names):
            path = os.path.join(parent, name)
            found.append((path, os.stat(path).st_mtime_ns))
    return tuple(sorted(found))


__all__ = ["Reuse"]
