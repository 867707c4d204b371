"""The definitions compared: one matrix, computed once, behind every view of it.

The definitions index shows the matrix (and, with JavaScript, any two definitions side by side,
``overrides/assets/javascripts/compare.js``), ``definitions/comparison.csv`` is the same matrix
for a spreadsheet, and a glossary term that names a component (``component: data``) shows the
matrix's row for it where the definitions disagree. Every cell knows the note on the definition's
page that stands behind it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from knowledgebase.model.entry import Entry
from knowledgebase.model.schema import allowed_values


def components() -> tuple[str, ...]:
    """The components a definition may require, as definition.schema.json lists them."""
    return allowed_values("definition", ("requires",))


def freedoms() -> tuple[str, ...]:
    """The freedoms a definition may grant, as definition.schema.json lists them."""
    return allowed_values("definition", ("grants", "*"))


#: Components whose name alone does not say enough; any other reads as its capitalised name.
_COMPONENT_LABELS = {"licence": "Licence terms"}


def component_labels() -> dict[str, str]:
    """Every component definition.schema.json lists, with the label the pages give it."""
    return {c: _COMPONENT_LABELS.get(c, c.capitalize()) for c in components()}


NOT_STATED = "not stated"


def level_label(level: str) -> str:
    """A requirement's level as a reader reads it: 'not-required' as 'not required', and
    'unspecified' (the definition does not say) as 'not stated'."""
    return NOT_STATED if level == "unspecified" else level.replace("-", " ")


def level_labels() -> dict[str, str]:
    """Every level definition.schema.json allows, with its label."""
    return {level: level_label(level) for level in allowed_values("definition", ("requires", "data", "level"))}


@dataclass(frozen=True)
class Cell:
    """What one definition says on one row."""

    definition: Entry
    value: str  # compared between definitions: a slug or a level
    text: str  # what a reader sees
    anchor: str = ""  # the note on the definition's page behind it ('' for the page's top)
    note: str = ""  # the definition's own note (Markdown), where it gives one
    target: str = ""  # the entry the cell names (a publisher), when it is not the definition


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    cells: tuple[Cell, ...]
    component: str = ""

    @property
    def differs(self) -> bool:
        return len({cell.value for cell in self.cells}) > 1


def matrix(definitions: list[Entry]) -> list[Row]:
    """Publisher, status, each freedom granted and each component required, per definition."""
    rows = [
        Row(
            "publisher",
            "Publisher",
            tuple(Cell(d, str(d.get("publisher")), "", "", "", str(d.get("publisher"))) for d in definitions),
        ),
        Row("status", "Status", tuple(_status(d) for d in definitions)),
    ]
    for freedom in freedoms():
        rows.append(Row(f"grants-{freedom}", f"Grants: {freedom}", tuple(_grant(d, freedom) for d in definitions)))
    labels = component_labels()
    for component in components():
        cells = []
        for d in definitions:
            requirement = (d.get("requires") or {}).get(component) or {}
            level = requirement.get("level", "unspecified")
            anchor = f"requires-{component}" if requirement else ""
            cells.append(Cell(d, level, level_label(level), anchor, str(requirement.get("note") or "")))
        rows.append(Row(f"requires-{component}", f"Requires: {labels[component].lower()}", tuple(cells), component))
    return rows


def _status(definition: Entry) -> Cell:
    status = definition.get("status")
    text = " ".join(str(p) for p in (status or NOT_STATED, definition.get("version")) if p)
    return Cell(definition, text.replace(" ", "-"), text)


def _grant(definition: Entry, freedom: str) -> Cell:
    grants = definition.get("grants")
    if not grants:
        return Cell(definition, "not-stated", NOT_STATED)
    value = "yes" if freedom in grants else "no"
    return Cell(definition, value, value, "grants")


def treatment(rows: list[Row], component: str) -> Row | None:
    """The matrix's row for a component, if the definitions treat it differently."""
    for row in rows:
        if row.component == component and row.differs:
            return row
    return None


def _csv_safe(text: str) -> str:
    """A cell a spreadsheet shows as text: never read as a formula (OWASP's CSV injection advice)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_text(definitions: list[Entry], rows: list[Row], titles: dict[str, str], urls: dict[str, str]) -> str:
    """The matrix as CSV (RFC 4180): a column per definition, a row per aspect, the pages' URLs last.

    ``titles`` names the entries cells point at (publishers); ``urls`` gives each definition's page.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Aspect", *(_csv_safe(str(d.get("short_title") or d.title)) for d in definitions)])
    for row in rows:
        writer.writerow([row.label, *(_csv_safe(titles.get(c.target, c.text) if c.target else c.text) for c in row.cells)])
    writer.writerow(["Page", *(urls[d.id] for d in definitions)])
    return out.getvalue()
