"""Which folders the build may write into, and the proof that it made them.

Generated output goes only into folders the build owns: folders it created, or found empty,
and marked with ``MARKER``. The marker also holds the manifest: every file the build wrote
there, so the next build deletes only those (see ``output.py``). Before anything is written,
``check_layout`` refuses an output folder (``docs_dir``, ``site_dir``, the plugin's
``snippets_dir``) that is, contains or lies inside a folder of sources, or another output
folder, or that is, or contains, the project itself, or that already holds files without the
marker. Symbolic links are resolved first: a ``build/docs`` linked to a home folder is the home
folder. Each refusal is ``mkdocs.yml:line:col: error:`` at the setting, and nothing is touched.

The defaults own nothing they should not: ``docs_dir: build/docs`` (committed empty, with a
``.gitkeep``, because MkDocs checks that docs_dir exists before any plugin runs), the plugin's
``snippets_dir: build/snippets``, and MkDocs' ``site_dir: site``.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from knowledgebase.diagnostics import Diagnostic
from knowledgebase.settings import DEFAULTS, MKDOCS_DEFAULTS, Settings, setting_mark

#: The marker and manifest of an owned folder. A dotfile: MkDocs neither publishes nor cleans it.
MARKER = ".kb-build.json"
#: How the names of files being written start (``output.py``): ``.kb-tmp-<pid>-...``.
TEMPORARY_PREFIX = ".kb-tmp-"
#: Files that may be in a folder the build has not marked yet: git's placeholder for an empty folder.
PLACEHOLDERS = frozenset({".gitkeep"})
#: The folders of the project that hold sources, code or history, never output.
_PROTECTED = {
    "content_dir": "the content folder (content_dir)",
    "bibliography_dir": "the bibliography folder (bibliography_dir)",
    "scripts": "the build's code (scripts/)",
    "overrides": "the theme overrides (overrides/)",
    "tests": "the tests (tests/)",
    ".git": "git's history (.git/)",
}
_ADVICE = "give it a folder of its own that holds nothing else, such as {suggested}"


@dataclass(frozen=True)
class Output:
    """One folder the build writes into, with the setting that names it."""

    setting: str
    path: Path
    default: str  # what applies when mkdocs.yml does not set it
    suggested: str  # a folder that works


def outputs(settings: Settings) -> list[Output]:
    found = [
        Output("docs_dir", settings.docs_dir, MKDOCS_DEFAULTS["docs_dir"], "build/docs"),
        Output("snippets_dir", settings.snippets_dir, DEFAULTS["snippets_dir"], DEFAULTS["snippets_dir"]),
    ]
    if settings.site_dir is not None:
        site = MKDOCS_DEFAULTS["site_dir"]
        found.append(Output("site_dir", settings.site_dir, site, site))
    return found


def _resolve(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a loop of symbolic links
        return path.absolute()


def _inside(path: Path, folder: Path) -> bool:
    return path != folder and path.is_relative_to(folder)


def _relation(output: Path, other: Path) -> str | None:
    if output == other:
        return "is"
    if _inside(other, output):
        return "contains"
    if _inside(output, other):
        return "lies inside"
    return None


def check_layout(settings: Settings, site_ownership: bool = False) -> list[Diagnostic]:
    """Every reason not to write the output folders; empty when the build may go ahead.

    ``site_ownership``: whether site_dir must be the build's own too (``mkdocs build`` empties it;
    ``kb build`` never writes there, so it only checks that site_dir is no folder of sources).
    """
    problems: list[Diagnostic] = []
    root = _resolve(settings.root)
    folders = outputs(settings)
    protected = {
        name: _resolve(getattr(settings, name) if name.endswith("_dir") else settings.root / name) for name in _PROTECTED
    }
    if settings.templates_dir is not None:
        protected["templates_dir"] = _resolve(settings.templates_dir)
    seen: list[tuple[Output, Path]] = []
    for output in folders:
        where = _resolve(output.path)
        reasons: list[str] = []
        if where == root or _inside(root, where):
            reasons.append(f"{'is' if where == root else 'contains'} the project folder")
        for name, folder in protected.items():
            relation = _relation(where, folder)
            if relation:
                reasons.append(f"{relation} {_PROTECTED.get(name, 'the templates folder (templates_dir)')}")
        for other, other_where in seen:
            relation = _relation(where, other_where)
            if relation:
                reasons.append(f"{relation} {other.setting} ({settings.show(other.path)}), another output folder")
        seen.append((output, where))
        advice = _ADVICE.format(suggested=output.suggested)
        if not reasons and (site_ownership or output.setting != "site_dir"):
            reasons, advice = _ownership(where, output), ""
        for reason in reasons:
            problems.append(_at_setting(settings, output, f"{reason}: {advice}" if advice else reason))
    return problems


def _ownership(where: Path, output: Output) -> list[str]:
    """Why the build may not take ``where`` as its own (it exists, unmarked and not empty)."""
    try:
        info = os.stat(where)
    except FileNotFoundError:
        return []  # made, and marked, by the build
    except OSError as error:
        return [f"cannot be used: {error.strerror}; {_ADVICE.format(suggested=output.suggested)}"]
    if not stat.S_ISDIR(info.st_mode):
        return [f"is a file, not a folder: {_ADVICE.format(suggested=output.suggested)}"]
    if owned(where):
        listed = _listed(where) if output.setting == "site_dir" else None
        foreign = sorted(site_files(where) - listed) if listed is not None else []
        if foreign:
            return [
                f"holds files the last build did not write ({_few(foreign)}), and MkDocs empties it before every build: "
                "move them elsewhere (or delete them), then build again"
            ]
        return []
    try:
        names = set(os.listdir(where))
    except OSError as error:
        return [f"cannot be read: {error.strerror}; make it readable, or {_ADVICE.format(suggested=output.suggested)}"]
    foreign = strangers(names)
    if foreign:
        what = "MkDocs empties it before every build" if output.setting == "site_dir" else "the build would replace them"
        return [
            f"holds files the build did not write ({_few(foreign)}; no {MARKER} marks it as the build's), and {what}: "
            "move them elsewhere, or choose an empty or new folder (if an earlier build wrote them, delete them)"
        ]
    return []


def strangers(names: set[str]) -> list[str]:
    """The names in an unmarked folder that stop the build from taking it: all but git's
    placeholder and what a build claiming it at this very moment writes (marker, temporaries)."""
    return sorted(name for name in names - PLACEHOLDERS if name != MARKER and not name.startswith(TEMPORARY_PREFIX))


def _few(names: list[str]) -> str:
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _at_setting(settings: Settings, output: Output, reason: str) -> Diagnostic:
    config = settings.config_file
    mark = setting_mark(config, output.setting)
    name = config.name if config is not None else "mkdocs.yml"
    shown = settings.show(_resolve(output.path))
    if mark is None:
        setting = f"{output.setting} (not set, so the default '{output.default}')"
        # An unset option of the plugin is named where the plugin is listed; MkDocs' own at the top.
        mark = (setting_mark(config, "") if output.setting not in MKDOCS_DEFAULTS else None) or (1, 1)
    else:
        setting = f"{output.setting} '{settings.show(output.path)}'"
    if shown != settings.show(output.path):
        setting += f" (a link to {shown})"
    message = f"{setting} {reason}"
    if output.setting == "snippets_dir":
        message = f"plugin option {message}"
    return Diagnostic(name, mark[0], mark[1], message)


def check_site(settings: Settings) -> None:
    """For the MkDocs plugin's on_config: refuse every output folder that is not the build's.

    Raises PluginError (after logging each finding) so that MkDocs stops before it empties site_dir.
    """
    import logging

    from mkdocs.exceptions import PluginError

    problems = check_layout(settings, site_ownership=True)
    if problems:
        log = logging.getLogger("mkdocs.plugins.knowledgebase.publish.ownership")
        for problem in problems:
            log.error(str(problem))
        count = len(problems)
        raise PluginError(
            f"{count} error{'s' if count != 1 else ''} in the output folders of mkdocs.yml; nothing was built or deleted"
        )


def claim_site(settings: Settings) -> None:
    """Once MkDocs has emptied site_dir and before it writes there: mark it as the build's, its
    files unknown until record_site lists them (a build killed meanwhile leaves only MkDocs' files)."""
    site = settings.site_dir
    if site is not None:
        try:
            site.mkdir(parents=True, exist_ok=True)
            (site / MARKER).write_bytes(marker_bytes(None))  # a dotfile: MkDocs keeps it when it empties the folder
        except OSError as error:
            from mkdocs.exceptions import PluginError

            raise PluginError(
                f"{settings.show(site)}: error: cannot write: {error.strerror}; choose a writable site_dir"
            ) from None


def owned(folder: Path) -> bool:
    """Whether ``folder`` carries the build's marker (a plain file, not a link to one)."""
    try:
        return stat.S_ISREG(os.lstat(folder / MARKER).st_mode)
    except OSError:
        return False


def record_site(settings: Settings) -> None:
    """After a successful ``mkdocs build``: list what MkDocs wrote into site_dir, so that the next
    build refuses to let MkDocs empty a site_dir that holds anything else."""
    site = settings.site_dir
    if site is not None and owned(site):
        try:
            (site / MARKER).write_bytes(marker_bytes(site_files(site)))
        except OSError:
            pass  # then the next build does not check: no worse than MkDocs alone


def site_files(folder: Path) -> set[str]:
    """What MkDocs deletes when it empties ``folder``: everything but the dotfiles at its top."""
    found = set()
    for directory, subfolders, names in os.walk(folder):
        top = directory == str(folder)
        if top:
            subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        for name in names:
            if not (top and name.startswith(".")):
                found.add(Path(directory, name).relative_to(folder).as_posix())
    return found


def manifest(folder: Path) -> set[str]:
    """The files the last build wrote into ``folder`` (relative posix paths); empty if it never did."""
    return _listed(folder) or set()


def _listed(folder: Path) -> set[str] | None:
    """The marker's list of files; None if it has none (a build under way, or killed)."""
    try:
        with open(folder / MARKER, encoding="utf-8") as handle:
            files = json.load(handle).get("files")
    except (OSError, ValueError, AttributeError):
        return None
    return {name for name in files if isinstance(name, str)} if isinstance(files, list) else None


def marker_bytes(files: set[str] | list[str] | None) -> bytes:
    """The marker's content: who wrote the folder, and the manifest of what it wrote (None: unknown)."""
    listed = sorted(files) if files is not None else None
    data = {"written-by": "kb build (the knowledgebase plugin); delete only through a build", "files": listed}
    return (json.dumps(data, indent=0, ensure_ascii=False) + "\n").encode("utf-8")
