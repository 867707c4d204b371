"""Contributor Markdown: find entry links and citations in it, check it, and make it safe.

Prose written by contributors is untrusted. It may use Markdown, ``[[id]]`` or ``[[id|text]]``
to link an entry, and ``[@key]``, ``[@key, p. 12]`` or ``[@a; @b]`` to cite works. It may not
carry markup: ``<`` is escaped so raw HTML and snippet markers show as text, and braces are
escaped so attribute lists cannot add event handlers. Links must be http(s).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter

from markupsafe import Markup

# [[ id ]] or [[ id | text ]]: group 1 the id, group 2 the text, each without the blanks around it
# and on one line. Written as runs of non-blanks and of blanks followed by a non-blank, none given
# back (possessive): what ``\[\[\s*([^\[\]|\n]*?)\s*(?:\|\s*([^\[\]\n]*?)\s*)?\]\]`` matches,
# group for group, but without its lazy scan trying the rest of the pattern after every character
# (a quarter of the time of linking, see benchmarks/) or its cubic time on "[[" and many blanks.
LINK = re.compile(
    r"\[\[\s*+((?:[^\[\]|\s]++|[^\S\n]++(?=[^\[\]|\s]))*+)\s*+"
    r"(?:\|\s*+((?:[^\[\]\s]++|[^\S\n]++(?=[^\[\]\s]))*+)\s*+)?\]\]"
)
CITE = re.compile(r"\[(@[^\[\]\n]*)\]")
_CITE_ITEM = re.compile(r"^\s*@([^\s,;]+)\s*(?:,\s*(.+?))?\s*$")
# Markdown's own links and images: [text](url "title"), ![alt](src), and [ref]: url definitions.
_INLINE_LINK = re.compile(r"(!?)\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?((?:[^\s()<>]|\([^\s()<>]*\))*)>?(?:\s+[\"'(][^)]*)?\)")
_REF_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S*?)>?(?:\s|$)", re.MULTILINE)
_CODE = re.compile(r"(?ms)^ {0,3}(`{3,}|~{3,}).*?^ {0,3}\1[`~]*[ \t]*$|(`+)(?!`).+?(?<!`)\2(?!`)")
_SNIPPET = re.compile(r"-+8<-+")
_ESCAPES = {"<": "&lt;", "{": "&#123;", "}": "&#125;"}
_TEXT_ESCAPES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    "{": "&#123;",
    "}": "&#125;",
    "[": "&#91;",
    "]": "&#93;",
    "*": "&#42;",
    "_": "&#95;",
    "`": "&#96;",
    "|": "&#124;",
    "\\": "&#92;",
    "#": "&#35;",
}
_TEXT_RE = re.compile("[" + re.escape("".join(_TEXT_ESCAPES)) + "]")


def escape_text(value: object) -> Markup:
    """Plain text as Markdown that renders exactly that text: no markup, no Markdown syntax.

    ``<`` and the brackets are escaped, so no plain text can form an autolink or a link.
    """
    return Markup(_TEXT_RE.sub(lambda m: _TEXT_ESCAPES[m.group()], str(value)))


@dataclass(frozen=True)
class Token:
    """A link or citation found in prose, with its offset in the text."""

    kind: str  # "link" or "cite"
    target: str
    offset: int
    raw: str
    text: str | None = None  # a link's own text
    locator: str | None = None  # a citation's page or section
    before: str = ""  # the prose just before it, so that a title can be fitted to the sentence


@dataclass(frozen=True)
class Problem:
    offset: int
    raw: str
    message: str


def _code_spans(text: str) -> list[tuple[int, int]]:
    if "`" not in text and "~~~" not in text:
        return []  # no code without backticks or tildes: spare the regex its walk through the text
    return [m.span() for m in _CODE.finditer(text)]


def _outside(spans: list[tuple[int, int]], offset: int) -> bool:
    return not spans or not any(start <= offset < end for start, end in spans)


#: A link or citation as ``references`` finds it: (kind, target, offset, raw, text, locator), as in ``Token``.
Reference = tuple[str, str, int, str, "str | None", "str | None"]
_offset = itemgetter(2)


def scan(text: str, trusted: bool = False) -> tuple[list[Token], list[Problem]]:
    """The links and citations in ``text``, and (unless ``trusted``) what is not allowed in it."""
    found, problems = references(text, trusted)
    return [
        Token(kind, target, offset, raw, text=own, locator=locator) for kind, target, offset, raw, own, locator in found
    ], problems


def references(text: str, trusted: bool = False) -> tuple[list[Reference], list[Problem]]:
    """``scan`` as plain tuples: linking makes one per link or citation of the whole knowledge base,
    and a frozen dataclass costs fifty times a tuple to make (see benchmarks/)."""
    code = _code_spans(text)
    tokens: list[Reference] = []
    problems: list[Problem] = []
    for match in LINK.finditer(text) if "[[" in text else ():
        start = match.start()
        if not code or _outside(code, start):
            target, label = match.groups()
            tokens.append(("link", target, start, match.group(), label or None, None))
    for match in CITE.finditer(text) if "[@" in text else ():
        if code and not _outside(code, match.start()):
            continue
        for item in match.group(1).split(";"):
            parsed = _CITE_ITEM.match(item)
            if not parsed:
                problems.append(
                    Problem(
                        match.start(), match.group(), f"cannot read citation '{match.group()}'; write [@key] or [@key, p. 12]"
                    )
                )
                continue
            tokens.append(("cite", parsed.group(1), match.start(), match.group(), None, parsed.group(2)))
    tokens.sort(key=_offset)
    if trusted:
        return tokens, problems
    # Each pattern below needs a literal ("](", "]:", "8<") that most prose lacks: test for it first.
    for match in _INLINE_LINK.finditer(text) if "](" in text else ():
        if not _outside(code, match.start()):
            continue
        if match.group(1):
            problems.append(
                Problem(match.start(), match.group(), "images are not allowed in entry text (they would load from another host)")
            )
        elif not _is_web_url(match.group(2)):
            problems.append(
                Problem(
                    match.start(),
                    match.group(),
                    f"link to '{match.group(2)}' is not allowed: only http:// and https:// URLs (use [[id]] for entries)",
                )
            )
    for match in _REF_DEF.finditer(text) if "]:" in text else ():
        if _outside(code, match.start()) and not _is_web_url(match.group(1)):
            problems.append(
                Problem(
                    match.start(), match.group(), f"link to '{match.group(1)}' is not allowed: only http:// and https:// URLs"
                )
            )
    for match in _SNIPPET.finditer(text) if "8<" in text else ():
        problems.append(Problem(match.start(), match.group(), "snippet markers (--8<--) are not allowed in entry text"))
    return tokens, problems


def _is_web_url(url: str) -> bool:
    from knowledgebase.model.schema import is_http_url

    return is_http_url(url)


_RESOLVE = re.compile(f"{LINK.pattern}|{CITE.pattern}")
_RENDER = re.compile(f"{LINK.pattern}|{CITE.pattern}|[<{{}}]")


def render(
    text: str,
    link: Callable[[Token], str],
    cite: Callable[[list[Token]], str],
    escape: bool = True,
) -> Markup:
    """Markdown with links and citations replaced by the callbacks' Markdown.

    With ``escape`` (contributor prose) HTML and attribute lists are escaped too; hand-written
    pages of the site itself keep theirs.
    """
    code = _code_spans(text)
    out: list[str] = []
    position = 0
    pattern = _RENDER if escape else _RESOLVE
    for match in pattern.finditer(text):
        start = match.start()
        if not _outside(code, start):
            continue
        out.append(text[position:start])
        raw = match.group()
        if raw in _ESCAPES:
            out.append(_ESCAPES[raw])
        elif raw.startswith("[["):
            before = text[max(0, start - _CONTEXT) : start]
            out.append(link(Token("link", match.group(1), start, raw, text=match.group(2) or None, before=before)))
        else:
            items = [_CITE_ITEM.match(i) for i in match.group(3).split(";")]
            out.append(cite([Token("cite", m.group(1), start, raw, locator=m.group(2)) for m in items if m]))
        position = match.end()
    out.append(text[position:])
    return Markup("".join(out))


def plain(text: str, title: Callable[[str], str] = str, fitted: Callable[[str, str], str] | None = None) -> str:
    """Prose as one line of plain text, for descriptions and tooltips; ``title`` names a linked id.

    ``fitted`` (id, the prose before the link) gives a link's text as the page shows it; without
    it a title's own "The" still goes after another "the". A citation goes with the space before
    it: "a claim [@key]." must not become "a claim .".
    """

    def name(match: re.Match[str]) -> str:
        if match.group(2):
            return match.group(2)
        before = text[max(0, match.start() - _CONTEXT) : match.start()]
        if fitted is not None:
            return fitted(match.group(1), before)
        return running_title(title(match.group(1)), before, ARTICLE)

    text = LINK.sub(name, text)
    text = _CITE_AND_SPACE.sub("", text)
    text = re.sub(r"[*_`#>]|\]\([^)]*\)|\[", "", text)
    return " ".join(text.split())


def excerpt(text: str, limit: int) -> str:
    """At most ``limit`` characters of one-line text, cut at a word boundary and marked with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut and not text[limit - 1].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-–—") + "…"


