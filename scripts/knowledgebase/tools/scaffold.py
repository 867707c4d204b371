"""``kb new TYPE ID``: a new entry with every field of its schema, ready to fill in.

The skeleton is generated from the type's JSON Schema, so it never drifts from what
``kb validate`` accepts: required fields first, each with a placeholder (``TODO``) that fails
validation until it is replaced, then every optional field, commented out, each with the
schema's description as a comment. YAML files start with the ``yaml-language-server``
modeline, so editors with the YAML extension complete field names and flag mistakes as the
contributor types. Papers are BibTeX: the skeleton is appended to a ``.bib`` file.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from knowledgebase.diagnostics import Diagnostics
from knowledgebase.model.schema import SCHEMA_PACKAGE, EntryType, entry_types, resolve
from knowledgebase.model.validate import PLACEHOLDER, SLUG, id_problem, max_id_length
from knowledgebase.publish import atomic
from knowledgebase.settings import Settings
from knowledgebase.sources.reader import read_sources

#: Where ``kb new paper`` appends, unless told otherwise.
DEFAULT_BIB = "contributions.bib"
WIDTH = 100


class ScaffoldError(Exception):
    """A reason not to write the entry (a usage error: exit status 2)."""


@dataclass(frozen=True)
class Field:
    name: str
    schema: dict[str, Any]  # resolved
    root: dict[str, Any]  # the document further $refs resolve against
    comment: str
    required: bool


def slugify(text: str) -> str:
    """A slug close to ``text``, to suggest when a contributor types an id that is not one."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _describe(raw: dict[str, Any], root: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], str]:
    """The resolved schema of a property, its base document, and what to tell the contributor."""
    resolved, base = resolve(raw, root)
    parts = []
    if raw.get("description"):
        parts.append(raw["description"])
    if "$ref" in raw:
        target, _ = resolve({"$ref": raw["$ref"]}, root)
        if target.get("description") and target["description"] not in parts:
            parts.append(target["description"])
    elif not parts and resolved.get("description"):
        parts.append(resolved["description"])
    enum = resolved.get("enum")
    if enum and not all(str(value) in " ".join(parts) for value in enum):
        parts.append("One of: " + ", ".join(map(str, enum)) + ".")
    if resolved.get("x-ref-type"):
        parts.append(f"The id of a {resolved['x-ref-type']} entry.")
    if resolved.get("type") == "array" and isinstance(resolved.get("items"), dict):
        items, _ = resolve(resolved["items"], base)
        item_hint = items.get("description") or ""
        if items.get("enum"):
            item_hint = "one of: " + ", ".join(map(str, items["enum"]))
        elif items.get("x-ref-type"):
            item_hint = f"the id of a {items['x-ref-type']} entry"
        if item_hint and item_hint not in " ".join(parts):
            parts.append(f"Each item: {item_hint[0].lower()}{item_hint[1:].rstrip('.')}.")
    if resolved.get("type") == "integer":
        minimum = resolved.get("minimum")
        parts.append("A whole number" + (f", {minimum} or more." if minimum is not None else "."))
    return resolved, base, " ".join(parts)


def fields(kind: EntryType) -> list[Field]:
    """The type's top-level fields: required ones first (in the schema's order), then the others."""
    schema = kind.schema
    required = list(schema.get("required", []))
    # A oneOf/anyOf of "required" alternatives (duration or segment; author or organization):
    # the first alternative is asked for, the others stay optional and say so.
    alternatives = [
        option["required"]
        for key in ("oneOf", "anyOf")
        for option in schema.get(key, [])
        if isinstance(option, dict) and option.get("required")
    ]
    if alternatives:
        required.extend(name for name in alternatives[0] if name not in required)
    either = {name for group in alternatives for name in group}
    note = schema.get("x-oneOf-message") or schema.get("x-anyOf-message")
    result = []
    properties = schema.get("properties", {})
    for name in [*required, *(n for n in properties if n not in required)]:
        if kind.is_bibtex and name == "entrytype":
            continue  # the @type of the entry, not a field
        resolved, base, comment = _describe(properties[name], schema)
        if name in either and note:
            comment = f"{comment} Note: {note[0].lower()}{note[1:]}." if comment else note
        result.append(Field(name, resolved, base, comment.strip(), name in required))
    return result


