"""The entry pages an edit leaves as they were, kept from the last build by ``mkdocs serve``.

An entry's page shows its own data and that of the entries it refers to or that refer to it:
their titles in links and backlinks, a cited work's citation, a named source's provenance. Every
such reference is an edge of the graph. So after an edit, the entry pages to render again are
those of the entries whose data or dates changed, and of their neighbours before and after the
edit; every other entry page is the text the last build rendered, and every other entry's citation
record the one it made (a record shows the entry, its dates and the works it cites). The pages that gather over many
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
    from knowledgebase.cite.record import Record
    from knowledgebase.graph.resolve import Graph
    from knowledgebase.render.tooltips import Tooltips
    from knowledgebase.settings import Settings

#: Types whose change can reach any page (tooltips, the definitions matrix): all is rendered again.
EVERYWHERE = ("glossary", "definition")
#: Types whose pages gather over the whole knowledge base (the guides): rendered every time.
GATHERING = ("stakeholder",)


class Reuse:
    """What one preview remembers of its last build, to render only what an edit changed.

    Per build: ``plan`` once the sources are loaded, ``pages`` for what may be kept, ``done`` once
    all is rendered; then ``tooltips`` and ``page_bytes`` as pages are written.
    """

    def __init__(self) -> None:
        self._prints: dict[str, str] = {}  # entry id -> what its page may show of it
        self._provenance: dict[str, object] = {}  # entry id -> its provenance
        self._neighbours: dict[str, set[str]] = {}
        self._setup: object = None
        self._next: tuple = ({}, {}, {}, None)  # the same, of the build under way
        self._again: set[str] | None = None  # the entries whose page is rendered again; None: all
        self._pages: dict[str, str] = {}  # entry id -> the text of its page, as rendered last time
        self._records: dict[str, Record] = {}  # entry id -> its citation record, as made last time
        self._written: dict[str, tuple[str, bytes]] = {}  # page path -> (its text, its bytes with tooltips)
        self._definitions: object = None
        self.rendered = 0  # entry pages rendered by the last build, for the log

    def plan(self, graph: Graph, settings: Settings, dates: Stamps) -> None:
        """Find the entries this build must render again (``dates``: the entries' dates from git)."""
        shallow = set(dates.shallow)
        prints = {
            entry.id: repr(
                (
                    entry.type,
                    entry.source.path,
                    entry.source.start,  # a .bib entry's "Edit" link opens its file at its line
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
        setup = (repr(settings), dates.build, dates.epoch, _templates(settings))
        # Taken as this build's only once it has rendered: a build that fails keeps the last one's.
        self._next = (prints, provenance, neighbours, setup)
        self._again = None
        if setup != self._setup or prints.keys() != self._prints.keys():
            return
        changed = [i for i in prints if prints[i] != self._prints[i]]
        for entry_id in changed:
            if graph.entries[entry_id].type in EVERYWHERE or provenance[entry_id] != self._provenance.get(entry_id):
                return
        again = set(changed)
        for entry_id in changed:
            again |= neighbours.get(entry_id, set()) | self._neighbours.get(entry_id, set())
        self._again = again | {e.id for e in graph.entries.values() if e.type in GATHERING}

    def pages(self) -> dict[str, str]:
        """The texts of the entry pages of the last build this one may keep, by entry id."""
        again = self._again
        return {} if again is None else {i: text for i, text in self._pages.items() if i not in again}

    def records(self) -> dict[str, Record]:
        """The citation records of the last build this one may keep, by entry id (the same entries as ``pages``)."""
        again = self._again
        return {} if again is None else {i: r for i, r in self._records.items() if i not in again}

    def done(self, pages: dict[str, str], paths: dict[str, str], records: dict[str, Record]) -> None:
        """Remember this build's entry pages (``paths``: each entry's page path) and records for the next one."""
        self._prints, self._provenance, self._neighbours, self._setup = self._next
        kept = len(self.pages())
        self._pages = {entry_id: pages[path] for entry_id, path in paths.items() if path in pages}
        self._records = dict(records)
        self.rendered = len(self._pages) - kept

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
