"""Stage 3: resolve every reference between entries, in fields and in prose, and collect backlinks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from knowledgebase.diagnostics import Diagnostics, did_you_mean
from knowledgebase.graph import markup
from knowledgebase.model.entry import Entry
from knowledgebase.model.schema import entry_types, match_paths
from knowledgebase.model.validate import is_placeholder
from knowledgebase.sources.files import read_text
from knowledgebase.sources.positions import FieldPath, SourceFile
from knowledgebase.sources.raw import RawEntry
from knowledgebase.sources.reader import gc_paused


@dataclass
class HandPage:
    """A hand-written Markdown page under ``content/pages``; it may link entries and cite works too."""

    rel: str  # its path in the docs folder, such as "index.md"
    text: str
    source: SourceFile


@dataclass(frozen=True)
class Edge:
    source: str  # an entry id, or "page:<rel>" for a hand-written page
    target: str
    field: str


@dataclass
class Graph:
    """The linked knowledge base: entries by id and by type, edges, backlinks, citations."""

    entries: dict[str, Entry]
    pages: list[HandPage]
    redirects: dict[str, str] = field(default_factory=dict)
    #: (source, target, field) of every edge, as ``link`` finds them: made into ``Edge`` objects
    #: only when asked for, since ``kb validate`` never asks (100,000 of them at N=8,000).
    edge_tuples: list[tuple[str, str, str]] = field(default_factory=list, repr=False)

    @cached_property
    def edges(self) -> list[Edge]:
        return [Edge(*edge) for edge in self.edge_tuples]

    def by_type(self, type_name: str) -> list[Entry]:
        return [e for e in self.entries.values() if e.type == type_name]

    def backlinks(self, target: str) -> list[Entry]:
        """The entries that refer to ``target``, each once, in the order of the sources."""
        return [self.entries[s] for s in self._backlinks.get(target, ()) if s in self.entries]

    def outgoing(self, source: str, fields: tuple[str, ...] | None = None) -> list[Entry]:
        seen: dict[str, None] = {}
        for edge in self._outgoing.get(source, ()):
            if fields is None or edge.field in fields:
                seen.setdefault(edge.target)
        return [self.entries[t] for t in seen]

    def cited(self, source: str) -> list[Entry]:
        """The works cited in ``source``'s prose, in order of first citation."""
        return self.outgoing(source, ("cite",))

    # Indexed on first use, once every edge is in: validation alone never asks for them.
    @cached_property
    def _backlinks(self) -> dict[str, list[str]]:
        backlinks: dict[str, dict[str, None]] = defaultdict(dict)
        for edge in self.edges:
            if edge.source != edge.target:
                backlinks[edge.target].setdefault(edge.source)
        return {k: list(v) for k, v in backlinks.items()}

    @cached_property
    def _outgoing(self) -> dict[str, list[Edge]]:
        outgoing: dict[str, list[Edge]] = defaultdict(list)
        for edge in self.edges:
            outgoing[edge.source].append(edge)
        return dict(outgoing)


