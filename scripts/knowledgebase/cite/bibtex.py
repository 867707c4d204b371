"""BibTeX exports: plain text and URLs as BibTeX values, the @misc entry of an entry's page, and
the work's own entry (a paper's as its source gives it, an episode's made from its CSL item)."""

from __future__ import annotations

import re
from urllib.parse import quote

import bibtexparser
from bibtexparser import model as bib

from knowledgebase.cite.addresses import permalink
from knowledgebase.cite.csl import MONTHS, OTHERS, PAGE_GENRE, Work, iso_date, raw_fields
from knowledgebase.cite.history import EntryDates
from knowledgebase.cite.names import balanced, latex_text, name_text
from knowledgebase.model.entry import Entry
from knowledgebase.model.schema import entry_types
from knowledgebase.settings import Settings

#: BibTeX fields of the knowledge base's own bookkeeping, left out of every export.
INTERNAL_BIB_FIELDS = ("summary", "stakeholders", "related", "sources", "provenance", "redirect_from", "editorial_note")


_BIB_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIB_ESCAPE = re.compile("[" + re.escape("".join(_BIB_ESCAPES)) + "]")


def bib_text(value: str) -> str:
    """Plain text as a BibTeX value that LaTeX, biber and pandoc read back as that text.

    BibTeX counts every brace, escaped or not, so ``\\{`` and ``\\}`` are used only where the braces
    of the text balance; a stray brace becomes ``\\textbraceleft{}`` or ``\\textbraceright{}``.
    """
    text = " ".join(str(value).split())
    escapes = dict(_BIB_ESCAPES)
    if balanced(text):
        escapes.update({"{": r"\{", "}": r"\}"})
    return _BIB_ESCAPE.sub(lambda m: escapes[m.group()], text)


def bib_url(value: str) -> str:
    """A URL as a BibTeX value: characters that would break the braces are percent-encoded."""
    return quote(value, safe=":/?#[]@!$&'()*+,;=%~-._")


def bibtex_entry(entrytype: str, key: str, fields: list[tuple[str, str]]) -> str:
    """One BibTeX entry, laid out by bibtexparser's writer; values are given ready (braced or macro)."""
    entry = bib.Entry(entrytype, key, [bib.Field(k, v) for k, v in fields])
    layout = bibtexparser.BibtexFormat()
    layout.indent = "  "
    layout.value_column = 0
    layout.trailing_comma = True
    return bibtexparser.write_string(bibtexparser.Library([entry]), unparse_stack=[], bibtex_format=layout).strip() + "\n"


def braced(value: str) -> str:
    return "{" + value + "}"


def page_bibtex(entry: Entry, settings: Settings, dates: EntryDates) -> str:
    """A @misc entry for the page: title (case kept), the knowledge base, date, url, urldate, note."""
    build = dates.build
    kind = entry_types()[entry.type].singular
    fields = [
        ("title", braced(braced(bib_text(entry.title)))),
        ("howpublished", braced(bib_text(settings.site_name))),
    ]
    updated = dates.updated
    note = f"{PAGE_GENRE} ({kind.lower()}) in the {settings.site_name}"
    if updated:
        fields += [
            ("year", braced(str(updated.year))),
            ("month", MONTHS[updated.month - 1]),
            ("date", braced(updated.isoformat())),
        ]
        note += f", last updated {updated.isoformat()}"
    fields += [
        ("url", braced(bib_url(permalink(entry, settings)))),
        ("urldate", braced(build.date().isoformat())),
        ("note", braced(bib_text(note))),
    ]
    return bibtex_entry("misc", f"kb-{entry.id}", fields)


def work_bibtex(entry: Entry, work: Work | None) -> str:
    """The work's own BibTeX entry: a paper's as its source gives it, without the knowledge base's
    own fields; an episode's made from its CSL item (``work``)."""
    if entry.type != "paper" and work is not None:
        return _episode_bibtex(work)
    fields = []
    for key, value in raw_fields(entry).items():
        if key in INTERNAL_BIB_FIELDS:
            continue
        if key == "month" and value.strip().lower() in MONTHS:
            fields.append((key, value.strip().lower()))
        elif balanced(value):
            fields.append((key, braced(value)))
        else:
            fields.append((key, braced(bib_text(latex_text(value)))))
    return bibtex_entry(str(entry.get("entrytype", "misc")), entry.id, fields)


def _episode_bibtex(work: Work) -> str:
    """A podcast episode or video as a BibTeX @misc: hosts as authors, the show and the episode
    number in howpublished (which every BibTeX style prints), date and URL."""
    item = work.item
    fields = []
    if item.get("author"):
        fields.append(("author", braced(" and ".join(_bib_name(n) for n in item["author"]))))
    fields.append(("title", braced(braced(bib_text(item["title"])))))
    show = ", ".join(
        p for p in (item["genre"], item.get("container-title"), item.get("number") and f"episode {item['number']}") if p
    )
    fields.append(("howpublished", braced(bib_text(show))))
    issued = item.get("issued", {}).get("date-parts", [[]])[0]
    if issued:
        fields.append(("year", braced(str(issued[0]))))
        if len(issued) > 1:
            fields.append(("month", MONTHS[issued[1] - 1]))
        fields.append(("date", braced(iso_date(issued))))
    if item.get("URL"):
        fields.append(("url", braced(bib_url(item["URL"]))))
    return bibtex_entry("misc", str(item["id"]), fields)


def _bib_name(name: dict[str, str]) -> str:
    """A CSL name as BibTeX writes it: 'Last, First', an organisation in braces, 'others' bare."""
    if name == OTHERS:
        return "others"
    text = bib_text(name_text(name))
    # A name BibTeX would split or read wrongly (an organisation, a word 'and' in it) stays whole.
    return braced(text) if "literal" in name or re.search(r"\band\b", text, re.I) else text
