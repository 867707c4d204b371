"""Explain a YAML syntax error in a contributor's words, at the character that caused it.

PyYAML reports where parsing stopped, which is often a line or more after the mistake: an
unclosed quote is noticed at the next quote, ``title: [Draft] My talk`` after ``]``. The tokens
read before that point show what the contributor actually wrote, so the message names that
and says how to fix it (usually: put the value in quotes).
"""

from __future__ import annotations

import re

import yaml

#: What YAML makes of a value that starts with one of these characters, where text was meant.
STARTS = {
    "[": "a list",
    "{": "a mapping",
    "*": "an alias",
    "&": "an anchor",
    "!": "a tag",
    "|": "a block of text on the lines below",
    ">": "a block of text on the lines below",
    "@": "reserved for future use",
    "`": "reserved for future use",
    "%": "a directive",
}

Position = tuple[int, int]

#: Where YAML could read an anchor: `&name` at the start of a value ("R&D", "A & B" cannot be one).
_ANCHOR_LIKE = re.compile(r"(?:^|[\s\[{,])&\S", re.MULTILINE)


def _at(mark: yaml.Mark | None) -> Position:
    return (mark.line + 1, mark.column + 1) if mark else (1, 1)


def quote_advice(char: str) -> str:
    """The advice for a value that starts with a character YAML gives a meaning to."""
    meaning = STARTS[char] if STARTS[char].startswith("reserved") else f"YAML reads it as {STARTS[char]}"
    block = ", or write the text on the lines below it, indented" if char in "|>" else ""
    return f"a value cannot start with '{char}' ({meaning}); put the whole value in quotes{block}"


def _tokens_before(text: str, index: int) -> list[yaml.Token]:
    """The tokens that end at or before ``index`` (PyYAML's scanner, stopped at its own errors)."""
    tokens = []
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.end_mark.index > index:
                break
            tokens.append(token)
    except yaml.YAMLError:
        pass
    return [t for t in tokens if not isinstance(t, yaml.BlockEndToken | yaml.StreamStartToken)]


def _culprit(text: str, problem: yaml.Mark) -> tuple[Position, str] | None:
    """The value just before where the parser stopped, when it is what went wrong."""
    tokens = _tokens_before(text, problem.index)
    if not tokens:
        return None
    last = tokens[-1]
    if isinstance(last, yaml.ScalarToken) and last.style in ('"', "'"):
        quote = last.style
        opened = _at(last.start_mark)
        if last.end_mark.line != last.start_mark.line:
            # A quoted value running over lines, then a parse error: its closing quote is missing,
            # and the quote that ended it was meant to open the next value.
            return opened, (
                f"the quoted value opened at line {opened[0]}, column {opened[1]} is never closed: "
                f"add the closing {quote} at the end of the value"
            )
        if last.end_mark.line == problem.line:
            inner = "write '' for a ' inside" if quote == "'" else 'write \\" for a " inside'
            return opened, (
                f"text follows the closing {quote} of the quoted value that starts here: put the whole value in quotes ({inner})"
            )
    if isinstance(last, yaml.FlowSequenceEndToken | yaml.FlowMappingEndToken) and last.end_mark.line == problem.line:
        # `title: [Draft] My talk`: a list, then more text.
        depth = 0
        for token in reversed(tokens):
            if isinstance(token, yaml.FlowSequenceEndToken | yaml.FlowMappingEndToken):
                depth += 1
            elif isinstance(token, yaml.FlowSequenceStartToken | yaml.FlowMappingStartToken):
                depth -= 1
                if depth == 0:
                    return _at(token.start_mark), quote_advice(text[token.start_mark.index])
    return None


def explain(error: yaml.MarkedYAMLError, text: str) -> tuple[Position, str]:
    """Where a YAML syntax error is (line, column), and what to do about it."""
    problem, context = error.problem or str(error), error.context or ""
    mark = error.problem_mark or error.context_mark
    where = _at(mark)
    opened = error.context_mark
    char = text[mark.index] if mark and 0 <= mark.index < len(text) else ""
    if "tab" in problem or char == "\t":
        return where, "tab character: YAML does not allow tabs here; indent with spaces"
    if "quoted scalar" in context and "end of stream" in problem and opened:
        at = _at(opened)
        return at, (
            f"YAML syntax error: the quoted value opened at line {at[0]}, column {at[1]} is never closed: "
            f"add the closing {text[opened.index]} at the end of the value"
        )
    culprit = _culprit(text, error.problem_mark) if error.problem_mark else None
    if culprit:
        return culprit[0], f"YAML syntax error: {culprit[1]}"
    for what, close in (("flow sequence", "]"), ("flow mapping", "}")):
        if what in context and opened:
            return _at(opened), (
                f"YAML syntax error: the '{'[' if close == ']' else '{'}' opened at line {opened.line + 1}, "
                f"column {opened.column + 1} is not closed: add '{close}', or a comma between items"
            )
    starter = text[opened.index] if opened and opened.index < len(text) else ""
    if starter in STARTS and any(word in context for word in ("block scalar", "alias", "anchor", "tag")):
        # `title: | bar`, `title: *bold* claim`: the character that began it is the mistake.
        return _at(opened), f"YAML syntax error: {quote_advice(starter)}"
    if "undefined alias" in problem and char == "*":
        return where, f"YAML syntax error: {quote_advice('*')}"
    if "cannot start any token" in problem and char in STARTS:
        return where, f"YAML syntax error: {quote_advice(char)}"
    if "maximum nesting depth" in problem:
        return where, "YAML syntax error: the value nests too deeply; entries need only a few levels"
    if "single document" in context:
        return where, "YAML syntax error: one entry per file; remove the '---' line and what follows it"
    if "mapping values are not allowed" in problem:
        return where, "YAML syntax error: unexpected ':' here; put a value that contains ': ' in quotes, or fix the indentation"
    if "cannot start any token" in problem:
        return where, f"YAML syntax error: a value cannot start with '{char}'; put the value in quotes"
    hint = " (check the indentation of this line)" if "block" in context else ""
    return where, f"YAML syntax error: {problem} {context}".strip() + hint


def anchor(text: str) -> tuple[Position, str] | None:
    """The first anchor (``&name``) in ``text``: YAML drops it silently, so ``&`` text would vanish."""
    if "&" not in text or not _ANCHOR_LIKE.search(text):
        return None  # the usual case, decided without a second (pure-Python) parse
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if getattr(event, "anchor", None):
                return _at(event.start_mark), f"YAML syntax error: {quote_advice('&')}"
    except yaml.YAMLError:
        return None
    return None
