"""Citations of the knowledge base's pages and works, as an entry page's front matter carries them.

Every entry page can be cited: a CSL-JSON item for the page itself, a "Knowledge base entry"
(the knowledge base as its publisher, its permalink, the date it last changed), formatted in APA 7
and written as BibTeX. The page of a work (a paper, report or article from its BibTeX source; a
podcast episode or video from its YAML) also cites the work itself, from one CSL item that every
export of the work shares. The page's Highwire Press and Dublin Core tags, and its JSON-LD, come
along. All of it reaches the HTML through the page's front matter (``cite``), which
``overrides/main.html`` and ``overrides/partials/kb-cite.html`` print, escaped.
"""

from __future__ import annotations

import json
from typing import Any

from knowledgebase.cite.addresses import download_path, permalink
from knowledgebase.cite.apa import apa
from knowledgebase.cite.bibtex import page_bibtex, work_bibtex
from knowledgebase.cite.csl import page_csl, work_of
from knowledgebase.cite.history import entry_dates
from knowledgebase.cite.meta import entry_jsonld, page_highwire, script_json
from knowledgebase.graph.resolve import Graph
from knowledgebase.model.entry import Entry
from knowledgebase.settings import Settings


def formats(item: dict[str, Any], bibtex: str, file: str) -> dict[str, Any]:
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
            **formats(work.item, work_bibtex(entry), download_path(entry, "work")),
        }
    cite["page"] = formats(page_csl(entry, graph, settings), page_bibtex(entry, graph, settings), download_path(entry, "page"))
    cite["meta"] = [[name, content] for name, content in page_highwire(entry, graph, settings)]
    cite["jsonld"] = script_json(entry_jsonld(entry, graph, settings))
    return {"cite": cite}
