"""BibTeX text as plain text and names as CSL name objects: LaTeX decoded by pylatexenc, name lists
split as BibTeX splits them by pybtex, and CSL names written back in the forms BibTeX and readers use."""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from pybtex.bibtex.utils import split_name_list
from pybtex.database import Person
from pybtex.errors import capture
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, SpecialsTextSpec, get_default_latex_context_db


@cache
def latex_decoder() -> LatexNodes2Text:
    """pylatexenc's LaTeX-to-text converter, told that a .bib value is BibTeX text, not a document."""
    context = get_default_latex_context_db()
    context.add_context_category(
        "bibtex-values",
        prepend=True,
        # A URL is printed as it is (not in angle brackets), and TeX's logos by name, not dropped.
        macros=[MacroTextSpec("url", simplify_repl="%s"), MacroTextSpec("LaTeX", "LaTeX"), MacroTextSpec("TeX", "TeX")],
        # BibTeX passes a bare '&' through as the character: it is no alignment tab here.
        specials=[SpecialsTextSpec("&", "&")],
    )
    # keep_comments: BibTeX has no comments inside a value, so a bare '%' and what follows are text;
    # verbatim math: '$x$' stays as written rather than being read as formulas.
    return LatexNodes2Text(latex_context=context, math_mode="verbatim", keep_comments=True)


#: What pylatexenc may read as other than itself: commands, groups, specials, comments, math,
#: and the ligatures of TeX's fonts (dashes, quotes, Spanish marks).
_LATEX_SYNTAX = re.compile(r"[\\{}$%&~#^_`']|--")


@lru_cache(maxsize=65_536)
def latex_text(value: str) -> str:
    """A BibTeX value as plain text: escapes and accents decoded, case-protecting braces dropped.

    White space is folded to single spaces (a '~' too), as a reader sees the value in one line.
    """
    # pylatexenc reads character by character (about half a millisecond a value): a value with no
    # LaTeX syntax at all, as most are (years, names, titles), is its own text and skips it.
    text = latex_decoder().latex_to_text(value) if _LATEX_SYNTAX.search(value) else value
    return unicodedata.normalize("NFC", " ".join(text.split()))


def split_names(raw: str) -> tuple[list[dict[str, str]], bool]:
    """A BibTeX name list as CSL names, in order, and whether it ended in 'and others'.

    The list is split at each 'and' outside braces as BibTeX does (pybtex's reading)."""
    names, others = [], False
    for raw_name in split_name_list(raw):
        if not raw_name.strip():
            continue
        if raw_name.strip().lower() == "others":  # BibTeX's 'and others', which pybtex reads as a person
            others = True
            continue
        names.append(parse_name(raw_name))
    return names, others


def parse_name(raw: str) -> dict[str, str]:
    """One BibTeX name ('von Last, Jr, First' or 'First von Last') as a CSL name object, split
    into its parts by pybtex's ``Person`` as BibTeX splits it, each part decoded to plain text.

    A name wholly in braces, such as ``{Partnership on AI}``, is an organisation: a literal.
    """
    # A name with too many commas is read as pybtex reads it leniently (the extra parts joined to
    # the first names): nothing lost, and never a build that stops here.
    with capture():
        person = Person(raw)
    given = person.first_names + person.middle_names
    last = person.last_names
    # BibTeX has no organisations; CSL does (a literal name), and a name in one pair of braces is one.
    if not (given or person.prelast_names or person.lineage_names) and len(last) == 1:
        inner = last[0][1:-1]
        if last[0][:1] == "{" and last[0][-1:] == "}" and inner.strip() and balanced(inner):
            return {"literal": latex_text(inner)}
    name: dict[str, str] = {"family": latex_text(" ".join(last))}
    if given:
        name["given"] = latex_text(" ".join(given))
    if person.prelast_names:
        name["non-dropping-particle"] = latex_text(" ".join(person.prelast_names))
    if person.lineage_names:
        name["suffix"] = latex_text(" ".join(person.lineage_names))
    return name


def balanced(text: str) -> bool:
    """Whether every brace of ``text`` is closed, and none closed before it opened (as BibTeX counts)."""
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def name_text(name: dict[str, str]) -> str:
    """A CSL name as 'von Last, Jr, First' (the form of BibTeX and of citation_author)."""
    if "literal" in name:
        return name["literal"]
    family = " ".join(p for p in (name.get("non-dropping-particle"), name.get("family")) if p)
    return ", ".join(p for p in (family, name.get("suffix"), name.get("given")) if p)


def person_name(name: dict[str, str]) -> str:
    """A CSL name in reading order: 'D. G. Widder'."""
    if "literal" in name:
        return name["literal"]
    words = (name.get("given"), name.get("non-dropping-particle"), name.get("family"), name.get("suffix"))
    return " ".join(p for p in words if p)
