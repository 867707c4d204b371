"""The entry pages an edit leaves as they were, kept from the last build.

An entry's page shows its own data and that of the entries it refers to or that refer to it:
their titles in links and backlinks, a cited work's citation, a named source's provenance. Every
such reference is an edge of the graph. So after an edit, the entry pages to render again are
those of the entries whose data or dates changed, and of their neighbours before and after the
edit; every other entry page is the text the last build rendered, and (within one ``mkdocs
serve``) every other entry's citation record the one it made (a record shows the entry, its
dates and the works it cites). A section's index shows its own entries, the titles of what their
prose links to and the guides each is in: it is rendered again only when an entry of its section
changed, or when an edit reaches every index (a title or a link changed, a stakeholder or a
recommendation, which decide what the guides list). The other pages that gather over many
entries (guides, the timeline, tags, hand-written pages, the glossary's data) are rendered every
time, and every page goes through the glossary tooltips again unless both its text and the
glossary are those of the last build.

An entry a definition links to is further: the page of a glossary term with a component compares
how the definitions treat it, with the titles they link to, so its change renders those again.
Everything is rendered again when an edit reaches further than the neighbours: an entry added or
removed, or moved to another file; a glossary term changed (its tooltip is on every page with
the word); a definition changed (glossary pages show how all definitions treat a component); a
change of ``provenance`` (a page says whether the sources of the sources it quotes are
AI-generated); another build date, other settings or templates, another version of this package
or of any library installed beside it.

What a build learnt is kept in the docs folder (``STATE_FILE``, a dotfile no site publishes), so
``kb build``, ``mkdocs build`` and a new ``mkdocs serve`` start from the last build too: it holds
digests, not pages. A page is taken from the docs folder only if its bytes are those the last
build wrote (a file edited or damaged there is rendered again), and a state file that is not
sound, or was made by other code, counts as none: the output is the same either way, only slower.
The citation records go beside it (``RECORDS_FILE``, one JSON line per entry, gzipped), taken only
if the state file has their digest: making them again was a sixth of a build that changed nothing.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import zlib
from collections import defaultdict
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from knowledgebase.cite.record import PerRecord
from knowledgebase.render.fingerprint import made_by as _made_by
from knowledgebase.render.fingerprint import settings_text, templates

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
#: Types that decide which guides list an entry, which every section index shows: a change renders them all.
GUIDING = ("stakeholder", "recommendation")
#: What the last build learnt, in the docs folder it wrote.
STATE_FILE = ".kb-reuse.json"
#: The last build's citation records, one line per entry (``Record.data``), gzipped, beside the state file.
RECORDS_FILE = ".kb-records.jsonl.gz"
_FORMAT = 3


def _digest(value: str | bytes) -> str:
    return hashlib.sha256(value.encode("utf-8") if isinstance(value, str) else value).hexdigest()


class Reuse:
    """What one build remembers of the last, to render only what an edit changed.

    Per build: ``start``, then ``plan`` once the sources are loaded, ``pages`` and ``records`` for
    what may be kept, ``done`` once all is rendered; then ``tooltips`` and ``page_bytes`` as pages
    are made, ``written`` once they all are, and ``dump`` for the next build.
    """

    def __init__(self, remember: bool = False) -> None:
        """``remember``: this object serves build after build (``mkdocs serve``), so it keeps each page's
        bytes in memory too, rather than read them back from the docs folder."""
        self._remember = remember
        self._bytes: dict[str, bytes] = {}  # page path -> its bytes, as the last build made them (if remembered)
        self._bytes_next: dict[str, bytes] = {}
        self._docs: Path | None = None  # where the last build's pages are
        self._code = ""  # what made this build (see _made_by)
        self._prints: dict[str, str] = {}  # entry id -> digest of what its page may show of it
        self._provenance: dict[str, str] = {}  # entry id -> its provenance
        self._neighbours: dict[str, list[str]] = {}
        self._labels: dict[str, str] = {}  # entry id -> digest of how a link to it reads (type, title)
        self._setup: str | None = None
        self._next: tuple = ({}, {}, {}, {}, None)  # the same, of the build under way
        self._again: set[str] | None = None  # the entries whose page is rendered again; None: all
        self._paths: dict[str, tuple[str, int]] = {}  # entry id -> (its page's path, the length of its text)
        self._pages: dict[str, str] = {}  # entry id -> the text of its page, where this process rendered it
        self._lists: dict[str, int] = {}  # section index path -> the length of its text
        self._list_texts: dict[str, str] = {}  # section index path -> its text, where this process rendered it
        self._lists_again: set[str] | None = None  # the types whose section index is rendered again; None: all
        self.lists_kept: set[str] = set()  # the section indexes the last build kept, by path
        self._records: dict[str, Record] = {}  # entry id -> its citation record, where this process made it
        self._record_lines: dict[str, bytes] = {}  # entry id -> its record as a line of RECORDS_FILE, until read
        #: What is made of each record, kept while it is the same record (if remembered): its line of the records file, its exports.
        self.per_record = PerRecord(keep=remember)
        self._kept_pages: dict[str, str] | None = None  # this build's ``pages()``, once asked
        self._written: dict[str, tuple[str, str]] = {}  # page path -> digests of its text and of its bytes
        self._writing: dict[str, tuple[str, str]] = {}  # the same, of the build under way
        self._definitions: str | None = None
        self._same_definitions = False
        self._kept = 0  # entry pages this build keeps
        self.rendered = 0  # entry pages rendered by the last build, for the log

    def start(self, docs_dir: Path, stored: bytes | None, stored_records: bytes | None = None) -> None:
        """Begin a build that writes ``docs_dir``; ``stored`` is the state file found there (None if
        none), taken if this object remembers no build of its own (a new process), and
        ``stored_records`` the records file beside it."""
        self._docs = docs_dir
        self._code = _made_by(_FORMAT)
        self.per_record.start()
        if self._setup is not None:
            return
        try:
            state = json.loads(stored) if stored else None
            if not isinstance(state, dict) or state.get("made-by") != self._code:
                return
            prints, provenances, neighbours, labels, paths = {}, {}, {}, {}, {}
            for entry_id, (printed, provenance, linked, label, path, length) in state["entries"].items():
                prints[entry_id], provenances[entry_id], labels[entry_id] = str(printed), str(provenance), str(label)
                neighbours[entry_id] = [str(n) for n in linked]
                paths[entry_id] = (str(path), int(length))
            lists = {str(rel): int(length) for rel, length in state["lists"].items()}
            written = {str(rel): (str(text), str(data)) for rel, (text, data) in state["written"].items()}
            setup, definitions = str(state["setup"]), str(state["definitions"])
            records_digest = str(state["records"])
        except (ValueError, TypeError, KeyError, AttributeError):  # not JSON, or not as dump writes it
            return
        self._prints, self._provenance, self._neighbours, self._labels = prints, provenances, neighbours, labels
        self._paths, self._lists = paths, lists
        self._written, self._setup, self._definitions = written, setup, definitions
        if stored_records and _digest(stored_records) == records_digest:
            # Parsed only where an entry is kept (``records``); split at newlines only (JSON text
            # may hold a raw U+2028, where splitlines() would split too).
            try:
                lines = gzip.decompress(stored_records).split(b"\n")
            except (OSError, EOFError, zlib.error):  # its digest, but not gzip: not as dump_records writes it
                lines = []
            for line in lines:
                entry_id, _, data = line.partition(b"\t")
                if data:
                    self._record_lines[entry_id.decode("utf-8", errors="replace")] = data

    def dump_records(self) -> bytes:
        """The records file for the next build: each entry's id and record, a line each, by id, gzipped.

        It is made when the build holds every file it writes, its peak of memory: so every record
        is written out again (at N = 2,000, 0.06 s) rather than its line kept, and compressed as
        it is written (4.4 MB of JSON, 0.4 MB). Only a process that builds again (``mkdocs serve``)
        keeps each record's line while the record is the one it made (the entries an edit does not
        reach): writing them out was a twentieth of a rebuild after a summary edit. The gzip header
        holds no time: the same records, the same bytes."""

        def line(entry_id: str, record: Record) -> bytes:
            data = json.dumps(record.data(), ensure_ascii=False, separators=(",", ":"))  # in the record's order
            return f"{entry_id}\t{data}\n".encode()

        out = io.BytesIO()
        with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=1, mtime=0) as compressed:
            for entry_id, record in sorted(self._records.items()):
                compressed.write(self.per_record.get("records file", entry_id, record, partial(line, entry_id, record)))
        return out.getvalue()

    def dump(self, records: bytes) -> bytes:
        """The state file for the next build: digests of what this one read and wrote (``records``:
        the records file, ``dump_records``), in a fixed order."""
        entries = {
            i: [self._prints[i], self._provenance[i], self._neighbours[i], self._labels[i], *self._paths[i]]
            for i in sorted(self._prints)
            if i in self._paths
        }
        state = {
            "made-by": self._code,
            "setup": self._setup,
            "definitions": self._definitions,
            "entries": entries,
            "lists": dict(sorted(self._lists.items())),
            "records": _digest(records),
            "written": {rel: list(pair) for rel, pair in sorted(self._written.items())},
        }
        return (json.dumps(state, ensure_ascii=False, indent=0, sort_keys=True) + "\n").encode("utf-8")

    def plan(self, graph: Graph, settings: Settings, dates: Stamps) -> None:
        """Find the entries this build must render again (``dates``: the entries' dates from git)."""
        shallow = set(dates.shallow)
        prints = {
            entry.id: _digest(
                repr(
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
            )
            for entry in graph.entries.values()
        }
        provenance = {entry.id: repr(entry.get("provenance")) for entry in graph.entries.values()}
        linked: dict[str, set[str]] = defaultdict(set)
        for edge in graph.edges:
            linked[edge.source].add(edge.target)
            linked[edge.target].add(edge.source)
        neighbours = {entry_id: sorted(linked.get(entry_id, ())) for entry_id in prints}
        # How a link to an entry reads (markup.running_title, style.link_text): its type and title.
        labels = {
            entry.id: _digest(repr((entry.type, entry.title, entry.get("short_title")))) for entry in graph.entries.values()
        }
        setup = _digest(repr((self._code, settings_text(settings), dates.build, dates.epoch, templates(settings))))
        # Taken as this build's only once it has rendered: a build that fails keeps the last one's.
        self._next = (prints, provenance, neighbours, labels, setup)
        self._again, self._kept_pages, self._lists_again = None, None, None
        if setup != self._setup or prints.keys() != self._prints.keys():
            return
        changed = [i for i in prints if prints[i] != self._prints[i]]
        for entry_id in changed:
            if graph.entries[entry_id].type in EVERYWHERE or provenance[entry_id] != self._provenance.get(entry_id):
                return
        self._lists_again = self._sections_again(changed, graph, neighbours, labels)
        again = set(changed)
        for entry_id in changed:
            again.update(neighbours.get(entry_id, ()), self._neighbours.get(entry_id, ()))
        # The page of a glossary term with a component compares how the definitions treat it, with the
        # titles they link to: an edit of an entry a definition links to reaches it from two links away.
        shown = {e.target for e in graph.edges if e.source in graph.entries and graph.entries[e.source].type == "definition"}
        if shown.intersection(changed):
            again.update(e.id for e in graph.entries.values() if e.type == "glossary" and e.get("component"))
        # The guides gather over every entry: rendered again after any change.
        self._again = again | {e.id for e in graph.entries.values() if e.type in GATHERING} if changed else set()

    def _sections_again(
        self, changed: list[str], graph: Graph, neighbours: dict[str, list[str]], labels: dict[str, str]
    ) -> set[str] | None:
        """The types whose section index shows what changed (None: every type's).

        An index lists its section's entries, each with the titles of the entries its prose links
        to (a summary in plain text) and the guides it is in (what the stakeholders' and the
        recommendations' links decide). So a changed entry reaches its own section's index, unless
        a link to it reads otherwise (its title or type), its links changed (a glossary term's
        backlinks are on the glossary's index) or it decides the guides: then every index.
        """
        types = set()
        for entry_id in changed:
            entry = graph.entries[entry_id]
            if (
                entry.type in GUIDING
                or labels[entry_id] != self._labels.get(entry_id)
                or neighbours[entry_id] != self._neighbours.get(entry_id)
            ):
                return None
            types.add(entry.type)
        return types

    def sections(self, paths: dict[str, str]) -> dict[str, str]:
        """The texts of the section indexes of the last build this one may keep, by path
        (``paths``: each type's index path, by type)."""
        again = self._lists_again
        kept: dict[str, str] = {}
        if again is not None:
            for name, path in sorted(paths.items()):
                if name not in again:
                    text = self._list_texts.get(path) or self._read_text(path, self._lists.get(path, 0))
                    if text is not None:
                        kept[path] = text
        self.lists_kept = set(kept)
        return kept

    def pages(self) -> dict[str, str]:
        """The texts of the entry pages of the last build this one may keep, by entry id."""
        if self._kept_pages is not None:
            return self._kept_pages
        again = self._again
        kept: dict[str, str] = {}
        if again is not None:
            for entry_id in sorted(self._prints.keys() - again):
                text = self._pages.get(entry_id) or self._read_page(entry_id)
                if text is not None:
                    kept[entry_id] = text
        self._kept, self._kept_pages = len(kept), kept
        return kept

    def _read_page(self, entry_id: str) -> str | None:
        """An entry page's text as the last build rendered it, from the page it wrote; None if that is not to be found."""
        return self._read_text(*self._paths.get(entry_id, ("", 0)))

    def _read_text(self, path: str, length: int) -> str | None:
        """A generated page's text (``length`` characters) as the last build rendered it, from the
        page it wrote; None if that is not to be found."""
        data = self._read(path)
        if data is None or length < 1:
            return None
        # The page was its text, then (tooltips.py) maybe its glossary definitions after a blank line.
        text = data.decode("utf-8", errors="replace")[: length - 1] + "\n"
        return text if _digest(text) == self._written[path][0] else None

    def _read(self, rel: str) -> bytes | None:
        """A page of the docs folder, if it holds the very bytes the last build wrote there."""
        if self._docs is None or rel not in self._written:
            return None
        try:
            data = (self._docs / rel).read_bytes()
        except OSError:
            return None
        return data if _digest(data) == self._written[rel][1] else None

    def records(self) -> dict[str, Record]:
        """The citation records of the last build that this build may keep, by entry id: those of
        the entries whose page it keeps (``pages``), that this process made or the records file holds."""
        from knowledgebase.cite.record import Record

        kept: dict[str, Record] = {}
        for entry_id in self.pages():
            record = self._records.get(entry_id)
            if record is None and not self._records:  # a new process: the last build's records are in its file
                line = self._record_lines.get(entry_id)
                record = Record.from_data(json.loads(line)) if line is not None else None
            if record is not None:
                kept[entry_id] = record
        self._record_lines = {}  # read: from now on this build's records are in memory
        return kept

    def done(self, pages: dict[str, str], paths: dict[str, str], records: dict[str, Record], sections: list[str]) -> None:
        """Remember this build's entry pages (``paths``: each entry's page path), section indexes
        (``sections``: their paths) and records for the next one."""
        self._prints, self._provenance, self._neighbours, self._labels, self._setup = self._next
        lists = {path: pages[path] for path in sections if path in pages}
        self._lists = {path: len(text) for path, text in lists.items()}
        self._list_texts = lists if self._remember else {}
        texts = {entry_id: pages[path] for entry_id, path in paths.items() if path in pages}
        self._paths = {entry_id: (paths[entry_id], len(text)) for entry_id, text in texts.items()}
        # Only a process that builds again (mkdocs serve) keeps the texts: held to the end of a
        # single build, they were a fifth of its peak memory, the pages' bytes being made meanwhile.
        self._pages = texts if self._remember else {}
        self._kept_pages = {}  # used: the texts are in the build's hands, or in self._pages
        self._records = dict(records)
        self.rendered = len(texts) - self._kept

    def tooltips(self, tooltips: Tooltips) -> None:
        """Whether the glossary's definitions are those of the last build (else every page's tooltips are made again)."""
        definitions = _digest(repr(tooltips.definitions))
        self._same_definitions = definitions == self._definitions
        self._definitions = definitions
        self._writing, self._bytes_next = {}, {}

    def page_bytes(self, rel: str, text: str, tooltips: Tooltips) -> bytes:
        """A page's bytes with its glossary definitions, as the last build wrote them if its text is the same."""
        digest = _digest(text)
        last = self._written.get(rel)
        if self._same_definitions and last is not None and last[0] == digest:
            data = self._bytes.get(rel) or self._read(rel)
            if data is not None:
                return self._made(rel, last, data)
        data = tooltips.page(text).encode("utf-8")
        return self._made(rel, (digest, _digest(data)), data)

    def _made(self, rel: str, digests: tuple[str, str], data: bytes) -> bytes:
        self._writing[rel] = digests
        if self._remember:
            self._bytes_next[rel] = data
        return data

    def written(self) -> None:
        """The pages are written: what ``page_bytes`` made is what the next build finds."""
        self._written = self._writing
        self._bytes, self._bytes_next = self._bytes_next, {}


__all__ = ["Reuse", "STATE_FILE"]