def _placeholder(schema: dict[str, Any], root: dict[str, Any], indent: int) -> list[str]:
    """The value part of a field: a scalar after the key (first item), then any lines below it."""
    kind = schema.get("type")
    if kind == "object":
        lines = []
        for name, raw in schema.get("properties", {}).items():
            sub, base, comment = _describe(raw, root)
            lines += _comment_block(comment, " " * (indent + 2) + "# ")
            lines += _field_lines(name, sub, base, indent + 2)
        return ["", *lines]
    if kind == "array":
        items, base = resolve(schema.get("items", {}), root)
        if items.get("type") == "object":
            inner = _placeholder(items, base, indent + 2)[1:]
            first = next(i for i, line in enumerate(inner) if not line.lstrip().startswith("#"))
            inner[first] = " " * (indent + 2) + "- " + inner[first].lstrip()
            inner = [line[2:] if i < first else line for i, line in enumerate(inner)]
            return ["", *inner]
        if not schema.get("minItems"):
            return ["[]"]
        return ["", " " * (indent + 2) + "- " + _placeholder(items, base, indent + 2)[0]]
    if schema.get("x-markdown"):
        # A block: no quoting or escaping to think about, and room for paragraphs.
        return ["|", " " * (indent + 2) + PLACEHOLDER]
    if kind == "string" and not schema.get("enum"):
        # Quoted, so that a value with ': ' or a leading '@' or '[' stays text.
        return [json.dumps(PLACEHOLDER)]
    return [PLACEHOLDER]


def _field_lines(name: str, schema: dict[str, Any], root: dict[str, Any], indent: int) -> list[str]:
    """``name: value`` and the value's further lines."""
    value = _placeholder(schema, root, indent)
    return [f"{' ' * indent}{name}:" + (f" {value[0]}" if value[0] else ""), *value[1:]]


def _comment_block(text: str, prefix: str = "# ") -> list[str]:
    return [prefix + line for line in textwrap.wrap(text, max(40, WIDTH - len(prefix)), break_on_hyphens=False)] if text else []


def schema_path(kind: EntryType) -> Path:
    return Path(str(resources.files(SCHEMA_PACKAGE).joinpath(f"{kind.name}.schema.json")))


def yaml_skeleton(kind: EntryType, entry_id: str, target: Path | None = None) -> str:
    """The text of a new YAML entry of ``kind``; ``target`` (its path) makes the modeline relative."""
    schema_file = schema_path(kind)
    location = os.path.relpath(schema_file, target.parent).replace(os.sep, "/") if target else schema_file.as_posix()
    lines = [
        f"# yaml-language-server: $schema={location}",
        *_comment_block(f"New {kind.singular.lower()} '{entry_id}': {kind.schema.get('description', '')}"),
        f"# Replace every {PLACEHOLDER}. Optional fields are commented out: to use one, delete the '# ' in front",
        "# of its lines and fill it in. Then check with `kb validate` and preview with `make serve`.",
        "# The file name is the entry's id; do not add an id field.",
    ]
    groups = fields(kind)
    for required in (True, False):
        members = [f for f in groups if f.required is required]
        if not members:
            continue
        lines += ["", f"# ---- {'Required' if required else 'Optional'} fields ----"]
        for field in members:
            lines.append("")
            lines += _comment_block(field.comment)
            body = _field_lines(field.name, field.schema, field.root, 0)
            lines += body if required else [f"# {line}" for line in body]
    return "\n".join(lines) + "\n"


