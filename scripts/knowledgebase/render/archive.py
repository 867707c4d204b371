"""Archived copies of external sources: the Wayback Machine address beside every external URL.

A link rots; the copy the Internet Archive took near the day someone last checked it usually
does not. The address is made offline, with no request: ``https://web.archive.org/web/YYYYMMDD/URL``
asks the Wayback Machine for the capture nearest that day. The day is the one the entry says its
source was checked (``accessed``, or BibTeX's ``urldate``), else the day the entry last changed
(from git, see ``cite.history.stamps``), else the day of the build. An entry may name its own copy
(``archived_url``) for its main ``url``; that wins.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from knowledgebase.cite.history import Stamps
from knowledgebase.graph.resolve import Graph
from knowledgebase.model.entry import Entry

WAYBACK = "https://web.archive.org/web/"
#: The fields, in the schema's words, that say when an entry's sources were last checked.
CHECKED_FIELDS = ("accessed", "urldate")


def wayback(url: str, day: dt.date) -> str:
    """The Wayback Machine's address of the capture of ``url`` nearest ``day``."""
    return f"{WAYBACK}{day:%Y%m%d}/{url}"


def is_archive(url: str) -> bool:
    return url.startswith(WAYBACK)


def _day(value: object) -> dt.date | None:
    """A date of the schema's YYYY, YYYY-MM or YYYY-MM-DD forms, on its first day where partial."""
    parts = str(value or "").split("-")
    try:
        numbers = [int(p) for p in parts] + [1] * (3 - len(parts))
        return dt.date(*numbers[:3])
    except (TypeError, ValueError):
        return None


def checked_on(entry: Entry, updated: dt.date | None, build: dt.date) -> dt.date:
    """The day an entry's sources were last checked: accessed, else last changed, else the build's."""
    for name in CHECKED_FIELDS:
        day = _day(entry.get(name))
        if day is not None:
            return day
    return updated or build


@dataclass(frozen=True)
class Archive:
    """Where to find an archived copy of any external URL of any entry, for one build."""

    graph: Graph
    updated: dict[str, dt.date]
    build: dt.date

    @classmethod
    def of(cls, graph: Graph, dates: Stamps) -> Archive:
        """The archive of one build, from the dates of every entry (``pipeline.load`` computes them)."""
        return cls(graph, dates.updated, dates.build.date())

    def url(self, entry: Entry | str, url: str) -> str:
        """The archived copy of ``url`` as used by ``entry``."""
        if isinstance(entry, str):
            entry = self.graph.entries[entry]
        own = entry.get("archived_url")
        if own and url == entry.get("url"):
            return str(own)
        return wayback(url, checked_on(entry, self.updated.get(entry.id), self.build))
