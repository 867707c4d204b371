"""Stage 2: check raw entries against their JSON Schema and build the model.

Every finding names the file, line and column of the offending key or value, and says what
to write instead, in the words of a contributor rather than of JSON Schema.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import jsonschema

from .diagnostics import Diagnostics, did_you_mean
from .model import Entry, FieldPath
from .schema import EntryType, entry_types
from .sources import RawEntry

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_TYPE_WORDS = {
    "string": "text",
    "array": "a list",
    "object": "a mapping of fields",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "empty",
}


def field_name(path: Iterable[str | int]) -> str:
    """A path as a contributor reads it: ``segment.start``, ``sources[2]``."""
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "entry"


def _value_type(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "empty"
    return "text"


def _message(error: jsonschema.ValidationError, kind: EntryType) -> tuple[FieldPath, str, bool]:
    """(path, message, at_key) for one schema error."""
    path: FieldPath = tuple(error.absolute_path)
    name = field_name(path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    validator = error.validator
    if validator == "required":
        missing = re.match(r"'([^']+)'", error.message)
        field = missing.group(1) if missing else error.message
        where = f" in {name}" if path else ""
        return path, f"missing required field '{field}'{where}", False
    if validator == "additionalProperties":
        allowed = schema.get("properties", {})
        extras = [k for k in error.instance if k not in allowed] if isinstance(error.instance, dict) else []
        field = extras[0] if extras else "?"
        return (*path, field), f"unknown field '{field}'{did_you_mean(field, allowed)}", True
    if validator == "type":
        expected = schema.get("type")
        words = " or ".join(_TYPE_WORDS.get(t, t) for t in ([expected] if isinstance(expected, str) else expected))
        return path, f"'{name}' must be {words}, not {_value_type(error.instance)}", False
    if validator == "enum":
        choices = [str(c) for c in schema.get("enum", [])]
        return (
            path,
            f"'{name}': '{error.instance}' is not allowed; use one of: {', '.join(choices)}{did_you_mean(str(error.instance), choices)}",
            False,
        )
    if validator in ("pattern", "format"):
        explanation = schema.get("x-message", f"does not match {schema.get('pattern') or schema.get('format')}")
        return path, f"'{name}': '{error.instance}' {explanation}", False
    if validator == "minItems":
        return path, f"'{name}' needs at least {error.validator_value} item(s)", False
    if validator == "uniqueItems":
        return path, f"'{name}' lists the same item more than once", False
    if validator == "minLength":
        return path, f"'{name}' must not be empty", False
    if validator in ("minimum", "maximum"):
        return path, f"'{name}': {error.message}", False
    if validator in ("oneOf", "anyOf"):
        return path, schema.get(f"x-{validator}-message", error.message), False
    return path, f"'{name}': {error.message}", False


def validate_entry(raw: RawEntry, diagnostics: Diagnostics) -> Entry | None:
    """The entry if its data fits its schema; otherwise None, with every problem reported."""
    kind = entry_types()[raw.type]
    ok = True
    if not SLUG.match(raw.id):
        ok = False
        what = "citation key" if kind.is_bibtex else "file name"
        line, col = raw.source.start
        diagnostics.error(
            raw.source.path,
            line,
            col,
            f"id '{raw.id}' (the {what}) must be a slug: lower-case letters and digits separated by single hyphens",
        )
    seen: set[FieldPath] = set()
    for error in sorted(kind.validator.iter_errors(raw.data), key=lambda e: list(map(str, e.absolute_path))):
        path, message, at_key = _message(error, kind)
        if path in seen:
            continue
        seen.add(path)
        ok = False
        line, col = raw.source.key_mark(path) if at_key else raw.source.value_mark(path)
        diagnostics.error(raw.source.path, line, col, message)
    if not ok:
        return None
    return Entry(id=raw.id, type=raw.type, data=raw.data, source=raw.source)


def validate(raws: list[RawEntry], diagnostics: Diagnostics) -> list[Entry]:
    """Validate every entry and check that ids are unique across all files and types."""
    first: dict[str, RawEntry] = {}
    for raw in raws:
        if raw.id in first:
            other = first[raw.id]
            line, col = raw.source.start
            diagnostics.error(
                raw.source.path,
                line,
                col,
                f"duplicate id '{raw.id}': already used by {other.source.path}:{other.source.start[0]}; ids are unique across the whole knowledge base",
            )
        else:
            first[raw.id] = raw
    entries = [validate_entry(raw, diagnostics) for raw in raws]
    return [e for e in entries if e is not None and first.get(e.id) is not None and first[e.id].source is e.source]
