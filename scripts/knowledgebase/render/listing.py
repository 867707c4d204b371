"""What the index tables of podcasts, papers, recommendations and data sets are filtered by (and
the glossary's index grouped by).

Each index page is a table with a row per entry; a reader narrows it by stakeholder, kind,
length, year and text (``overrides/assets/javascripts/listing.js``). This module gives each row
its facet values (slugs, so that a filtered view's address reads well:
``podcasts/?stakeholder=policymakers&length=short``) and each facet its choices, labelled, in a
stable order. Templates print them; nothing here knows HTML.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from knowledgebase.cite import labels as citation
from knowledgebase.model.entry import Entry

#: The entry types whose index page is such a table (templates/<type>-index.md.j2).
TABLE_INDEXES = ("podcast", "paper", "recommendation", "dataset")
FORMAT_LABELS = {"podcast": "Podcast", "video": "Video", "podcast-video": "Podcast and video"}
#: A podcast's ``length`` (the reading list's grouping) as a filter value and its label.
LENGTHS = {"shorter": ("short", "Shorter"), "longer": ("long", "Longer")}


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Facet:
    """One filter: its URL parameter, its label, and the values rows may have."""

    name: str
    label: str
    options: tuple[Option, ...]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def kind(entry: Entry) -> Option | None:
    """What sort of item it is: a podcast's format, a paper's kind, a data set's modality."""
    if entry.type == "podcast" and entry.get("format") in FORMAT_LABELS:
        return Option(entry.get("format"), FORMAT_LABELS[entry.get("format")])
    if entry.type == "paper":
        text = citation.kind(entry)
        return Option(slug(text), text)
    if entry.type == "dataset" and entry.get("modality"):
        return Option(entry.get("modality"), str(entry.get("modality")).capitalize())
    return None


def venue(entry: Entry) -> str:
    """Where a paper appeared: its journal, proceedings, institution, publisher or preprint server."""
    for field in ("journal", "booktitle", "institution", "publisher", "howpublished", "organization"):
        if entry.get(field):
            return str(entry.get(field))
    if entry.get("eprint"):
        return str(entry.get("archiveprefix", "arXiv"))
    return ""


def length(entry: Entry) -> Option | None:
    if entry.get("length") in LENGTHS:
        return Option(*LENGTHS[entry.get("length")])
    return None


def year(entry: Entry) -> Option | None:
    value = str(entry.get("date") or "")[:4] if entry.type != "paper" else citation.year(entry)
    if value.isdigit():
        return Option(value, value)
    return None


class Listings:
    """The facets of every index table, for one build.

    ``guides`` pairs each stakeholder, in the guides' order, with the ids of the entries its guide
    lists; an entry's stakeholders are the guides it is in.
    """

    def __init__(self, guides: list[tuple[Entry, set[str]]]) -> None:
        self.guides = guides

    def stakeholders(self, entry: Entry) -> list[Entry]:
        return [stakeholder for stakeholder, members in self.guides if entry.id in members]

    def values(self, entry: Entry) -> dict[str, str]:
        """The row's value for each facet, space-separated where there are several."""
        found = {
            "stakeholder": " ".join(s.id for s in self.stakeholders(entry)),
            "kind": getattr(kind(entry), "value", ""),
            "length": getattr(length(entry), "value", ""),
            "year": getattr(year(entry), "value", ""),
        }
        return {name: value for name, value in found.items() if value}

    def facets(self, entries: Iterable[Entry]) -> list[Facet]:
        """The filters worth offering for these entries: those on which at least two rows differ."""
        entries = list(entries)
        choices: dict[str, dict[str, Option]] = {"stakeholder": {}, "kind": {}, "length": {}, "year": {}}
        for entry in entries:
            for stakeholder in self.stakeholders(entry):
                choices["stakeholder"][stakeholder.id] = Option(stakeholder.id, stakeholder.title)
            for name, pick in (("kind", kind), ("length", length), ("year", year)):
                option = pick(entry)
                if option is not None:
                    choices[name][option.value] = option
        labels = {"stakeholder": "Stakeholder", "kind": "Kind", "length": "Length", "year": "Year"}
        facets = []
        for name, options in choices.items():
            if len(options) < 2:
                continue
            if name == "stakeholder":  # in the guides' order
                ordered = [Option(s.id, s.title) for s, _ in self.guides if s.id in options]
            elif name == "length":  # shorter first
                ordered = [Option(*pair) for pair in LENGTHS.values() if pair[0] in options]
            else:
                ordered = sorted(options.values(), key=lambda o: o.value)
            if name == "year":
                ordered.reverse()  # newest first
            facets.append(Facet(name, labels[name], tuple(ordered)))
        return facets


def glossary_letters(terms: list[Entry]) -> list[tuple[str, list[Entry]]]:
    """Terms grouped A-Z by their first letter (digits and symbols under '#'), sorted within."""
    groups: dict[str, list[Entry]] = defaultdict(list)
    for term in terms:
        first = term.title.lstrip()[:1].upper()
        groups[first if first.isalpha() else "#"].append(term)
    ordered = sorted(groups, key=lambda letter: (letter == "#", letter))
    return [(letter, sorted(groups[letter], key=lambda t: t.title.casefold())) for letter in ordered]
