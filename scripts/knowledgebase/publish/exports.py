"""The site's files beyond its pages: open data, citation downloads, feed, llms.txt, redirects.

``site_files`` returns them as {path in the docs folder: bytes}; the pipeline writes them next to
the generated pages, and MkDocs (or Zensical) copies every file that is not Markdown into the
site as it is. Redirect pages are Markdown, so they become pages.

Everything here is a pure function of the sources, their git history (history.py) and
SOURCE_DATE_EPOCH, so two builds of the same commit give the same bytes.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import uuid
import xml.etree.ElementTree as ET
from typing import Any

import jinja2
import yaml
from markupsafe import escape

from knowledgebase.cite import addresses, bibtex, csl
from knowledgebase.cite.meta import CONTRIBUTORS
from knowledgebase.cite.record import Citations, PerRecord
from knowledgebase.graph import markup, style
from knowledgebase.graph.resolve import Graph
from knowledgebase.model.entry import Entry
from knowledgebase.model.schema import EntryType, entry_types, schema_files
from knowledgebase.render.environment import environment, render_page
from knowledgebase.settings import Settings
from knowledgebase.sources.reader import gc_paused

#: Version of the layout of data/knowledge-base.json; raise the major part on any breaking change.
SCHEMA_VERSION = "1.0"
#: How many of the newest entries the feed lists.
FEED_SIZE = 50
ATOM = "http://www.w3.org/2005/Atom"
#: A fixed namespace for the feed's ids, so that they never change with the site's address.
FEED_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:open-source-ai-kb:feed")


# Without the collector: what it makes (JSON encoders' lists, records) is freed as it goes, and a
# pass over the build's heap, which holds every page, made the exports grow faster than the entries.
@gc_paused
def site_files(graph: Graph, settings: Settings, citations: Citations, kept: PerRecord | None = None) -> dict[str, bytes]:
    """Every file beyond the pages, by its path in the docs folder; citations are each entry's
    record; ``kept``: what the last build of this process made of the records it kept (the preview's)."""
    kept = kept or PerRecord(keep=False)
    works = [citations[e.id].work for e in _papers(graph)]
    files: dict[str, bytes] = {
        "data/knowledge-base.json": knowledge_base_json(graph, settings, citations, kept),
        "data/bibliography.bib": bibliography_bib(settings, [w.bibtex for w in works if w]).encode("utf-8"),
        "data/bibliography.csl.json": csl.csl_json([w.item for w in works if w]).encode("utf-8"),
        "feed.xml": feed(graph, settings, citations),
        "llms.txt": llms_txt(graph, settings, citations, kept).encode("utf-8"),
        "robots.txt": robots_txt(settings).encode("utf-8"),
    }
    cff = citation_cff(settings, citations.dates.build)
    if cff is not None:
        files["CITATION.cff"] = cff
    for name, text in sorted(schema_files().items()):
        files[f"data/schemas/{name}"] = text.encode("utf-8")
    for entry in _entries(graph):
        files.update(citations[entry.id].downloads())
    env = environment(settings.templates_dir)
    files.update(redirect_pages(graph, env))
    for rel, (title, template) in DEFAULT_PAGES.items():
        files[rel] = render_page(env, template, {"title": title}).encode("utf-8")
    return files


#: The pages mkdocs.yml's nav names, for a project that has not written its own in content/pages
#: (the pipeline keeps a hand-written page of the same path): a knowledge base made from the real
#: mkdocs.yml always builds. Their text is a template each, which a site may replace.
DEFAULT_PAGES = {
    "how-to-cite.md": ("How to cite", "how-to-cite.md.j2"),
    "data.md": ("Open data", "open-data.md.j2"),
}


def _entries(graph: Graph) -> list[Entry]:
    """Every entry, in the order of the site's sections, then by id."""
    order = {name: index for index, name in enumerate(entry_types())}
    return sorted(graph.entries.values(), key=lambda e: (order[e.type], e.id))


def _papers(graph: Graph) -> list[Entry]:
    return sorted(graph.by_type("paper"), key=lambda e: e.id)


def _summary(graph: Graph, entry: Entry, short_first: bool = False) -> str:
    text = style.summary_text(graph, entry, short_first)
    return re.sub(r"\s+([.,;:!?])", r"\1", text)  # where a citation was taken out


# --- Open data ------------------------------------------------------------------------------


def knowledge_base_json(graph: Graph, settings: Settings, citations: Citations, kept: PerRecord | None = None) -> bytes:
    """Every entry with its id, type, page URL and validated data, and where its schema is.

    Indented as ``json.dumps(document, indent=2)`` writes it, each entry's part made on its own
    (``kept``: as the last build made it, if its record is the same).
    """
    types = entry_types()
    kept = kept or PerRecord(keep=False)

    def part(entry: Entry) -> bytes:
        cited = citations[entry.id]
        record: dict[str, Any] = {"id": entry.id, "type": entry.type, "url": cited.permalink}
        if cited.added:
            record["published"] = cited.added.date().isoformat()
        if cited.updated:
            record["updated"] = cited.updated.isoformat()
        record["data"] = entry.data
        # An item of the list of entries, two levels into the document; as bytes at once (a text
        # with any character beyond Latin-1 takes two or four bytes a character: the build's peak).
        text = _ENTRY_INDENT + json.dumps(record, ensure_ascii=False, indent=2).replace("\n", "\n" + _ENTRY_INDENT)
        return text.encode("utf-8")

    entries = [kept.get("open data", e.id, citations[e.id], lambda e=e: part(e)) for e in _entries(graph)]
    document = {
        "schema_version": SCHEMA_VERSION,
        "name": settings.site_name,
        "url": addresses.site_root(settings) or None,
        "license": licence_record(settings),
        "types": {
            name: {
                "singular": kind.singular,
                "plural": kind.plural,
                "url": kind.index_url,
                "schema": f"schemas/{name}.schema.json",
            }
            for name, kind in types.items()
        },
        "entries": [],
    }
    text = json.dumps(document, ensure_ascii=False, indent=2)
    if not entries:
        return (text + "\n").encode("utf-8")
    # "entries" is the document's last key: its list is where the text ends.
    head, found, tail = text.rpartition('"entries": []')
    assert found and tail == "\n}", "the open data's entries are its last key"
    pieces = [f'{head}"entries": [\n'.encode()]
    for index, entry in enumerate(entries):
        pieces += [b",\n", entry] if index else [entry]
    return b"".join([*pieces, b"\n  ]\n}\n"])


#: Where an entry of data/knowledge-base.json starts: two levels of two spaces.
_ENTRY_INDENT = "    "


def licence_record(settings: Settings) -> dict[str, str] | None:
    """The content's licence as the open data states it."""
    licence = settings.licence
    return {"name": licence.name, "spdx": licence.spdx, "url": licence.url} if licence else None


def bibliography_bib(settings: Settings, entries: list[str]) -> str:
    """Every work of the bibliography as BibTeX (``entries``, their fields as the sources give them)."""
    works = "\n".join(entries)
    if not settings.licence:
        return works
    # BibTeX, biber, pandoc and pybtex all skip @comment: the licence travels with the file.
    where = f" ({addresses.site_root(settings)})" if addresses.site_root(settings) else ""
    note = f"The bibliography of the {settings.site_name}{where}, under {settings.licence.name}: {settings.licence.url}"
    return "@comment{" + bibtex.bib_text(note) + "}\n\n" + works


def citation_cff(settings: Settings, build: dt.datetime) -> bytes | None:
    """The repository's CITATION.cff as the site publishes it, completed with what only the build
    knows: the site's address (``url``), the repository's (``repository-code``) and the date of
    the build (``date-released``), in the file and in its preferred citation. None without one."""
    path = settings.root / "CITATION.cff"
    if not path.is_file():
        return None
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    released = build.date()
    known = {"url": addresses.site_root(settings), "repository-code": settings.repo_url.strip()}
    additions = {k: v for k, v in known.items() if v}
    completed: dict[str, Any] = {}
    for key, value in document.items():
        completed[key] = value
        if key == "version":
            completed.update(additions)
            completed["date-released"] = released
    preferred = document.get("preferred-citation")
    if isinstance(preferred, dict):
        completed["preferred-citation"] = {
            **preferred,
            **additions,
            "year": released.year,
            "date-released": copy.copy(released),
        }  # no YAML alias
    text = "# Made by the site's build from the repository's CITATION.cff (Citation File Format 1.2).\n"
    return (text + yaml.safe_dump(completed, sort_keys=False, allow_unicode=True, width=100)).encode("utf-8")


# --- Feed -----------------------------------------------------------------------------------


def _atom_time(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _href(settings: Settings, path: str) -> str:
    """A link in the feed or llms.txt: absolute with site_url, else relative to the site root
    (where both files are, so the relative link resolves)."""
    return addresses.address(settings, path)


def feed(graph: Graph, settings: Settings, citations: Citations) -> bytes:
    """An Atom feed of the newest entries, newest first.

    An entry is published at its first commit and updated on the day of its last (history.py),
    else at SOURCE_DATE_EPOCH; without either, at the time of the build. Ids are UUIDs made from
    the entry's id, so they stay put when the site moves.
    """
    build = citations.dates.build
    types = entry_types()

    def added(entry: Entry) -> dt.datetime:
        return citations[entry.id].added or build

    def updated(entry: Entry) -> dt.datetime:
        """The entry's own last change (midnight UTC of that day), never before it was added."""
        changed = citations[entry.id].updated
        midnight = dt.datetime(changed.year, changed.month, changed.day, tzinfo=dt.UTC) if changed else added(entry)
        return max(added(entry), midnight)

    newest = sorted(graph.entries.values(), key=lambda e: (added(e), updated(e), e.id), reverse=True)[:FEED_SIZE]
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")

    def add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
        if text is not None:
            element.text = text
        return element

    add(root, "title", f"{settings.site_name}: new entries")
    add(root, "id", f"urn:uuid:{FEED_NAMESPACE}")
    add(root, "updated", _atom_time(max((updated(e) for e in newest), default=build)))  # the newest change
    if addresses.site_root(settings):
        add(root, "link", rel="self", type="application/atom+xml", href=_href(settings, "feed.xml"))
    add(root, "link", rel="alternate", type="text/html", href=addresses.site_root(settings) or "./")
    author = add(root, "author")
    add(author, "name", CONTRIBUTORS)
    if settings.licence:
        add(root, "rights", f"{settings.licence.name}: {settings.licence.url}")
    add(root, "generator", "knowledgebase")
    for entry in newest:
        item = add(root, "entry")
        add(item, "title", entry.title)
        add(item, "id", f"urn:uuid:{uuid.uuid5(FEED_NAMESPACE, f'{entry.type}/{entry.id}')}")
        add(item, "link", rel="alternate", type="text/html", href=_href(settings, types[entry.type].page_url(entry.id)))
        add(item, "published", _atom_time(added(entry)))
        add(item, "updated", _atom_time(updated(entry)))
        kind = types[entry.type]
        add(item, "category", term=entry.type, label=kind.singular)
        summary = _summary(graph, entry)
        if summary:
            add(item, "summary", summary)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


# --- llms.txt -------------------------------------------------------------------------------


def _link_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def llms_txt(graph: Graph, settings: Settings, citations: Citations, kept: PerRecord | None = None) -> str:
    """An index of the knowledge base for language-model tools, in the llms.txt format (llmstxt.org):
    a title, a one-line summary, then one section of links per type of entry (each entry's line
    as the last build made it, if its record is the same: ``kept``)."""
    types = entry_types()
    kept = kept or PerRecord(keep=False)

    def line(entry: Entry, kind: EntryType) -> str:
        summary = markup.excerpt(_summary(graph, entry, short_first=True), 200)
        link = f"- [{_link_text(entry.title)}]({_href(settings, kind.page_url(entry.id))})"
        return f"{link}: {summary}" if summary else link

    present = [kind for name, kind in types.items() if graph.by_type(name)]
    lines = [
        f"# {settings.site_name}",
        "",
        f"> {len(graph.entries)} entries ({', '.join(k.plural.lower() for k in present)}), linked to each other and to their sources.",
        "",
        "Each link below leads to an entry's page; every page ends with a citation of itself. The whole knowledge "
        f"base is also available as data: [knowledge-base.json]({_href(settings, 'data/knowledge-base.json')}) "
        f"(schema version {SCHEMA_VERSION}); the JSON Schemas of its sources are listed at the end.",
    ]
    if settings.licence:
        lines += [
            "",
            f"Licence: the text and data are under {settings.licence.name} ({settings.licence.url}); credit the {settings.site_name} contributors.",
        ]
    for name, kind in types.items():
        entries = sorted(graph.by_type(name), key=lambda e: (e.title.casefold(), e.id))
        if not entries:
            continue
        lines += ["", f"## {kind.plural}", ""]
        lines += [kept.get("llms.txt", e.id, citations[e.id], lambda e=e, kind=kind: line(e, kind)) for e in entries]
    lines += [
        "",
        "## Optional",
        "",
        f"- [Bibliography in BibTeX]({_href(settings, 'data/bibliography.bib')}): every paper, report and article",
        f"- [Bibliography in CSL-JSON]({_href(settings, 'data/bibliography.csl.json')}): the same, for citation processors",
        f"- [Feed of new entries]({_href(settings, 'feed.xml')}): Atom",
    ]
    lines += [f"- [{name}]({_href(settings, f'data/schemas/{name}')}): JSON Schema" for name in sorted(schema_files())]
    return "\n".join(lines) + "\n"


# --- robots.txt -----------------------------------------------------------------------------


def robots_txt(settings: Settings) -> str:
    """Every page may be crawled; the sitemap (MkDocs writes it) is named when its address is known.

    Crawlers read robots.txt only at the root of a host: a site published under a sub-path
    (``https://OWNER.github.io/REPO/``) is crawled by the rules of the host's own robots.txt, and
    this one serves whoever looks for it there, and a site moved to a domain of its own.
    """
    lines = ["User-agent: *", "Allow: /"]
    if addresses.site_root(settings):
        lines += ["", f"Sitemap: {addresses.site_root(settings)}sitemap.xml"]
    return "\n".join(lines) + "\n"


# --- Redirects ------------------------------------------------------------------------------


def redirect_pages(graph: Graph, env: jinja2.Environment) -> dict[str, bytes]:
    """A page at every former id of an entry, sending readers (and search engines) to its new page.

    Its front matter names the target; overrides/main.html turns that into a meta refresh and a
    canonical link. Its text links the new page too, so it works as plain Markdown in any builder.
    """
    pages: dict[str, bytes] = {}
    types = entry_types()
    for entry in _entries(graph):
        kind = types[entry.type]
        for old in entry.get("redirect_from", []):
            if old == "index":
                continue  # the section's own index page
            meta = {
                "title": str(escape(f"Moved: {entry.title}")),  # themes print it unescaped
                "redirect": kind.page_url(entry.id),
                "search": {"exclude": True},
                "kb": {"redirect_from": old, "id": entry.id, "type": entry.type},
            }
            text = render_page(env, "redirect.md.j2", meta, entry=entry, kind=kind)
            pages[kind.page_path(old)] = text.encode("utf-8")
    return pages
