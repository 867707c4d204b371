"""When each entry was first published and last updated, from the git history of its own source.

An entry's dates are those of the commits that touched its source: its YAML file (followed
through renames), or, for a work of the bibliography, the lines of its BibTeX record. They are
computed once per build, here, and every surface (the page, its citations, Highwire tags,
JSON-LD, the feed, the sitemap, the open data) reads them from the ``Stamps`` this returns.

Git is asked little, whatever the size of the knowledge base: one ``git rev-parse``, one
``git log`` over the content and bibliography folders, and one ``git blame`` per .bib file.

``SOURCE_DATE_EPOCH`` (the time of the last commit, in the deployment) is only the fallback,
for a source with no history: a file not committed yet, a build outside git. It is also the
date of the build itself (a citation's ``accessed``), so two builds of one commit give the
same bytes. Without it, such an entry has no date at all: never the file's mtime, which a
checkout resets.

In a shallow clone git sees the oldest fetched commit add every file, which says nothing about
when they were written: dates from that boundary commit are not used. An entry changed since
keeps its true last update (and is given no earlier first publication than that); one not
changed since falls back as above. ``shallow`` says how many, and the build warns.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from knowledgebase.sources import git

if TYPE_CHECKING:
    from knowledgebase.graph.resolve import Graph
    from knowledgebase.settings import Settings


def _midnight_today() -> dt.datetime:
    # A day, not a moment: rebuilding (as ``mkdocs serve`` does on every change) rewrites nothing
    # that did not change.
    return dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class Change:
    """One commit that changed an entry's source: what a page's history lists, and a version to cite."""

    sha: str
    when: dt.datetime
    subject: str

    @property
    def short(self) -> str:
        return self.sha[:7]


@dataclass
class Stamps:
    """When each entry was first published and last changed, and the time of this build."""

    #: The day of the entry's last change.
    updated: dict[str, dt.date] = field(default_factory=dict)
    #: The moment of the entry's first commit (its first publication).
    added: dict[str, dt.datetime] = field(default_factory=dict)
    #: SOURCE_DATE_EPOCH, else the start of today (UTC).
    build: dt.datetime = field(default_factory=_midnight_today)
    epoch: dt.datetime | None = None
    #: Entries whose history starts at a shallow clone's boundary, so is not all there.
    shallow: list[str] = field(default_factory=list)
    #: The commits that changed each entry's source, newest first (for a BibTeX record, those that
    #: wrote its present lines); none where git knows no history of it.
    changes: dict[str, list[Change]] = field(default_factory=dict)

    def of(self, entry_id: str) -> EntryDates:
        """One entry's dates, with the build's."""
        return EntryDates(self.added.get(entry_id), self.updated.get(entry_id), self.build)


@dataclass(frozen=True)
class EntryDates:
    """When an entry was added and last changed (None where nothing dates it), and when this build ran:
    the one place pages, citations, metadata and the feed read an entry's dates from."""

    added: dt.datetime | None
    updated: dt.date | None
    build: dt.datetime


