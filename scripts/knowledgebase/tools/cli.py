"""The ``kb`` command: validate the sources and build the Markdown pages."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path

from knowledgebase import __version__
from knowledgebase.pipeline import Loaded, build, load
from knowledgebase.settings import Settings, SettingsError

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


CONFIG = "mkdocs.yml"


def find_config(start: Path) -> Path | None:
    """The ``mkdocs.yml`` in ``start`` or the nearest folder above it, as git finds its repository."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG
        if candidate.is_file():
            return candidate
    return None


def _settings(config: str | None) -> Settings:
    if config is not None:
        path = Path(config)
        if not path.is_file():
            raise SystemExit(_usage_error(f"no such config file: {config}"))
        return _read_settings(path)
    here = Path.cwd()
    found = find_config(here)
    if found is None:
        raise SystemExit(
            _usage_error(f"no {CONFIG} in {here} or any folder above it: run kb inside the knowledge base, or give -f PATH")
        )
    if found.parent != here:
        # Paths in messages are relative to the project, not to the current folder: say which.
        print(f"kb: using the project in {found.parent} (paths below are relative to it)", file=sys.stderr)
    return _read_settings(found)


def _read_settings(path: Path) -> Settings:
    try:
        return Settings.from_mkdocs_yml(path)
    except SettingsError as error:  # mkdocs.yml:line:col: error: ..., not a traceback
        print(error, file=sys.stderr)
        raise SystemExit(EXIT_INVALID) from None


def _usage_error(message: str) -> int:
    print(f"kb: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _report(diagnostics, output_format: str) -> int:
    for diagnostic in diagnostics.sorted():
        print(
            diagnostic.github() if output_format == "github" else diagnostic,
            file=sys.stderr if output_format == "text" else sys.stdout,
        )
    errors = len(diagnostics.errors)
    warnings = sum(1 for d in diagnostics.sorted() if d.severity != "error")
    if warnings:
        print(f"{warnings} warning{'s' if warnings != 1 else ''}", file=sys.stderr)
    if errors:
        print(f"{errors} error{'s' if errors != 1 else ''} found", file=sys.stderr)
    return EXIT_INVALID if errors else EXIT_OK


def _add_contributor_commands(commands) -> None:  # noqa: ANN001 - argparse's private subparsers type
    from knowledgebase.model.schema import entry_types

    new = commands.add_parser(
        "new",
        help="write a new entry with every field of its schema, to fill in",
        description="Write content/<folder>/ID.yaml (or, for a paper, append a BibTeX entry) with every field "
        "of the type's schema: required ones with TODO placeholders, optional ones commented out.",
    )
    new.add_argument("type", metavar="TYPE", choices=list(entry_types()), help="one of: %(choices)s")
    new.add_argument("id", metavar="ID", help="the new entry's id: a slug such as open-weights")
    new.add_argument("--file", help="papers only: the .bib file in bibliography/ to append to (default: contributions.bib)")
    new.add_argument("--print", dest="print_only", action="store_true", help="print the skeleton instead of writing it")
    changes = commands.add_parser("diff", help="what the working tree changes against git revision BASE, as Markdown")
    changes.add_argument("base", metavar="BASE", help="a git revision, such as origin/main")
    changes.add_argument(
        "--no-merge-base",
        dest="merge_base",
        action="store_false",
        help="compare with BASE itself, not where HEAD branched from it",
    )
    links = commands.add_parser("linkcheck", help="request every external URL in the sources and report dead ones")
    links.add_argument("--format", choices=("text", "github", "markdown"), default="text")
    links.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        help="seconds each request may take in all, redirects included (default: %(default)s)",
    )
    links.add_argument(
        "--deadline",
        type=float,
        default=900.0,
        help="seconds the whole check may take; later URLs are not checked (default: %(default)s)",
    )
    links.add_argument("--workers", type=int, default=8, help="requests at a time (default: %(default)s)")


def _new(settings: Settings, args: argparse.Namespace) -> int:
    from knowledgebase.tools.scaffold import ScaffoldError, new_entry

    try:
        path, text = new_entry(settings, args.type, args.id, args.file, write=not args.print_only)
    except ScaffoldError as error:
        return _usage_error(str(error))
    except FileExistsError as error:
        return _usage_error(f"{error.filename} exists already")
    if args.print_only:
        print(text, end="")
        return EXIT_OK
    print(f"wrote {settings.show(path)}: replace every TODO, then run `kb validate` (and `make serve` to preview)")
    return EXIT_OK


