"""The whole pipeline, sources -> validated model -> linked graph -> pages, as two calls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from knowledgebase.cite.history import Stamps, stamps
from knowledgebase.diagnostics import Diagnostic, Diagnostics
from knowledgebase.graph import style
from knowledgebase.graph.resolve import Graph, link, read_pages
from knowledgebase.model.schema import entry_types, schema_problems
from knowledgebase.model.validate import rejected, validate
from knowledgebase.publish.ownership import check_layout, manifest
from knowledgebase.settings import Settings
from knowledgebase.sources.files import files_under, read_bytes
from knowledgebase.sources.raw import RawEntry
from knowledgebase.sources.reader import gc_paused, read_sources

if TYPE_CHECKING:
    from knowledgebase.render.reuse import Reuse
    from knowledgebase.render.tooltips import Tooltips

#: Generated files with a fixed place in the docs folder, and what they are. (The open-data
#: files of publish.py live under data/, the section indexes at <section>/index.md.)
GENERATED = {
    "timeline.md": "the generated timeline",
    "tags.md": "the generated tags page",
    "glossary/terms.json": "the glossary's generated tooltip data",
    "feed.xml": "the generated feed",
    "llms.txt": "the generated llms.txt",
    "data/knowledge-base.json": "the generated open data",
    "data/bibliography.bib": "the generated open data",
    "data/bibliography.csl.json": "the generated open data",
}


@dataclass
class Loaded:
    graph: Graph
    assets: list[Path]
    diagnostics: Diagnostics
    settings: Settings
    #: The bytes of each asset (image, style) beside the hand-written pages, by its path in docs.
    asset_bytes: dict[str, bytes] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.diagnostics.errors

    @cached_property
    def dates(self) -> Stamps:
        """Each entry's dates, from the git history of its source: git is asked once, here, when a
        build first needs them (before anything renders); validating alone never runs git."""
        return stamps(self.graph, self.settings)


def read(settings: Settings, diagnostics: Diagnostics) -> list[RawEntry]:
    """Every source entry as read, each content folder read as the entry type the model says it holds."""
    folders = {t.folder: t.name for t in entry_types().values() if not t.is_bibtex}
    return read_sources(settings.root, settings.content_dir, settings.bibliography_dir, folders, diagnostics)


@gc_paused  # over all three stages: resumed in between, it would walk what they have built
def load(settings: Settings, lint: bool = False) -> Loaded:
    """Read, validate and link every source; every problem is in ``diagnostics``.

    ``lint`` adds warnings about seams in the prose (``kb validate``); a build does not stop for them.
    """
    diagnostics = Diagnostics(schema_problems(settings.root))  # an entry type its schema cannot place
    raws = read(settings, diagnostics)
    entries = validate(raws, diagnostics)
    # Unreadable folders and pipes among the pages: findings, not pages lost in silence.
    files_under(settings.root, settings.pages_dir, diagnostics)
    pages, assets = read_pages(settings.root, settings.pages_dir, diagnostics)
    graph = link(entries, pages, diagnostics, rejected(raws, entries))
    asset_bytes = {}
    for asset in assets:
        data = read_bytes(asset, settings.show(asset), diagnostics)
        if data is not None:
            asset_bytes[asset.relative_to(settings.pages_dir).as_posix()] = data
    collisions(graph, asset_bytes, settings, diagnostics)
    if lint:
        style.check(graph, diagnostics)  # warnings only: seams in prose, such as "the The ..."
    return Loaded(graph, assets, diagnostics, settings, asset_bytes)


def site_place(rel: str) -> str:
    """Where a file of the docs folder ends up in the site (MkDocs' directory URLs), case folded.

    ``a.md``, ``a/index.md`` and ``a/README.md`` are all ``a/``: two of them cannot both exist,
    and names differing only in case are one file on macOS and Windows.
    """
    head, _, name = rel.rpartition("/")
    if name.endswith(".md"):
        stem = name[:-3]
        place = f"{head}/" if stem in ("index", "README") else f"{rel[:-3]}/"
    else:
        place = f"{head}/" if name == "index.html" else rel
    return place.lstrip("/").casefold()


def collisions(graph: Graph, assets: dict[str, bytes], settings: Settings, diagnostics: Diagnostics) -> None:
    """Report every source whose output would take the place of another page or generated file.

    Claims are made in order (generated files, entry pages and what goes with them, hand-written
    pages, their files); a claim on a taken place is an error at the later source, naming both.
    """
    types = entry_types()
    taken: dict[str, tuple[str, str]] = {}

    def claim(rel: str, what: str, at: Diagnostic | None = None) -> None:
        first, first_rel = taken.setdefault(site_place(rel), (what, rel))
        if first is not what and at is not None:
            case = (
                " (the names differ only in letter case: one file on macOS and Windows)"
                if first_rel.casefold() == rel.casefold() != rel
                else ""
            )
            diagnostics.error(
                at.path, at.line, at.col, f"{at.message} {rel}, the place of {first}{case}: rename or move one of them"
            )

    for kind in types.values():
        claim(kind.index_path, f"the generated index page of the {kind.plural} section")
    for rel, what in GENERATED.items():
        claim(rel, what)
    for entry in graph.entries.values():
        kind = types[entry.type]
        what = f"the page of entry '{entry.id}' ({entry.source.path})"
        line, col = entry.source.start
        claim(
            kind.page_path(entry.id), what, Diagnostic(entry.source.path, line, col, f"the page of entry '{entry.id}' would be")
        )
        for download in ("page", "work", "version"):
            claim(kind.download_path(entry.id, download), f"the citation download of entry '{entry.id}'")
        for old in entry.get("redirect_from", []):
            if old != "index":
                claim(kind.page_path(old), f"the redirect from '{old}' to entry '{entry.id}' ({entry.source.path})")
    for page in graph.pages:
        claim(page.rel, f"the hand-written page {page.source.path}", Diagnostic(page.source.path, 1, 1, "this page would be"))
    for rel in assets:
        shown = settings.show(settings.pages_dir / rel)
        claim(rel, f"the file {shown}", Diagnostic(shown, 1, 1, "this file would be"))


#: Told, just before the docs folder is written, every file it will hold by its path (the bytes
#: the build writes) and the list of all the paths it will then hold (those of files left in place too).
Ready = Callable[[dict[str, bytes], list[str]], None]


def build(settings: Settings, reuse: Reuse | None = None, ready: Ready | None = None) -> Loaded:
    """Validate, then (only if every source is sound) write the generated docs folder.

    Only the pages the sources' changes since the last build reach are rendered again (see
    render/reuse.py); ``reuse`` is what ``mkdocs serve`` keeps from one build to the next, and
    without it the build starts from what the last one stored in the docs folder.
    """
    loaded = load(settings)
    # Folders that are not the build's own: refused before anything is written (every mistake in one run).
    loaded.diagnostics.extend(check_layout(settings))
    if not loaded.ok:
        return loaded
    from knowledgebase.cite import apa
    from knowledgebase.cite.record import citations  # citeproc and the CSL style: not needed to validate
    from knowledgebase.publish.exports import site_files  # open data, citation downloads, feed, llms.txt, redirects
    from knowledgebase.render.pages import render_site  # Jinja2 and the templates: not needed to validate
    from knowledgebase.render.reuse import RECORDS_FILE, STATE_FILE, Reuse

    reuse = reuse if reuse is not None else Reuse()
    reuse.start(settings.docs_dir, _own_file(settings.docs_dir, STATE_FILE), _own_file(settings.docs_dir, RECORDS_FILE))
    reuse.plan(loaded.graph, settings, loaded.dates)
    # citeproc's references from the last build: it formats only the items it has not seen.
    with apa.stored(_own_file(settings.docs_dir, apa.CACHE_FILE)) as references:
        # Each entry's citation record, once: the pages, the templates and the exports all read them.
        records = citations(loaded.graph, settings, loaded.dates, reuse.records())
        pages, tooltips = render_site(loaded.graph, settings, records, reuse)
        reuse.tooltips(tooltips)
        # Each page's text is dropped as soon as its bytes are made: the site held twice over (text,
        # then bytes, then bytes with the glossary definitions) was a third of the build's peak memory.
        files: dict[str, bytes] = {}
        for rel in list(pages):
            files[rel] = _page_bytes(rel, pages.pop(rel), reuse, tooltips)
        files.update(loaded.asset_bytes)  # images and such: no page among them
        for rel, data in site_files(loaded.graph, settings, records, reuse.per_record).items():
            if rel not in files:  # a hand-written page of the same path wins (how-to-cite.md, data.md)
                files[rel] = _page_bytes(rel, data, reuse, tooltips)
    reuse.written()
    # Dotfiles: neither MkDocs nor Zensical publishes them.
    files[apa.CACHE_FILE] = references.dump()
    files[RECORDS_FILE] = reuse.dump_records()
    files[STATE_FILE] = reuse.dump(files[RECORDS_FILE])
    reuse.per_record.done()
    loaded.diagnostics.extend(write_tree(settings, files, ready))
    return loaded


def _page_bytes(rel: str, data: str | bytes, reuse: Reuse, tooltips: Tooltips) -> bytes:
    """A file of the docs folder as written; a page (generated, hand-written or published) with its glossary definitions."""
    if not rel.endswith(".md"):
        return data.encode("utf-8") if isinstance(data, str) else data
    return reuse.page_bytes(rel, data if isinstance(data, str) else data.decode("utf-8"), tooltips)


def _own_file(folder: Path, rel: str) -> bytes | None:
    """A file the last build wrote into ``folder`` (its manifest lists it); None if there is none."""
    if rel not in manifest(folder):
        return None  # placed by hand, or never written: not the build's to read
    try:
        return (folder / rel).read_bytes()
    except OSError:
        return None


def write_tree(settings: Settings, files: dict[str, bytes], ready: Ready | None = None) -> list[Diagnostic]:
    """Write the docs folder; the failures (nothing replaced) and warnings.

    ``ready``, if given, is told what the folder will hold before it is written (see ``Ready``),
    if nothing that can be foreseen stops the write (a file in the way, a full disk, a folder
    that may not be written into): a failure from then on is one no build could have seen coming.
    """
    from knowledgebase.publish.output import OutputError, Writer

    writer = Writer()
    writer.add(settings.docs_dir, settings.show(settings.docs_dir), files)
    try:
        writer.plan()
        if ready is not None and writer.foreseeably_writable():
            ready(files, writer.held(settings.docs_dir))
        writer.write()
    except OutputError as error:
        return [*error.findings, *writer.warnings]
    return writer.warnings
