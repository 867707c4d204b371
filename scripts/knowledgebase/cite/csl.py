"""CSL-JSON items: the work an entry describes (a paper from the fields of its BibTeX source, a
podcast episode or video from its YAML) and the entry's own page, the one item every citation and
export of each is made from."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from knowledgebase.cite.addresses import permalink
from knowledgebase.cite.history import EntryDates
from knowledgebase.cite.names import latex_text, parse_name, split_names
from knowledgebase.model.entry import Entry
from knowledgebase.settings import Settings

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


# --- BibTeX sources -------------------------------------------------------------------------


def raw_fields(entry: Entry) -> dict[str, str]:
    """A paper's BibTeX fields as written in its source (case-protecting braces kept), as the
    reader's one parse of the .bib file left them."""
    if entry.source.fields:
        return dict(entry.source.fields)
    # Not read from a .bib file: rebuild the fields from the validated data.
    fields = {}
    for key, value in entry.data.items():
        if key == "entrytype":
            continue
        if key == "author":
            fields[key] = " and ".join(value)
        elif isinstance(value, list):
            fields[key] = ", ".join(str(v) for v in value)
        else:
            fields[key] = str(value)
    return fields


# --- CSL-JSON items -------------------------------------------------------------------------

CSL_TYPES = {
    "article": "article-journal",
    "inproceedings": "paper-conference",
    "incollection": "chapter",
    "book": "book",
    "techreport": "report",
    "report": "report",
    "online": "webpage",
}