#: How a linked title is written in running text: a glossary term that is a common noun, one of the
#: knowledge base's own page titles (topics, guides, recommendations), or a name kept as written.
TERM, PAGE, NAME = "term", "page", "name"
ARTICLE = "article"  # no type known: only a title's "The" after another "the" is dropped
_CONTEXT = 40  # characters of prose before a link that decide how its title is written
_CITE_AND_SPACE = re.compile(r"[ \t]*" + CITE.pattern)
#: "the" as ``\bthe\s+$`` matches it without case: only ASCII letters do (no "ſ" or "K" here).
_THE = frozenset(t + h + e for t in "tT" for h in "hH" for e in "eE")


def after_the(before: str) -> bool:
    r"""Whether ``before`` ends with the word "the" and a blank (emphasis markers aside).

    What ``re.search(r"\bthe\s+$", before.rstrip("*_"), re.IGNORECASE)`` says, found from the end:
    that search walked the forty characters before every link of the prose twice (see benchmarks/;
    tests/test_style.py holds the two to each other).
    """
    text = before.rstrip("*_")
    words = text.rstrip()  # str.rstrip() and the pattern's \s take the same blanks
    if len(words) == len(text) or words[-3:] not in _THE:
        return False
    return len(words) == 3 or not (words[-4].isalnum() or words[-4] == "_")  # \b: \w is alnum or _


