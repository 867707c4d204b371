"""``kb diff BASE``: what a change does to the knowledge base, entry by entry, as Markdown.

The sources at git revision BASE (by default, where the current branch left it: the merge
base of BASE and HEAD, as a pull request shows it) are read beside the working tree, with the
same reader and schemas, and compared: entries added, removed (or renamed, where an entry's
``redirect_from`` names the old id), fields changed (old -> new, shortened), links that are new
or gone, and links that are broken in the working tree. The pull-request workflow appends the
report to the job summary; it needs the history of BASE (``fetch-depth: 0``).
"""

from __future__ import annotations

import dataclasses
import io
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledgebase.diagnostics import Diagnostics
from knowledgebase.graph import markup
from knowledgebase.model.schema import entry_types, match_paths
from knowledgebase.model.validate import field_name
from knowledgebase.pipeline import load, read
from knowledgebase.settings import Settings
from knowledgebase.sources import git
from knowledgebase.sources.raw import RawEntry

SHORT = 80


class DiffError(Exception):
    """BASE cannot be read (not a git repository, unknown revision): a usage error."""


@dataclass(frozen=True, order=True)
class Link:
    source: str
    target: str
    via: str  # the field, "prose" for [[id]] or "citation" for [@key]


@dataclass
class Side:
    """One version of the knowledge base: every entry as read (valid or not), and its links."""

    entries: dict[str, RawEntry]
    links: set[Link]
    errors: int = 0


@dataclass
class Change:
    entry: RawEntry
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (field, before, after)


@dataclass
class Report:
    base: str
    added: list[RawEntry]
    removed: list[tuple[RawEntry, str | None]]  # with the id it was renamed to, if any
    changed: list[Change]
    new_links: list[Link]
    gone_links: list[Link]
    broken: list[tuple[Link, RawEntry]]
    errors: int

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.new_links or self.gone_links or self.broken)


# --- reading a side -----------------------------------------------------------------------


def _git(root: Path, *args: str, binary: bool = False) -> Any:
    """Git's output (stripped text, or bytes); a DiffError, a usage error, where git fails."""
    try:
        return git.run(root, *args) if binary else git.text(root, *args).strip()
    except git.GitError as error:
        raise DiffError(str(error)) from error


def resolve_base(root: Path, base: str, merge_base: bool = True) -> tuple[str, str]:
    """The commit to compare with (BASE itself, or where HEAD branched from it), and how to name it."""
    try:
        commit = _git(root, "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}")
    except DiffError as error:
        raise DiffError(f"'{base}' is not a commit here (in CI, check out with fetch-depth: 0)") from error
    if merge_base:
        try:
            fork = _git(root, "merge-base", commit, "HEAD")
        except DiffError:
            fork = commit  # no common history, or no HEAD yet: compare with BASE as it is
        if fork != commit:
            return fork, f"{base} (merge base {fork[:10]})"
    return commit, base


def checkout(settings: Settings, commit: str, into: Path) -> Settings:
    """The sources of ``commit`` extracted under ``into``, and settings that point there."""
    root = settings.root
    paths = []
    for folder in (settings.content_dir, settings.bibliography_dir):
        rel = folder.relative_to(root).as_posix()
        if _git(root, "ls-tree", "--name-only", commit, "--", rel):
            paths.append(rel)
    if paths:
        archive = _git(root, "archive", "--format=tar", commit, "--", *paths, binary=True)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(into, filter="data")
    return dataclasses.replace(
        settings,
        root=into,
        content_dir=into / settings.content_dir.relative_to(root),
        bibliography_dir=into / settings.bibliography_dir.relative_to(root),
        docs_dir=into / settings.docs_dir.relative_to(root),
        snippets_dir=into / settings.snippets_dir.relative_to(root),
    )


def _links(raw: RawEntry) -> set[Link]:
    kind = entry_types()[raw.type]
    found: set[Link] = set()
    if not isinstance(raw.data, dict):
        return found
    for pattern, _want in kind.ref_paths:
        for _path, target in match_paths(raw.data, pattern):
            if isinstance(target, str):
                found.add(Link(raw.id, target, str(pattern[0])))
    for pattern in kind.markdown_paths:
        for _path, text in match_paths(raw.data, pattern):
            if isinstance(text, str):
                tokens, _problems = markup.scan(text)
                found.update(Link(raw.id, t.target, "prose" if t.kind == "link" else "citation") for t in tokens)
    return found


def read_side(settings: Settings) -> Side:
    raws = read(settings, Diagnostics())
    errors = len(load(settings).diagnostics.errors)
    found: dict[str, RawEntry] = {}
    links: set[Link] = set()
    for raw in raws:
        if raw.id not in found:
            found[raw.id] = raw
            links |= _links(raw)
    return Side(found, links, errors)


# --- comparing ----------------------------------------------------------------------------


def _flatten(value: Any, path: tuple[str | int, ...] = ()) -> dict[str, Any]:
    """Nested mappings as dotted fields; lists of plain values stay whole (compared as sets)."""
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flatten(item, (*path, key)))
        return flat
    if isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
        flat = {}
        for index, item in enumerate(value):
            flat.update(_flatten(item, (*path, index)))
        return flat
    return {field_name(path): value}


def shorten(text: str, limit: int = SHORT) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _excerpts(old: str, new: str, limit: int = SHORT) -> tuple[str, str]:
    """The two texts around where they differ, so that a one-word change in a summary shows."""
    old, new = " ".join(old.split()), " ".join(new.split())
    if len(old) <= limit and len(new) <= limit:
        return old, new
    prefix = 0
    while prefix < min(len(old), len(new)) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < min(len(old), len(new)) - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    start = max(0, prefix - 20)

    def cut(text: str) -> str:
        end = min(len(text), max(len(text) - suffix + 20, start + 20))
        piece = text[start:end]
        piece = ("…" if start else "") + piece + ("…" if end < len(text) else "")
        return shorten(piece, limit)

    return cut(old), cut(new)


