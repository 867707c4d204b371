"""Every kind of contributor mistake, and what `kb validate`, `kb build` and `mkdocs build` say of it.

Each mistake goes through the pipeline in this process (``load`` as `kb validate` calls it,
``build`` as `kb build` and the MkDocs plugin do): exactly the expected findings (file, line,
column and message; one line per mistake, no knock-on errors), and nothing written. Then all of
them at once through the real commands: exit status 1, no traceback, the same finding lines from
`kb validate` and `mkdocs build --strict`, and the site built before byte for byte what it was.
Mistakes in mkdocs.yml go through the pipeline and MkDocs itself, in this process too.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kbtest import DOCS_LINE, PLUGIN_LINE, SITE_LINE, Project, copy_mini, findings, printed, validate
from knowledgebase.pipeline import build
from knowledgebase.settings import Settings, SettingsError

GITHUB = re.compile(r"^::error file=(?P<path>[^,\n]+),line=(?P<line>\d+),col=(?P<col>\d+)::(?P<message>.+)$", re.MULTILINE)

TERM = "title: {title}\nshort: A new term.\naliases: []\nsources: [explainer]\n"
# Lines: 1 title, 2 show, 3 hosts, 4 date, 5 duration, 6 format, 7 url, 8 summary, 9 sources.
EPISODE = (
    "title: A new episode\n"
    "show: A show\n"
    "hosts: [A Host]\n"
    'date: "2024-05-01"\n'
    'duration: "30:00"\n'
    "format: podcast\n"
    "url: https://example.org/episode\n"
    "summary: An episode about open models.\n"
    "sources: [reading-list]\n"
)
WORK = "@misc{{{key},\n  title = {{A work}},\n  year = {{2024}},\n  summary = {{A summary.}},\n}}\n"


def episode(**changes: str) -> str:
    """The valid episode above with some lines replaced (``field=new line``; empty removes it)."""
    lines = EPISODE.splitlines(keepends=True)
    for name, new in changes.items():
        index = next(i for i, line in enumerate(lines) if line.startswith(f"{name}:"))
        lines[index] = f"{new}\n" if new else ""
    return "".join(lines)


@dataclass(frozen=True)
class Mistake:
    name: str
    files: dict[str, str | bytes]
    #: (path, line, column, a fragment of the message) for every finding the mistake must cause.
    expected: list[tuple[str, int, int, str]] = field(default_factory=list)
    #: Makes what a file's bytes cannot: a named pipe, a socket, a symbolic link (given the project root).
    make: Callable[[Path], None] | None = None

    def __str__(self) -> str:
        return self.name


def one(name: str, rel: str, content: str | bytes, line: int, col: int, fragment: str) -> Mistake:
    return Mistake(name, {rel: content}, [(rel, line, col, fragment)])


def podcast(name: str, line: int, col: int, fragment: str, **changes: str) -> Mistake:
    return one(name, f"content/podcasts/{name}.yaml", episode(**changes), line, col, fragment)


BIG = b"title: Big\nshort: " + b"x" * (1024 * 1024) + b"\naliases: []\nsources: [explainer]\n"
BOMB = (
    b"title: Bomb\nshort: x\naliases: []\nsources: [explainer]\n"
    b'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    b"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    b"d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
)

TAB = "tab character: YAML does not allow tabs here; indent with spaces"


def starts(name: str, value: str, meaning: str, line: int = 1, col: int = 8) -> Mistake:
    """A title that starts with a character YAML gives a meaning to; the advice is to quote it."""
    char = value.lstrip()[0]
    block = ", or write the text on the lines below it, indented" if char in "|>" else ""
    advice = f"a value cannot start with '{char}' ({meaning}); put the whole value in quotes{block}"
    return one(name, f"content/glossary/{name}.yaml", f"title: {value}\n" + TERM.split("\n", 1)[1], line, col, advice)


#: Every character the issue names, in the value where a contributor meant plain text.
STARTS = [
    starts("starts-bracket", "[Draft] My talk", "YAML reads it as a list"),
    starts("starts-brace", "{Draft} My talk", "YAML reads it as a mapping"),
    starts("starts-at", "@handle on air", "reserved for future use"),
    starts("starts-backtick", "`kb` in practice", "reserved for future use"),
    starts("starts-star", "*Bold* claims", "YAML reads it as an alias"),
    starts("starts-star-word", "*emphasis", "YAML reads it as an alias"),
    # Read as an anchor, the first word used to vanish silently: `&more than one` became "than one".
    starts("starts-ampersand", "&more than one", "YAML reads it as an anchor"),
    starts("starts-bang", "!important news", "YAML reads it as a tag"),
    starts("starts-percent", "%50 of models", "YAML reads it as a directive"),
    starts("starts-pipe", "| a pipe", "YAML reads it as a block of text on the lines below"),
    starts("starts-greater", "> a quote", "YAML reads it as a block of text on the lines below"),
    one(
        "starts-bracket-only",
        "content/glossary/starts-bracket-only.yaml",
        "title: [Draft]\n" + TERM.split("\n", 1)[1],
        1,
        8,
        "'title' must be text, not a list; put a value that starts with '[' in quotes",
    ),
]

#: Quotes that are never closed or closed too early: reported where they were opened.
QUOTES = [
    # The case: an unclosed quote on line 3 was reported at line 4 as an indentation problem.
    one(
        "quote-next-line",
        "content/glossary/quote-next-line.yaml",
        'title: x\nshort: y\nsummary: "never closed\ndate: "2024"\naliases: []\n',
        3,
        10,
        'the quoted value opened at line 3, column 10 is never closed: add the closing " at the end of the value',
    ),
    one(
        "quote-single-next-line",
        "content/glossary/quote-single-next-line.yaml",
        "title: 'never closed\nshort: 'y'\n",
        1,
        8,
        "the quoted value opened at line 1, column 8 is never closed: add the closing ' at the end of the value",
    ),
    one(
        "quote-in-list",
        "content/glossary/quote-in-list.yaml",
        'title: x\naliases: [a, "b]\nshort: "y"\n',
        2,
        14,
        'the quoted value opened at line 2, column 14 is never closed: add the closing " at the end of the value',
    ),
    one(
        "quote-then-text",
        "content/glossary/quote-then-text.yaml",
        'title: "Open" models\nshort: y\n',
        1,
        8,
        'text follows the closing " of the quoted value that starts here: put the whole value in quotes (write \\" for a " inside)',
    ),
    one(
        "quote-apostrophe",
        "content/glossary/quote-apostrophe.yaml",
        "title: x\nshort: 'it's here'\n",
        2,
        8,
        "text follows the closing ' of the quoted value that starts here: put the whole value in quotes (write '' for a ' inside)",
    ),
    one(
        "brace-unclosed",
        "content/podcasts/brace-unclosed.yaml",
        'title: x\nsegment: {start: "1:00", end: "2:00"\nshow: y\n',
        2,
        10,
        "the '{' opened at line 2, column 10 is not closed: add '}', or a comma between items",
    ),
]

MISTAKES = [
    # --- file level ---------------------------------------------------------------------
    one("empty-file", "content/glossary/empty-file.yaml", b"", 1, 1, "file is empty"),
    one("blank-file", "content/glossary/blank-file.yaml", b"  \n\n", 1, 1, "file is empty"),
    one("comments-only", "content/glossary/comments-only.yaml", b"# title: x\n", 1, 1, "file holds no entry"),
    one("empty-bib", "bibliography/empty-bib.bib", b"", 1, 1, "file is empty"),
    one("not-utf8", "content/glossary/not-utf8.yaml", b"title: Caf\xe9\n", 1, 11, "invalid UTF-8 byte 0xe9"),
    one("not-utf8-bib", "bibliography/not-utf8-bib.bib", b"@misc{k,\n  title = {Caf\xe9},\n}\n", 2, 15, "invalid UTF-8"),
    one("nul-byte", "content/glossary/nul-byte.yaml", b"title: a\x00b\n", 1, 1, "NUL character"),
    one("bom", "content/glossary/bom.yaml", b"\xef\xbb\xbf" + TERM.format(title="Bom").encode(), 1, 1, "byte-order mark"),
    one("bom-bib", "bibliography/bom-bib.bib", b"\xef\xbb\xbf" + WORK.format(key="bomwork").encode(), 1, 1, "byte-order mark"),
    one("too-large", "content/glossary/too-large.yaml", BIG, 1, 1, "file is too large"),
    one("too-large-bib", "bibliography/too-large-bib.bib", b"%" * (1024 * 1024 + 1), 1, 1, "file is too large"),
    one("wrong-extension", "content/glossary/wrong-extension.yml", TERM.format(title="x"), 1, 1, "rename it to .yaml"),
    one("wrong-folder", "content/glosary/wrong-folder.yaml", TERM.format(title="x"), 1, 1, "'glosary' is not an entry folder"),
    one("in-subfolder", "content/glossary/sub/in-subfolder.yaml", TERM.format(title="x"), 1, 1, "not in a subfolder"),
    # --- YAML syntax ----------------------------------------------------------------------
    one("yaml-colon", "content/glossary/yaml-colon.yaml", "title: Note: colons\nshort: x\n", 1, 12, "unexpected ':'"),
    one(
        "yaml-quote",
        "content/glossary/yaml-quote.yaml",
        'title: "never closed\nshort: x\n',
        1,
        8,
        'the quoted value opened at line 1, column 8 is never closed: add the closing " at the end of the value',
    ),
    one(
        "yaml-bracket",
        "content/glossary/yaml-bracket.yaml",
        "title: x\naliases: [a, b\nshort: y\n",
        2,
        10,
        "the '[' opened at line 2, column 10 is not closed: add ']', or a comma between items",
    ),
    one(
        "yaml-indent",
        "content/glossary/yaml-indent.yaml",
        "title: x\nshort: y\naliases:\n  - a\n - b\nsources: [explainer]\n",
        5,
        2,
        "check the indentation",
    ),
    one(
        "yaml-two-documents", "content/glossary/yaml-two-documents.yaml", "title: x\n---\ntitle: y\n", 2, 1, "one entry per file"
    ),
    one("tab-indent", "content/glossary/tab-indent.yaml", "title: x\n\tshort: y\n", 2, 1, TAB),
    one("tab-in-block", "content/glossary/tab-in-block.yaml", "title: x\nshort: >\n\tA term.\n", 3, 1, TAB),
    # A tab before a list item was once "a value cannot start with '<TAB>'; put the value in quotes".
    one("tab-in-list", "content/glossary/tab-in-list.yaml", "title: x\nshort: y\naliases:\n\t- a\n", 4, 1, TAB),
    one("tab-nested", "content/definitions/tab-nested.yaml", "title: x\nrequires:\n  data:\n\tlevel: x\n", 4, 1, TAB),
    *STARTS,
    *QUOTES,
    one("not-a-mapping", "content/glossary/not-a-mapping.yaml", "- title: x\n", 1, 1, "must be a mapping"),
    one(
        "duplicate-key",
        "content/glossary/duplicate-key.yaml",
        TERM.format(title="x") + "title: y\n",
        5,
        1,
        "duplicate key 'title'",
    ),
    one("alias-bomb", "content/glossary/alias-bomb.yaml", BOMB, 5, 4, "anchors and aliases (& and *) are not allowed"),
    one(
        "merge-key",
        "content/glossary/merge-key.yaml",
        "base: &base {title: x, short: y}\n<<: *base\naliases: []\nsources: [explainer]\n",
        2,
        1,
        "merge keys (<<) are not allowed",
    ),
    one(
        "nesting-bomb",
        "content/glossary/nesting-bomb.yaml",
        "title: " + "[" * 5000 + "]" * 5000 + "\n",
        1,
        1007,
        "nests too deeply",
    ),
    one(
        "python-tag", "content/glossary/python-tag.yaml", "title: !!python/object/apply:os.system [ls]\n", 1, 8, "is not allowed"
    ),
    # --- schema ---------------------------------------------------------------------------
    podcast("wrong-type-list", 3, 8, "'hosts' must be a list, not text", hosts="hosts: A Host"),
    podcast("wrong-type-text", 1, 8, "'title' must be text, not a number", title="title: 1984"),
    one(
        "wrong-type-number",
        "content/topics/wrong-type-number.yaml",
        "title: x\norder: first\nsummary: y\nsources: [explainer]\n",
        2,
        8,
        "'order' must be a whole number, not text",
    ),
    one(
        "missing-field",
        "content/glossary/missing-field.yaml",
        "title: x\naliases: []\nsources: [explainer]\n",
        1,
        1,
        "missing required field 'short'",
    ),
    podcast("unknown-field", 2, 1, "unknown field 'shw' (did you mean 'show'?)", show="shw: A show"),
    podcast("unknown-field-far", 10, 1, "unknown field 'colour'", sources="sources: [reading-list]\ncolour: blue"),
    podcast(
        "enum",
        6,
        9,
        "'vidoe' is not allowed; use one of: podcast, video, podcast-video (did you mean 'video'?)",
        format="format: vidoe",
    ),
    one(
        "enum-nested",
        "content/definitions/enum-nested.yaml",
        "title: x\npublisher: osi\nsummary: y\nrequires:\n  weights: {level: mandatory}\nsources: [explainer]\n",
        5,
        20,
        "'requires.weights.level': 'mandatory' is not allowed",
    ),
    podcast("impossible-date", 4, 7, "must be a real ISO 8601 date", date='date: "2024-02-30"'),
    podcast("month-13", 4, 7, "must be a real ISO 8601 date", date='date: "2023-13"'),
    podcast("prose-date", 4, 7, "must be a real ISO 8601 date", date="date: 7 July 2024"),
    podcast("bad-duration", 5, 11, "H:MM:SS or M:SS", duration='duration: "1:4:7"'),
    podcast("minutes-duration", 5, 11, "H:MM:SS or M:SS", duration="duration: 90 min"),
    podcast("bad-timestamp", 5, 18, "H:MM:SS or M:SS", duration='segment: {start: "1:00:60", end: "1:02:00"}'),
    podcast(
        "segment-backwards",
        5,
        34,
        "'segment.end' (1:00:00) must come after 'segment.start' (1:02:00)",
        duration='segment: {start: "1:02:00", end: "1:00:00"}',
    ),
    podcast(  # M:SS may count past an hour: the same order is checked as for H:MM:SS
        "segment-backwards-long-minutes",
        5,
        32,
        "'segment.end' (1:10:00) must come after 'segment.start' (75:00)",
        duration='segment: {start: "75:00", end: "1:10:00"}',
    ),
    podcast(
        "duration-and-segment", 1, 1, "give either duration", duration='duration: "30:00"\nsegment: {start: "1:00", end: "2:00"}'
    ),
    podcast("javascript-url", 7, 6, "must be an absolute http:// or https:// URL", url="url: javascript:alert(1)"),
    podcast("data-url", 7, 6, "must be an absolute http:// or https:// URL", url="url: data:text/html;base64,PHNjcmlwdD4="),
    podcast("ftp-url", 7, 6, "must be an absolute http:// or https:// URL", url="url: ftp://example.org/episode"),
    podcast("relative-url", 7, 6, "must be an absolute http:// or https:// URL", url="url: www.example.org/episode"),
    podcast("hostless-url", 7, 6, "must be an absolute http:// or https:// URL", url="url: https:///episode"),
    podcast("spaced-url", 7, 6, "must be an absolute http:// or https:// URL", url='url: "https://example.org/an episode"'),
    podcast(
        "prose-javascript",
        8,
        14,
        "link to 'javascript:alert(1)' is not allowed",
        summary="summary: See [this](javascript:alert(1)).",
    ),
    podcast(
        "prose-data", 11, 3, "link to 'data:text/html,x' is not allowed", summary="summary: |\n  Text.\n\n  [x]: data:text/html,x"
    ),
    podcast("prose-image", 8, 15, "images are not allowed", summary="summary: Look ![x](https://example.org/x.png)"),
    podcast("prose-snippet", 8, 10, "snippet markers (--8<--) are not allowed", summary='summary: --8<-- "/etc/passwd"'),
    one(
        "bib-url",
        "bibliography/bib-url.bib",
        "@misc{bib-url,\n  title = {A work},\n  year = {2024},\n  url = {javascript:alert(1)},\n  summary = {A summary.},\n}\n",
        4,
        9,
        "'url': 'javascript:alert(1)' must be an absolute http:// or https:// URL",
    ),
    podcast("placeholder", 2, 7, "'show' still holds the placeholder 'TODO'", show="show: TODO"),
    # --- ids ------------------------------------------------------------------------------
    one(
        "Not_A_Slug",
        "content/glossary/Not_A_Slug.yaml",
        TERM.format(title="x"),
        1,
        1,
        "id 'Not_A_Slug' (the file name) must be a slug",
    ),
    one("café", "content/glossary/café.yaml", TERM.format(title="x"), 1, 1, "id 'café' (the file name) must be a slug"),
    one(
        "%2e%2e%2fescape",
        "content/glossary/%2e%2e%2fescape.yaml",
        TERM.format(title="x"),
        1,
        1,
        "id '%2e%2e%2fescape' (the file name) must be a slug",
    ),
    one("double--hyphen", "content/glossary/double--hyphen.yaml", TERM.format(title="x"), 1, 1, "must be a slug"),
    one(
        "with space",
        "content/glossary/with space.yaml",
        TERM.format(title="x"),
        1,
        1,
        "id 'with space' (the file name) must be a slug",
    ),
    one(
        "bib-key", "bibliography/bib-key.bib", WORK.format(key="Bad_Key"), 1, 1, "id 'Bad_Key' (the citation key) must be a slug"
    ),
    one(
        "id-mismatch",
        "content/glossary/id-mismatch.yaml",
        TERM.format(title="x") + "id: another-name\n",
        5,
        1,
        "id 'another-name' does not match the file name 'id-mismatch.yaml'; the file name is the id: rename the file or remove the id field",
    ),
    one(
        "id-redundant",
        "content/glossary/id-redundant.yaml",
        "id: id-redundant\n" + TERM.format(title="x"),
        1,
        1,
        "remove the id field",
    ),
    Mistake(
        "duplicate-across-types",
        {
            "content/datasets/twin.yaml": "title: x\nsummary: y\nsources: [explainer]\n",
            "content/topics/twin.yaml": "title: x\nsummary: y\nsources: [explainer]\n",
        },
        [("content/topics/twin.yaml", 1, 1, "duplicate id 'twin': already used by content/datasets/twin.yaml:1")],
    ),
    one(
        "duplicate-yaml-bib",
        "bibliography/duplicate-yaml-bib.bib",
        WORK.format(key="mnist"),
        1,
        1,
        "duplicate id 'mnist': already used by content/datasets/mnist.yaml:1",
    ),
    Mistake(
        "duplicate-bib-files",
        {
            "bibliography/dup-one.bib": WORK.format(key="twin-work"),
            "bibliography/dup-two.bib": "\n\n" + WORK.format(key="twin-work"),
        },
        [("bibliography/dup-two.bib", 3, 1, "duplicate id 'twin-work': already used by bibliography/dup-one.bib:1")],
    ),
    one(
        "duplicate-bib-key",
        "bibliography/duplicate-bib-key.bib",
        WORK.format(key="same-key") + "\n" + WORK.format(key="same-key"),
        7,
        1,
        "duplicate id 'same-key': already used by bibliography/duplicate-bib-key.bib:1",
    ),
    # --- references -----------------------------------------------------------------------
    podcast("unknown-source", 9, 11, "unknown id 'reading-lst' (did you mean 'reading-list'?)", sources="sources: [reading-lst]"),
    podcast("unknown-link", 8, 14, "unknown id 'no-such-entry'", summary="summary: See [[no-such-entry]]."),
    podcast("unknown-citation", 8, 13, "unknown id 'nobody2024'", summary="summary: As [@nobody2024, p. 3] says."),
    podcast(
        "wrong-ref-type",
        10,
        16,
        "'meta' is a organisation, but a stakeholder is expected here",
        sources="sources: [reading-list]\nstakeholders: [meta]",
    ),
    podcast("cite-not-paper", 8, 14, "'osi' is a organisation, but a paper is expected here", summary="summary: See [@osi]."),
    # A field mistake and a reference mistake in one entry: both found in one run.
    Mistake(
        "two-in-one",
        {"content/podcasts/two-in-one.yaml": episode(format="format: vidoe", sources="sources: [nope-nope]")},
        [
            ("content/podcasts/two-in-one.yaml", 6, 9, "'vidoe' is not allowed"),
            ("content/podcasts/two-in-one.yaml", 9, 11, "unknown id 'nope-nope'"),
        ],
    ),
    Mistake(
        "every-missing-field",
        {"content/glossary/every-missing-field.yaml": "title: x\nshrot: y\ncolour: red\n"},
        [
            ("content/glossary/every-missing-field.yaml", 1, 1, "missing required field 'aliases'"),
            ("content/glossary/every-missing-field.yaml", 1, 1, "missing required field 'sources'"),
            ("content/glossary/every-missing-field.yaml", 2, 1, "unknown field 'shrot' (did you mean 'short'?)"),
            ("content/glossary/every-missing-field.yaml", 3, 1, "unknown field 'colour'"),
        ],
    ),
    # --- BibTeX ---------------------------------------------------------------------------
    one(
        "bib-no-comma-after-key",
        "bibliography/bib-no-comma-after-key.bib",
        "@misc{nocomma title = {x}, year = {2024}, summary = {y}}\n",
        1,
        7,
        "a comma is missing after the citation key",
    ),
    one(
        "bib-unclosed-value",
        "bibliography/bib-unclosed-value.bib",
        "@misc{unclosed-value,\n  title = {A work,\n  year = {2024},\n  summary = {y},\n}\n\n"
        + WORK.format(key="after-unclosed"),
        2,
        11,
        "the value of 'title' opened at line 2, column 11 is never closed: a closing '}' is missing",
    ),
    one(
        "bib-unclosed-quote",
        "bibliography/bib-unclosed-quote.bib",
        '@misc{unclosed-quote,\n  title = "A work,\n  year = {2024},\n  summary = {y},\n}\n\n' + WORK.format(key="after-quote"),
        2,
        11,
        "the value of 'title' opened at line 2, column 11 is never closed: a closing \" is missing",
    ),
    one(
        "bib-unclosed-entry",
        "bibliography/bib-unclosed-entry.bib",
        WORK.format(key="unclosed-entry").rstrip("}\n") + "\n",
        1,
        1,
        "this entry is never closed",
    ),
    one(
        "bib-missing-comma",
        "bibliography/bib-missing-comma.bib",
        "@misc{missing-comma,\n  title = {A work}\n  year = {2024},\n  summary = {y},\n}\n",
        2,
        3,
        "a comma is missing after the value of 'title' (before 'year' on line 3)",
    ),
    one(
        "bib-no-equals",
        "bibliography/bib-no-equals.bib",
        "@misc{no-equals, title = {x}, year 2024, summary = {y}}\n",
        1,
        31,
        "a field has no '=': write year = {value}",
    ),
    one(
        "bib-stray-text",
        "bibliography/bib-stray-text.bib",
        WORK.format(key="stray") + "}\n",
        6,
        1,
        "text outside any BibTeX entry: '}'",
    ),
    one(
        "bib-no-at",
        "bibliography/bib-no-at.bib",
        "% A comment.\nmisc{no-at, title = {x}}\n",
        2,
        1,
        "text outside any BibTeX entry",
    ),
    one(
        "bib-duplicate-field",
        "bibliography/bib-duplicate-field.bib",
        "@misc{duplicate-field,\n  title = {A},\n  title = {B},\n  year = {2024},\n  summary = {y},\n}\n",
        1,
        1,
        "gives the field(s) title more than once",
    ),
    one(
        "bib-unknown-field",
        "bibliography/bib-unknown-field.bib",
        WORK.format(key="work-unknown-field").replace("year", "yeer"),
        3,
        3,
        "unknown field 'yeer' (did you mean 'year'?)",
    ),
    one(
        "bib-bad-year",
        "bibliography/bib-bad-year.bib",
        WORK.format(key="work-bad-year").replace("2024", "24"),
        3,
        10,
        "'24' must be a four-digit year",
    ),
    # --- pages that would take another's place ----------------------------------------------
    one(
        "entry-named-index",
        "content/glossary/index.yaml",
        TERM.format(title="Index"),
        1,
        1,
        "the page of entry 'index' would be glossary/index.md, the place of the generated index page of the Glossary section",
    ),
    one("page-over-timeline", "content/pages/timeline.md", "# My timeline\n", 1, 1, "the place of the generated timeline"),
    one("page-over-section", "content/pages/datasets/index.md", "# Data\n", 1, 1, "the generated index page of the Data sets"),
    one(
        "page-over-entry",
        "content/pages/datasets/mnist.md",
        "# MNIST\n",
        1,
        1,
        "the place of the page of entry 'mnist' (content/datasets/mnist.yaml)",
    ),
    one("page-over-redirect", "content/pages/datasets/mnist-digits.md", "# Old\n", 1, 1, "the redirect from 'mnist-digits'"),
    one("file-over-data", "content/pages/glossary/terms.json", "{}", 1, 1, "the glossary's generated tooltip data"),
    one(
        "file-over-version", "content/pages/datasets/mnist/version.csl.json", "[]", 1, 1, "the citation download of entry 'mnist'"
    ),
    one("page-case-only", "content/pages/Tags.md", "# Tags\n", 1, 1, "differ only in letter case"),
    one(
        "id-too-long",
        f"content/glossary/{'long-' * 30}id.yaml",
        TERM.format(title="Long"),
        1,
        1,
        "is 152 characters long; ids have at most 100",
    ),
    one(
        "key-too-long",
        "bibliography/key-too-long.bib",
        WORK.format(key="k" * 101),
        1,
        1,
        "is 101 characters long; ids have at most 100",
    ),
    # --- files that are not plain files -------------------------------------------------------
    Mistake(
        "fifo-bib",
        {},
        [("bibliography/fifo-bib.bib", 1, 1, "is a named pipe (FIFO), not a regular file")],
        lambda root: os.mkfifo(root / "bibliography/fifo-bib.bib"),
    ),
    Mistake(
        "fifo-page",
        {},
        [("content/pages/fifo-page.md", 1, 1, "is a named pipe (FIFO), not a regular file")],
        lambda root: os.mkfifo(root / "content/pages/fifo-page.md"),
    ),
    Mistake(
        "socket-entry",
        {},
        [("content/glossary/socket-entry.yaml", 1, 1, "is a socket, not a regular file")],
        lambda root: _socket(root / "content/glossary", "socket-entry.yaml"),
    ),
    Mistake(
        "link-to-root",
        {},
        [("content/glossary/link-to-root", 1, 1, "symbolic link")],
        lambda root: (root / "content/glossary/link-to-root").symlink_to("/"),
    ),
]


def _socket(folder: Path, name: str) -> None:
    """A Unix socket file (bound by a relative name: a socket path must be short)."""
    here = os.getcwd()
    os.chdir(folder)
    try:
        server = socket.socket(socket.AF_UNIX)
        server.bind(name)
        server.close()
    finally:
        os.chdir(here)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The mini knowledge base after a first good ``mkdocs build``, copied afresh for each test that builds."""
    project = copy_mini(tmp_path_factory.mktemp("good") / "kb")
    project.mkdocs_build()
    assert (project.root / "site" / "index.html").is_file()
    return project


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The mini knowledge base after a first good build of its pages (in-process: no site), copied for each mistake."""
    project = copy_mini(tmp_path_factory.mktemp("generated") / "kb")
    assert build(Settings.from_mkdocs_yml(project.root / "mkdocs.yml")).ok
    return project


def fresh(project: Project, tmp_path: Path) -> Project:
    root = tmp_path / "kb"
    shutil.copytree(project.root, root, symlinks=True)
    return Project(root)


def unescape(value: str) -> str:
    """Undo GitHub's workflow-command escaping, as the runner does."""
    for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        value = value.replace(escaped, char)
    return value


