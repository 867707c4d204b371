"""One citation record per entry, made once per build: every citation of the entry's page, of the
work it describes and of its current version, with the metadata machines read from the page.

Every entry page can be cited: a CSL-JSON item for the page itself, a "Knowledge base entry"
(the knowledge base as its publisher, its permalink, the date it last changed), formatted in APA 7
and written as BibTeX. The page of a work (a paper, report or article from its BibTeX source; a
podcast episode or video from its YAML) also cites the work itself, from one CSL item that every
export of the work shares; where git knows the entry's history, its newest version is citable too.
The page's Highwire Press and Dublin Core tags, and its JSON-LD, come along.

``citations`` builds them all from the linked graph and the dates ``pipeline.load`` computed; the
pages (through their front matter, which ``overrides/main.html`` and the partials print), the
templates and the exports all read these records and never format a citation of their own.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

from knowledgebase.cite.addresses import permalink
from knowledgebase.cite.apa import Reference, apa, format_ahead, reused
from knowledgebase.cite.bibtex import page_bibtex, work_bibtex
from knowledgebase.cite.coins import context_object
from knowledgebase.cite.csl import Work, csl_json, page_csl, work_csl, work_of
from knowledgebase.cite.history import Stamps
from knowledgebase.cite.meta import entry_jsonld, page_highwire, script_json
from knowledgebase.cite.version import history_meta, version_bibtex, version_csl
from knowledgebase.graph.resolve import Graph
from knowledgebase.model.entry import Entry
from knowledgebase.model.schema import entry_types
from knowledgebase.settings import Settings


@dataclass(frozen=True)
class Citation:
    """One thing to cite, in every form the site offers: its CSL-JSON item, the APA 7 reference
    made from it, its BibTeX entry, and the path of its CSL-JSON download in the docs folder."""

    item: dict[str, Any]
    apa: Reference
    bibtex: str
    file: str

    @classmethod
    def of(cls, item: dict[str, Any], bibtex: str, file: str) -> Citation:
        return cls(item, apa(item), bibtex, file)

    def data(self) -> dict[str, Any]:
        """The citation as JSON data (``Record.data``)."""
        apa = {"segments": self.apa.segments, "text": self.apa.text, "key": self.apa.key}
        return {"item": self.item, "apa": apa, "bibtex": self.bibtex, "file": self.file}

    @classmethod
    def from_data(cls, data: dict[str, Any] | None) -> Citation | None:
        if data is None:
            return None
        apa = data["apa"]
        return cls(data["item"], Reference(apa["segments"], apa["text"], apa["key"]), data["bibtex"], data["file"])

    @cached_property
    def download(self) -> bytes:
        """The CSL-JSON download beside the page: the item, indented. Kept: ``mkdocs serve`` keeps the
        records of the entries an edit does not reach, and made them all again for every rebuild."""
        return csl_json([self.item]).encode("utf-8")

    def front(self) -> dict[str, Any]:
        """The citation as a page's front matter carries it. The APA reference is a list of strings
        that alternate between roman and italic (so the template joins them for the plain text to
        copy); the CSL-JSON to copy is compact; the COinS is the item as an OpenURL ContextObject,
        for reference managers. Front matter is kept small: a YAML dump of every page's front
        matter is a real cost."""
        alternating: list[str] = []
        for segment in self.apa.segments:
            if bool(len(alternating) % 2) != segment["italic"]:
                alternating.append("")
            alternating.append(segment["text"])
        compact = json.dumps([self.item], ensure_ascii=False, separators=(",", ":"))
        return {"apa": alternating, "bibtex": self.bibtex, "csl": compact, "file": self.file, "coins": context_object(self.item)}


@dataclass(frozen=True)
class Part:
    """A run of an APA reference as a page prints it: roman or italic text, or the work's title
    (``role`` 'title', which links the work's page) or its address ('url', shown with its archived copy)."""

    text: str
    italic: bool = False
    role: str = ""


def reference_parts(reference: Reference, item: dict[str, Any]) -> list[Part]:
    """An APA reference cut into runs, its title and its closing address marked, for a page to
    print the very reference the cite box offers with the title linked. Spaces at the ends of an
    italic run are put outside it, where Markdown emphasis needs them."""
    title = str(item.get("title") or "")
    url = f"https://doi.org/{item['DOI']}" if item.get("DOI") else str(item.get("URL") or "")
    parts: list[Part] = []
    for index, segment in enumerate(reference.segments):
        text, italic = segment["text"], segment["italic"]
        last = index == len(reference.segments) - 1
        tail: list[Part] = []
        if last and url and text.endswith(url):
            text, tail = text[: -len(url)], [Part(url, role="url")]
        found = text.find(title) if title and not any(p.role == "title" for p in parts) else -1
        runs = [(text, "")] if found < 0 else [(text[:found], ""), (title, "title"), (text[found + len(title) :], "")]
        for run, role in runs:
            if not italic:
                parts.append(Part(run, role=role))
                continue
            core = run.strip()
            lead = run[: len(run) - len(run.lstrip())] if core else run
            trail = run[len(run.rstrip()) :] if core else ""
            parts += [Part(lead), Part(core, True, role), Part(trail)]
        parts += tail
    return [p for p in parts if p.text]


@dataclass(frozen=True)
class Record:
    """Everything about citing one entry, as its page, the templates and the exports print it."""

    permalink: str
    added: dt.datetime | None
    updated: dt.date | None
    page: Citation
    #: The work the entry describes (a paper, an episode).
    work: Citation | None
    #: The entry as of its newest change, where git knows one.
    version: Citation | None
    #: The page's front matter about citing it (``cite`` and ``version``), for overrides/; None in
    #: a record a build took from the last (``from_data``), whose page it took too.
    meta: dict[str, Any] | None

    @cached_property
    def reference(self) -> list[Part]:
        """The work's APA reference, in runs for a page template to print (see ``reference_parts``)."""
        return reference_parts(self.work.apa, self.work.item) if self.work is not None else []

    def data(self) -> dict[str, Any]:
        """The record as JSON data, for the next build to take where its entry's page is as it was
        (render/reuse.py): ``from_data`` makes the same record of it, less the page's front matter
        (``meta``, two thirds of it), which only the page reads."""
        citations = {"page": self.page, "work": self.work, "version": self.version}
        return {
            "permalink": self.permalink,
            "added": self.added.isoformat() if self.added else None,
            "updated": self.updated.isoformat() if self.updated else None,
            **{name: c.data() if c is not None else None for name, c in citations.items()},
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Record:
        added, updated, page = data["added"], data["updated"], Citation.from_data(data["page"])
        assert page is not None
        return cls(
            data["permalink"],
            dt.datetime.fromisoformat(added) if added else None,
            dt.date.fromisoformat(updated) if updated else None,
            page,
            Citation.from_data(data["work"]),
            Citation.from_data(data["version"]),
            None,
        )

    def downloads(self) -> dict[str, bytes]:
        """The CSL-JSON files beside the page, by their path in the docs folder."""
        return {c.file: c.download for c in (self.page, self.work, self.version) if c is not None}


@dataclass(frozen=True)
class Citations:
    """Every entry's record, by entry id, and the dates they were made from."""

    dates: Stamps
    records: dict[str, Record]

    def __getitem__(self, entry_id: str) -> Record:
        return self.records[entry_id]


T = TypeVar("T")


class PerRecord:
    """What is made of each entry's record (its line of a file, its part of the open data), kept
    from one build to the next of a process that builds again (``mkdocs serve``, ``keep``) while
    the record is the very object the last build used: the preview keeps a record (render/reuse.py)
    exactly while no edit reaches its entry (its data, its dates, the titles of what it links to).
    Remaking them all after each edit was a tenth of a rebuild after a summary edit (N = 2,000)."""

    def __init__(self, keep: bool) -> None:
        self.keep = keep
        self._last: dict[tuple[str, str], tuple[Record, Any]] = {}
        self._next: dict[tuple[str, str], tuple[Record, Any]] = {}

    def start(self) -> None:
        """A build begins: what a build that failed made is not kept."""
        self._next = {}

    def get(self, part: str, entry_id: str, record: Record, make: Callable[[], T]) -> T:
        """The ``part`` made of the entry's ``record``: the last build's if its record is this one, else ``make()``."""
        if not self.keep:
            return make()
        known = self._last.get((part, entry_id))
        value = known[1] if known is not None and known[0] is record else make()
        self._next[(part, entry_id)] = (record, value)
        return value

    def done(self) -> None:
        """The build is over: what it made is what the next one may keep."""
        self._last, self._next = self._next, {}


def citations(graph: Graph, settings: Settings, dates: Stamps, kept: dict[str, Record] | None = None) -> Citations:
    """The citation record of every entry of ``graph``: every CSL item made once (each work's, each
    page's and each version's), the APA references the cache lacks formatted on every core, then
    each record.

    ``kept``: records of the last build that an edit left as they were, by entry id (the preview's,
    render/reuse.py); they are taken as they are.
    """
    kept = kept or {}
    entries = graph.entries.values()
    fresh = [e for e in entries if e.id not in kept]
    # The works of the records made again, and of the papers they cite (a record lists them).
    needed = {e.id for e in fresh} | {w.id for e in fresh for w in graph.cited(e.id) if w.type == "paper"}
    works = {e.id: w for e in entries if e.id in needed and (w := work_of(e)) is not None}
    pages = {e.id: page_csl(e, settings, dates.of(e.id)) for e in fresh}
    versions = {e.id: version_csl(e, settings, pages[e.id], changes[0]) for e in fresh if (changes := dates.changes.get(e.id))}
    format_ahead([*(works[e.id].item for e in fresh if e.id in works), *pages.values(), *versions.values()])
    reused(c.apa for r in kept.values() for c in (r.page, r.work, r.version) if c is not None)
    return Citations(
        dates,
        {
            e.id: kept[e.id] if e.id in kept else record(e, graph, settings, dates, works, pages[e.id], versions.get(e.id))
            for e in entries
        },
    )


def record(
    entry: Entry,
    graph: Graph,
    settings: Settings,
    dates: Stamps,
    works: dict[str, Work],
    page_item: dict[str, Any],
    version_item: dict[str, Any] | None,
) -> Record:
    """One entry's citation record; ``works`` holds the CSL item of every work, by entry id;
    ``page_item`` is the entry page's CSL item, ``version_item`` its newest version's (if git knows one)."""
    when = dates.of(entry.id)
    kind = entry_types()[entry.type]
    link = permalink(entry, settings)
    cite: dict[str, Any] = {"permalink": link, "absolute": link.startswith(("http://", "https://"))}
    if when.added:
        cite["published"] = when.added.date().isoformat()
    if when.updated:
        cite["updated"] = when.updated.isoformat()
    work = works.get(entry.id)
    work_citation = None
    if work is not None:
        work_citation = Citation.of(work.item, work_bibtex(entry, work), kind.download_path(entry.id, "work"))
        article = "an" if work.label[:1] in "aeiou" else "a"
        cite["work"] = {"label": work.label, "a": article, **work_citation.front()}
    page = Citation.of(page_item, page_bibtex(entry, settings, when), kind.download_path(entry.id, "page"))
    cite["page"] = page.front()
    cited = [work] if work is not None else []
    cited += [works[w.id] if w.type == "paper" else work_csl(w) for w in graph.cited(entry.id) if w.id != entry.id]
    cite["meta"] = [[name, content] for name, content in page_highwire(entry, settings, when, cited)]
    reference = work_citation.apa.text if work_citation is not None else ""
    cite["jsonld"] = script_json(entry_jsonld(entry, graph, settings, when, work, reference))

    changes = dates.changes.get(entry.id, [])
    history = history_meta(entry, settings, changes, entry.id in dates.shallow)
    version = None
    if version_item is not None:  # git knows a change
        bibtex = version_bibtex(entry, settings, version_item, changes[0])
        version = Citation.of(version_item, bibtex, kind.download_path(entry.id, "version"))
        history["cite"] = version.front()
    meta = {"cite": cite, "version": history}
    return Record(link, when.added, when.updated, page, work_citation, version, meta)
