"""Seams in prose: how linked titles are fitted to their sentence, and what ``kb validate`` warns about."""

from __future__ import annotations

import random
import re

import pytest

from knowledgebase.graph import markup, style

SEAMS = """\
title: Example of seams
order: 90
summary: |
  Lawmakers should avoid the the broad rules [[reading-list]].
body: |
  Its basis is the [[osaid]] ([[osaid]]), and it says much about [[open-weights|Open weights]] , too.

  Read the [[reading-list]] and the [[public-ai|The public option]] first.
sources: [reading-list]
"""


def warnings(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if ": warning: " in line]


def position(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def test_kb_validate_warns_about_each_seam_at_its_line_and_column(project):
    clean = project.kb("validate")
    assert clean.returncode == 0 and not warnings(clean), clean.stderr  # the fixture itself reads well
    path = "content/topics/example-seams.yaml"
    project.write(path, SEAMS)
    result = project.kb("validate")
    assert result.returncode == 0, result.stderr  # warnings never fail validation
    found = warnings(result)
    expected = {
        position(SEAMS, "the the"): "'the the': the same word twice",
        position(SEAMS, "[[reading-list]]"): "stands where a citation would",
        position(SEAMS, "([[osaid]])"): "repeats what comes just before it",
        position(SEAMS, "[[open-weights|"): "'Open weights' is a common noun: write it in lower case mid-sentence",
        position(SEAMS, " , too"): "space before ','",
        position(SEAMS, "[[reading-list]]", 1): "a document's full title rarely fits after 'the'",
        position(SEAMS, "[[public-ai|"): "'the The public option': the article twice",
    }
    for (line, col), message in expected.items():
        prefix = f"{path}:{line}:{col}: warning: "
        assert any(w.startswith(prefix) and message in w for w in found), (prefix, message, found)
    assert len(found) == len(expected), found
    assert "0 errors" not in result.stderr and result.stdout.strip().endswith("no errors")


def test_warnings_do_not_stop_a_build(project):
    project.write("content/topics/example-seams.yaml", SEAMS)
    result = project.mkdocs_build()
    assert result.returncode == 0, result.stderr
    page = project.site("topics/example-seams/index.html")
    # The writer's seams stay for the writer to fix; the ones a rule can fix are fixed on the page.
    assert re.search(r"Read the <a [^>]*>Openness and AI", page)


def test_linked_titles_fit_the_sentence():
    fit = markup.running_title
    assert fit("Marginal risk", "studying ", markup.TERM) == "marginal risk"
    assert fit("Marginal risk", "", markup.TERM) == "Marginal risk"  # a sentence may start with it
    assert fit("Marginal risk", "is done. ", markup.TERM) == "Marginal risk"
    assert fit("Marginal risk", "- **", markup.TERM) == "Marginal risk"  # a list item
    assert fit("AI stack", "the whole ", markup.TERM) == "AI stack"  # an acronym keeps its capitals
    assert fit("Open Source Definition", "on the ", markup.NAME) == "Open Source Definition"
    assert fit("The open washing problem", "see the ", markup.PAGE) == "open washing problem"
    assert fit("The open washing problem", "see ", markup.PAGE) == "the open washing problem"
    assert fit("The Promise and Peril", "hear the ", markup.NAME) == "The Promise and Peril"  # a work's title stays


def test_plain_text_drops_citations_with_their_space_and_doubled_articles():
    titles = {"topic": "The open value chain"}.get
    text = "A claim [@widder2024why]. Another [@a; @b], and the [[topic]]."
    assert markup.plain(text, lambda i: titles(i) or i) == "A claim. Another, and the open value chain."


def test_excerpts_end_on_a_word():
    text = "Openness in AI is contested, and definitions differ on data."
    cut = markup.excerpt(text, 30)
    assert cut == "Openness in AI is contested…" and len(cut) <= 30
    assert markup.excerpt(text, 200) == text


# --- the shortcuts of the prose check and of linking stand for the patterns they replace ---------

#: markup.LINK as first written: lazy groups, slow on long links and cubic on "[[" and many blanks.
LAZY_LINK = re.compile(r"\[\[\s*([^\[\]|\n]*?)\s*(?:\|\s*([^\[\]\n]*?)\s*)?\]\]")
THE_BEFORE = re.compile(r"\bthe\s+$", re.IGNORECASE)


def random_texts(alphabet: list[str], count: int, longest: int, seed: int = 7) -> list[str]:
    chance = random.Random(seed)
    return ["".join(chance.choice(alphabet) for _ in range(chance.randint(0, longest))) for _ in range(count)]


@pytest.mark.quick
def test_the_link_pattern_finds_what_the_lazy_one_found():
    alphabet = ["[", "]", "[[", "]]", "|", " ", "\n", "\t", "\r", "a", "b", "-", "\u2003", "\x1c", "@", "x y", "\u00a0", "é"]
    patterns = [
        (LAZY_LINK, markup.LINK),
        (re.compile(f"{LAZY_LINK.pattern}|{markup.CITE.pattern}"), markup._RESOLVE),
        (re.compile(f"{LAZY_LINK.pattern}|{markup.CITE.pattern}|[<{{}}]"), markup._RENDER),
    ]
    for text in random_texts(alphabet, 20_000, 16):
        for lazy, link in patterns:
            assert [(m.span(), m.groups()) for m in link.finditer(text)] == [
                (m.span(), m.groups()) for m in lazy.finditer(text)
            ], repr(text)
    # Linear, where the lazy pattern took seconds: "[[" and 100,000 blanks, never closed.
    assert not markup.LINK.search("[[" + " " * 100_000 + "x")


@pytest.mark.quick
def test_after_the_says_what_the_pattern_said():
    alphabet = ["the", "The", "tHE", "t", "h", "e", " ", "\n", "\t", "*", "_", "x", "1", ".", "é", "\u00a0", "\x85", "ſ", "İ"]
    for text in random_texts(alphabet, 50_000, 8):
        assert markup.after_the(text) == bool(THE_BEFORE.search(text.rstrip("*_"))), repr(text)


@pytest.mark.quick
def test_the_seam_checks_skip_only_text_without_the_seam():
    """Each pattern of a seam runs only where a cheap test says it may match: never wrongly."""
    alphabet = ["the", "The", "a", "A", "an", "of", "is", "ıs", "iſ", "that", " ", "  ", "\n", "\t", ".", ",", "!", "?", ";", ":"]
    alphabet += ["x", "_", "(", ")", "*", "é", "\u00a0", "[", "]"]
    for text in random_texts(alphabet, 50_000, 10):
        if style._DOUBLED.search(text):
            assert style._may_double(text), repr(text)
        if style._SPACE_BEFORE_PUNCT.search(text):
            assert style._may_space_before_punct(text), repr(text)