def assert_findings(found: list[tuple[str, int, int, str]], expected: list[tuple[str, int, int, str]], output: str) -> None:
    """Exactly the expected findings: every one present, at its place, and nothing else."""
    places = sorted((path, line, col) for path, line, col, _ in found)
    assert places == sorted((path, line, col) for path, line, col, _ in expected), output
    for path, line, col, fragment in expected:
        messages = [m for p, li, c, m in found if (p, li, c) == (path, line, col)]
        assert any(fragment in m for m in messages), f"{path}:{line}:{col}: expected '{fragment}' in {messages}\n{output}"


def apply(project: Project, mistakes: list[Mistake]) -> list[tuple[str, int, int, str]]:
    expected = []
    for mistake in mistakes:
        for rel, content in mistake.files.items():
            project.write(rel, content)
        if mistake.make:
            mistake.make(project.root)
        expected.extend(mistake.expected)
    return expected


def check_in_process(project: Project, expected: list[tuple[str, int, int, str]]) -> None:
    """What ``kb validate`` and ``kb build`` (and so the plugin) find, through the pipeline itself:
    exactly ``expected``, each error counted once, and the generated pages left as they were."""
    settings = Settings.from_mkdocs_yml(project.root / "mkdocs.yml")
    docs = project.snapshot("build/docs")
    validated = validate(settings)
    output = printed(validated)
    assert_findings(findings(output), expected, output)
    assert len(validated.errors) == len(expected), output  # kb validate's "N errors found"
    built = build(settings)  # as kb build and the MkDocs plugin call it
    assert printed(built.diagnostics) == "\n".join(line for line in output.splitlines() if ": error: " in line)
    assert not built.ok
    assert project.snapshot("build/docs") == docs, "a failed build changed the generated pages"


