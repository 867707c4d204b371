"""Stage 1: read source files into plain data, keeping where every key and value stands.

Everything here is untrusted input. Whatever the bytes, a problem becomes a ``Diagnostic``
with a line and column, never an exception.
"""

from __future__ import annotations

import errno
import functools
import gc
import logging
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import bibtexparser
import yaml
from bibtexparser import model as bib

from knowledgebase.diagnostics import Diagnostics
from knowledgebase.model.entry import FieldPath, SourceFile
from knowledgebase.sources import yaml_messages

#: Larger files are refused before parsing: no entry needs a megabyte.
MAX_FILE_BYTES = 1024 * 1024

_BOM = b"\xef\xbb\xbf"
_SYMLINK = "file is a symbolic link; sources must be plain files (commit the file itself)"
_PERMISSION = "check that you may read it (chmod u+r)"
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
    #: The file or block could not be read (already reported); kept so its id is known.
    broken: bool = False


def _kind(mode: int) -> str | None:
    """What a file that is not a regular file is, in a contributor's words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def special_file(display: str, kind: str) -> tuple[str, int, int, str]:
    return display, 1, 1, f"is {kind}, not a regular file; sources must be plain files: replace or delete it"


def read_bytes(path: Path, display: str, diagnostics: Diagnostics, limit: int | None = None) -> bytes | None:
    """The bytes of a regular file, or None after reporting why it cannot be read as a source.

    Only regular files are read: a named pipe would block for ever, a device never end.
    """
    # One open that refuses a symbolic link (and does not wait on a pipe), then fstat and read
    # on it: thousands of files are read, and each extra system call showed in the benchmarks.
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    if not nofollow and path.is_symlink():
        diagnostics.error(display, 1, 1, _SYMLINK)
        return None
    try:
        descriptor = os.open(path, os.O_RDONLY | nofollow | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as error:
        if error.errno == errno.ELOOP:  # O_NOFOLLOW met a link
            # A link could pull any file of the machine that builds the site into it.
            diagnostics.error(display, 1, 1, _SYMLINK)
        elif error.errno == errno.ENXIO:  # a socket
            diagnostics.error(*special_file(display, "a socket"))
        else:
            diagnostics.error(display, 1, 1, f"cannot read file: {error.strerror}; {_PERMISSION}")
        return None
    with os.fdopen(descriptor, "rb") as file:
        try:
            info = os.fstat(descriptor)
            kind = _kind(info.st_mode)
            if kind:
                diagnostics.error(*special_file(display, kind))
                return None
            if limit is not None and info.st_size > limit:
                diagnostics.error(display, 1, 1, f"file is too large ({info.st_size} bytes; the limit is {limit})")
                return None
            return file.read()
        except OSError as error:
            diagnostics.error(display, 1, 1, f"cannot read file: {error.strerror}; {_PERMISSION}")
            return None


def read_text(path: Path, display: str, diagnostics: Diagnostics) -> str | None:
    """The file's text, or None after reporting why it cannot be read as a source."""
    raw = read_bytes(path, display, diagnostics, MAX_FILE_BYTES)
    if raw is None:
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

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.seen: set[int] = set()

    def build(self, node: yaml.Node, path: FieldPath) -> Any:
        # A node met twice is an alias: refusing them rules out "billion laughs" bombs.
        if id(node) in self.seen:
            raise _YamlProblem(node, "YAML anchors and aliases (& and *) are not allowed; write the value out")
        self.seen.add(id(node))
        mark = node.start_mark
        self.source.values[path] = (mark.line + 1, mark.column + 1)
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node)
        if node.tag not in _STANDARD_TAGS:
            raise _YamlProblem(node, _TAG.format(tag=node.tag))
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
            key_path = (*path, key)
            if key in result:
                first = self.source.keys[key_path]
                raise _YamlProblem(key_node, f"duplicate key '{key}' (first given at line {first[0]})")
            mark = key_node.start_mark
            self.source.keys[key_path] = (mark.line + 1, mark.column + 1)
            result[key] = self.build(value_node, key_path)
        return result


