"""The YAML reader: one entry file into plain data, keeping where every key and value stands.

YAML 1.2 core scalars only (no sexagesimal ``1:04:07``, no ``yes``/``no``); no tags, anchors,
aliases or merge keys. Every problem becomes a ``Diagnostic`` with a line and column.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from knowledgebase.diagnostics import Diagnostics
from knowledgebase.sources import yaml_messages
from knowledgebase.sources.files import read_text
from knowledgebase.sources.positions import FieldPath, SourceFile
from knowledgebase.sources.raw import RawEntry

_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$")
_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _YamlProblem(Exception):
    def __init__(self, node: yaml.Node, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message


_STR = "tag:yaml.org,2002:str"
_TAG = "tag '{tag}' is not allowed: " + yaml_messages.quote_advice("!")
#: The tag our loader gives a plain (unquoted, untagged) scalar: _scalar resolves it as YAML 1.2 core.
_PLAIN = "tag:kb,plain"
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp", "binary", "value", "yaml")
) | {_PLAIN}
#: The first characters a YAML 1.2 core null, boolean or number can start with.
_NOT_TEXT_START = frozenset("0123456789+-.~nNtTfF")


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """PyYAML's C parser and composer, without YAML 1.1's tag resolution.

    The composer asks for the tag of every scalar; PyYAML's answer (YAML 1.1 regular expressions,
    which read 1:04:07 as a number) was thrown away by _scalar anyway. Here a plain scalar is
    only marked plain, and _scalar resolves it once, as YAML 1.2 core.
    """

    def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            return _PLAIN if implicit[0] else _STR
        return "tag:yaml.org,2002:seq" if kind is yaml.SequenceNode else "tag:yaml.org,2002:map"


def _scalar(node: yaml.ScalarNode) -> Any:
    """YAML 1.2 core scalars only: no sexagesimal 1:04:07 turning into 3847, no yes/no booleans."""
    tag = node.tag
    if tag == _STR:
        return node.value  # by far the most common: text
    if tag not in _SCALAR_TAGS:
        raise _YamlProblem(node, _TAG.format(tag=node.tag))
    value = node.value
    if node.style:
        return value
    if value and value[0] not in _NOT_TEXT_START:
        return value  # plain text, the usual plain scalar: nothing else can start so
    if value in ("", "~", "null", "Null", "NULL"):
        return None
    if value in ("true", "True", "TRUE"):
        return True
    if value in ("false", "False", "FALSE"):
        return False
    if _INT.match(value):
        return int(value)
    if _FLOAT.match(value):
        return float(value)
    return value


class _Builder:
    """Turns a composed YAML node tree into data and records the marks of keys and values."""

    def __init__(self, source: SourceFile, aliases_possible: bool = True) -> None:
        self.source = source
        self.values = source.values
        self.keys = source.keys
        #: The nodes met so far, to refuse aliases; None where the text has no '&', so no anchor
        #: and no alias (an alias of no anchor fails to compose): the usual case, spared the set.
        self.seen: set[int] | None = set() if aliases_possible else None

    def build(self, node: yaml.Node, path: FieldPath) -> Any:
        # A node met twice is an alias: refusing them rules out "billion laughs" bombs.
        seen = self.seen
        if seen is not None:
            if id(node) in seen:
                raise _YamlProblem(node, "YAML anchors and aliases (& and *) are not allowed; write the value out")
            seen.add(id(node))
        mark = node.start_mark
        self.values[path] = (mark.line + 1, mark.column + 1)
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node)
        if node.tag not in _STANDARD_TAGS:
            raise _YamlProblem(node, _TAG.format(tag=node.tag))
        # Below, a scalar child is read here rather than by a call of build per value: most
        # values are scalars, and the calls cost more than the reading (see benchmarks/).
        values = self.values
        if isinstance(node, yaml.SequenceNode):
            if seen is not None:
                return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
            items = []
            for index, item in enumerate(node.value):
                if isinstance(item, yaml.ScalarNode):
                    mark = item.start_mark
                    values[(*path, index)] = (mark.line + 1, mark.column + 1)
                    items.append(_scalar(item))
                else:
                    items.append(self.build(item, (*path, index)))
            return items
        result: dict[str, Any] = {}
        keys = self.keys
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or (
                isinstance(key_node, yaml.ScalarNode) and key_node.value == "<<" and not key_node.style
            ):
                raise _YamlProblem(key_node, "YAML merge keys (<<) are not allowed; write the fields out")
            if not isinstance(key_node, yaml.ScalarNode):
                raise _YamlProblem(key_node, "a key must be a plain name")
            key = key_node.value
            key_path = (*path, key)
            if key in result:
                first = keys[key_path]
                raise _YamlProblem(key_node, f"duplicate key '{key}' (first given at line {first[0]})")
            mark = key_node.start_mark
            keys[key_path] = (mark.line + 1, mark.column + 1)
            if seen is None and isinstance(value_node, yaml.ScalarNode):
                mark = value_node.start_mark
                values[key_path] = (mark.line + 1, mark.column + 1)
                result[key] = _scalar(value_node)
            else:
                result[key] = self.build(value_node, key_path)
        return result


def read_yaml(path: Path | str, display: str, type_name: str, diagnostics: Diagnostics) -> RawEntry | None:
    """One entry from a YAML file, or None after reporting what is wrong with the file.

    ``path`` may be a string: the reader passes the one os.scandir gave, as a Path for each of
    thousands of files cost 0.017 s at N=8,000 (see benchmarks/); the id is the file name
    without its last suffix, as ``Path.stem`` has it for a name ending in ``.yaml``.
    """
    text = read_text(path, display, diagnostics)
    if text is None:
        return None
    source = SourceFile(display, text=text)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        (line, col), message = yaml_messages.explain(error, text)
        diagnostics.error(display, line, col, message)
        return None
    except yaml.YAMLError as error:
        diagnostics.error(display, 1, 1, f"YAML error: {error}")
        return None
    if node is None:
        diagnostics.error(display, 1, 1, "file holds no entry (only comments)")
        return None
    if not isinstance(node, yaml.MappingNode):
        line, col = _mark(node)
        diagnostics.error(display, line, col, "an entry must be a mapping of field names to values")
        return None
    source.start = _mark(node)
    try:
        data = _Builder(source, "&" in text).build(node, ())
    except _YamlProblem as problem:
        line, col = _mark(problem.node)
        diagnostics.error(display, line, col, problem.message)
        return None
    anchored = yaml_messages.anchor(text)
    if anchored:
        (line, col), message = anchored
        diagnostics.error(display, line, col, message)
        return None
    return RawEntry(id=os.path.splitext(os.path.basename(path))[0], type=type_name, data=data, source=source)
