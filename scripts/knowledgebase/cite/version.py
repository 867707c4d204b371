"""An entry's history, and "Cite this version": the changes git knows to its source, and the
citation of the entry as of its last change, with that commit as its version.

Everything comes from the dates history.py computes once per build (``Stamps.changes``), so git
is not asked again. Each change links to its commit on ``repo_url``; the version cited is the
newest change's short commit id, and its permanent link is the entry's source file at that commit
(the .bib file at the record's line), which stays put whatever happens to the site. Without
``repo_url`` the version is cited with the page's own address. Where git knows no history of an
entry (a shallow clone, a build outside git, a file not committed yet) the page says that the
history is not available, and offers no version to cite.
"""

from __future__ import annotations

from typing import Any

from knowledgebase.cite.bibtex import bib_text, bib_url, bibtex_entry, braced
from knowledgebase.cite.csl import MONTHS
from knowledgebase.cite.history import Change
from knowledgebase.cite.repository import blob_url, commit_url
from knowledgebase.model.entry import Entry
from knowledgebase.model.schema import entry_types
from knowledgebase.settings import Settings

#: How many changes a page lists, newest first.
SHOWN = 10


def version_csl(entry: Entry, settings: Settings, page_item: dict[str, Any], change: Change) -> dict[str, Any]:
    """The page's CSL-JSON item (``page_item``) as of ``change``: its version, that day, and the
    source at that commit.

    APA prints no version for a web page; the version in brackets after the title (``genre``) is
    APA's way of describing what is cited, and ``version`` carries it for other styles and tools.
    """
    item = dict(page_item)
    item["id"] = f"kb-{entry.id}-{change.short}"
    item["version"] = change.short
    item["genre"] = f"Version {change.short}"
    item["issued"] = {"date-parts": [[change.when.year, change.when.month, change.when.day]]}
    item["URL"] = blob_url(entry, settings, change.sha) or item["URL"]
    return item


def version_bibtex(entry: Entry, settings: Settings, item: dict[str, Any], change: Change) -> str:
    """The same as a BibTeX @misc: version, date and the permanent link, the commit in full in the note."""
    day = change.when.date()
    kind = entry_types()[entry.type].singular
    note = f"{kind} in the {settings.site_name}, version {change.short} (commit {change.sha})"
    fields = [
        ("title", braced(braced(bib_text(entry.title)))),
        ("howpublished", braced(bib_text(settings.site_name))),
        ("version", braced(change.short)),
        ("year", braced(str(day.year))),
        ("month", MONTHS[day.month - 1]),
        ("date", braced(day.isoformat())),
        ("url", braced(bib_url(item["URL"]))),
        ("note", braced(bib_text(note))),
    ]
    return bibtex_entry("misc", item["id"], fields)


def history_meta(entry: Entry, settings: Settings, changes: list[Change], partial: bool) -> dict[str, Any]:
    """The history part of an entry page's ``version`` front matter, for overrides/partials/kb-version.html:
    ``history`` lists the changes (newest first) or is empty; ``cite`` (None here) is filled by
    the entry's citation record where there is a version to cite, with ``short`` and ``source``.
    """
    meta: dict[str, Any] = {
        "history": [
            {"date": c.when.date().isoformat(), "subject": c.subject, "short": c.short, "url": commit_url(settings, c.sha)}
            for c in changes[:SHOWN]
        ],
        "more": max(0, len(changes) - SHOWN),
        "partial": partial,
        "cite": None,
    }
    if changes:
        meta["short"] = changes[0].short
        meta["source"] = blob_url(entry, settings, changes[0].sha)
    return meta
