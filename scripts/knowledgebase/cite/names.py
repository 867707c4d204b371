"""BibTeX text as plain text and names: LaTeX escapes and accents decoded, a BibTeX name list split
into CSL name objects, and CSL names written back in the forms BibTeX and readers use."""

from __future__ import annotations

import re
import unicodedata

_ACCENTS = {
    '"': "\u0308",
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "c": "\u0327",
    "v": "\u030c",
    "H": "\u030b",
    "u": "\u0306",
    "r": "\u030a",
    "k": "\u0328",
}
_ACCENT = re.compile(r"\\([\"'`^~=.])\s*\{?\s*([A-Za-z])\s*\}?|\\([cvHurk])(?:\s*\{\s*([A-Za-z])\s*\}|\s+([A-Za-z]))")
_LETTERS = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
}
_LETTER = re.compile(r"\\(ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i)(?![A-Za-z])\s*(?:\{\})?")
_ESCAPED = re.compile(r"\\([&%$#_{}])")


def latex_text(value: str) -> str:
    """A BibTeX value as plain text: escapes and accents decoded, case-protecting braces dropped."""
    text = _ESCAPED.sub(lambda m: "\ue020" + m.group(1), value)
    text = _ACCENT.sub(lambda m: (m.group(2) or m.group(4) or m.group(5)) + _ACCENTS[m.group(1) or m.group(3)], text)
    text = _LETTER.sub(lambda m: _LETTERS[m.group(1)], text)
    text = re.sub(r"(?<!\ue020)[{}]", "", text).replace("~", "\u00a0")
    text = text.replace("\ue020", "")
    return unicodedata.normalize("NFC", " ".join(text.split()))


def _split_top(text: str, separator: re.Pattern[str]) -> list[str]:
    """``text`` split where ``separator`` matches outside braces."""
    parts, depth, start = [], 0, 0
    index = 0
    while index < len(text):
        char = text[index]
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(0, depth - 1)
        elif depth == 0:
            match = separator.match(text, index)
            if match and match.end() > index:
                parts.append(text[start:index])
                start = index = match.end()
                continue
        index += 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_COMMA = re.compile(r"\s*,\s*")
_SPACE = re.compile(r"\s+")


def _is_lower(word: str) -> bool:
    """BibTeX's von test: the first letter outside braces is lower case."""
    letters = [c for c in re.sub(r"\{[^{}]*\}", "", word) if c.isalpha()]
    return bool(letters) and letters[0].islower()


def split_names(raw: str) -> tuple[list[dict[str, str]], bool]:
    """A BibTeX name list as CSL names, in order, and whether it ended in 'and others'."""
    names, others = [], False
    for raw_name in _split_top(raw, _AND):
        if raw_name.lower() == "others":
            others = True
            continue
        names.append(parse_name(raw_name))
    return names, others


def parse_name(raw: str) -> dict[str, str]:
    """One BibTeX name ('von Last, Jr, First' or 'First von Last') as a CSL name object.

    A name wholly in braces, such as ``{Partnership on AI}``, is an organisation: a literal.
    """
    raw = raw.strip()
    if raw.startswith("{") and raw.endswith("}") and _split_top(raw[1:-1], _SPACE) and balanced(raw[1:-1]):
        return {"literal": latex_text(raw[1:-1])}
    parts = _split_top(raw, _COMMA)
    first: list[str] = []
    suffix = ""
    if len(parts) == 1:
        words = _split_top(parts[0], _SPACE)
        von_at = next((i for i, w in enumerate(words[:-1]) if _is_lower(w)), None)
        if von_at is None:
            first, rest = words[:-1], words[-1:]
        else:
            first, rest = words[:von_at], words[von_at:]
    else:
        rest = _split_top(parts[0], _SPACE)
        if len(parts) == 2:
            first = _split_top(parts[1], _SPACE)
        else:
            suffix, first = parts[1], _split_top(", ".join(parts[2:]), _SPACE)
    von_end = 0
    for index, word in enumerate(rest[:-1]):
        if _is_lower(word):
            von_end = index + 1
    name: dict[str, str] = {"family": latex_text(" ".join(rest[von_end:]))}
    if first:
        name["given"] = latex_text(" ".join(first))
    if von_end:
        name["non-dropping-particle"] = latex_text(" ".join(rest[:von_end]))
    if suffix:
        name["suffix"] = latex_text(suffix)
    return name


def balanced(text: str) -> bool:
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
