"""The ``x-kb`` block of an entry type's schema: how the type is published, read and checked.

A new type of entry is one schema file, so everything the site needs to know about the type
beyond its fields stands here: its folder and address, its names, its place among the sections
and in the navigation, and its schema.org type. A block that lacks any of it is a finding at its
place in the schema (``path:line:col: error:``) saying what to write, never a traceback.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import yaml

from knowledgebase.diagnostics import did_you_mean
from knowledgebase.sources.positions import FieldPath, Mark, SourceFile

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_LINE = re.compile(r"^[^\n]*\S[^\n]*$")
#: A schema.org type name (https://schema.org/docs/full.html): "Course", "CreativeWork".
_SCHEMA_ORG = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_NULL_JSONLD = "null for the knowledge base's own articles, which describe nothing outside it"


def _names(name: str) -> tuple[str, str]:
    """A folder name and a section title for the type ``name``, for the examples in messages."""
    plural = f"{name}s"
    return plural, plural.replace("-", " ").capitalize()


def _advice(name: str) -> dict[str, str]:
    """What each key of x-kb says, with an example fitting the type ``name``, for the messages."""
    plural, title = _names(name)
    return {
        "folder": f'the folder of its entries under content/, such as "folder": "{plural}"',
        "url": f'the address of its section in the site, a slug such as "url": "{plural}"',
        "singular": f'what one entry is called, such as "singular": "{title[:-1]}"',
        "plural": f'the title of its section, such as "plural": "{title}"',
        "order": 'where its section stands among the others (guides 10, sources 90), such as "order": 100',
        "jsonld": (
            'the schema.org type of what an entry describes (https://schema.org/docs/full.html), such as "jsonld": '
            f'"CreativeWork", or {_NULL_JSONLD}'
        ),
        "nav": (
            f'its entry in the site\'s navigation, such as "nav": {{"title": "{title}", "under": "More"}} '
            '(without "under" it stands at the top level)'
        ),
        "nav.title": f'the name of its section in the navigation, such as "title": "{title}"',
        "nav.under": 'the navigation section it stands in, such as "under": "More", or leave it out for the top level',
        "nav.order": 'its place among the sections there (by default the type\'s "order"), such as "order": 35',
    }


@dataclass(frozen=True)
class NavPlace:
    """Where a type's section stands in the site's navigation (``x-kb.nav``)."""

    #: The section's name in the navigation, often shorter than the plural ("Papers").
    title: str
    #: The navigation section it stands in ("More"); None: the top level.
    under: str | None
    #: Its place among the other types' sections there (by default the type's ``order``).
    order: int


_REQUIRED = ("folder", "url", "singular", "plural", "order", "jsonld", "nav")


@dataclass
class Read:
    """A schema as read: its data, the ``EntryType`` fields of its x-kb (None if unusable), and the findings."""

    schema: dict[str, Any]
    meta: dict[str, Any] | None
    problems: list[tuple[int, int, str]] = field(default_factory=list)


def read(name: str, text: str, taken: dict[tuple[str, str], str] | None = None) -> Read:
    """Read one schema file's text and check its ``x-kb`` block.

    ``taken`` holds the folders and addresses of the types read before (("url", "papers") -> "paper");
    this type's are added to it, and one already taken is a finding: two types cannot share them.
    """
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as error:
        return Read({}, None, [(error.lineno, error.colno, f"not valid JSON ({error.msg}); the schema of '{name}' is left out")])
    if not isinstance(schema, dict) or not isinstance(schema.get("x-kb"), dict):
        places = _places(text)
        plural, title = _names(name)
        example = (
            f'"x-kb": {{"folder": "{plural}", "url": "{plural}", "singular": "{title[:-1]}", "plural": "{title}", "order": 100, '
            f'"jsonld": "CreativeWork", "nav": {{"title": "{title}", "under": "More"}}}}'
        )
        what = "is not an object" if isinstance(schema, dict) and "x-kb" in schema else "is missing"
        at = places.value_mark(("x-kb",)) if what == "is not an object" else places.start
        message = f"the schema's x-kb block {what}; the type needs one saying how it is published, such as {example}"
        return Read(schema if isinstance(schema, dict) else {}, None, [(*at, message)])
    return _Checker(name, schema, text).check({} if taken is None else taken)


class _Checker:
    def __init__(self, name: str, schema: dict[str, Any], text: str) -> None:
        self.name, self.schema, self.text, self.advice = name, schema, text, _advice(name)
        self.problems: list[tuple[int, int, str]] = []

    @cached_property
    def places(self) -> SourceFile:
        """Where the schema's keys and values stand, found only for a finding: the pure-Python
        parse that finds them took as long as checking 1,000 entries, at every start."""
        return _places(self.text)

    def problem(self, mark: Mark, message: str) -> None:
        self.problems.append((*mark, message))

    def known(self, block: dict[str, Any], path: FieldPath, keys: tuple[str, ...]) -> None:
        for key in block:
            if key not in keys and not key.startswith("$"):
                hint = did_you_mean(key, keys) or f"; use one of: {', '.join(keys)}"
                self.problem(self.places.key_mark((*path, key)), f"unknown key '{key}' in {'.'.join(path)}{hint}")

    def value(self, block: dict[str, Any], path: FieldPath, key: str, fits: Any, what: str, required: bool = True) -> Any:
        """``block[key]`` if ``fits`` it, else None after a finding (a missing key at its block)."""
        label = ".".join((*path[1:], key))
        if key not in block:
            if required:
                self.problem(self.places.key_mark(path), f'{".".join(path)} has no "{key}": add {self.advice[label]}')
            return None
        value = block[key]
        if not fits(value):
            self.problem(self.places.value_mark((*path, key)), f'"{key}" {what}: write {self.advice[label]}')
            return None
        return value

    def check(self, taken: dict[tuple[str, str], str]) -> Read:
        block, path = self.schema["x-kb"], ("x-kb",)
        self.known(block, path, _REQUIRED)
        slug, line = _fits(_SLUG), _fits(_LINE)
        found = {
            "folder": self.value(block, path, "folder", slug, "must be a slug"),
            "url": self.value(block, path, "url", slug, "must be a slug"),
            "singular": self.value(block, path, "singular", line, "must be one line of text"),
            "plural": self.value(block, path, "plural", line, "must be one line of text"),
            "order": self.value(block, path, "order", _is_int, "must be a whole number"),
        }
        jsonld = self.value(block, path, "jsonld", lambda v: v is None or _fits(_SCHEMA_ORG)(v), "must be a schema.org type name")
        nav = self.nav(block)
        for key in ("folder", "url"):
            other = taken.get((key, found[key]))
            if found[key] is not None and other is not None:
                self.problem(
                    self.places.value_mark((*path, key)),
                    f"\"{key}\" '{found[key]}' is the {key} of the type '{other}' already; choose another",
                )
                found[key] = None
        if any(v is None for v in found.values()):
            # Where its entries are and what they are called is missing: the type is left out.
            return Read(self.schema, None, self.problems)
        # Kept with a stand-in for a missing JSON-LD type or nav, so that its entries are still read
        # and nothing else is reported about them; the build fails on the findings all the same.
        taken.update({("folder", found["folder"]): self.name, ("url", found["url"]): self.name})
        nav = {"title": found["plural"], "under": None, "order": found["order"], **nav}
        return Read(self.schema, {**found, "jsonld": jsonld, "nav": NavPlace(**nav)}, self.problems)

    def nav(self, block: dict[str, Any]) -> dict[str, Any]:
        """The fields of ``NavPlace`` that ``x-kb.nav`` gives soundly."""
        path = ("x-kb", "nav")
        nav = self.value(block, path[:1], "nav", lambda v: isinstance(v, dict), "must be an object")
        if nav is None:
            return {}
        self.known(nav, path, ("title", "under", "order"))
        found = {
            "title": self.value(nav, path, "title", _fits(_LINE), "must be one line of text"),
            "under": self.value(nav, path, "under", lambda v: v is None or _fits(_LINE)(v), "must be one line of text", False),
            "order": self.value(nav, path, "order", _is_int, "must be a whole number", False),
        }
        return {k: v for k, v in found.items() if v is not None}


def _fits(pattern: re.Pattern[str]) -> Any:
    return lambda value: isinstance(value, str) and bool(pattern.match(value))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _places(text: str) -> SourceFile:
    """Where each key and value of the JSON text stands (JSON is YAML: its composer keeps the marks)."""
    places = SourceFile("")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return places  # valid JSON that PyYAML cannot read: every finding at 1:1, still a finding
    if node is not None:
        places.start = (node.start_mark.line + 1, node.start_mark.column + 1)
        _walk(node, (), places)
    return places


def _walk(node: yaml.Node, path: FieldPath, places: SourceFile) -> None:
    places.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode) and len(path) < 3:  # x-kb and its nav are all that is looked up
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                places.keys[(*path, key.value)] = (key.start_mark.line + 1, key.start_mark.column + 1)
                _walk(value, (*path, key.value), places)