def read_yaml(path: Path, display: str, type_name: str, diagnostics: Diagnostics) -> RawEntry | None:
    """One entry from a YAML file, or None after reporting what is wrong with the file."""
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
        data = _Builder(source).build(node, ())
    except _YamlProblem as problem:
        line, col = _mark(problem.node)
        diagnostics.error(display, line, col, problem.message)
        return None
    anchored = yaml_messages.anchor(text)
    if anchored:
        (line, col), message = anchored
        diagnostics.error(display, line, col, message)
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
    after_failure = False
    for block in library.blocks:
        line = (getattr(block, "start_line", 0) or 0) + 1
        if isinstance(block, bib.DuplicateFieldKeyBlock):
            fields = ", ".join(sorted(block.duplicate_keys))
            key = getattr(block.ignore_error_block, "key", "?")
            diagnostics.error(display, line, 1, f"BibTeX entry '{key}' gives the field(s) {fields} more than once")
            entries.append(RawEntry(id=key, type="paper", data={}, source=SourceFile(display, start=(line, 1)), broken=True))
        elif isinstance(block, bib.DuplicateBlockKeyBlock):
            # Reported by the duplicate-id check with both places; keep it as an entry.
            entries.append(_bib_entry(block.ignore_error_block, display, text, diagnostics))
        elif isinstance(block, bib.ParsingFailedBlock):
            (where, col), message = _bib_failure(block, text)
            diagnostics.error(display, where, col, f"BibTeX syntax error: {message}")
            key = _BIB_KEY.match(block.raw or "")
            if key:
                # Known to exist, so that references to it do not each report an unknown id.
                source = SourceFile(display, start=(line, 1))
                entries.append(RawEntry(id=key.group(1), type="paper", data={}, source=source, broken=True))
        elif isinstance(block, bib.ImplicitComment) and not after_failure:
            _stray_text(block, line, display, diagnostics)
        elif isinstance(block, bib.Entry):
            entries.append(_bib_entry(block, display, text, diagnostics))
        # The parser resumes after a broken entry and keeps its rest as text: reported once, above.
        after_failure = isinstance(block, bib.ParsingFailedBlock)
    return entries


_BIB_KEY = re.compile(r"@\s*\w+\s*[{(]\s*([^,\s{}()=]+)\s*,")
_FIELD_START = re.compile(r"\n\s*[A-Za-z][\w-]*\s*=\s*[{\"0-9]")
_MISSING_COMMA = re.compile(r"[}\"]\s*\n\s*([A-Za-z][\w-]*)\s*=")


def _position(text: str, index: int) -> tuple[int, int]:
    index = max(0, min(index, len(text)))
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def _bib_failure(block: bib.ParsingFailedBlock, text: str) -> tuple[tuple[int, int], str]:
    """Where a BibTeX block broke, and why, in a contributor's words."""
    start_line = (block.start_line or 0) + 1
    raw = block.raw or ""
    start = sum(len(line) + 1 for line in text.split("\n")[: start_line - 1])
    error = block.error
    reason = str(getattr(error, "abort_reason", "") or next(iter(str(error or "").splitlines()), "")).strip()
    end = getattr(error, "end_index", None)
    unclosed = _unclosed(raw)
    if unclosed is not None:
        # Reported where the value or entry was opened: the parser only notices at the next entry.
        if unclosed[1] == "entry":
            return (start_line, 1), "this entry is never closed: a '}' is missing at its end"
        line, col = _position(text, start + unclosed[0])
        name = re.search(r"([A-Za-z][\w-]*)\s*=\s*$", raw[: unclosed[0]])
        field = f"the value of '{name.group(1)}'" if name else "a value"
        return (line, col), f"{field} opened at line {line}, column {col} is never closed: a closing {unclosed[1]} is missing"
    if "comma after entry key" in reason:
        return _position(
            text, start + raw.find("{") + 1
        ), "a comma is missing after the citation key: write @type{key, field = {value}, ...}"
    if "Expected a `=`" in reason:
        name = re.search(r"[,{]\s*([A-Za-z][\w-]*)[^,{]*$", raw)
        at = start + (name.start(1) if name else len(raw.rstrip()))
        return _position(text, at), f"a field has no '=': write {name.group(1) if name else 'name'} = {{value}}"
    location = _position(text, end - 1) if isinstance(end, int) and end > 0 else (start_line, 1)
    return location, reason or "cannot parse this entry"


