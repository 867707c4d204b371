"""The JSON Schemas of the entry types: one source of truth for validation, docs and editors."""

from __future__ import annotations

import datetime
import importlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from knowledgebase.diagnostics import Diagnostic
from knowledgebase.model import xkb
from knowledgebase.model.xkb import NavPlace
from knowledgebase.sources.positions import FieldPath

if TYPE_CHECKING:
    from referencing import Registry


class _OnFirstUse:
    """A module imported when one of its attributes is first used, not when this module is."""

    def __init__(self, name: str) -> None:
        self.__name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self.__name), attribute)


#: Importing jsonschema takes longer than checking a hundred entries; most runs never need it,
#: since only the entries that fail the compiled check (``EntryType.is_valid``) go through it.
jsonschema: Any = _OnFirstUse("jsonschema")

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


_URL_BAD_CHAR = re.compile(r"[\s\x00-\x1f]")  # \s is exactly str.isspace()


def is_http_url(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if _URL_BAD_CHAR.search(value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:  # such as 'http://[x', an IPv6 bracket never closed
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


@cache
def format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("kb-date")(is_date)
    checker.checks("http-url")(is_http_url)
    return checker


@dataclass(frozen=True)
class EntryType:
    """An entry type as its schema's ``x-kb`` block declares it (see ``xkb.py``)."""

    name: str
    folder: str
    url: str
    singular: str
    plural: str
    order: int
    #: The schema.org type of what an entry describes ("Course"), in its page's JSON-LD ``about``;
    #: None for the knowledge base's own articles (topics, guides), which are about nothing else.
    jsonld: str | None
    nav: NavPlace
    schema: dict[str, Any]

    @property
    def is_bibtex(self) -> bool:
        return self.name == "paper"

    @property
    def is_own_article(self) -> bool:
        """The knowledge base's own writing (topics, guides, recommendations): x-kb's jsonld is null,
        as its pages describe nothing outside it, and its titles read as the site's own."""
        return self.jsonld is None

    # Where an entry's page and files are: the one place every stage finds them.

    @property
    def index_path(self) -> str:
        """The section's index page in the docs folder: ``papers/index.md``."""
        return f"{self.url}/index.md"

    @property
    def index_url(self) -> str:
        """The section's URL relative to the site root: ``papers/``."""
        return f"{self.url}/"

    def page_path(self, entry_id: str) -> str:
        """An entry's page in the docs folder (or a redirect from a former id): ``papers/widder2024why.md``."""
        return f"{self.url}/{entry_id}.md"

    def page_url(self, entry_id: str) -> str:
        """An entry page's URL relative to the site root, as MkDocs serves it: ``papers/widder2024why/``."""
        return f"{self.url}/{entry_id}/"

    def download_path(self, entry_id: str, what: str) -> str:
        """A CSL-JSON download in the page's own folder (so the page links it by its bare name):
        ``papers/widder2024why/work.csl.json``."""
        return f"{self.page_url(entry_id)}{what}.csl.json"

    @cached_property
    def validator(self) -> jsonschema.protocols.Validator:
        return jsonschema.Draft202012Validator(self.schema, registry=registry(), format_checker=format_checker())

    def is_valid(self, data: Any) -> bool:
        """True only if ``data`` fits the schema, by a compiled check many times faster than ``validator``.

        A fast path, never the last word: where it says False, ask ``validator`` for the errors
        (it may find none where this check is stricter, e.g. '$' in patterns matching only at the end).
        """
        try:
            return self._fast_check(data)
        except Exception:  # noqa: BLE001 - any doubt goes to the exact validator
            return False

    @cached_property
    def _fast_check(self) -> Callable[[Any], bool]:
        try:
            import fastjsonschema
        except ImportError:  # pragma: no cover - an optional speed-up
            return lambda data: False
        try:
            schema, unique = _unique_strings(fast_schema(self.schema))
            check = fastjsonschema.compile(
                schema,
                formats={"kb-date": is_date, "http-url": is_http_url},
                use_default=False,
                detailed_exceptions=False,
            )
        except (KeyError, TypeError, ValueError, fastjsonschema.JsonSchemaDefinitionException):
            return lambda data: False  # a schema (or a release) this check cannot read: jsonschema alone, then

        # The uniqueItems left to this check (their lists hold only strings once check passed):
        # top-level fields, all of them in the schemas, are looked up without match_paths.
        fields = tuple(str(pattern[0]) for pattern in unique if len(pattern) == 1 and pattern[0] != "*")
        deeper = tuple(pattern for pattern in unique if len(pattern) != 1 or pattern[0] == "*")

        def valid(data: Any) -> bool:
            try:
                check(data)
            except fastjsonschema.JsonSchemaException:
                return False
            if isinstance(data, dict):
                for field in fields:
                    items = data.get(field)
                    if isinstance(items, list) and len(set(items)) != len(items):
                        return False
            for pattern in deeper:
                for _path, items in match_paths(data, pattern):
                    if isinstance(items, list) and len(set(items)) != len(items):
                        return False
            return True

        return valid

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


@cache
def _read(name: str) -> dict[str, Any]:
    """A schema file of the package, parsed once: following the types' references into
    common.schema.json read and parsed it 337 times at every start. Callers only read it."""
    return json.loads(resources.files(SCHEMA_PACKAGE).joinpath(name).read_text("utf-8"))


def common_definition(name: str) -> dict[str, Any]:
    """A definition of common.schema.json's ``$defs``, such as the slug's, without the registry
    that jsonschema needs (importing it took as long as checking 2,000 entries)."""
    return _read("common.schema.json")["$defs"][name]


@cache
def registry() -> Registry:
    from referencing import Registry, Resource

    resource = Resource.from_contents(_read("common.schema.json"))
    return Registry().with_resource("common.schema.json", resource)


@cache
def entry_types() -> dict[str, EntryType]:
    """Every entry type, in the order of the site's sections.

    A schema whose ``x-kb`` block cannot be read is left out here; ``schema_problems`` says why.
    """
    return _types_and_problems()[0]


def schema_problems(root: Path) -> list[Diagnostic]:
    """What is wrong with the schemas' ``x-kb`` blocks, each at its place (paths shown from ``root``)."""
    shown, root = [], root.resolve()
    for path, line, col, message in _types_and_problems()[1]:
        path = path.resolve()
        where = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()
        shown.append(Diagnostic(where, line, col, message))
    return shown


@cache
def _types_and_problems() -> tuple[dict[str, EntryType], list[tuple[Path, int, int, str]]]:
    types, problems = [], []
    taken: dict[tuple[str, str], str] = {}  # ("url", "courses") -> the type that has it
    for item in sorted(resources.files(SCHEMA_PACKAGE).iterdir(), key=lambda i: i.name):
        name = item.name.removesuffix(".schema.json")
        if not item.name.endswith(".schema.json") or name == "common":
            continue
        found = xkb.read(name, item.read_text("utf-8"), taken)
        problems += [(Path(str(item)), line, col, message) for line, col, message in found.problems]
        if found.meta is not None:
            types.append(EntryType(name=name, schema=found.schema, **found.meta))
    types.sort(key=lambda t: (t.order, t.name))
    return {t.name: t for t in types}, problems


_ANNOTATIONS = {"description", "title", "$comment", "default", "examples"}


def fast_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema as one self-contained draft-07 document, for fastjsonschema (which has no 2020-12).

    Every ``$ref`` (into this schema or ``common.schema.json``) is replaced by what it points at,
    which also spares the compiled check a function call per reference; a ``$ref`` beside other
    keywords (applied together in 2020-12, the others ignored in draft-07) becomes an ``allOf``,
    so both drafts read the same constraints.
    """
    documents = {"": schema, "common.schema.json": _read("common.schema.json")}

    def target(ref: str, base: str) -> tuple[Any, str]:
        name, _, pointer = ref.partition("#")
        document = name or base
        node = documents[document]  # a KeyError for any other document: no fast check then
        for part in [p for p in pointer.split("/") if p]:
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node, document

    def inline(node: Any, base: str, depth: int) -> Any:
        if depth > 50:
            raise ValueError("$ref cycle")
        if isinstance(node, list):
            return [inline(item, base, depth) for item in node]
        if not isinstance(node, dict):
            return node
        out = {k: inline(v, base, depth) for k, v in node.items() if k not in ("$id", "$schema", "$defs")}
        if "$ref" in out:
            resolved = inline(*target(out.pop("$ref"), base), depth + 1)
            if all(k in _ANNOTATIONS or k.startswith("x-") for k in out):
                return resolved
            out["allOf"] = [*out.get("allOf", []), resolved]
        return out

    return {**inline(schema, "", 0), "$schema": "http://json-schema.org/draft-07/schema#"}


def _unique_strings(schema: dict[str, Any]) -> tuple[dict[str, Any], tuple[FieldPath, ...]]:
    """The schema without the ``uniqueItems`` of its arrays of strings that properties, items and
    allOf lead to from the top, and the data paths of those arrays (for ``match_paths``).

    fastjsonschema tests uniqueness by freezing every item in a generator, a quarter of its time
    on a generated 8,000-entry knowledge base; for strings a set does the same, so
    ``EntryType._fast_check`` does that. Other places (under oneOf, anyOf, if, not...) apply
    only conditionally and keep their uniqueItems.
    """
    found: list[FieldPath] = []

    def strip(node: Any, path: FieldPath) -> Any:
        if not isinstance(node, dict):
            return node
        out = dict(node)
        items = out.get("items")
        if out.get("uniqueItems") is True and isinstance(items, dict) and items.get("type") == "string":
            del out["uniqueItems"]
            found.append(path)
        properties = out.get("properties")
        if isinstance(properties, dict) and "*" not in properties:  # "*" stands for items in a path
            out["properties"] = {key: strip(sub, (*path, key)) for key, sub in properties.items()}
        if isinstance(items, dict):
            out["items"] = strip(items, (*path, "*"))
        if isinstance(out.get("allOf"), list):
            out["allOf"] = [strip(sub, path) for sub in out["allOf"]]  # the same instance as the node's
        return out

    return strip(schema, ()), tuple(found)


def schema_files() -> dict[str, str]:
    """The schema files by name, as text, for publishing with the site."""
    folder = resources.files(SCHEMA_PACKAGE)
    return {i.name: i.read_text("utf-8") for i in folder.iterdir() if i.name.endswith(".schema.json")}


def resolve(schema: dict[str, Any], root: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
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
    resolved, base = resolve(node, document)
    merged = {**resolved, **schema}
    merged.pop("$ref", None)
    return merged, base


def walk(
    schema: dict[str, Any], root: dict[str, Any] | None = None, path: FieldPath = ()
) -> Iterator[tuple[FieldPath, dict[str, Any]]]:
    """Every sub-schema with its data path, '*' standing for any array item."""
    schema, root = resolve(schema, root or schema)
    if path:
        yield path, schema
    for key, sub in schema.get("properties", {}).items():
        yield from walk(sub, root, (*path, key))
    if isinstance(schema.get("items"), dict):
        yield from walk(schema["items"], root, (*path, "*"))


def allowed_values(type_name: str, path: FieldPath) -> tuple[str, ...]:
    """What a field of an entry type may hold, as its schema lists it: the ``enum`` at ``path`` (a
    list's items are ``*``), or the names of the object's properties there; in the schema's order."""
    node = dict(walk(entry_types()[type_name].schema))[path]
    return tuple(node["enum"] if "enum" in node else node.get("properties", {}))


def match_paths(data: Any, pattern: FieldPath, prefix: FieldPath = ()) -> list[tuple[FieldPath, Any]]:
    """The values in ``data`` that a path pattern from ``walk`` points at, with their concrete paths.

    Followed one level of the pattern at a time, each level in order, which gives the values in
    the order of the data; a list, not nested generators, as linking and the prose check call it
    half a million times at N=8,000 (see benchmarks/).
    """
    if pattern and pattern[0] != "*":
        # Most fields a type allows are absent from most entries: said without building a level.
        if not isinstance(data, dict) or pattern[0] not in data:
            return []
        if len(pattern) == 1:
            return [((*prefix, pattern[0]), data[pattern[0]])]
    level: list[tuple[FieldPath, Any]] = [(prefix, data)]
    for head in pattern:
        if head == "*":
            level = [
                ((*path, index), item) for path, value in level if isinstance(value, list) for index, item in enumerate(value)
            ]
        else:
            level = [((*path, head), value[head]) for path, value in level if isinstance(value, dict) and head in value]
        if not level:
            break
    return level
