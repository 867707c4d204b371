"""Author-year labels and reference-list entries for works in the bibliography."""

from __future__ import annotations

from knowledgebase.model.entry import Entry


def surname(name: str) -> str:
    """'Widder, D. G.' -> 'Widder'; 'Angela Luna' -> 'Luna'."""
    if "," in name:
        return name.split(",", 1)[0].strip()
    parts = name.split()
    return parts[-1] if parts else name


def year(entry: Entry) -> str:
    value = str(entry.get("year", "n.d."))
    return value


def authors_short(entry: Entry) -> str:
    """The author part of an author-year citation, following APA's rules for one, two and more names."""
    names = [n for n in entry.get("author", []) if n.lower() != "others"]
    truncated = len(names) != len(entry.get("author", []))
    if names:
        if len(names) == 1 and not truncated:
            return surname(names[0])
        if len(names) == 2 and not truncated:
            return f"{surname(names[0])} & {surname(names[1])}"
        return f"{surname(names[0])} et al."
    if entry.get("organization"):
        return str(entry.get("organization"))
    return entry.title


def label(entry: Entry, locator: str | None = None) -> str:
    """'Widder et al., 2024' or 'Widder et al., 2024, p. 830'."""
    text = f"{authors_short(entry)}, {year(entry)}"
    return f"{text}, {locator}" if locator else text


def initials(given: str) -> str:
    parts = given.replace(".", ". ").split()
    return " ".join(p if p.endswith(".") else f"{p[0]}." for p in parts if p)


def author_list(entry: Entry) -> str:
    """'Widder, D. G., Whittaker, M., & West, S. M.' for a reference list."""
    names = []
    for name in entry.get("author", []):
        if name.lower() == "others":
            names.append("et al.")
            continue
        family, _, given = name.partition(",")
        names.append(f"{family.strip()}, {initials(given)}" if given.strip() else family.strip())
    if entry.get("organization") and not names:
        return str(entry.get("organization"))
    if len(names) > 1 and names[-1] != "et al.":
        return ", ".join(names[:-1]) + ", & " + names[-1]
    return ", ".join(names)


def kind(entry: Entry) -> str:
    """What the work is ('Preprint', 'Report', 'Web article', ...): the cite box's label, capitalised."""
    from knowledgebase.cite.csl import LABELS, csl_type

    label = LABELS.get(csl_type(entry), "work")
    return label[:1].upper() + label[1:]
