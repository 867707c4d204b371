"""The BibTeX reader: every entry of a ``.bib`` file into plain data, with where its fields stand.

bibtexparser parses; this module turns what it could not parse (an unclosed value, a missing
comma or ``=``, text outside any entry) into a ``Diagnostic`` at the right line and column.
"""

from __future__ import annotations

import functools
import logging
import re
from pathlib import Path
from typing import Any

import bibtexparser
from bibtexparser import model as bib

from knowledgebase.diagnostics import Diagnostics
from knowledgebase.sources.files import read_text
from knowledgebase.sources.positions import SourceFile
from knowledgebase.sources.raw import RawEntry

#: BibTeX fields that hold comma-separated lists of ids.
BIB_LIST_FIELDS = ("keywords", "stakeholders", "related", "sources", "redirect_from")
_BRACES = re.compile(r"(?<!\\)[{}]")


def _unbraced(value: str) -> str:
    """``value`` without the braces BibTeX uses for case protection (not escaped ones, ``\\{``)."""
    # Most values have none: the pattern, which starts with a look-behind, walks every character.
    return _BRACES.sub("", value) if "{" in value or "}" in value else value


def clean_bibtex_value(value: str) -> str:
    """Drop the braces BibTeX uses for case protection and fold white space."""
    return " ".join(_unbraced(value).split())


#: What separates two names of a BibTeX name list: pybtex's ``split_name_list`` splits at it.
_AND = re.compile(" [Aa][Nn][Dd] ")


def split_authors(value: str) -> list[str]:
    """A BibTeX name list split as BibTeX splits it (pybtex's reading, as the citations use): at
    each 'and' outside braces, so that ``{Barnes and Noble}`` stays one name."""
    if "{" in value:
        from pybtex.bibtex.utils import split_name_list  # its import took 0.015 s of kb validate

        names = split_name_list(value)
    else:
        # Without braces pybtex's split is the separator's alone (tests/test_citation_names.py).
        names = _AND.split(value)
    return [name.strip() for name in names if name.strip()]


def _bib_data(entry_type: str, fields: list[tuple[str, str, int | None]]) -> dict[str, Any]:
    """An entry's data from its type and its (key, value, line) fields, as ``_bib_entry`` read them."""
    data: dict[str, Any] = {"entrytype": entry_type.lower()}
    for key_as_written, raw, _line in fields:
        key = key_as_written.lower()
        if key == "author":
            data[key] = [clean_bibtex_value(a) for a in split_authors(raw)]
        elif key in BIB_LIST_FIELDS:
            value = clean_bibtex_value(raw)
            data[key] = [item.strip() for item in value.split(",") if item.strip()]
        elif key == "summary":
            # Summaries are Markdown: keep paragraph breaks, only strip case-protection braces.
            data[key] = "\n".join(line.strip() for line in _unbraced(raw).strip().splitlines())
        else:
            data[key] = clean_bibtex_value(raw)
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
    # Each field's key, value and line read once: bibtexparser gives them through properties,
    # and 30,000 fields at N=8,000 were each asked for three times (see benchmarks/).
    pairs = [(field.key, str(field.value), field.start_line) for field in entry.fields]
    fields = {key.lower(): value for key, value, _line in pairs}
    source = SourceFile(display, start=(entry.start_line + 1, 1), text=text, fields=fields)
    lines = _lines(text)
    keys, values = source.keys, source.values
    broken = False
    for key_as_written, value, field_line in pairs:
        key = key_as_written.lower()
        line = (field_line or entry.start_line) + 1
        found = _field_pattern(key_as_written).search(lines[line - 1]) if line <= len(lines) else None
        keys[(key,)] = (line, found.start() + 1 if found else 1)
        values[(key,)] = (line, found.end() + 1 if found else 1)
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
    values[("entrytype",)] = source.start
    return RawEntry(id=entry.key, type="paper", data=_bib_data(entry.entry_type, pairs), source=source, broken=broken)
