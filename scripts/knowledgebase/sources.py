"""Stage 1: read source files into plain data, keeping where every key and value stands.

Everything here is untrusted input. Whatever the bytes, a problem becomes a ``Diagnostic``
with a line and column, never an exception.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bibtexparser
import yaml
from bibtexparser import model as bib

from .diagnostics import Diagnostics
from .model import FieldPath, SourceFile

#: Larger files are refused before parsing: no entry needs a megabyte.
MAX_FILE_BYTES = 1024 * 1024

_BOM = b"\xef\xbb\xbf"
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$")
_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


@dataclass
class RawEntry:
    """An entry as read, before validation."""

    id: str
    type: str
    data: dict[str, Any]
    source: SourceFile


def read_text(path: Path, display: str, diagnostics: Diagnostics) -> str | None:
    """The file's text, or None after reporting why it cannot be read as a source."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            diagnostics.error(display, 1, 1, f"file is too large ({size} bytes; the limit is {MAX_FILE_BYTES})")
            return None
        raw = path.read_bytes()
    except OSError as error:
        diagnostics.error(display, 1, 1, f"cannot read file: {error.strerror}")
        return None
    if raw.startswith(_BOM):
        diagnostics.error(display, 1, 1, "file starts with a byte-order mark; save it as UTF-8 without BOM")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        col = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        diagnostics.error(display, line, col, f"invalid UTF-8 byte 0x{raw[error.start]:02x}; save the file as UTF-8")
        return None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        diagnostics.error(display, line, 1, "file contains a NUL character")
        return None
    if not text.strip():
        diagnostics.error(display, 1, 1, "file is empty")
        return None
    return text


# --- YAML ---------------------------------------------------------------------------------


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _YamlProblem(Exception):
    def __init__(self, node: yaml.Node, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message


def _scalar(node: yaml.ScalarNode) -> Any:
    """YAML 1.2 core scalars only: no sexagesimal 1:04:07 turning into 3847, no yes/no booleans."""
    if node.tag not in (
        "tag:yaml.org,2002:str",
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:null",
        "tag:yaml.org,2002:timestamp",
        "tag:yaml.org,2002:binary",
        "tag:yaml.org,2002:value",
        "tag:yaml.org,2002:yaml",
    ):
        raise _YamlProblem(node, f"tag {node.tag!r} is not allowed; write plain values")
    value = node.value
    if node.style or node.tag == "tag:yaml.org,2002:str":
        return value
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

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.seen: set[int] = set()

    def build(self, node: yaml.Node, path: FieldPath) -> Any:
        # A node met twice is an alias: refusing them rules out "billion laughs" bombs.
        if id(node) in self.seen:
            raise _YamlProblem(node, "YAML anchors and aliases (& and *) are not allowed; write the value out")
        self.seen.add(id(node))
        self.source.values[path] = _mark(node)
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node)
        if node.tag not in _STANDARD_TAGS:
            raise _YamlProblem(node, f"tag {node.tag!r} is not allowed; write plain values")
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or (
                isinstance(key_node, yaml.ScalarNode) and key_node.value == "<<" and not key_node.style
            ):
                raise _YamlProblem(key_node, "YAML merge keys (<<) are not allowed; write the fields out")
            if not isinstance(key_node, yaml.ScalarNode):
                raise _YamlProblem(key_node, "a key must be a plain name")
            key = key_node.value
            if key in result:
                first = self.source.keys[(*path, key)]
                raise _YamlProblem(key_node, f"duplicate key '{key}' (first given at line {first[0]})")
            self.source.keys[(*path, key)] = _mark(key_node)
            result[key] = self.build(value_node, (*path, key))
        return result


def _yaml_error_message(error: yaml.MarkedYAMLError) -> str:
    problem = error.problem or str(error)
    if "'\\t'" in problem or "\t" in problem:
        return "tab character: indent with spaces, not tabs"
    context = f" {error.context}" if error.context else ""
    return f"YAML syntax error: {problem}{context}".strip()


def read_yaml(path: Path, display: str, type_name: str, diagnostics: Diagnostics) -> RawEntry | None:
    """One entry from a YAML file, or None after reporting what is wrong with the file."""
    text = read_text(path, display, diagnostics)
    if text is None:
        return None
    source = SourceFile(display, text=text)
    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        diagnostics.error(display, line, col, _yaml_error_message(error))
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
        data = _Builder(source).build(node, ())
    except _YamlProblem as problem:
        line, col = _mark(problem.node)
        diagnostics.error(display, line, col, problem.message)
        return None
    return RawEntry(id=path.stem, type=type_name, data=data, source=source)


# --- BibTeX -------------------------------------------------------------------------------

#: BibTeX fields that hold comma-separated lists of ids.
BIB_LIST_FIELDS = ("keywords", "stakeholders", "related", "sources", "redirect_from")
_BRACES = re.compile(r"(?<!\\)[{}]")


def clean_bibtex_value(value: str) -> str:
    """Drop the braces BibTeX uses for case protection and fold white space."""
    return " ".join(_BRACES.sub("", value).split())


def split_authors(value: str) -> list[str]:
    return [name.strip() for name in re.split(r"\s+and\s+", value) if name.strip()]


