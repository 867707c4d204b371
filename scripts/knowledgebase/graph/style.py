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
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter

from knowledgebase.diagnostics import Diagnostic, Diagnostics
from knowledgebase.graph import markup
from knowledgebase.graph.resolve import Graph
from knowledgebase.model.entry import Entry
from knowledgebase.model.schema import entry_types, match_paths
from knowledgebase.sources.positions import FieldPath

#: Words after which a document's title reads as part of the sentence ("as the reading list says",
#: "see the explainer"); after any other word a bare link to a source stands where a citation would.
_LEADS_INTO_NAME = frozenset("a an and as at by for from in into of on see the to under with within".split())
_DOUBLED = re.compile(r"\b(the|a|an|of|to|in|and|for|on|is|that)\s+\1\b", re.IGNORECASE)
_SPACE_BEFORE_PUNCT = re.compile(r"(?<=[^\s|])[ \t]+[.,;:!?](?=\s|$|[)*_])")
_PARENTHESIS = re.compile(r"\(([^()\n]{2,80})\)")
_WORD_BEFORE = re.compile(r"(\w+)\W*\Z")


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
    if entry.type == "source" and entry.get("short_title") and markup.after_the(before):
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
    """Prose as the reader gets it (links as their text, citations as a marker), mapped back to the source.

    The map back is kept per link or citation, not per character: a list of one offset per
    character of 5.9 MB of prose cost more than every check made on it (see benchmarks/).
    """

    text: str
    #: Each link's or citation's (start, end) in ``text`` and (start, end) in the raw prose, in order.
    shown: list[tuple[int, int, int, int]]

    def origin(self, index: int) -> int:
        """The offset in the raw prose of character ``index`` of ``text``."""
        # The last link starting at or before ``index`` (if any) holds it, or ends before it.
        last = bisect_right(self.shown, index, key=itemgetter(0)) - 1
        if last < 0:
            return index  # before the first link, the prose reads as written
        start, end, raw_start, raw_end = self.shown[last]
        return raw_start if index < end else raw_end + index - end


#: A link found in prose: (target, its own text or None, offset, the raw link, the 40 characters before it).
_Link = tuple[str, "str | None", int, str, str]
_LINK_OR_CITE = re.compile(f"{markup.LINK.pattern}|{markup.CITE.pattern}")


class _LinkTexts(dict[str, "str | None"]):
    """For each linked entry id, the text a link to it without text of its own shows wherever it
    stands, or None where ``link_text`` fits it to the words before the link: found once per
    entry, not once per link (25,000 such links in a generated 8,000-entry knowledge base)."""

    def __init__(self, graph: Graph) -> None:
        super().__init__()
        self.entries = graph.entries

    def __missing__(self, target: str) -> str | None:
        entry = self.entries[target]
        style, title = title_style(entry), entry.title
        # running_title keeps a name, and a page title without "The", whatever stands before it.
        fixed = not (entry.type == "source" and entry.get("short_title")) and (
            style == markup.NAME or (style == markup.PAGE and not title.startswith("The "))
        )
        self[target] = text = title if fixed else None
        return text


def _read(raw: str, graph: Graph, texts: _LinkTexts | None = None) -> tuple[_Reading, list[tuple[_Link, str]]]:
    """The prose as it will read, and each entry link with the text it will show."""
    if texts is None:
        texts = _LinkTexts(graph)
    parts: list[str] = []
    shown_at: list[tuple[int, int, int, int]] = []
    links: list[tuple[_Link, str]] = []
    entries = graph.entries
    position = length = 0  # in the raw prose; the length of the reading so far
    code = markup._code_spans(raw)
    for match in _LINK_OR_CITE.finditer(raw) if "[" in raw else ():  # both start with "["
        start = match.start()
        if code and not markup._outside(code, start):
            continue
        parts.append(raw[position:start])
        length += start - position
        target, label, _ = match.groups()
        if target is not None:  # a link: its target is never missing, as a citation's is
            before = raw[max(0, start - 40) : start]
            entry = entries.get(target)
            shown = label or ((texts[target] or link_text(entry, before)) if entry else target)
            links.append(((target, label or None, start, match.group(), before), shown))
        else:
            shown = match.group()  # a citation: brackets, so it never reads as a repeated "(...)"
        parts.append(shown)
        position = match.end()
        shown_at.append((length, length + len(shown), start, position))
        length += len(shown)
    if not shown_at:
        return _Reading(raw, shown_at), links
    parts.append(raw[position:])
    return _Reading("".join(parts), shown_at), links