def source_date_epoch() -> dt.datetime | None:
    """SOURCE_DATE_EPOCH (reproducible-builds.org), when it is set to a number of seconds."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return dt.datetime.fromtimestamp(int(value), dt.UTC) if value.isdigit() else None


def stamps(graph: Graph, settings: Settings) -> Stamps:
    """The dates of every entry of ``graph``, from git: asked once per build, by ``pipeline.load``,
    whose result carries them to every stage after it."""
    epoch = source_date_epoch()
    result = Stamps(epoch=epoch)
    if epoch is not None:
        result.build = epoch
    history = _history(graph, settings)
    for entry_id in sorted(graph.entries):
        first, last, cut, changes = history.get(entry_id, (None, None, False, ()))
        if cut:
            result.shallow.append(entry_id)
        if changes:
            result.changes[entry_id] = list(changes)
        if last is None:  # no history of its own: the fallback, or no date at all
            if epoch is not None:
                result.added[entry_id] = epoch
                result.updated[entry_id] = epoch.date()
            continue
        changed = dt.datetime.fromtimestamp(last, dt.UTC)
        if first is None:  # cut short by a shallow clone: not known, but no later than the last change
            first_time = min(epoch, changed) if epoch is not None else changed
        else:
            first_time = dt.datetime.fromtimestamp(first, dt.UTC)
        result.added[entry_id] = first_time
        result.updated[entry_id] = changed.date()
    return result


# --- git ------------------------------------------------------------------------------------


#: (first commit time or None, last commit time or None, history cut by a shallow clone, the
#: commits that changed it, newest first)
Dates = tuple[int | None, int | None, bool, tuple[Change, ...]]
_ZERO = "0" * 40


def _history(graph: Graph, settings: Settings) -> dict[str, Dates]:
    """The commit times of every entry that git knows."""
    root = settings.root
    found = git.text_or_none(root, "rev-parse", "--show-toplevel", "--git-path", "shallow")
    if not found or len(found.splitlines()) < 2:
        return {}
    top_text, shallow_text = found.splitlines()[:2]
    top = Path(top_text).resolve()
    shallow_file = Path(shallow_text) if Path(shallow_text).is_absolute() else root / shallow_text
    boundary = set(shallow_file.read_text(encoding="utf-8").split()) if shallow_file.is_file() else set()
    folders = [
        p.resolve().relative_to(top).as_posix()
        for p in (settings.content_dir, settings.bibliography_dir)
        if p.is_dir() and p.resolve().is_relative_to(top)
    ]
    if not folders:
        return {}
    log = git.text_or_none(top, "log", "--format=%x00%H %ct %s", "--name-status", "-M", "--", *folders)
    if log is None:
        return {}
    files = _file_times(log, boundary)

    result: dict[str, Dates] = {}
    by_bib: dict[str, list] = {}
    for entry in graph.entries.values():
        path = (root / entry.source.path).resolve()
        if not path.is_relative_to(top):
            continue
        rel = path.relative_to(top).as_posix()
        if entry.source.path.endswith(".bib"):
            by_bib.setdefault(rel, []).append(entry)
        elif rel in files:
            result[entry.id] = files[rel]
    for rel, entries in sorted(by_bib.items()):
        if rel not in files:
            continue  # never committed: no history
        blame = git.text_or_none(top, "blame", "--line-porcelain", "--", rel)
        if blame is None:
            continue
        result.update(_bib_times(blame, entries, boundary))
    return result


def _file_times(log: str, boundary: set[str]) -> dict[str, Dates]:
    """(first, last, cut) commit time of every file in ``git log --name-status -M`` output.

    The log runs newest first. A file renamed in a commit takes the history of its former name
    with it, so an entry whose id (and so file) changed keeps its first publication.
    """
    files: dict[str, list] = {}  # current path -> [first, last, cut, changes]
    alias: dict[str, str] = {}  # a former path -> the current path it became
    for block in log.split("\x00")[1:]:
        lines = block.split("\n")
        sha, _, rest = lines[0].partition(" ")
        when_text, _, subject = rest.partition(" ")
        try:
            when = int(when_text)
        except ValueError:
            continue
        at_boundary = sha in boundary
        for line in lines[1:]:
            if not line:
                continue
            status, *paths = line.split("\t")
            if not paths:
                continue
            path = paths[-1]
            current = alias.get(path, path)
            record = files.setdefault(current, [None, None, False, []])
            if at_boundary:
                record[2] = True  # the shallow clone's first commit: it did not write the file
            else:
                record[0] = when  # older commits come later: the last seen is the first
                if record[1] is None:
                    record[1] = when
                record[3].append(Change(sha, dt.datetime.fromtimestamp(when, dt.UTC), subject))
            if status.startswith("R") and len(paths) == 2:
                alias[paths[0]] = current
    # Cut short by a shallow clone, a file's first commit is not known.
    return {
        path: (None if cut else first, last, bool(cut), tuple(changes))  # type: ignore[misc]
        for path, (first, last, cut, changes) in files.items()
    }


_BLAME_HEADER = re.compile(r"^([0-9a-f]{40}) \d+ (\d+)")


def _bib_times(porcelain: str, entries: list, boundary: set[str]) -> dict[str, Dates]:
    """Each entry of one .bib file dated by the lines of its record, from ``git blame --line-porcelain``.

    An entry's lines run from its ``@type{key,`` line to the next entry's; blank lines are left
    out (appending a record after another adds one). It was first published at its oldest line's
    commit and last changed at its newest. Uncommitted lines, and lines a shallow clone blames on
    its boundary, carry no date.
    """
    times: dict[int, int | None] = {}
    shas: dict[int, str] = {}
    subjects: dict[str, str] = {}
    cut: set[int] = set()
    blank: set[int] = set()
    sha, line = "", 0
    for text in porcelain.split("\n"):
        header = _BLAME_HEADER.match(text)
        if header:
            sha, line = header.group(1), int(header.group(2))
            shas[line] = sha
        elif text.startswith("summary ") and line:
            subjects[sha] = text[len("summary ") :]
        elif text.startswith("committer-time ") and line:
            times[line] = None if sha == _ZERO or sha in boundary else int(text.split()[1])
            if sha in boundary:
                cut.add(line)
        elif text.startswith("\t") and line and not text[1:].strip():
            blank.add(line)
    starts = sorted((e.source.start[0], e.id) for e in entries)
    result: dict[str, Dates] = {}
    last_line = max(times, default=0)
    for index, (start, entry_id) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else last_line + 1
        lines = [n for n in range(start, end) if n in times and n not in blank]
        dated = [times[n] for n in lines if times[n] is not None]
        is_cut = any(n in cut for n in lines)
        first = None if is_cut or not dated else min(dated)  # type: ignore[type-var]
        commits = {shas[n]: times[n] for n in lines if times[n] is not None}
        changes = tuple(
            Change(c, dt.datetime.fromtimestamp(t, dt.UTC), subjects.get(c, ""))  # type: ignore[arg-type]
            for c, t in sorted(commits.items(), key=lambda item: (item[1], item[0]), reverse=True)
        )
        result[entry_id] = (first, max(dated) if dated else None, is_cut, changes)  # type: ignore[type-var]
    return result
