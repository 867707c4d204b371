"""The metadata machines read from an entry page: Highwire Press ``citation_*`` and Dublin Core
tags describing the page (the work it is about, and every work it cites, as citation_reference
tags), and its schema.org JSON-LD, a WebPage ``about`` the work or thing the entry describes."""

from __future__ import annotations

import json
from typing import Any

from knowledgebase.cite.addresses import address, permalink, site_root
from knowledgebase.cite.csl import Work, iso_date
from knowledgebase.cite.history import EntryDates
from knowledgebase.cite.names import name_text, person_name
from knowledgebase.graph import style
from knowledgebase.graph.resolve import Graph
from knowledgebase.model.duration import iso8601
from knowledgebase.model.entry import Entry
from knowledgebase.model.schema import entry_types
from knowledgebase.settings import Settings

#: Who the knowledge base as a whole is by (as in CITATION.cff).
CONTRIBUTORS = "The Open Source AI Knowledge Base contributors"


def _slash_date(parts: list[int]) -> str:
    """Highwire's date form: 2024/09/03, 2024/09 or 2024."""
    return "/".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts))


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
    person = {"@type": "Person", "name": person_name(name), "familyName": family}
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


def work_jsonld(work: Work, reference: str) -> dict[str, Any]:
    """schema.org data of a work, from the same CSL item as its citations: its own authors, date,
    identifiers and address. A list of authors cut short says so in ``creditText``, in the words of
    the work's APA reference (``reference``, as plain text)."""
    item = work.item
    kind = item["type"]
    data: dict[str, Any] = {"@type": WORK_TYPES.get(kind, "CreativeWork"), "name": item["title"]}
    if work.authors:
        data["author"] = [_person(n) for n in work.authors]
    if work.et_al:
        data["creditText"] = apa_authors(work, reference) + " (the list of authors is abridged)"
    issued = item.get("issued", {}).get("date-parts", [[]])[0]
    if issued:
        data["datePublished"] = iso_date(issued)
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


def apa_authors(work: Work, reference: str) -> str:
    """The author part of the work's APA reference: 'Eiras, F., ..., Elkins, K., et al.'"""
    return reference.split(" (", 1)[0] if work.authors else ""


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
        data["duration"] = iso8601(entry.get("duration"))
    if entry.get("format") != "podcast":
        data["uploadDate"] = entry.get("date")
    return data


def about_jsonld(entry: Entry, graph: Graph, settings: Settings, work: Work | None, reference: str) -> dict[str, Any] | None:
    """schema.org data of what an entry page is about: the work (``work``, with its APA ``reference``),
    term, organisation, data set or document the entry describes; None for the knowledge base's own articles."""
    data: dict[str, Any]
    if entry.type == "paper" and work is not None:
        data = work_jsonld(work, reference)
    elif entry.type == "podcast":
        data = _episode_jsonld(entry)
    elif entry.type == "glossary":
        data = {"@type": entry_types()["glossary"].jsonld, "name": entry.title}
        alternates = [*entry.get("aliases", []), *entry.get("abbreviations", [])]
        if alternates:
            data["alternateName"] = alternates
        data["description"] = style.summary_text(graph, entry)
        term_set = {"@type": "DefinedTermSet", "name": f"{settings.site_name}: {entry_types()['glossary'].plural}"}
        if site_root(settings):
            term_set["url"] = address(settings, entry_types()["glossary"].index_url)
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


def _pruned(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v not in (None, "", [])}


#: The licence of the knowledge base's text (CITATION.cff says the same).
CONTENT_LICENSE = "https://creativecommons.org/licenses/by/4.0/"


def entry_jsonld(
    entry: Entry, graph: Graph, settings: Settings, dates: EntryDates, work: Work | None, reference: str
) -> dict[str, Any]:
    """schema.org data of an entry page: a WebPage of the knowledge base (its title, the knowledge
    base as author and publisher, the entry's own dates, address and licence) that is ``about``
    the work or thing the entry describes, as that work is (its own authors, date and identifiers).
    """
    link = permalink(entry, settings)
    description = style.summary_text(graph, entry)
    site: dict[str, Any] = {"@type": "WebSite", "name": settings.site_name, "url": site_root(settings) or None}
    kb = {"@type": "Organization", "name": settings.site_name}
    added, updated = dates.added, dates.updated
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
    data["about"] = about_jsonld(entry, graph, settings, work, reference)
    return {"@context": "https://schema.org", **_pruned(data)}


def script_json(data: Any) -> str:
    """JSON for a <script> element: '<', '>' and '&' escaped, so no value can close the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text


def page_highwire(entry: Entry, settings: Settings, dates: EntryDates, cited: list[Work]) -> list[tuple[str, str]]:
    """The citation_* and Dublin Core tags of an entry page, describing the page as the cite box
    cites it: its title, the knowledge base as publisher, its date, address and licence. The work
    the page is about, and every work it cites (``cited``, in that order), follow as
    citation_reference tags."""
    added, updated = dates.added, dates.updated
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
    tags += [("citation_reference", citation_reference(w)) for w in cited]
    return tags
