"""The ``kb`` command: validate the sources and build the Markdown pages."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .pipeline import build, load
from .settings import Settings

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _settings(config: str) -> Settings:
    path = Path(config)
    if not path.is_file():
        raise SystemExit(_usage_error(f"no such config file: {config}"))
    return Settings.from_mkdocs_yml(path)


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
    if errors:
        print(f"{errors} error{'s' if errors != 1 else ''} found", file=sys.stderr)
    return EXIT_INVALID if errors else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kb", description="Validate and build the Open Source AI Knowledge Base.")
    parser.add_argument("--version", action="version", version=f"kb {__version__}")
    parser.add_argument("-f", "--config-file", default="mkdocs.yml", help="the site's mkdocs.yml (default: %(default)s)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser("validate", help="check every source; print path:line:col: error: message for each problem")
    check.add_argument("--format", choices=("text", "github"), default="text", help="github: GitHub Actions annotations")
    commands.add_parser("build", help="validate, then write the generated Markdown pages into docs_dir")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit:
        return EXIT_USAGE if exit.code not in (0, None) else EXIT_OK
    try:
        settings = _settings(args.config_file)
    except SystemExit as exit:
        return int(exit.code)
    if args.command == "validate":
        loaded = load(settings)
        code = _report(loaded.diagnostics, args.format)
        if code == EXIT_OK:
            print(f"{len(loaded.graph.entries)} entries, no errors")
        return code
    loaded = build(settings)
    code = _report(loaded.diagnostics, "text")
    if code == EXIT_OK:
        print(f"{len(loaded.graph.entries)} entries rendered into {settings.docs_dir.relative_to(settings.root)}")
    return code


if __name__ == "__main__":
    sys.exit(main())
