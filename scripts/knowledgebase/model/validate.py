"""Stage 2: check raw entries against their JSON Schema and build the model.

Every finding names the file, line and column of the offending key or value, and says what
to write instead, in the words of a contributor rather than of JSON Schema.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

from knowledgebase.diagnostics import Diagnostics, did_you_mean
from knowledgebase.model import duration
from knowledgebase.model.entry import Entry
from knowledgebase.model.schema import EntryType, entry_types, jsonschema  # imported on first use: only invalid entries need it
from knowledgebase.sources.positions import FieldPath
from knowledgebase.sources.raw import RawEntry
from knowledgebase.sources.reader import gc_paused

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@functools.cache
def max_id_length() -> int:
    """The longest id or citation key: common.schema.json's limit, chosen to fit every file system."""
    from knowledgebase.model.schema import common_definition

    return int(common_definition("slug")["maxLength"])


def id_problem(entry_id: str, what: str) -> str:
    """Why ``entry_id`` cannot be an id (it is not a slug, or too long for a file name)."""
    if len(entry_id) > max_id_length():
        return (
            f"id '{entry_id[:20]}...' (the {what}) is {len(entry_id)} characters long; ids have at most "
            f"{max_id_length()}, so that every file made from them fits every file system"
        )
    return f"id '{entry_id}' (the {what}) must be a slug: lower-case letters and digits separated by single hyphens"


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
    if isinstance(value, (int, float)):
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
        # `title: [Draft]` is a list to YAML: text that starts with [ or { needs quotes.
        starts = "[" if isinstance(error.instance, list) else "{" if isinstance(error.instance, dict) else ""
        hint = f"; put a value that starts with '{starts}' in quotes" if starts and expected == "string" else ""
        return path, f"'{name}' must be {words}, not {_value_type(error.instance)}{hint}", False
    if validator == "enum":
        choices = [str(c) for c in schema.get("enum", [])]
        return (
            path,
            f"'{name}': '{error.instance}' is not allowed; use one of: {', '.join(choices)}{did_you_mean(str(error.instance), choices)}",
            False,
        )
    if validator in ("pattern", "format", "maxLength"):
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


#: What ``kb new`` writes where a value is still to be filled in.
PLACEHOLDER = "TODO"
_PLACEHOLDER = re.compile(r"^\s*TODO\b|^\s*todo\s*$")


def is_placeholder(value: Any) -> bool:
    # The pattern needs "TODO" or "todo": the two searches spare most values its call.
    return isinstance(value, str) and ("TODO" in value or "todo" in value) and bool(_PLACEHOLDER.match(value))


def _may_hold_placeholder(text: str | None) -> bool:
    return text is None or "TODO" in text or "todo" in text


def _placeholders(value: Any, path: FieldPath = ()) -> Iterable[FieldPath]:
    """The paths of values still holding a ``kb new`` placeholder."""
    if is_placeholder(value):
        yield path
    elif isinstance(value, (list, dict)):
        for key, item in enumerate(value) if isinstance(value, list) else value.items():
            # Leaves are tested here: a generator per value costs more than the test (see benchmarks/).
            if isinstance(item, (list, dict)):
                yield from _placeholders(item, (*path, key))
            elif is_placeholder(item):
                yield (*path, key)


def _own_id_field(raw: RawEntry, diagnostics: Diagnostics) -> None:
    """A YAML entry's id is its file name; an ``id:`` field is refused, with what to do instead."""
    value = raw.data["id"]
    line, col = raw.source.key_mark(("id",))
    file_name = raw.source.path.rsplit("/", 1)[-1]
    if value == raw.id:
        message = f"remove the id field: the file name '{file_name}' already gives this entry its id"
    else:
        message = (
            f"id '{value}' does not match the file name '{file_name}'; the file name is the id: "
            f"rename the file or remove the id field"
        )
    diagnostics.error(raw.source.path, line, col, message)


def _missing_field(error: jsonschema.ValidationError) -> str:
    missing = re.match(r"'([^']+)'", error.message)
    return missing.group(1) if missing else error.message