def bibtex_skeleton(kind: EntryType, key: str) -> str:
    """A new BibTeX entry: required fields inside, optional ones described in a comment above it."""
    entry_types_enum = kind.schema["properties"]["entrytype"].get("enum", [])
    groups = fields(kind)
    lines = [
        f"% New paper '{key}'. Replace every {PLACEHOLDER}, starting with the entry type after '@': one of",
        *_comment_block(", ".join(entry_types_enum) + ".", "%   "),
        "% Authors are 'Last, First' joined by ' and '. Optional fields you may add inside the entry:",
    ]
    for field in groups:
        if not field.required:
            lines += _comment_block(f"{field.name} = {{...}},  {field.comment}".rstrip(), "%   ")
    lines.append(f"@{PLACEHOLDER}{{{key},")
    for field in groups:
        if field.required:
            lines.append(f"  {field.name} = {{{PLACEHOLDER}}},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def taken_ids(settings: Settings) -> dict[str, str]:
    """Every id in use (and every former id kept by redirect_from), with the file that holds it."""
    ids: dict[str, str] = {}
    raws = read_sources(settings.root, settings.content_dir, settings.bibliography_dir, Diagnostics())
    for raw in raws:
        ids.setdefault(raw.id, raw.source.path)
        for old in raw.data.get("redirect_from", []) if isinstance(raw.data, dict) else []:
            if isinstance(old, str):
                ids.setdefault(old, f"{raw.source.path} (redirect_from of '{raw.id}')")
    if settings.content_dir.is_dir():
        # Files that are not entries yet (a wrong folder, say) still hold their name.
        for path in settings.content_dir.glob("*/*"):
            if path.is_file() and path.parent.name != "pages":
                ids.setdefault(path.stem, path.relative_to(settings.root).as_posix())
    return ids


def check_id(settings: Settings, entry_id: str) -> None:
    if len(entry_id) > max_id_length():
        raise ScaffoldError(id_problem(entry_id, "new entry's"))
    if not SLUG.match(entry_id):
        suggestion = slugify(entry_id)
        hint = f" (such as '{suggestion}')" if suggestion and SLUG.match(suggestion) else ""
        raise ScaffoldError(f"id '{entry_id}' is not a slug: use lower-case letters and digits separated by single hyphens{hint}")
    taken = taken_ids(settings).get(entry_id)
    if taken:
        raise ScaffoldError(f"id '{entry_id}' is taken by {taken}; ids are unique across the whole knowledge base")


def bib_target(settings: Settings, name: str | None) -> Path:
    """The .bib file a new paper goes into; it must be directly in the bibliography folder."""
    name = name or DEFAULT_BIB
    path = Path(name)
    if path.parent != Path(".") and path.resolve().parent != settings.bibliography_dir.resolve():
        raise ScaffoldError(f"--file must name a .bib file in {settings.bibliography_dir.relative_to(settings.root)}/")
    if path.suffix != ".bib" or not SLUG.match(path.stem):
        raise ScaffoldError(f"--file must be a slug ending in .bib, such as {DEFAULT_BIB}")
    return settings.bibliography_dir / path.name


def new_entry(
    settings: Settings, type_name: str, entry_id: str, bib_file: str | None = None, write: bool = True
) -> tuple[Path, str]:
    """Check the id, then write (or only return) the skeleton. Returns (path, text)."""
    types = entry_types()
    if type_name not in types:
        raise ScaffoldError(f"unknown type '{type_name}'; use one of: {', '.join(types)}")
    kind = types[type_name]
    check_id(settings, entry_id)
    if kind.is_bibtex:
        target = bib_target(settings, bib_file)
        text = bibtex_skeleton(kind, entry_id)
        if write:
            _guard(target, lambda: append_atomically(target, text))
        return target, text
    target = settings.content_dir / kind.folder / f"{entry_id}.yaml"
    text = yaml_skeleton(kind, entry_id, target)
    if write:
        _guard(target, lambda: create_atomically(target, text.encode("utf-8")))
    return target, text


def _guard(target: Path, write: Callable[[], None]) -> None:
    """Run ``write``; a file-system failure becomes a ScaffoldError naming the file and what to do."""
    try:
        write()
    except FileExistsError:
        raise
    except OSError as error:
        advice = (
            "make the folder writable" if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS) else "fix that and try again"
        )
        raise ScaffoldError(f"{error.filename or target}: cannot write: {error.strerror or error}; {advice}") from None


def _temporary(target: Path) -> Path:
    """A name beside ``target``, unique to this process: written there, then renamed over it."""
    return target.with_name(f".{target.name}.{os.getpid()}.kb-new")


def create_atomically(target: Path, data: bytes) -> None:
    """Make ``target`` hold ``data``, complete or not at all; FileExistsError if it exists (never overwritten)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic.create(target, data, _temporary(target), durable=True)


def append_atomically(target: Path, text: str) -> None:
    """Append ``text`` to ``target``: a new file written beside it, then renamed over it.

    Killed at any moment, the file is either as it was or complete: never empty, never half
    written. Its line endings (LF or CRLF) and a leading byte-order mark are kept, and so is
    its mode. If the file changes while the new one is written, nothing is replaced.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        existing = target.read_bytes()
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        existing, mode = b"", None
    newline = "\r\n" if b"\r\n" in existing else "\n"
    try:
        existing.decode("utf-8")  # a byte-order mark decodes too, and is kept as it is
    except UnicodeDecodeError:
        raise ScaffoldError(f"{target} is not UTF-8 text; save it as UTF-8, then run the command again") from None
    ending = newline.encode()
    separator = b"" if not existing.strip() else (ending if existing.endswith(b"\n") else ending * 2)
    data = existing + separator + text.replace("\n", newline).encode("utf-8")

    def unchanged() -> None:
        try:
            now = target.read_bytes()
        except FileNotFoundError:
            now = b""
        if now != existing:
            raise ScaffoldError(f"{target} changed while the new entry was written; nothing was changed: run the command again")

    atomic.replace(target, data, _temporary(target), durable=True, mode=mode, check=unchanged)