def _diff(settings: Settings, args: argparse.Namespace) -> int:
    from knowledgebase.tools.diff import DiffError, diff, markdown

    try:
        report = diff(settings, args.base, args.merge_base)
    except DiffError as error:
        return _usage_error(str(error))
    print(markdown(report), end="")
    return EXIT_OK


def _linkcheck(settings: Settings, args: argparse.Namespace) -> int:
    from knowledgebase.render import archive
    from knowledgebase.tools import linkcheck

    places, results, elapsed = linkcheck.run(settings, args.timeout, args.workers, args.deadline)
    if linkcheck.offline(results):
        first = next(iter(results.values())).reason
        print(
            f"kb linkcheck: error: no network: none of the {len(results)} URLs reached a server ({first}); "
            "nothing is reported dead: check the connection and run it again",
            file=sys.stderr,
        )
        return EXIT_USAGE
    uses = {url: [p.entry for p in places[url]] for url, r in results.items() if r.checked and not r.ok}
    archived = archive.fixes(settings, uses) if uses else {}  # the fix offered for each dead link
    dead = linkcheck.findings(places, results, archived)
    unchecked = sum(1 for result in results.values() if not result.checked)
    if args.format == "markdown":
        print(linkcheck.markdown(places, results, elapsed, archived), end="")
    else:
        for finding in dead:
            print(finding.github() if args.format == "github" else finding)
        count = len({d.message for d in dead if d.severity == "warning"})  # not the notices offering copies
        print(f"{len(results) - unchecked} URLs checked, {count} dead", file=sys.stderr)
    if unchecked:
        print(f"kb linkcheck: error: {unchecked} URLs not checked: the deadline of {args.deadline:g} s passed", file=sys.stderr)
    return EXIT_INVALID if dead or unchecked else EXIT_OK


CONTRIBUTOR_COMMANDS = {"new": _new, "diff": _diff, "linkcheck": _linkcheck}


#: What the last command loaded, kept past main() for console() (see there).
_loaded: list[Loaded] = []


def console() -> None:
    """The ``kb`` command: main(), then an exit that does not free what it loaded.

    Freeing the tens of thousands of objects of a large knowledge base took a noticeable share of
    ``kb validate``'s time, in a process about to end; every file it writes is closed by then.
    """
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kb", description="Validate and build the Open Source AI Knowledge Base.")
    parser.add_argument("--version", action="version", version=f"kb {__version__}")
    parser.add_argument(
        "-f", "--config-file", help=f"the site's {CONFIG} (default: the one in this folder or the nearest folder above it)"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser("validate", help="check every source; print path:line:col: error: message for each problem")
    check.add_argument("--format", choices=("text", "github"), default="text", help="github: GitHub Actions annotations")
    commands.add_parser("build", help="validate, then write the generated Markdown pages into docs_dir")
    _add_contributor_commands(commands)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit:
        return EXIT_USAGE if exit.code not in (0, None) else EXIT_OK
    try:
        settings = _settings(args.config_file)
    except SystemExit as exit:
        return int(exit.code)
    if args.command in CONTRIBUTOR_COMMANDS:
        return CONTRIBUTOR_COMMANDS[args.command](settings, args)
    if args.command == "validate":
        # Everything read stays alive until the process exits, so the cyclic collector would only
        # walk it (once after loading and once more at exit) to find nothing.
        gc.disable()
        loaded = load(settings, lint=True)
        _loaded[:] = [loaded]
        from knowledgebase.tools.untracked import untracked_sources

        loaded.diagnostics.extend(untracked_sources(settings))
        code = _report(loaded.diagnostics, args.format)
        if code == EXIT_OK:
            print(f"{len(loaded.graph.entries)} entries, no errors")
        return code
    loaded = build(settings)
    _loaded[:] = [loaded]
    from knowledgebase.navigation import unnamed_sections  # what a builder without plugins would leave out

    loaded.diagnostics.extend(unnamed_sections(settings.config_file))
    code = _report(loaded.diagnostics, "text")
    if code == EXIT_OK:
        print(f"{len(loaded.graph.entries)} entries rendered into {settings.show(settings.docs_dir)}")
    return code


if __name__ == "__main__":
    console()
