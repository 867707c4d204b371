"""COinS: a citation as an OpenURL ContextObject (Z39.88-2004) in the title of a ``<span class="Z3988">``.

Highwire ``citation_*`` tags can describe one item per page, and they describe the page. A page
about a work has two things worth citing, the page and the work, so the cite box also carries
each as COinS: Zotero's COinS translator (and Mendeley's and Citavi's importers) read every
span on a page and, when there are several, let the reader pick which to save.

Made from the same CSL-JSON item as the other formats. KEV formats: ``journal`` for articles,
conference papers and preprints, ``book`` for books, chapters and reports, ``dc`` for the rest.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

#: CSL type -> (KEV metadata format, OpenURL genre).
FORMATS = {
    "article-journal": ("journal", "article"),
    "paper-conference": ("journal", "proceeding"),
    "article": ("journal", "preprint"),
    "book": ("book", "book"),
    "chapter": ("book", "bookitem"),
    "report": ("book", "report"),
}


def _name(name: dict[str, str]) -> str:
    if "literal" in name:
        return name["literal"]
    family = " ".join(p for p in (name.get("non-dropping-particle"), name.get("family")) if p)
    return ", ".join(p for p in (family, name.get("given")) if p)


def context_object(item: dict[str, Any]) -> str:
    """The ContextObject of a CSL-JSON item, as the KEV string a COinS span's title holds."""
    kind = item.get("type", "document")
    fmt, genre = FORMATS.get(kind, ("dc", ""))
    pairs: list[tuple[str, str]] = [("ctx_ver", "Z39.88-2004"), ("rft_val_fmt", f"info:ofi/fmt:kev:mtx:{fmt}")]
    if item.get("DOI"):
        pairs.append(("rft_id", f"info:doi/{item['DOI']}"))
    if item.get("URL"):
        pairs.append(("rft_id", item["URL"]))
    title, container = item.get("title", ""), item.get("container-title", "")
    issued = item.get("issued", {}).get("date-parts", [[]])[0]
    date = "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(issued))
    authors = item.get("author", [])
    if fmt == "dc":
        pairs += [("rft.type", item.get("genre") or kind), ("rft.title", title)]
        pairs += [("rft.creator", _name(a)) for a in authors]
        for key, value in (("rft.source", container), ("rft.publisher", item.get("publisher", "")), ("rft.date", date)):
            if value:
                pairs.append((key, value))
        return urlencode(pairs, quote_via=quote)
    pairs.append(("rft.genre", genre))
    if fmt == "journal":
        pairs.append(("rft.atitle", title))
        pairs.append(("rft.jtitle", container or item.get("publisher", "")))
    elif genre == "bookitem":
        pairs += [("rft.atitle", title), ("rft.btitle", container)]
    else:
        pairs.append(("rft.btitle", title))
    for author in authors:  # a closing 'others' is kept: the list stays visibly abridged
        pairs.append(("rft.aucorp" if "literal" in author and author["literal"] != "others" else "rft.au", _name(author)))
    for key, csl in (
        ("rft.date", None),
        ("rft.volume", "volume"),
        ("rft.issue", "issue"),
        ("rft.pages", "page"),
        ("rft.pub", "publisher"),
        ("rft.artnum", "number"),
    ):
        value = date if csl is None else str(item.get(csl, ""))
        if value:
            pairs.append((key, value))
    return urlencode(pairs, quote_via=quote)
