"""The site's navigation: every entry type's section in it, placed by its schema's ``x-kb.nav``.

``mkdocs.yml``'s ``nav`` names the sections it wants, in its own words; a section it lacks (a type
just added with only its schema) is put in by the plugin where its ``x-kb.nav`` says, so that no
section silently leaves the navigation. With no ``nav`` at all MkDocs lists every page itself.
Builders that run no MkDocs plugins (Zensical) read ``mkdocs.yml`` alone: name the section there.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from knowledgebase.diagnostics import Diagnostic
from knowledgebase.model.schema import EntryType, entry_types
from knowledgebase.settings import LenientLoader

#: A nav item as mkdocs.yml has it: a page path, a {title: path} or a {title: [items]}.
Item = str | dict[str, Any]


def section_page(kind: EntryType) -> str:
    """The index page of a type's section, as the nav names it."""
    return kind.index_path


def with_sections(nav: list[Item] | None, kinds: Iterable[EntryType]) -> tuple[list[Item] | None, list[EntryType]]:
    """``nav`` with a section for every type it lacks, and the types added (``nav`` itself is not changed)."""
    if nav is None:
        return None, []
    kinds = sorted(kinds, key=lambda k: (k.nav.order, k.name))
    listed = set(_pages(nav))
    orders = {section_page(k): k.nav.order for k in kinds}
    out, added = copy.deepcopy(nav), []
    for kind in kinds:
        if section_page(kind) in listed:
            continue
        items = out if kind.nav.under is None else _subsection(out, kind.nav.under)
        items.insert(_place(items, kind.nav.order, orders, top=kind.nav.under is None), {kind.nav.title: section_page(kind)})
        added.append(kind)
    return out, added


def _path(value: Any) -> str | None:
    return value.removeprefix("./") if isinstance(value, str) else None


def _pages(items: list[Item]) -> Iterable[str]:
    for item in items:
        values = list(item.values()) if isinstance(item, dict) else [item]
        for value in values:
            if isinstance(value, list):
                yield from _pages(value)
            elif _path(value):
                yield _path(value)


def _subsection(nav: list[Item], title: str) -> list[Item]:
    """The top-level section called ``title`` (made at the end if there is none)."""
    for item in nav:
        if isinstance(item, dict) and isinstance(item.get(title), list):
            return item[title]
    nav.append({title: []})
    return nav[-1][title]


def _place(items: list[Item], order: int, orders: dict[str, int], top: bool) -> int:
    """Where a section of ``order`` goes among ``items``: before the first type's section that comes
    after it, else after the last that comes before it; among none, after the home page or first."""
    last_before = None
    for index, item in enumerate(items):
        page = _own_page(item)
        if page in orders:
            if orders[page] > order:
                return index
            last_before = index
    if last_before is not None:
        return last_before + 1
    home = next((i for i, item in enumerate(items) if _own_page(item) == "index.md"), None)
    return home + 1 if top and home is not None else 0


def _own_page(item: Item) -> str | None:
    """The page a nav item is itself (``path`` or ``{title: path}``), not a section of others."""
    if isinstance(item, dict):
        return _path(next(iter(item.values()))) if len(item) == 1 else None
    return _path(item)


def unnamed_sections(config_file: Path | None) -> list[Diagnostic]:
    """A warning for each type's section that mkdocs.yml's ``nav`` lacks, at its ``nav:``.

    The MkDocs plugin adds such a section itself; ``kb build`` says so, because a builder that
    runs no MkDocs plugins (Zensical) leaves it out of the navigation.
    """
    if config_file is None:
        return []
    try:
        text = config_file.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=LenientLoader)
        nav = (yaml.load(text, Loader=LenientLoader) or {}).get("nav") if root is not None else None
    except (OSError, UnicodeDecodeError, yaml.YAMLError, AttributeError):
        return []  # mkdocs.yml's own problems are reported where it is read
    if not isinstance(nav, list):
        return []
    _, added = with_sections(nav, entry_types().values())
    key = next((k for k, _ in root.value if getattr(k, "value", None) == "nav"), None)
    line, col = (key.start_mark.line + 1, key.start_mark.column + 1) if key is not None else (1, 1)
    return [
        Diagnostic(
            config_file.name,
            line,
            col,
            f"the nav has no {kind.nav.title} ({section_page(kind)}); the MkDocs plugin adds it"
            f"{' under ' + kind.nav.under if kind.nav.under else ''}, but builders that run no plugins (Zensical) "
            f"leave it out: add '- {kind.nav.title}: {section_page(kind)}' there",
            "warning",
        )
        for kind in added
    ]