def check_both_commands(project: Project, expected: list[tuple[str, int, int, str]]) -> None:
    """``kb validate`` and ``mkdocs build --strict`` as a contributor runs them: exit status 1, no
    traceback, the same finding lines from both (exactly ``expected``), and the site built before
    left byte for byte as it was."""
    site, docs = project.snapshot("site"), project.snapshot("build/docs")
    result = project.kb("validate")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert_findings(findings(result.stderr), expected, result.stderr)
    count = len(expected)
    assert result.stderr.rstrip().endswith(f"{count} error{'s' if count != 1 else ''} found"), result.stderr

    build = project.mkdocs_build()
    assert build.returncode == 1, build.stdout + build.stderr
    assert "Traceback" not in build.stdout + build.stderr
    assert findings(build.stderr) == findings(result.stderr), "kb validate and mkdocs build print other findings"
    assert "the site was not built" in build.stderr
    assert project.snapshot("site") == site, "a failed build changed the site"
    assert project.snapshot("build/docs") == docs, "a failed build changed the generated pages"


@pytest.mark.quick
def test_mistake_names_are_unique():
    names = [m.name for m in MISTAKES]
    assert len(names) == len(set(names))
    paths = [rel for m in MISTAKES for rel in m.files] + [e[0] for m in MISTAKES if m.make for e in m.expected]
    assert len(paths) == len(set(paths))


