"""Glossary tooltips: each page carries the abbreviation definitions of the glossary words in it.

Every glossary title, alias and abbreviation is a Markdown abbreviation (``*[word]: short``),
which the ``abbr`` extension turns into ``<abbr title="short">`` wherever the word stands in the
page's text. Appending every definition to every page made each page pay for the whole glossary
(a block per definition, and one regular expression of every word run over each text node), so
the build grew faster than the knowledge base. Here a page gets only the definitions of the words
that occur in its Markdown, in the glossary's order.

That gives the reader the very same ``<abbr>`` elements: the extension matches
``\\b(?:w1|w2|...)\\b`` (longest word first) in the text it keeps after parsing, which is made of
characters of the Markdown source, so a word that is not in the source can match nowhere, and
dropping it from the alternation changes no match; the definitions kept stay in their order, so
a word defined twice keeps its last definition.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

from knowledgebase.model.entry import Entry

#: Runs of letters and digits. The abbreviation pattern's ``\b`` bounds runs of word characters
#: (the same ``re`` module), but underscores are word characters and Markdown markup too: in
#: ``__term__`` the text the pattern sees is ``term``, a run of letters bounded by underscores.
#: Split by it, text is what stands before its first run, then each run and what follows it.
_PARTS = re.compile(r"([^\W_]+)")


def _pairs(parts: list[str]) -> Iterator[tuple[str, str, str]]:
    """(run, what stands between, next run) for each two neighbouring runs of a split text."""
    return zip(parts[1:-1:2], parts[2:-1:2], parts[3:-1:2], strict=False)  # one pair fewer than runs


def definitions(
    terms: Iterable[Entry], tooltip: Callable[[Entry], str], abbreviation: Callable[[str, str], str]
) -> list[tuple[str, str]]:
    """(word, its Markdown abbreviation definition) for every title, alias and abbreviation of ``terms``.

    ``tooltip`` gives a term's text as its tooltip shows it (``Renderer.tooltip``), ``abbreviation``
    the definition of a word with that text (``Renderer.abbreviation``, from a template).
    """
    lines = []
    for term in terms:
        # Material's content.tooltips builds the tooltip from the title with innerHTML, and
        # Markdown decodes entities in abbreviation titles: escaping <, > and & twice makes
        # the attribute hold &lt; and so the tooltip show the definition as text.
        short = tooltip(term)
        for char, entity in (("&", "&amp;amp;"), ("<", "&amp;lt;"), (">", "&amp;gt;")):
            short = short.replace(char, entity)
        words = [term.title, *term.get("aliases", []), *term.get("abbreviations", [])]
        for word in dict.fromkeys(words):
            if "]" in word or "[" in word:
                continue
            lines.append((word, abbreviation(word, short)))
    return lines


class Tooltips:
    """Appends to a page the definitions of the glossary words its text contains."""

    def __init__(self, definitions: list[tuple[str, str]]) -> None:
        self.definitions = definitions
        # A word can match only where each of its runs of letters and digits is a whole run of
        # the page (the pattern's \b and the markup around the text see to the ends), and each
        # two of its runs stand in the page with the same characters between them. So a word of
        # one run is found among the page's runs, a longer one by its first pair among the
        # page's pairs, then by its other pairs; the text itself is searched only for a word of
        # more than two runs, or with other characters at its ends, that passes them. A word is
        # looked at only in a page that has its run or first pair.
        Key = str | tuple[str, str, str]
        self._by_key: dict[Key, list[tuple[int, frozenset[tuple[str, str, str]], bool]]] = defaultdict(list)
        self._always: list[int] = []  # words without a letter or digit: looked for in every page
        self._found: dict[str, list[int]] = {}
        for index, (word, _line) in enumerate(definitions):
            parts = _PARTS.split(word)  # [before, run, between, run, ..., run, after]
            if len(parts) == 1:
                self._always.append(index)
                continue
            pairs = list(_pairs(parts))
            search = len(parts) > 5 or parts[0] != "" or parts[-1] != ""
            self._by_key[pairs[0] if pairs else parts[1]].append((index, frozenset(pairs[1:]), search))

    def found(self, text: str, indices: list[int]) -> None:
        """What ``indices(text)`` gives, found elsewhere (a worker process that rendered the page):
        ``used`` answers from it, once."""
        self._found[text] = indices

    def used(self, text: str) -> list[str]:
        """The definitions of the glossary words that occur in ``text``, in the glossary's order."""
        found = self._found.pop(text, None)
        return [self.definitions[i][1] for i in (self.indices(text) if found is None else found)]

    def indices(self, text: str) -> list[int]:
        """Where in ``definitions`` the words that occur in ``text`` stand, in order."""
        parts = _PARTS.split(text)
        keys: set[str | tuple[str, str, str]] = set(parts[1::2])
        pairs = set(_pairs(parts))
        keys.update(pairs)
        found = [i for i in self._always if self.definitions[i][0] in text]
        for key in self._by_key.keys() & keys:
            for index, needed, search in self._by_key[key]:
                if needed <= pairs and (not search or self.definitions[index][0] in text):
                    found.append(index)
        return sorted(found)

    def page(self, text: str) -> str:
        """``text`` (a page's Markdown) with the definitions it uses appended."""
        used = self.used(text)
        if not used:
            return text
        # One definition per block: Markdown re-tests a block after each line it consumes.
        return text.rstrip("\n") + "\n\n" + "\n\n".join(used) + "\n"


__all__ = ["Tooltips", "definitions"]