def _date_parts(value: str) -> list[int] | None:
    match = re.match(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$", value or "")
    return [int(g) for g in match.groups() if g] if match else None


def _month(value: str) -> int | None:
    value = value.strip().lower()
    if value.isdigit() and 1 <= int(value) <= 12:
        return int(value)
    return MONTHS.index(value[:3]) + 1 if value[:3] in MONTHS else None


def work_issued(fields: dict[str, str]) -> list[int] | None:
    """The date parts of a work from its date, or year and month; None for 'n.d.'."""
    if fields.get("date") and _date_parts(latex_text(fields["date"])):
        return _date_parts(latex_text(fields["date"]))
    year = latex_text(fields.get("year", ""))
    if not re.fullmatch(r"\d{4}", year):
        return None
    month = _month(latex_text(fields.get("month", "")))
    return [int(year), month] if month else [int(year)]


#: The CSL-JSON way of saying that an author list goes on ('and others' in BibTeX): a last author
#: whose literal name is 'others', as pandoc writes when it reads such a BibTeX entry.
OTHERS = {"literal": "others"}


@dataclass
class Work:
    """A work as a CSL-JSON item, and what a reader should call it ('paper', 'preprint', ...)."""

    item: dict[str, Any]
    label: str = "work"

    @property
    def et_al(self) -> bool:
        """Whether the author list is cut short (it ends in 'others')."""
        return bool(self.item.get("author")) and self.item["author"][-1] == OTHERS

    @property
    def authors(self) -> list[dict[str, str]]:
        """The authors named, without the closing 'others'."""
        return [n for n in self.item.get("author", []) if n != OTHERS]


#: What the cite box calls a work of each CSL type.
LABELS = {
    "article-journal": "article",
    "paper-conference": "paper",
    "chapter": "chapter",
    "book": "book",
    "report": "report",
    "article": "preprint",
    "webpage": "web article",
    "document": "work",
    "broadcast": "episode",
}


def work_of(entry: Entry) -> Work | None:
    """The work an entry describes, for entries about one (papers, reports, podcasts, videos).

    Made once per build, for the entry's citation record (record.py), which everything else reads.
    """
    make = {"paper": work_csl, "podcast": _episode_csl}.get(entry.type)
    return make(entry) if make is not None else None


def work_csl(entry: Entry) -> Work:
    """The CSL-JSON item of a work, from the fields of its BibTeX source.

    Authors keep their order; a final 'and others' becomes a last author ``{"literal": "others"}``,
    as pandoc reads it from BibTeX, so the list stays visibly abridged. An organisation with no
    person named becomes a literal author, and a publisher that is that author is left out (APA 7,
    section 9.24). An arXiv preprint is a CSL 'article' (APA's preprint form) with its arXiv number
    and arXiv as publisher. 'n.d.' gives no issued date. An editorial note is never part of it.
    """
    fields = raw_fields(entry)

    def text(key: str) -> str:
        return latex_text(fields[key]) if fields.get(key) else ""

    arxiv = _arxiv(fields)
    kind = csl_type(entry, fields)
    item: dict[str, Any] = {"id": entry.id, "type": kind}
    names, others = split_names(fields.get("author", ""))
    if not names and text("organization"):
        names = [{"literal": text("organization")}]
    if names:
        item["author"] = [*names, OTHERS] if others else names
    item["title"] = text("title") or entry.title
    issued = work_issued(fields)
    if issued:
        item["issued"] = {"date-parts": [issued]}
    if kind == "article-journal" and text("journal"):
        item["container-title"] = text("journal")
    elif kind in ("paper-conference", "chapter") and text("booktitle"):
        item["container-title"] = text("booktitle")
    publisher = "arXiv" if arxiv else text("publisher") or (text("institution") if kind == "report" else "")
    if publisher and names != [{"literal": publisher}]:
        item["publisher"] = publisher
    for key, csl in (("volume", "volume"), ("type", "genre")):
        if text(key):
            item[csl] = text(key)
    if arxiv:
        item["number"] = f"arXiv:{arxiv}"
    elif text("number"):
        item["issue" if kind == "article-journal" else "number"] = text("number")
    if text("pages"):
        item["page"] = re.sub(r"-+", "-", text("pages").replace("\u2013", "-"))
    # Identifiers as validated, not decoded as LaTeX: a '~' in a URL is a tilde.
    if entry.get("doi"):
        item["DOI"] = str(entry.get("doi"))
    if entry.get("url"):
        item["URL"] = str(entry.get("url"))
    if _date_parts(str(entry.get("urldate", ""))):
        item["accessed"] = {"date-parts": [_date_parts(str(entry.get("urldate")))]}
    if text("keywords"):
        item["keyword"] = text("keywords")
    if text("note"):
        item["note"] = text("note")
    return Work(item, LABELS.get(kind, "work"))


#: An episode's CSL genre (which APA prints in brackets) and label, by the entry's format.
EPISODE_FORMS = {
    "podcast": ("Audio podcast episode", "podcast episode"),
    "video": ("Video", "video"),
    "podcast-video": ("Video podcast episode", "podcast episode"),
}


def _episode_csl(entry: Entry) -> Work:
    """A podcast episode or video as a CSL 'broadcast': its hosts as authors (APA 7, 10.13), the
    show as the container, the episode number, the date and the address where it is published."""
    genre, label = EPISODE_FORMS[str(entry.get("format", "podcast"))]
    item: dict[str, Any] = {"id": entry.id, "type": "broadcast", "genre": genre}
    hosts = [parse_name(str(h)) for h in entry.get("hosts", [])]
    if hosts:
        item["author"] = hosts
    item["title"] = entry.title
    if _date_parts(str(entry.get("date", ""))):
        item["issued"] = {"date-parts": [_date_parts(str(entry.get("date")))]}
    if entry.get("show"):
        item["container-title"] = str(entry.get("show"))
    if entry.get("episode"):
        item["number"] = str(entry.get("episode"))
    if entry.get("url"):
        item["URL"] = str(entry.get("url"))
    return Work(item, label)


def _arxiv(fields: dict[str, str]) -> str:
    """The arXiv number of a work that is an arXiv preprint, else ''."""

    def text(key: str) -> str:
        return latex_text(fields[key]) if fields.get(key) else ""

    return text("eprint") if text("archiveprefix").lower() == "arxiv" or text("eprinttype").lower() == "arxiv" else ""


def csl_type(entry: Entry, fields: dict[str, str] | None = None) -> str:
    """A paper's CSL type: an arXiv preprint is an 'article', else by its BibTeX entry type."""
    fields = raw_fields(entry) if fields is None else fields
    if _arxiv(fields):
        return "article"
    return CSL_TYPES.get(str(entry.get("entrytype", "misc"))) or ("webpage" if fields.get("url") else "document")


#: What the page is, as APA 7 puts a description in brackets after a title (CSL's genre).
PAGE_GENRE = "Knowledge base entry"


def page_csl(entry: Entry, settings: Settings, dates: EntryDates) -> dict[str, Any]:
    """The CSL-JSON item of the page itself: an entry the knowledge base publishes on the web.

    No person is named: APA then cites the page under its publisher, the knowledge base, and the
    genre says what it is ("Title [Knowledge base entry]"), so that a page about someone else's
    work never reads as if the knowledge base wrote that work. The issued date is the date of the
    page's last change; accessed is the date of this build.
    """
    build = dates.build
    item: dict[str, Any] = {
        "id": f"kb-{entry.id}",
        "type": "webpage",
        "genre": PAGE_GENRE,
        "title": entry.title,
        "publisher": settings.site_name,
    }
    updated = dates.updated
    if updated:
        item["issued"] = {"date-parts": [[updated.year, updated.month, updated.day]]}
    item["accessed"] = {"date-parts": [[build.year, build.month, build.day]]}
    item["URL"] = permalink(entry, settings)
    return item


def csl_json(items: list[dict[str, Any]]) -> str:
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def iso_date(parts: list[int]) -> str:
    return "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts))
