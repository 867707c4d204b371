"""The JSON Schemas of the entry types: one source of truth for validation, docs and editors."""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import jsonschema
from referencing import Registry, Resource

from .model import FieldPath

SCHEMA_PACKAGE = "knowledgebase.schemas"
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def is_date(value: object) -> bool:
    """ISO 8601 YYYY, YYYY-MM or YYYY-MM-DD, and a day that exists."""
    if not isinstance(value, str):
        return True
    match = _DATE.match(value)
    if not match:
        return False
    year, month, day = (int(g) if g else 1 for g in match.groups())
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def is_http_url(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if any(c.isspace() or ord(c) < 32 for c in value):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


FORMAT_CHECKER = jsonschema.FormatChecker(formats=())
FORMAT_CHECKER.checks("kb-date")(is_date)
FORMAT_CHECKER.checks("http-url")(is_http_url)


@dataclass(frozen=True)
class EntryType:
    """An entry type as its schema's ``x-kb`` block declares it."""

    name: str
    folder: str
    url: str
    singular: str
    plural: str
    order: int
    schema: dict[str, Any]

    @property
    def is_bibtex(self) -> bool:
        return self.name == "paper"

    @cached_property
    def validator(self) -> jsonschema.protocols.Validator:
        return jsonschema.Draft202012Validator(self.schema, registry=registry(), format_checker=FORMAT_CHECKER)

    @cached_property
    def fields(self) -> tuple[str, ...]:
        return tuple(self.schema.get("properties", {}))

    @cached_property
    def ref_paths(self) -> tuple[tuple[FieldPath, str | None], ...]:
        """Where references to other entries stand: (path pattern with '*' for items, target type)."""
        return tuple((p, s.get("x-ref-type")) for p, s in walk(self.schema) if s.get("x-ref"))

    @cached_property
    def markdown_paths(self) -> tuple[FieldPath, ...]:
        """Where contributor Markdown stands (path patterns with '*' for items)."""
        return tuple(p for p, s in walk(self.schema) if s.get("x-markdown"))


def _read(name: str) -> dict[str, Any]:
    return json.loads(resources.files(SCHEMA_PACKAGE).joinpath(name).read_text("utf-8"))


@cache
def registry() -> Registry:
    resource = Resource.from_contents(_read("common.schema.json"))
    return Registry().with_resource("common.schema.json", resource)


@cache
def entry_types() -> dict[str, EntryType]:
    """Every entry type, in the order of the site's sections."""
    types = []
    for item in resources.files(SCHEMA_PACKAGE).iterdir():
        name = item.name.removesuffix(".schema.json")
        if not item.name.endswith(".schema.json") or name == "common":
            continue
        schema = _read(item.name)
        meta = schema["x-kb"]
        types.append(EntryType(name=name, schema=schema, **meta))
    types.sort(key=lambda t: (t.order, t.name))
    return {t.name: t for t in types}


def schema_files() -> dict[str, str]:
    """The schema files by name, as text, for publishing with the site."""
    folder = resources.files(SCHEMA_PACKAGE)
    return {i.name: i.read_text("utf-8") for i in folder.iterdir() if i.name.endswith(".schema.json")}


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Follow a ``$ref`` into the common schema or the current document's ``$defs``.

    Returns the merged sub-schema and the document that further relative refs resolve against.
    """
    ref = schema.get("$ref")
    if not ref:
        return schema, root
    target, _, pointer = ref.partition("#")
    document = _read(target) if target else root
    node = document
    for part in pointer.strip("/").split("/"):
        node = node[part]
    resolved, base = _resolve(node, document)
    merged = {**resolved, **schema}
    merged.pop("$ref", None)
    return merged, base


def walk(
    schema: dict[str, Any], root: dict[str, Any] | None = None, path: FieldPath = ()
) -> Iterator[tuple[FieldPath, dict[str, Any]]]:
    """Every sub-schema with its data path, '*' standing for any array item."""
    schema, root = _resolve(schema, root or schema)
    if path:
        yield path, schema
    for key, sub in schema.get("properties", {}).items():
        yield from walk(sub, root, (*path, key))
    if isinstance(schema.get("items"), dict):
        yield from walk(schema["items"], root, (*path, "*"))


def match_paths(data: Any, pattern: FieldPath, prefix: FieldPath = ()) -> Iterator[tuple[FieldPath, Any]]:
    """The values in ``data`` that a path pattern from ``walk`` points at, with their concrete paths."""
    if not pattern:
        yield prefix, data
        return
    head, rest = pattern[0], pattern[1:]
    if head == "*":
        if isinstance(data, list):
            for index, item in enumerate(data):
                yield from match_paths(item, rest, (*prefix, index))
    elif isinstance(data, dict) and head in data:
        yield from match_paths(data[head], rest, (*prefix, head))
