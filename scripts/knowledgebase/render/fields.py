"""An entry's fields as its schema describes them, for the generic page of a type with no template.

A type added with only a schema gets a page that shows every field it has: each field's label,
and how its value reads (a link to another entry, an outside address, prose, a list), come from
the schema, so ``generic.md.j2`` holds only the presentation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from knowledgebase.model.entry import Entry
from knowledgebase.model.schema import EntryType, walk

#: Fields the frame of every entry page (``entry.md.j2``) shows itself, or the site uses elsewhere:
#: tags (Material's tag list), provenance (the warning), the URLs' check date and archived copy
#: (beside each address), former ids (redirects).
FRAME_FIELDS = frozenset(
    {"title", "summary", "body", "notes", "quotes", "related", "sources", "tags", "provenance", "redirect_from"}
    | {"accessed", "archived_url"}
)
#: The forms that fit in one line of the facts table; the others get a section of their own.
INLINE = frozenset({"text", "link", "links", "url", "urls", "list"})


@dataclass(frozen=True)
class Field:
    """One field of an entry as its page shows it."""

    label: str
    #: How the value reads: text, link, links, url, urls, list (inline); prose, prose-list, object, objects.
    form: str
    value: Any
    #: For an object or a list of objects: each one's own fields, in the schema's order.
    parts: tuple[tuple[Field, ...], ...] = ()

    @property
    def inline(self) -> bool:
        return self.form in INLINE


#: Names of the shared fields (common.schema.json) that their key does not spell well.
LABELS = {"url": "Link", "doi": "DOI"}


def label(name: str, spec: dict[str, Any]) -> str:
    """A field's name for readers: the schema's ``title`` of it, else its key in words ("start_date": "Start date")."""
    return str(spec.get("title") or LABELS.get(name) or name.replace("_", " ").replace("-", " ").capitalize())


def entry_fields(entry: Entry, kind: EntryType) -> list[Field]:
    """Every field ``entry`` has beyond what the frame shows, in its schema's order."""
    specs = dict(walk(kind.schema))
    return [
        _field(name, entry.get(name), specs, (name,))
        for name in kind.fields
        if name not in FRAME_FIELDS and entry.get(name) not in (None, "", [], {})
    ]


def _field(name: str, value: Any, specs: dict[tuple[Any, ...], dict[str, Any]], path: tuple[Any, ...]) -> Field:
    spec = specs.get(path, {})
    items = specs.get((*path, "*"), {})
    form = _form(spec, items, value)
    if form == "object":
        return Field(label(name, spec), form, value, (_parts(value, specs, path),))
    if form == "objects":
        return Field(label(name, spec), form, value, tuple(_parts(v, specs, (*path, "*")) for v in value))
    if form == "text" and isinstance(value, bool):
        value = "yes" if value else "no"
    return Field(label(name, spec), form, value)


def _parts(value: dict[str, Any], specs: dict[tuple[Any, ...], dict[str, Any]], path: tuple[Any, ...]) -> tuple[Field, ...]:
    return tuple(_field(k, v, specs, (*path, k)) for k, v in value.items() if v not in (None, "", [], {}))


#: The form of a list of values of each single form.
_LIST_FORMS = {"link": "links", "prose": "prose-list", "url": "urls"}


def _single_form(spec: dict[str, Any]) -> str | None:
    """A link to another entry, prose or an outside address, as the schema marks the value; else None."""
    if spec.get("x-ref"):
        return "link"
    if spec.get("x-markdown"):
        return "prose"
    if spec.get("format") == "http-url":
        return "url"
    return None


def _form(spec: dict[str, Any], items: dict[str, Any], value: Any) -> str:
    single = _single_form(spec)
    if single:
        return single
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        each = _single_form(items)
        if each:
            return _LIST_FORMS[each]
        return "objects" if all(isinstance(v, dict) for v in value) else "list"
    return "text"