def _bib_data(entry: bib.Entry) -> dict[str, Any]:
    data: dict[str, Any] = {"entrytype": entry.entry_type.lower()}
    for field in entry.fields:
        key = field.key.lower()
        value = clean_bibtex_value(str(field.value))
        if key == "author":
            data[key] = [clean_bibtex_value(a) for a in split_authors(str(field.value))]
        elif key in BIB_LIST_FIELDS:
            data[key] = [item.strip() for item in value.split(",") if item.strip()]
        elif key == "summary":
            # Summaries are Markdown: keep paragraph breaks, only strip case-protection braces.
            data[key] = "\n".join(line.strip() for line in _BRACES.sub("", str(field.value)).strip().splitlines())
        else:
            data[key] = value
    return data


def read_bibtex(path: Path, display: str, diagnostics: Diagnostics) -> list[RawEntry]:
    """Every entry of a .bib file; syntax errors and duplicate fields are reported, not raised."""
    text = read_text(path, display, diagnostics)
    if text is None:
        return []
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    try:
        library = bibtexparser.parse_string(text)
    except Exception as error:  # noqa: BLE001 - the parser's failure modes are not all documented
        diagnostics.error(display, 1, 1, f"BibTeX syntax error: {error}")
        return []
    entries = []
    for block in library.blocks:
        line = (getattr(block, "start_line", 0) or 0) + 1
        if isinstance(block, bib.DuplicateFieldKeyBlock):
            fields = ", ".join(sorted(block.duplicate_keys))
            key = getattr(block.ignore_error_block, "key", "?")
            diagnostics.error(display, line, 1, f"BibTeX entry '{key}' gives the field(s) {fields} more than once")
        elif isinstance(block, bib.DuplicateBlockKeyBlock):
            # Reported by the duplicate-id check with both places; keep it as an entry.
            entries.append(_bib_entry(block.ignore_error_block, display, text))
        elif isinstance(block, bib.ParsingFailedBlock):
            reason = next(iter(str(block.error or "").splitlines()), "") or "cannot parse this block"
            diagnostics.error(display, line, 1, f"BibTeX syntax error: {reason}")
        elif isinstance(block, bib.Entry):
            entries.append(_bib_entry(block, display, text))
    return entries


def _bib_entry(entry: bib.Entry, display: str, text: str) -> RawEntry:
    source = SourceFile(display, start=(entry.start_line + 1, 1), text=text)
    lines = text.splitlines()
    for field in entry.fields:
        key = field.key.lower()
        line = (field.start_line or entry.start_line) + 1
        found = re.search(rf"\b{re.escape(field.key)}\s*=\s*", lines[line - 1]) if line <= len(lines) else None
        source.keys[(key,)] = (line, found.start() + 1 if found else 1)
        source.values[(key,)] = (line, found.end() + 1 if found else 1)
    source.values[("entrytype",)] = source.start
    return RawEntry(id=entry.key, type="paper", data=_bib_data(entry), source=source)


# --- The source tree ----------------------------------------------------------------------


def read_sources(root: Path, content_dir: Path, bibliography_dir: Path, diagnostics: Diagnostics) -> list[RawEntry]:
    """Every entry under ``content/<folder>/*.yaml`` and ``bibliography/*.bib``, in a stable order."""
    from .schema import entry_types

    folders = {t.folder: t.name for t in entry_types().values() if not t.is_bibtex}
    entries: list[RawEntry] = []
    if content_dir.is_dir():
        for folder in sorted(p for p in content_dir.iterdir() if p.is_dir()):
            if folder.name == "pages":
                continue
            type_name = folders.get(folder.name)
            for path in sorted(folder.rglob("*")):
                if not path.is_file() or path.name.startswith("."):
                    continue
                display = _display(root, path)
                if type_name is None:
                    choices = ", ".join(sorted(folders))
                    diagnostics.error(display, 1, 1, f"'{folder.name}' is not an entry folder; use one of: {choices}")
                    break
                if path.suffix != ".yaml":
                    hint = " (rename it to .yaml)" if path.suffix == ".yml" else ""
                    diagnostics.error(display, 1, 1, f"entry files must end in .yaml{hint}")
                    continue
                if path.parent != folder:
                    diagnostics.error(display, 1, 1, f"entry files go directly in {_display(root, folder)}/, not in a subfolder")
                    continue
                entry = _guarded(read_yaml, path, display, diagnostics, type_name)
                if entry is not None:
                    entries.append(entry)
    if bibliography_dir.is_dir():
        for path in sorted(bibliography_dir.glob("*.bib")):
            entries.extend(_guarded(read_bibtex, path, _display(root, path), diagnostics) or [])
    return entries


def _guarded(reader, path: Path, display: str, diagnostics: Diagnostics, *args: Any) -> Any:
    """Run a reader; a failure nobody foresaw still becomes a finding at the file, not a traceback."""
    try:
        return reader(path, display, *args, diagnostics) if args else reader(path, display, diagnostics)
    except RecursionError:
        diagnostics.error(display, 1, 1, "the file nests too deeply to be read")
    except Exception as error:  # noqa: BLE001 - deliberate: bad input must never crash the build
        diagnostics.error(display, 1, 1, f"cannot read this file ({type(error).__name__}: {error})")
    return None


def _display(root: Path, path: Path) -> str:
    """The path as a contributor would type it: relative to the project, with forward slashes."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
