"""BibTeX names and LaTeX as the citations read them: hard names split as BibTeX splits them (von
particles, Jr, braces, accents, 'and others', organisations in braces), checked against pybtex's
own reading of each name, and LaTeX decoded to the text a reader sees."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledgebase.cite.names import latex_text, name_text, parse_name, person_name, split_names

pytestmark = pytest.mark.quick

BIBLIOGRAPHY = Path(__file__).resolve().parent.parent / "bibliography"

#: Hard names, and the CSL name each is.
HARD_NAMES = {
    # von particles, in both of BibTeX's forms, and several words long
    "von Krogh, G.": {"family": "Krogh", "given": "G.", "non-dropping-particle": "von"},
    "Ludwig van Beethoven": {"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"},
    "Jean de la Fontaine": {"family": "Fontaine", "given": "Jean", "non-dropping-particle": "de la"},
    "de la Fontaine, Jean": {"family": "Fontaine", "given": "Jean", "non-dropping-particle": "de la"},
    # braces keep a particle in the family name, and lower-case words out of the von part
    "{von Krogh}, G.": {"family": "von Krogh", "given": "G."},
    "Diego {de Souza} Lima": {"family": "Lima", "given": "Diego de Souza"},
    # Jr, with and without its period
    "van Beethoven, Jr., Ludwig": {"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van", "suffix": "Jr."},
    "Ford, Jr, Henry": {"family": "Ford", "given": "Henry", "suffix": "Jr"},
    # accents, in braces or not; a braced accented capital is a capital (no von part)
    r"Kurt G{\"o}del": {"family": "Gödel", "given": "Kurt"},
    r"{\"U}ber, Anna": {"family": "Über", "given": "Anna"},
    r"{\'E}mile Zola": {"family": "Zola", "given": "Émile"},
    r"Ren\'{e} Descartes": {"family": "Descartes", "given": "René"},
    r"Fran\c{c}ois Truffaut": {"family": "Truffaut", "given": "François"},
    r"Charles Louis Xavier Joseph de la Vall{\'e}e Poussin": {
        "family": "Vallée Poussin",
        "given": "Charles Louis Xavier Joseph",
        "non-dropping-particle": "de la",
    },
    r"Erd\H{o}s, P{\'a}l": {"family": "Erdős", "given": "Pál"},
    r"{\L}ukasz Kaiser": {"family": "Kaiser", "given": "Łukasz"},
    # organisations: a name wholly in braces, whatever it holds ('and', commas)
    "{Partnership on AI}": {"literal": "Partnership on AI"},
    "{Barnes and Noble, Inc.}": {"literal": "Barnes and Noble, Inc."},
    "{Tidelift}": {"literal": "Tidelift"},
    # a single name is a family name
    "Bommasani": {"family": "Bommasani"},
    "Roy-Chowdhury, Rahul": {"family": "Roy-Chowdhury", "given": "Rahul"},
}


@pytest.mark.parametrize("raw", HARD_NAMES)
def test_hard_names_are_split_as_bibtex_splits_them(raw: str):
    assert parse_name(raw) == HARD_NAMES[raw]


@pytest.mark.parametrize("raw", [raw for raw, name in HARD_NAMES.items() if "literal" not in name])
def test_names_read_as_pybtex_reads_them(raw: str):
    """The library's own reading: pybtex writes a name back as 'von Last, Jr, First Middle'."""
    from pybtex.database import Person

    assert name_text(parse_name(raw)) == latex_text(str(Person(raw)))


def test_a_name_list_is_split_at_and_outside_braces_and_others_abridges_it():
    names, others = split_names(
        r"Shrestha, Y. R. AND {von Krogh}, G. and {Barnes and Noble} and Angela~Luna and G{\"u}nther, K. and others"
    )
    assert others
    assert [name_text(n) for n in names] == [
        "Shrestha, Y. R.",
        "von Krogh, G.",
        "Barnes and Noble",
        "Luna, Angela",
        "Günther, K.",
    ]
    assert [person_name(n) for n in names][:2] == ["Y. R. Shrestha", "G. von Krogh"]
    assert split_names("Bommasani and Kapoor") == ([{"family": "Bommasani"}, {"family": "Kapoor"}], False)
    assert split_names("") == ([], False)


def test_a_malformed_name_is_read_leniently_and_loses_nothing():
    # Too many commas: pybtex joins the extra parts to the first names rather than failing the build.
    name = parse_name("Smith, Jr, John, Paul")
    assert name == {"family": "Smith", "given": "John Paul", "suffix": "Jr"}
    # An unclosed brace protects the rest, as in BibTeX: one family name, the brace dropped, no error.
    assert parse_name("{Smith, J.") == {"family": "Smith, J."}