def read_pages(root: Path, pages_dir: Path, diagnostics: Diagnostics) -> tuple[list[HandPage], list[Path]]:
    """The hand-written Markdown pages, and the other files beside them (images, styles) to copy."""
    pages: list[HandPage] = []
    assets: list[Path] = []
    if not pages_dir.is_dir():
        return pages, assets
    for path in sorted(p for p in pages_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(pages_dir).as_posix()
        display = (
            path.resolve().relative_to(root.resolve()).as_posix()
            if path.resolve().is_relative_to(root.resolve())
            else path.as_posix()
        )
        if path.is_symlink() or not path.resolve().is_relative_to(pages_dir.resolve()):
            # Copied into the site as it is: a link could publish any file of the building machine.
            shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()
            diagnostics.error(shown, 1, 1, "file is a symbolic link, or inside one; pages and their files must be plain files")
            continue
        if path.suffix != ".md":
            assets.append(path)
            continue
        text = read_text(path, display, diagnostics)
        if text is not None:
            pages.append(HandPage(rel=rel, text=text, source=SourceFile(display, text=text)))
    return pages, assets


@gc_paused
def link(entries: list[Entry], pages: list[HandPage], diagnostics: Diagnostics, rejected: Iterable[RawEntry] = ()) -> Graph:
    """Resolve references; report every unknown or wrongly typed target at its place.

    ``rejected`` are the entries that failed validation (already reported): links to them are
    not "unknown", and their own references are checked too, so one run finds every mistake.
    """
    graph = Graph(entries={e.id: e for e in entries}, pages=pages)
    known = graph.entries
    types = entry_types()
    rejected = list(rejected)
    pending = {r.id for r in rejected if r.id not in known}
    edges = graph.edge_tuples

    def check(source: SourceFile, path: FieldPath, target: str, want: str | None, needle: str | None = None) -> bool:
        if target.__class__ is str and target in known and (not want or known[target].type == want):
            return True  # the usual case, tested first: no need to find where it stands
        if not isinstance(target, str) or is_placeholder(target):
            return False  # a wrong type or a placeholder, reported by validation
        if target in pending:
            return False  # its own mistakes are reported at its file
        line, col = source.locate(path, needle) if needle else source.value_mark(path)
        if target not in known:
            hint = did_you_mean(target, known)
            moved = f" (it was renamed to '{graph.redirects[target]}')" if target in graph.redirects else ""
            diagnostics.error(source.path, line, col, f"unknown id '{target}'{moved or hint}")
            return False
        if want and known[target].type != want:
            diagnostics.error(source.path, line, col, f"'{target}' is a {known[target].type}, but a {want} is expected here")
            return False
        return True

    for entry in entries:
        for old in entry.get("redirect_from", []):
            line, col = entry.source.value_mark(("redirect_from",))
            if old in known:
                diagnostics.error(entry.source.path, line, col, f"redirect_from '{old}' is the id of an existing entry")
            elif old in graph.redirects:
                diagnostics.error(
                    entry.source.path, line, col, f"redirect_from '{old}' is also claimed by '{graph.redirects[old]}'"
                )
            else:
                graph.redirects[old] = entry.id

    for entry in entries:
        kind = types[entry.type]
        for pattern, want in kind.ref_paths:
            for path, target in match_paths(entry.data, pattern):
                # check's usual case, tested here without a call: 100,000 of them at N=8,000.
                if (target.__class__ is str and target in known and (not want or known[target].type == want)) or check(
                    entry.source, path, target, want
                ):
                    edges.append((entry.id, target, str(pattern[0])))
        for pattern in kind.markdown_paths:
            for path, text in match_paths(entry.data, pattern):
                _link_prose(graph, entry.id, entry.source, path, text, check, diagnostics)
    for raw in rejected:
        if raw.broken or not isinstance(raw.data, dict):
            continue
        kind = types[raw.type]
        for pattern, want in kind.ref_paths:
            for path, target in match_paths(raw.data, pattern):
                check(raw.source, path, target, want)
        for pattern in kind.markdown_paths:
            for path, text in match_paths(raw.data, pattern):
                if isinstance(text, str):
                    # Checked and reported, but no edges: the entry is not in the graph.
                    _link_prose(graph, raw.id, raw.source, path, text, check, diagnostics, edges=False)
    for page in pages:
        # The site's own pages are reviewed like code: their links and HTML are trusted.
        _link_prose(graph, f"page:{page.rel}", page.source, (), page.text, check, diagnostics, trusted=True)
    return graph


def _link_prose(
    graph: Graph,
    source_id: str,
    source: SourceFile,
    path: FieldPath,
    text: str,
    check,
    diagnostics: Diagnostics,
    trusted: bool = False,
    edges: bool = True,
) -> None:
    """Check the links and citations of one piece of prose; add their edges, unless not ``edges``."""
    tokens, problems = markup.references(text, trusted)
    for problem in problems:
        line, col = source.locate(path, problem.raw)
        diagnostics.error(source.path, line, col, problem.message)
    found = graph.edge_tuples if edges else []
    known = graph.entries
    for kind, target, _, raw, _, _ in tokens:
        # check's usual case (a known entry; a paper where one is cited) is tested here without a call.
        if kind == "link":
            if target in known or check(source, path, target, None, raw):
                found.append((source_id, target, "prose"))
        elif (target in known and known[target].type == "paper") or check(source, path, target, "paper", raw):
            found.append((source_id, target, "cite"))