@pytest.mark.parametrize("mistake", MISTAKES, ids=str)
def test_each_mistake(generated, tmp_path, mistake):
    project = fresh(generated, tmp_path)
    check_in_process(project, apply(project, [mistake]))


@pytest.mark.quick  # every message of the corpus, in one run of each command
def test_every_mistake_in_one_run(built, tmp_path):
    """All the mistakes at once: one run of each command lists every one of them, and only them."""
    project = fresh(built, tmp_path)
    expected = apply(project, MISTAKES)
    check_both_commands(project, expected)
    annotations = project.kb("validate", "--format", "github")
    assert annotations.returncode == 1
    found = [(unescape(p), li, c, unescape(m)) for p, li, c, m in findings(annotations.stdout, GITHUB)]
    assert_findings(found, expected, annotations.stdout)


def test_fixing_the_mistake_builds_again(built, tmp_path):
    """After a failed build, fixing the source is enough: no stale state is left behind."""
    project = fresh(built, tmp_path)
    site = project.snapshot("site")
    bad = podcast("fixable", 6, 9, "'vidoe'", format="format: vidoe")
    expected = apply(project, [bad])
    failed = project.mkdocs_build()
    assert failed.returncode == 1 and "Traceback" not in failed.stdout + failed.stderr, failed.stderr
    assert_findings(findings(failed.stderr), expected, failed.stderr)
    assert project.snapshot("site") == site, "a failed build changed the site"
    project.write("content/podcasts/fixable.yaml", EPISODE)
    result = project.mkdocs_build()
    assert result.returncode == 0, result.stderr
    assert (project.root / "site" / "podcasts" / "fixable" / "index.html").is_file()