def _describe(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(map(str, value)) if value else "(empty list)"
    return str(value)


def compare_fields(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str, str]]:
    before, after = _flatten(old), _flatten(new)
    changes = []
    for name in [*before, *(n for n in after if n not in before)]:
        a, b = before.get(name), after.get(name)
        if a == b:
            continue
        if isinstance(a, list) and isinstance(b, list):
            gone = [x for x in a if x not in b]
            came = [x for x in b if x not in a]
            if not gone and not came:
                changes.append((name, "order: " + shorten(_describe(a)), "order: " + shorten(_describe(b))))
            else:
                changes.append(
                    (
                        name,
                        "removed: " + shorten(_describe(gone)) if gone else "",
                        "added: " + shorten(_describe(came)) if came else "",
                    )
                )
        elif isinstance(a, str) and isinstance(b, str):
            changes.append((name, *_excerpts(a, b)))
        else:
            changes.append((name, shorten(_describe(a)), shorten(_describe(b))))
    return changes


def compare(base: Side, head: Side, label: str) -> Report:
    renamed = {}
    for raw in head.entries.values():
        for old in raw.data.get("redirect_from", []) if isinstance(raw.data, dict) else []:
            renamed[old] = raw.id
    added = [raw for key, raw in head.entries.items() if key not in base.entries]
    removed = [(raw, renamed.get(key)) for key, raw in base.entries.items() if key not in head.entries]
    changed = []
    for key, raw in head.entries.items():
        if key in base.entries:
            old = base.entries[key]
            fields = compare_fields(
                old.data if isinstance(old.data, dict) else {}, raw.data if isinstance(raw.data, dict) else {}
            )
            if old.type != raw.type:
                fields.insert(0, ("type", old.type, raw.type))
            if old.source.path != raw.source.path:
                fields.insert(0, ("file", old.source.path, raw.source.path))
            if fields:
                changed.append(Change(raw, fields))
    broken = [(link, head.entries[link.source]) for link in sorted(head.links) if link.target not in head.entries]
    return Report(
        base=label,
        added=sorted(added, key=lambda r: (r.type, r.id)),
        removed=sorted(removed, key=lambda r: (r[0].type, r[0].id)),
        changed=sorted(changed, key=lambda c: (c.entry.type, c.entry.id)),
        new_links=sorted(head.links - base.links),
        gone_links=sorted(base.links - head.links),
        broken=broken,
        errors=head.errors,
    )


def diff(settings: Settings, base: str, merge_base: bool = True) -> Report:
    commit, label = resolve_base(settings.root, base, merge_base)
    with tempfile.TemporaryDirectory(prefix="kb-diff-") as folder:
        old = read_side(checkout(settings, commit, Path(folder)))
    return compare(old, read_side(settings), label)


# --- Markdown -----------------------------------------------------------------------------

_CELL = str.maketrans({"|": "\\|", "<": "&lt;", ">": "&gt;", "`": "'", "\n": " ", "[": "\\[", "]": "\\]", "*": "\\*", "_": "\\_"})


def cell(value: str) -> str:
    """Untrusted text made inert in a Markdown table cell or list item."""
    return str(value).translate(_CELL)


def code(value: str) -> str:
    return "`" + str(value).replace("`", "'").replace("\n", " ") + "`"


def _title(raw: RawEntry) -> str:
    title = raw.data.get("title") if isinstance(raw.data, dict) else None
    return cell(shorten(title, 70)) if isinstance(title, str) else ""


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"


def markdown(report: Report) -> str:
    kinds = entry_types()
    lines = [f"## Knowledge base changes against {code(report.base)}", ""]
    if report.empty:
        lines.append("No entries or links changed.")
    else:
        lines.append(
            f"**{len(report.added)} added, {len(report.removed)} removed, {len(report.changed)} changed** · "
            f"{_count(len(report.new_links), 'new link')} · {_count(len(report.gone_links), 'link')} gone · "
            f"{_count(len(report.broken), 'broken link')}"
        )
    if report.errors:
        lines += ["", f"⚠️ `kb validate` finds {_count(report.errors, 'error')} in this version; see the checks."]

    def entry_line(raw: RawEntry) -> str:
        return f"- {kinds[raw.type].singular} {code(raw.id)} — {_title(raw)} ({code(raw.source.path)})"

    if report.added:
        lines += ["", "### Added", "", *(entry_line(raw) for raw in report.added)]
    if report.removed:
        lines += ["", "### Removed", ""]
        for raw, new_id in report.removed:
            lines.append(entry_line(raw) + (f" — renamed to {code(new_id)}" if new_id else ""))
    if report.changed:
        lines += ["", "### Changed"]
        for change in report.changed:
            raw = change.entry
            lines += [
                "",
                f"#### {kinds[raw.type].singular} {code(raw.id)} — {_title(raw)}",
                "",
                "| field | before | after |",
                "|---|---|---|",
            ]
            lines += [f"| {code(name)} | {cell(old)} | {cell(new)} |" for name, old, new in change.fields]
    if report.broken:
        lines += ["", "### Broken links", ""]
        lines += [
            f"- {code(raw.source.path)}: {code(link.source)} → {code(link.target)} ({link.via}): no such entry"
            for link, raw in report.broken
        ]
    for title, links in (("New links", report.new_links), ("Links gone", report.gone_links)):
        if links:
            lines += ["", f"### {title}", ""]
            lines += [f"- {code(link.source)} → {code(link.target)} ({link.via})" for link in links]
    return "\n".join(lines) + "\n"