#: What each seam's text must hold, tested before the full pattern walks the text (nearly all
#: prose has no seam, and the full patterns cost a quarter of ``kb validate``, see benchmarks/).
#: The punctuation is found first, then the blank before it: a pattern that starts with a
#: character set lets the regular-expression engine skip to the candidates.
_MAY_SPACE_BEFORE_PUNCT = re.compile(r"[.,;:!?](?<=[ \t].)")
#: ASCII text with the blanks of ``_SPACE_BEFORE_PUNCT`` made spaces, its punctuation full stops,
#: and everything else an "x": there a space before punctuation is " .", found by one ``in``.
_BLANKS_AND_STOPS = bytes(32 if chr(c) in " \t" else 46 if chr(c) in ".,;:!?" else 120 for c in range(256))


def _may_space_before_punct(text: str) -> bool:
    """False only where ``_SPACE_BEFORE_PUNCT`` cannot match ``text``."""
    if not text.isascii():
        return _MAY_SPACE_BEFORE_PUNCT.search(text) is not None
    return b" ." in text.encode("ascii").translate(_BLANKS_AND_STOPS)


#: ASCII text lower-cased with every character that is not a word character made a space: there a
#: doubled word (``_DOUBLED``) is one of its words, spaces, the same word, between spaces.
_WORDS_ONLY = bytes(
    c | 0x20 if chr(c).isalpha() else c if chr(c).isalnum() or c == ord("_") else ord(" ") for c in range(128)
) + bytes(range(128, 256))
_MAY_DOUBLE = re.compile(rb" (the|a|an|of|to|in|and|for|on|is|that) +\1 ")


def _may_double(text: str) -> bool:
    """False only where ``_DOUBLED`` cannot match ``text``."""
    if not text.isascii():
        return True  # "ı" and "ſ" match "i" and "s" without case: let the full pattern decide
    return _MAY_DOUBLE.search(b" " + text.encode("ascii").translate(_WORDS_ONLY) + b" ") is not None


_THE_START = re.compile(r"the\b", re.IGNORECASE)


def seams(raw: str, graph: Graph, texts: _LinkTexts | None = None) -> list[Seam]:
    """What reads badly in one piece of prose once its links show their text (``texts``: those
    found for earlier prose of the same graph)."""
    reading, links = _read(raw, graph, texts)
    text = reading.text
    found: list[Seam] = []

    def add(offset: int, message: str) -> None:
        found.append(Seam(offset, raw[offset : offset + 30].split("\n", 1)[0], message))

    for match in _DOUBLED.finditer(text) if _may_double(text) else ():
        if raw[reading.origin(match.end() - 1)] != "[":  # into a link's text: reported below, with advice
            add(reading.origin(match.start()), f"'{match.group()}': the same word twice")
    for match in _SPACE_BEFORE_PUNCT.finditer(text) if _may_space_before_punct(text) else ():
        add(reading.origin(match.start()), f"space before '{match.group().strip()}'")
    for match in _PARENTHESIS.finditer(text) if "(" in text else ():
        inner = " ".join(match.group(1).split()).strip("*_ ").casefold()
        before = " ".join(text[max(0, match.start() - 120) : match.start()].split()).strip("*_ ").casefold()
        if len(inner) >= 4 and inner in before[-(len(inner) + 8) :]:
            add(
                reading.origin(match.start()),
                f"'({match.group(1)})' repeats what comes just before it; give an abbreviation or nothing",
            )
    for (target_id, own_text, offset, link, before), shown in links:
        target = graph.entries.get(target_id)
        if target is None:
            continue
        # Each test below is made only where the cheaper ones before it leave the outcome open.
        if own_text and title_style(target) == markup.TERM and not markup.starts_sentence(before):
            if markup.lower_first_word(shown) != shown:
                add(offset, f"'{shown}' is a common noun: write it in lower case mid-sentence (or leave out the link text)")
        the_before = markup.after_the(before)
        if the_before and _THE_START.match(shown):
            add(offset, f"'the {shown}': the article twice; drop one of them")
        if target.type != "source" or own_text:
            continue
        if shown == target.title and the_before:
            add(
                offset,
                f"'the {shown}': a document's full title rarely fits after 'the'; "
                f"give the source a short_title, or the link a text such as [[{target_id}|…]]",
            )
        elif not markup.starts_sentence(before):
            word = _WORD_BEFORE.search(before.rstrip())
            after = raw[offset + len(link) : offset + len(link) + 1]
            if (word is None or word.group(1).casefold() not in _LEADS_INTO_NAME) and after in ("", ".", ",", ";", ")"):
                add(
                    offset,
                    f"'{shown}' stands where a citation would and reads as part of the sentence: "
                    f"name it in the sentence or write (see [[{target_id}]])",
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
    texts = _LinkTexts(graph)
    for entry in graph.entries.values():
        for path, raw in _prose(entry):
            for seam in seams(raw, graph, texts):
                line, col = _mark(entry, path, raw, seam)
                diagnostics.append(Diagnostic(entry.source.path, line, col, seam.message, "warning"))