# --- configuration and file-system mistakes: mkdocs.yml names folders the build must not write ---


@dataclass(frozen=True)
class ConfigMistake:
    name: str
    #: (old, new) replacements in mkdocs.yml.
    edits: list[tuple[str, str]]
    #: (line, column, a fragment of the message) of findings at mkdocs.yml; a line of 0 means
    #: "the line holding the first edit's new text" (at its value's column, given as col).
    expected: list[tuple[int, int, str]]
    prepare: Callable[[Path], None] | None = None
    #: MkDocs refuses this itself, before any plugin runs (its own message, still no traceback).
    mkdocs_own: bool = False

    def __str__(self) -> str:
        return self.name


CONFIG_MISTAKES = [
    ConfigMistake(
        "docs-in-content",
        [("docs_dir: build/docs", "docs_dir: content")],
        [(DOCS_LINE, 11, "docs_dir 'content' is the content folder")],
    ),
    ConfigMistake(
        "docs-is-project",
        [("docs_dir: build/docs", "docs_dir: ."), ("site_dir: site", "site_dir: ../site")],
        [(DOCS_LINE, 11, "docs_dir '.' is the project folder"), (DOCS_LINE, 11, "docs_dir '.' contains the content folder")],
        mkdocs_own=True,  # MkDocs: docs_dir is the folder of mkdocs.yml
    ),
    ConfigMistake(
        "docs-in-git",
        [("docs_dir: build/docs", "docs_dir: .git/docs")],
        [(DOCS_LINE, 11, "lies inside git's history (.git/)")],
        prepare=lambda root: (root / ".git/docs").mkdir(parents=True),
    ),
    ConfigMistake(
        "site-in-content",
        [("site_dir: site", "site_dir: content")],
        [(SITE_LINE, 11, "site_dir 'content' is the content folder")],
    ),
    ConfigMistake(
        "site-over-bibliography",
        [("site_dir: site", "site_dir: bibliography/..")],
        [(SITE_LINE, 11, "is the project folder")],
        mkdocs_own=True,  # MkDocs: docs_dir lies inside site_dir
    ),
    ConfigMistake(
        "snippets-in-pages",
        [("  - knowledgebase\n", "  - knowledgebase:\n      snippets_dir: content/pages\n")],
        [(PLUGIN_LINE, 21, "plugin option snippets_dir 'content/pages' lies inside the content folder")],
    ),
    ConfigMistake(
        "snippets-over-own-snippets",
        [("  - knowledgebase\n", "  - knowledgebase:\n      snippets_dir: my-snippets\n")],
        [(PLUGIN_LINE, 21, "holds files the build did not write (footer.md; no .kb-build.json")],
        prepare=lambda root: (root / "my-snippets").mkdir() or (root / "my-snippets/footer.md").write_text("My footer\n"),
    ),
    ConfigMistake(
        "docs-default-holds-pages",
        [("docs_dir: build/docs\n", "")],
        [(1, 1, "docs_dir (not set, so the default 'docs') holds files the build did not write (handwritten.md")],
        prepare=lambda root: (root / "docs").mkdir() or (root / "docs/handwritten.md").write_text("# Mine\n"),
    ),
    ConfigMistake(
        "docs-is-a-file",
        [("docs_dir: build/docs", "docs_dir: build/docs")],
        [(DOCS_LINE, 11, "docs_dir 'build/docs' is a file, not a folder")],
        prepare=lambda root: shutil.rmtree(root / "build/docs") or (root / "build/docs").write_text("not a folder\n"),
        mkdocs_own=True,  # MkDocs: docs_dir is not an existing directory
    ),
    ConfigMistake(
        "mkdocs-yml-broken",
        [("docs_dir: build/docs", "docs_dir: [build/docs")],
        [(DOCS_LINE, 11, f"the '[' opened at line {DOCS_LINE}, column 11 is not closed")],
        mkdocs_own=True,
    ),
]