# Where a sentence (or a list item, heading, table cell or quotation) starts: nothing before it on its
# paragraph, or a full stop, a line's Markdown marker, a table's bar.
_SENTENCE_START = re.compile(r"(?:\A|[.!?]\s+|\n\s*\n\s*|(?:\A|\n)\s*(?:[-*+]|\d+[.)]|#+|>)\s+|\|\s*)\Z")


def starts_sentence(before: str) -> bool:
    """Whether text following ``before`` stands at the start of a sentence (emphasis markers aside)."""
    return bool(_SENTENCE_START.search(before.rstrip("*_")))


def _capitalised(word: str) -> bool:
    return word[:1].isupper() and (len(word) == 1 or word[1:].islower())


def lower_first_word(title: str) -> str:
    """Lower-case a title's first word ("Marginal risk" -> "marginal risk").

    "AI stack" and a title-cased name such as "Open Source AI Definition" keep their capitals.
    """
    first, *rest = title.split(" ")
    if _capitalised(first) and not any(_capitalised(word) for word in rest):
        return title[:1].lower() + title[1:]
    return title


def running_title(title: str, before: str, style: str) -> str:
    """An entry's title as the text of a link that stands after ``before`` in a sentence.

    A term that is a common noun is lower case mid-sentence; a page title drops its "The" after
    another "the" and is lower case mid-sentence; a name (of a work, an organisation, a
    definition) is kept exactly as written.
    """
    if style == NAME:
        return title
    if style in (PAGE, ARTICLE) and title.startswith("The ") and after_the(before):
        return title[len("The ") :]
    if style == ARTICLE or starts_sentence(before):
        return title
    if style == TERM or (style == PAGE and title.startswith("The ")):
        return lower_first_word(title)
    return title
