"""How prose reads: linked titles fitted to their sentence, and the seams ``kb validate`` warns about.

An entry's prose is written with ``[[id]]`` links whose text is the linked entry's title, so a
sentence that reads well in YAML can read badly on the page: "the The open washing problem",
"Open Source AI Definition (Open Source AI Definition)", "lowers Recommendations and Areas for
Further Study." This module decides how a title is written where it stands (``title_style``, used
by the renderer) and finds what no rule can fix for the writer, as warnings at the line and column
of the offending text. Warnings never stop a build; they are for the contributor and the reviewer.
Prose as plain text (``plain_text``, ``summary_text``) reads the same way, wherever it is used.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from knowledgebase.diagnostics import Diagnostic, Diagnostics
from knowledgebase.graph import markup
from knowledgebase.graph.resolve import Graph
from knowledgebase.model.entry import Entry, FieldPath
from knowledgebase.model.schema import entry_types, match_paths

#: Words after which a document's title reads as part of the sentence ("as the reading list says",
#: "see the explainer"); after any other word a bare link to a source stands where a citation would.
_LEADS_INTO_NAME = frozenset("a an and as at by for from in into of on see the to under with within".split())
_DOUBLED = re.compile(r"\b(the|a|an|of|to|in|and|for|on|is|that)\s+\1\b", re.IGNORECASE)
_SPACE_BEFORE_PUNCT = re.compile(r"(?<=[^\s|])[ \t]+[.,;:!?](?=\s|$|[)*_])")
_PARENTHESIS = re.compile(r"\(([^()\n]{2,80})\)")
_WORD_BEFORE = re.compile(r"(\w+)\W*\Z")
_THE_BEFORE = re.compile(r"\bthe\s+$", re.IGNORECASE)


def title_style(entry: Entry | None) -> str:
    """How a linked entry's title is written in running text (see ``markup.running_title``).

    A glossary term is a common noun unless its entry says ``proper_name: true``; topics, guides
    and recommendations (``is_own_article``) are the knowledge base's own titles; every other
    title is a name.
    """
    if entry is None:
        return markup.NAME
    if entry.type == "glossary":
        return markup.NAME if entry.get("proper_name") else markup.TERM
    if entry_types()[entry.type].is_own_article:
        return markup.PAGE
    return markup.NAME


def link_text(entry: Entry, before: str) -> str:
    """The text of a link to ``entry`` with no text of its own, standing after ``before``.

    A source document with a ``short_title`` is named by it after "the" ("the reading list"),
    since its full title ("the Openness and AI: Open Source - ...") does not fit there.
    """
    if entry.type == "source" and entry.get("short_title") and _THE_BEFORE.search(before.rstrip("*_")):
        return str(entry.get("short_title"))
    return markup.running_title(entry.title, before, title_style(entry))


def plain_text(graph: Graph, text: object) -> str:
    """Prose as one line of plain text, each link written as the page writes it: the text of the
    page's description, its JSON-LD, the feed, llms.txt and the entry lists."""
    entries = graph.entries
    return markup.plain(
        str(text or ""),
        lambda i: entries[i].title if i in entries else i,
        lambda i, before: link_text(entries[i], before) if i in entries else i,
    )


def summary_text(graph: Graph, entry: Entry, short_first: bool = False) -> str:
    """What an entry says of itself in one line of plain text: its summary, else its short
    definition (a glossary term's); ``short_first`` where a list wants the shorter of the two."""
    fields = ("short", "summary") if short_first else ("summary", "short")
    return plain_text(graph, next((entry.get(f) for f in fields if entry.get(f)), ""))


@dataclass(frozen=True)
class Seam:
    offset: int  # in the raw prose
    raw: str  # the raw text it starts with, to find it in the file
    message: str


@dataclass
class _Reading:
    """Prose as the reader gets it (links as their text, citations as a marker), mapped back to the source."""

    text: str
    origin: list[int]  # origin[i]: the offset in the raw prose of character i of ``text``