def _each_extra(errors: list[jsonschema.ValidationError]) -> Iterable[jsonschema.ValidationError]:
    """The errors, with one additionalProperties error per unknown field rather than one for all."""
    for error in errors:
        allowed = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        if error.validator != "additionalProperties" or not isinstance(error.instance, dict):
            yield error
            continue
        for extra in [k for k in error.instance if k not in allowed]:
            yield jsonschema.ValidationError(
                f"unknown field {extra!r}",
                validator="additionalProperties",
                path=error.absolute_path,
                instance={extra: error.instance[extra]},
                schema=error.schema,
            )


def _misspelt(errors: list[jsonschema.ValidationError]) -> set[tuple[FieldPath, str]]:
    """(object path, field) for required fields that are missing because an unknown field is a misspelling of them."""
    import difflib  # here: only a mistake needs it

    found = set()
    for error in errors:
        if error.validator == "additionalProperties" and isinstance(error.instance, dict) and isinstance(error.schema, dict):
            allowed = error.schema.get("properties", {})
            for extra in error.instance:
                close = difflib.get_close_matches(extra, [k for k in allowed if k not in error.instance], n=1, cutoff=0.6)
                if extra not in allowed and close:
                    found.add((tuple(error.absolute_path), close[0]))
    return found


def validate_entry(raw: RawEntry, diagnostics: Diagnostics) -> Entry | None:
    """The entry if its data fits its schema; otherwise None, with every problem reported."""
    if raw.broken:
        return None  # unreadable: reported when it was read
    kind = entry_types()[raw.type]
    ok = True
    data = raw.data
    if not kind.is_bibtex and "id" in data:
        ok = False
        _own_id_field(raw, diagnostics)
        data = {k: v for k, v in data.items() if k != "id"}
    if not SLUG.match(raw.id) or len(raw.id) > max_id_length():
        ok = False
        what = "citation key" if kind.is_bibtex else "file name"
        line, col = raw.source.start
        diagnostics.error(raw.source.path, line, col, id_problem(raw.id, what))
    seen: set[FieldPath] = set()
    # A YAML entry is its whole file: one search of the text spares most entries the walk.
    placeholders = _placeholders(data) if kind.is_bibtex or _may_hold_placeholder(raw.source.text) else ()
    for path in placeholders:
        seen.add(path)
        ok = False
        line, col = raw.source.value_mark(path)
        diagnostics.error(
            raw.source.path,
            line,
            col,
            f"'{field_name(path)}' still holds the placeholder '{PLACEHOLDER}': fill it in, or delete the field if it is optional",
        )
    # The compiled check passes almost every entry; only the others pay for jsonschema's exact errors.
    errors = (
        [] if kind.is_valid(data) else sorted(kind.validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    )
    misspelt = _misspelt(errors)
    for error in _each_extra(errors):
        path, message, at_key = _message(error, kind)
        # One finding per place; but every missing field and every unknown field is its own.
        key = (*path, "\0" + error.message) if error.validator in ("required", "additionalProperties") else path
        if key in seen or (error.validator == "required" and (path, _missing_field(error)) in misspelt):
            continue  # a misspelt field is reported once, as unknown with its suggestion
        seen.add(key)
        ok = False
        line, col = raw.source.key_mark(path) if at_key else raw.source.value_mark(path)
        diagnostics.error(raw.source.path, line, col, message)
    segment = data.get("segment")
    if isinstance(segment, dict) and ("segment", "end") not in seen:
        start, end = duration.seconds(segment.get("start")), duration.seconds(segment.get("end"))
        if start is not None and end is not None and end <= start:
            ok = False
            line, col = raw.source.value_mark(("segment", "end"))
            diagnostics.error(
                raw.source.path,
                line,
                col,
                f"'segment.end' ({segment['end']}) must come after 'segment.start' ({segment['start']})",
            )
    if not ok:
        return None
    return Entry(id=raw.id, type=raw.type, data=raw.data, source=raw.source)


def rejected(raws: list[RawEntry], entries: list[Entry]) -> list[RawEntry]:
    """The entries that exist but did not validate: their ids are known, their links still checked."""
    accepted = {id(entry.source) for entry in entries}
    return [raw for raw in raws if id(raw.source) not in accepted]


@gc_paused
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