def test_every_author_in_the_bibliography_is_read_as_pybtex_reads_it():
    """Each name of the real .bib files as pybtex reads the file (an independent parser of the whole
    file), and the abridged lists end in 'and others'."""
    import bibtexparser
    from pybtex.database import parse_file

    checked = 0
    for path in sorted(BIBLIOGRAPHY.glob("*.bib")):
        written = {e.key: e.fields_dict for e in bibtexparser.parse_file(str(path)).entries}
        for key, entry in parse_file(str(path), bib_format="bibtex").entries.items():
            persons = entry.persons.get("author", [])
            if not persons:
                continue
            names, others = split_names(str(written[key]["author"].value))
            expected = [latex_text(str(p)) for p in persons if str(p) != "others"]
            assert [name_text(n) for n in names] == expected, key
            assert others == any(str(p) == "others" for p in persons), key
            checked += len(names)
    assert checked > 30


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"Caf{\'e} \& G{\"o}del's {AI} 100\%", "Café & Gödel's AI 100%"),
        (r"{\"u}ber \'{e}t\'e na\"ive", "über été naïve"),
        (
            r"Fran\c{c}ois, Erd\H{o}s, \v{S}koda, Stra\ss e, \o{}re, {\aa}se, {\L}\'od\'z",
            "François, Erdős, Škoda, Straße, øre, åse, Łódź",
        ),
        (r"\$5 \# \_ \{braces\}", "$5 # _ {braces}"),
        # BibTeX text, not a LaTeX document: a bare '%' or '&' is the character, nothing is cut off
        ("70% of AT&T's\nmodels", "70% of AT&T's models"),
        # case-protecting braces dropped; '~' and line breaks are spaces; LaTeX's dashes and quotes
        ("{GPT}-4 {\\em and} {L}la{MA}~2", "GPT-4 and LlaMA 2"),
        ("pages 1--10, a---b, ``quoted''", "pages 1–10, a—b, “quoted”"),
        (r"\url{https://example.org/a_b}", "https://example.org/a_b"),
        ("$x^2$ stays", "$x^2$ stays"),
    ],
)
def test_latex_is_decoded_to_the_text_a_reader_sees(latex: str, text: str):
    assert latex_text(latex) == text


@pytest.mark.parametrize("latex", ["{", "}", "\\", "a\\", "\\v{", "}{", "\\begin{x}", "\\verb|x", "{\\'", "$"])
def test_broken_latex_never_raises(latex: str):
    assert isinstance(latex_text(latex), str)
    assert isinstance(split_names(latex), tuple)


def test_the_reader_splits_authors_as_the_citations_do(tmp_path: Path):
    """One reading of a name list: the validated entry's authors are the citation's names."""
    from knowledgebase.diagnostics import Diagnostics
    from knowledgebase.sources.bibtex import read_bibtex

    raw = r"Shrestha, Y. R. AND {Barnes and Noble} and {von Krogh}, G. and others"
    path = tmp_path / "works.bib"
    path.write_text(f"@techreport{{key,\n  author = {{{raw}}},\n  title = {{T}},\n}}\n", encoding="utf-8")
    diagnostics = Diagnostics()
    [entry] = read_bibtex(path, "works.bib", diagnostics)
    assert not diagnostics.errors
    names, others = split_names(raw)
    assert entry.data["author"] == [*(name_text(n) for n in names), "others"] and others


def test_the_readers_split_without_braces_is_pybtexs():
    """The reader splits a name list without braces itself (importing pybtex cost kb validate
    0.015 s): the same names as pybtex, for every author list of the real .bib files and the
    edge cases of its separator."""
    from pybtex.bibtex.utils import split_name_list

    from knowledgebase.sources.bibtex import split_authors

    lists = [
        "Johnson and Peterson",
        "Johnson AND Peterson",
        "Johnson AnD Peterson and  and Smith",
        "Armand and anderssen",
        " and Peterson and ",
        "Johnson\tand Peterson",
        "Johnson and\nPeterson",
        "Johnson  and  Peterson",
        "and",
        " and ",
        "",
        "   ",
        "Jo and and Pe",
    ]
    for path in sorted(BIBLIOGRAPHY.glob("*.bib")):
        lists += re.findall(r"^\s*author\s*=\s*\{(.*)\},?\s*$", path.read_text(encoding="utf-8"), re.MULTILINE)
    for value in lists:
        expected = [name.strip() for name in split_name_list(value) if name.strip()]
        assert split_authors(value) == expected, value


def test_the_shortcut_for_plain_values_agrees_with_pylatexenc():
    """Values without LaTeX syntax skip pylatexenc: every field of the real .bib files, and text
    near the edge of that test, comes out as pylatexenc alone gives it."""
    import unicodedata

    import bibtexparser

    from knowledgebase.cite.names import latex_decoder

    values = [
        str(f.value)
        for p in sorted(BIBLIOGRAPHY.glob("*.bib"))
        for e in bibtexparser.parse_file(str(p)).entries
        for f in e.fields
    ]
    values += ["A - B", "Q&A", "it's", "1--2", "‘curly’ “quotes”", "Über naïve", "x  \n y", "100 %", "a_b", "C#", "¿Qué?`"]
    for value in values:
        assert latex_text(value) == unicodedata.normalize("NFC", " ".join(latex_decoder().latex_to_text(value).split())), value