def _read(raw: str, graph: Graph) -> tuple[_Reading, list[tuple[markup.Token, str]]]:
    """The prose as it will read, and each entry link with the text it will show."""
    parts: list[str] = []
    origin: list[int] = []
    links: list[tuple[markup.Token, str]] = []
    position = 0
    code = markup._code_spans(raw)
    for match in re.finditer(f"{markup.LINK.pattern}|{markup.CITE.pattern}", raw):
        start = match.start()
        if not markup._outside(code, start):
            continue
        parts.append(raw[position:start])
        origin.extend(range(position, start))
        if match.group().startswith("[["):
            target, label = match.group(1), match.group(2)
            before = raw[max(0, start - 40) : start]
            entry = graph.entries.get(target)
            shown = label or (link_text(entry, before) if entry else target)
            token = markup.Token("link", target, start, match.group(), text=label or None, before=before)
            links.append((token, shown))
        else:
            shown = match.group()  # a citation: brackets, so it never reads as a repeated "(...)"
        parts.append(shown)
        origin.extend([start] * len(shown))
        position = match.end()
    parts.append(raw[position:])
    origin.extend(range(position, len(raw)))
    return _Reading("".join(parts), origin), links


def seams(raw: str, graph: Graph) -> list[Seam]:
    """What reads badly in one piece of prose once its links show their text."""
    reading, links = _read(raw, graph)
    found: list[Seam] = []

    def add(offset: int, message: str) -> None:
        found.append(Seam(offset, raw[offset : offset + 30].split("\n", 1)[0], message))

    for match in _DOUBLED.finditer(reading.text):
        if raw[reading.origin[match.end() - 1]] != "[":  # into a link's text: reported below, with advice
            add(reading.origin[match.start()], f"'{match.group()}': the same word twice")
    for match in _SPACE_BEFORE_PUNCT.finditer(reading.text):
        add(reading.origin[match.start()], f"space before '{match.group().strip()}'")
    for match in _PARENTHESIS.finditer(reading.text):
        inner = " ".join(match.group(1).split()).strip("*_ ").casefold()
        before = " ".join(reading.text[max(0, match.start() - 120) : match.start()].split()).strip("*_ ").casefold()
        if len(inner) >= 4 and inner in before[-(len(inner) + 8) :]:
            add(
                reading.origin[match.start()],
                f"'({match.group(1)})' repeats what comes just before it; give an abbreviation or nothing",
            )
    for token, shown in links:
        target = graph.entries.get(token.target)
        if target is None:
            continue
        mid = not markup.starts_sentence(token.before)
        if token.text and title_style(target) == markup.TERM and mid and markup.lower_first_word(shown) != shown:
            add(token.offset, f"'{shown}' is a common noun: write it in lower case mid-sentence (or leave out the link text)")
        if _THE_BEFORE.search(token.before.rstrip("*_")) and re.match(r"the\b", shown, re.IGNORECASE):
            add(token.offset, f"'the {shown}': the article twice; drop one of them")
        if target.type == "source" and not token.text and shown == target.title and _THE_BEFORE.search(token.before.rstrip("*_")):
            add(
                token.offset,
                f"'the {shown}': a document's full title rarely fits after 'the'; "
                f"give the source a short_title, or the link a text such as [[{token.target}|…]]",
            )
        elif target.type == "source" and not token.text and mid:
            word = _WORD_BEFORE.search(token.before.rstrip())
            after = raw[token.offset + len(token.raw) : token.offset + len(token.raw) + 1]
            if (word is None or word.group(1).casefold() not in _LEADS_INTO_NAME) and after in ("", ".", ",", ";", ")"):
                add(
                    token.offset,
                    f"'{shown}' stands where a citation would and reads as part of the sentence: "
                    f"name it in the sentence or write (see [[{token.target}]])",
                )
    return found


def _mark(entry: Entry, path: FieldPath, raw: str, seam: Seam) -> tuple[int, int]:
    """The line and column of a seam: the n-th time its text appears in the field's value."""
    nth = raw.count(seam.raw, 0, seam.offset)
    line, col = entry.source.value_mark(path)
    text = entry.source.text or ""
    position = sum(len(row) + 1 for row in text.split("\n")[: line - 1]) + col - 1
    for _ in range(nth + 1):
        found = text.find(seam.raw, position)
        if found < 0:
            return line, col
        position = found + 1
    found = position - 1
    return text.count("\n", 0, found) + 1, found - (text.rfind("\n", 0, found) + 1) + 1


def _prose(entry: Entry) -> Iterator[tuple[FieldPath, str]]:
    for pattern in entry_types()[entry.type].markdown_paths:
        for path, value in match_paths(entry.data, pattern):
            if isinstance(value, str):
                yield path, value


def check(graph: Graph, diagnostics: Diagnostics) -> None:
    """Warn, at its line and column, about every seam in every entry's prose."""
    for entry in graph.entries.values():
        for path, raw in _prose(entry):
            for seam in seams(raw, graph):
                line, col = _mark(entry, path, raw, seam)
                diagnostics.append(Diagnostic(entry.source.path, line, col, seam.message, "warning"))