def _unclosed(raw: str) -> tuple[int, str] | None:
    """(offset, what) of a value or entry that a broken block never closes, if that is why it broke."""
    depth, quoted, opened = 0, False, 0
    for index, char in enumerate(raw):
        if char == "\\":
            continue
        if (depth >= 2 or quoted) and char == "\n" and _FIELD_START.match(raw, index):
            # A new "name = {" line while still inside a value: that value was never closed.
            return opened, '"' if quoted else "'}'"
        if char == '"' and depth == 1:
            quoted = not quoted
            opened = index
        elif char == "{" and not quoted:
            depth += 1
            if depth == 2:
                opened = index
        elif char == "}" and not quoted:
            depth -= 1
    if quoted:
        return opened, '"'
    if depth >= 2:
        return opened, "'}'"
    if depth == 1 and raw.rstrip().endswith((",", "}")):
        return 0, "entry"
    return None


def _stray_text(block: bib.ImplicitComment, line: int, display: str, diagnostics: Diagnostics) -> None:
    """Text outside every entry: BibTeX ignores it, so it is almost always a broken entry."""
    for offset, text in enumerate((block.raw or "").split("\n")):
        stripped = text.strip()
        if stripped and not stripped.startswith("%"):
            shown = stripped if len(stripped) <= 40 else stripped[:37] + "..."
            diagnostics.error(
                display,
                line + offset,
                text.index(stripped[0]) + 1,
                f"text outside any BibTeX entry: '{shown}' (start an entry with @type{{key, and a comment line with %)",
            )
            return


@functools.lru_cache(maxsize=2)
def _lines(text: str) -> list[str]:
    """A .bib file's lines, split once for all its entries rather than once per entry."""
    return text.splitlines()


@functools.lru_cache(maxsize=256)
def _field_pattern(key: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(key)}\s*=\s*")


def _bib_entry(entry: bib.Entry, display: str, text: str, diagnostics: Diagnostics) -> RawEntry:
    fields = {field.key.lower(): str(field.value) for field in entry.fields}
    source = SourceFile(display, start=(entry.start_line + 1, 1), text=text, fields=fields)
    lines = _lines(text)
    broken = False
    for field in entry.fields:
        key = field.key.lower()
        line = (field.start_line or entry.start_line) + 1
        found = _field_pattern(field.key).search(lines[line - 1]) if line <= len(lines) else None
        source.keys[(key,)] = (line, found.start() + 1 if found else 1)
        source.values[(key,)] = (line, found.end() + 1 if found else 1)
        value = str(field.value)
        # Only a value the parser left delimited ({x} ... or "x" ...) can have swallowed the next field.
        missing = _MISSING_COMMA.search(value) if value.startswith(("{", '"')) else None
        if missing:
            # title = {x} <newline> year = {2024}: the parser reads both as one value.
            next_line = line + value.count("\n", 0, missing.start(1))
            diagnostics.error(
                display,
                line,
                found.start() + 1 if found else 1,
                f"a comma is missing after the value of '{key}' (before '{missing.group(1)}' on line {next_line})",
            )
            broken = True
    source.values[("entrytype",)] = source.start
    return RawEntry(id=entry.key, type="paper", data=_bib_data(entry), source=source, broken=broken)


# --- The source tree ----------------------------------------------------------------------


_F = TypeVar("_F", bound=Callable[..., Any])


def gc_paused(function: _F) -> _F:
    """Run ``function`` with Python's cyclic garbage collector paused (reference counting goes on).

    Reading, validating and linking build hundreds of thousands of small dicts, lists and tuples
    that all stay alive and hold no reference cycles; the collector would walk them over and over
    for nothing: a third of the time of ``kb validate`` at 8,000 entries (see benchmarks/).
    """

    @functools.wraps(function)
    def paused(*args: Any, **kwargs: Any) -> Any:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return paused  # type: ignore[return-value]