def tree(root: Path) -> dict[str, bytes | str]:
    """Every file and link under ``root`` (dotfiles and .git included), without following links."""
    found: dict[str, bytes | str] = {}
    for directory, folders, names in os.walk(root):
        for name in folders + names:
            path = Path(directory, name)
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[rel] = f"-> {os.readlink(path)}"
            elif path.is_file():
                found[rel] = path.read_bytes()
            elif path.is_dir():
                found[rel + "/"] = b""
    return found


def test_config_mistake_names_are_unique():
    assert len({m.name for m in CONFIG_MISTAKES}) == len(CONFIG_MISTAKES)


def kb_build_findings(root: Path) -> str:
    """What ``kb build`` prints for the project in ``root``, through the pipeline in this process."""
    try:
        settings = Settings.from_mkdocs_yml(root / "mkdocs.yml")
    except SettingsError as error:  # kb prints it as it is
        return str(error)
    return printed(build(settings).diagnostics)


def mkdocs_build_log(root: Path, caplog: pytest.LogCaptureFixture) -> str:
    """``mkdocs build --strict`` of ``root`` in this process, as MkDocs' command runs it, expected to
    stop with one of MkDocs' own errors (the command prints those without a traceback, exit 1); what it logged."""
    from mkdocs.commands.build import build as build_site
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    logger = logging.getLogger("mkdocs")  # kept whether or not MkDocs' command line stopped it propagating
    logger.addHandler(caplog.handler)
    caplog.clear()
    try:
        with pytest.raises(MkDocsException):
            config = load_config(config_file=str(root / "mkdocs.yml"), strict=True)
            config.plugins.on_startup(command="build", dirty=False)
            try:
                build_site(config)
            finally:
                config.plugins.on_shutdown()
    finally:
        logger.removeHandler(caplog.handler)
    return "\n".join(record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("mistake", CONFIG_MISTAKES, ids=str)
def test_each_config_mistake(built, tmp_path, caplog, mistake):
    """A dangerous folder in mkdocs.yml: refused at the setting, by both commands, with nothing touched."""
    project = fresh(built, tmp_path)
    config = project.root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    for old, new in mistake.edits:
        assert old in text, old
        text = text.replace(old, new)
    config.write_text(text, encoding="utf-8")
    if mistake.prepare:
        mistake.prepare(project.root)
    before = tree(project.root)
    output = kb_build_findings(project.root)
    found = [(line, col, message) for path, line, col, message in findings(output)]
    assert found and all(path == "mkdocs.yml" for path, *_ in findings(output)), output
    for line, col, fragment in mistake.expected:
        assert any((li, c) == (line, col) and fragment in m for li, c, m in found), f"{line}:{col} {fragment}\n{output}"
    assert tree(project.root) == before, "kb build touched the project"
    output = mkdocs_build_log(project.root, caplog)
    if not mistake.mkdocs_own:
        for line, col, fragment in mistake.expected:
            assert f"mkdocs.yml:{line}:{col}: error: " in output and fragment in output, output
    assert tree(project.root) == before, "mkdocs build touched the project"