@gc_paused
def read_sources(root: Path, content_dir: Path, bibliography_dir: Path, diagnostics: Diagnostics) -> list[RawEntry]:
    """Every entry under ``content/<folder>/*.yaml`` and ``bibliography/*.bib``, in a stable order."""
    from knowledgebase.model.schema import entry_types

    _resolved_folder.cache_clear()
    folders = {t.folder: t.name for t in entry_types().values() if not t.is_bibtex}
    entries: list[RawEntry] = []
    for folder_item in _listing(content_dir, root, diagnostics):
        folder = content_dir / folder_item.name
        if folder.name == "pages" or not folder_item.is_dir():
            continue
        if folder_item.is_symlink():
            diagnostics.error(_display(root, folder), 1, 1, "folder is a symbolic link; sources must be plain files")
            continue
        type_name = folders.get(folder.name)
        folder_display = _display(root, folder)
        # os.scandir knows each name's kind without a system call per file (pathlib asks).
        for item in _listing(folder, root, diagnostics):
            if item.name.startswith("."):
                continue  # dotfiles and editors' files
            path, display = folder / item.name, f"{folder_display}/{item.name}"
            if type_name is None:
                choices = ", ".join(sorted(folders))
                diagnostics.error(display, 1, 1, f"'{folder.name}' is not an entry folder; use one of: {choices}")
                break
            if item.is_symlink():
                # Never followed: a link to / would walk the whole machine, and publish any of it.
                diagnostics.error(display, 1, 1, _SYMLINK)
                continue
            if item.is_dir(follow_symlinks=False):
                message = f"entry files go directly in {folder_display}/, not in a subfolder"
                for nested in files_under(root, path, diagnostics):
                    diagnostics.error(_display(root, nested), 1, 1, message)
                continue
            if not item.is_file(follow_symlinks=False):
                try:
                    kind = _kind(item.stat(follow_symlinks=False).st_mode) or "not a regular file"
                except OSError:
                    continue  # gone since the folder was listed
                diagnostics.error(*special_file(display, kind))
                continue
            if not item.name.endswith(".yaml"):
                hint = " (rename it to .yaml)" if item.name.endswith(".yml") else ""
                diagnostics.error(display, 1, 1, f"entry files must end in .yaml{hint}")
                continue
            entry = _guarded(read_yaml, path, display, diagnostics, type_name)
            if entry is None:
                # Already reported; its id is still taken, and links to it are not "unknown".
                entry = RawEntry(id=path.stem, type=type_name, data={}, source=SourceFile(display), broken=True)
            entries.append(entry)
    for item in _listing(bibliography_dir, root, diagnostics):
        if item.name.endswith(".bib") and not item.name.startswith("."):
            path = bibliography_dir / item.name
            entries.extend(_guarded(read_bibtex, path, _display(root, path), diagnostics) or [])
    return entries


def _listing(folder: Path, root: Path, diagnostics: Diagnostics) -> list[os.DirEntry[str]]:
    """The entries of ``folder`` sorted by name; none (after a finding) if it cannot be read."""
    try:
        with os.scandir(folder) as listing:
            return sorted(listing, key=lambda item: item.name)
    except FileNotFoundError:
        return []  # an optional folder (no bibliography yet, say)
    except NotADirectoryError:
        diagnostics.error(_display(root, folder), 1, 1, "is a file, but a folder is expected here")
    except OSError as error:
        diagnostics.error(
            _display(root, folder), 1, 1, f"cannot read folder: {error.strerror}; check that you may open it (chmod u+rx)"
        )
    return []


def files_under(root: Path, folder: Path, diagnostics: Diagnostics) -> list[Path]:
    """Every file below ``folder``, sorted, without following links; unreadable folders and
    special files (pipes, sockets, devices) become findings instead of being skipped in silence."""
    found: list[Path] = []

    def unreadable(error: OSError) -> None:
        shown = _display(root, Path(error.filename)) if error.filename else _display(root, folder)
        diagnostics.error(shown, 1, 1, f"cannot read folder: {error.strerror}; check that you may open it (chmod u+rx)")

    for directory, subfolders, names in os.walk(folder, onerror=unreadable):
        subfolders.sort()
        for name in sorted(names):
            if name.startswith("."):
                continue
            path = Path(directory, name)
            try:
                mode = os.lstat(path).st_mode
            except OSError:
                continue  # gone meanwhile
            kind = _kind(mode)
            if kind and not stat.S_ISLNK(mode):
                diagnostics.error(*special_file(_display(root, path), kind))
            else:
                found.append(path)
    return sorted(found)


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
        return _resolved(path).relative_to(_resolved_folder(root)).as_posix()
    except ValueError:
        return path.as_posix()


def _resolved(path: Path) -> Path:
    """``path.resolve()``, reusing its folder's resolution: one system call instead of one per folder above it."""
    if path.name in ("", ".", "..") or path.is_symlink():
        return path.resolve()
    return _resolved_folder(path.parent) / path.name


@functools.lru_cache(maxsize=64)
def _resolved_folder(folder: Path) -> Path:
    return folder.resolve()  # cleared by every read_sources: links may change between two builds
