"""One timed pass of the pipeline, run by ``benchmarks.run`` in a fresh process per run.

``python -m benchmarks.stages ROOT`` runs ``pipeline.build`` (what ``kb build`` and the MkDocs
plugin run) once and prints one JSON object: wall-clock and CPU seconds per stage, and the
process's peak resident memory after the imports (``floor_kib``) and at the end (``peak_kib``).

The stages are timed by wrapping the functions ``pipeline.build`` looks up (read_sources,
validate, read_pages and link, render_site and the citation records it prints, publish's
site_files, write_tree) and the two readers ``read_sources`` calls (read_yaml, read_bibtex):
nothing here re-implements the pipeline, so the numbers stay true whatever ``build`` comes to do.

``python -m benchmarks.stages --bare ROOT`` instead times the floor for validation: reading the
same YAML entry files with PyYAML's C loader, and nothing else.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import resource
import sys
import time
from pathlib import Path
from typing import Any

import yaml

#: The stages, in pipeline order; load_yaml and load_bibtex are the two halves of load.
STAGE_NAMES = ("load", "load_yaml", "load_bibtex", "validate", "link", "render", "publish", "write", "build")
#: The abbreviation definitions ``kb build`` appends to a page (render/tooltips.py), at its very end.
APPENDED_DEFINITIONS = re.compile(r"(?:\n\n\*\[[^\]\n]*\]:[^\n]*)+\n\Z")


def _rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def stages(root: Path) -> dict[str, Any]:
    from knowledgebase import pipeline
    from knowledgebase.settings import Settings
    from knowledgebase.sources import reader as sources

    try:
        publish = importlib.import_module("knowledgebase.publish.exports")
    except ImportError:
        publish = None

    wall: dict[str, float] = dict.fromkeys(STAGE_NAMES, 0.0)
    cpu: dict[str, float] = dict.fromkeys(STAGE_NAMES, 0.0)

    def timed(module: object, name: str, stage: str) -> None:
        function = getattr(module, name, None)
        if function is None:
            return

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start, start_cpu = time.perf_counter(), time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                wall[stage] += time.perf_counter() - start
                cpu[stage] += time.process_time() - start_cpu

        setattr(module, name, wrapper)

    timed(sources, "read_yaml", "load_yaml")
    timed(sources, "read_bibtex", "load_bibtex")
    timed(pipeline, "read_sources", "load")
    timed(pipeline, "validate", "validate")
    timed(pipeline, "read_pages", "link")
    timed(pipeline, "link", "link")
    timed(pipeline, "render_site", "render")  # an engine that imports it at the top
    timed(importlib.import_module("knowledgebase.render.pages"), "render_site", "render")  # one that imports it when needed
    # Each entry's citation record, made once for the pages (and the exports) just before they render.
    timed(importlib.import_module("knowledgebase.cite.record"), "citations", "render")
    if publish is not None:
        timed(publish, "site_files", "publish")
    timed(pipeline, "write_tree", "write")
    timed(pipeline, "build", "build")

    floor = _rss_kib()
    settings = Settings.from_mkdocs_yml(root / "mkdocs.yml")
    loaded = pipeline.build(settings)
    peak = _rss_kib()
    pages = glossary = 0
    for page in settings.docs_dir.rglob("*.md"):
        pages += 1
        found = APPENDED_DEFINITIONS.search(page.read_text(encoding="utf-8"))
        glossary += found.group().count("\n*[") if found else 0
    return {
        "wall": wall,
        "cpu": cpu,
        "entries": len(loaded.graph.entries),
        "pages": pages,
        # What the glossary costs MkDocs: the definitions a page carries, on average (9 on the real site).
        "glossary_per_page": glossary / max(pages, 1),
        "errors": len(loaded.diagnostics.errors),
        "floor_kib": floor,
        "peak_kib": peak,
    }


def yaml_files(root: Path) -> list[Path]:
    """The entry files kb reads: content/<folder>/*.yaml."""
    return sorted(p for p in (root / "content").glob("*/*.yaml") if p.parent.name != "pages")


def bare(root: Path) -> dict[str, Any]:
    """Read and parse every YAML entry file with the C loader, and nothing else."""
    files = yaml_files(root)
    loader = yaml.CSafeLoader
    start, start_cpu = time.perf_counter(), time.process_time()
    for path in files:
        yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    return {
        "parse": time.perf_counter() - start,
        "parse_cpu": time.process_time() - start_cpu,
        "files": len(files),
        "peak_kib": _rss_kib(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="One timed pass of the knowledge-base pipeline (see benchmarks/run.py).")
    parser.add_argument("root", type=Path)
    parser.add_argument("--bare", action="store_true", help="time the bare C-loader parse of the YAML files instead")
    args = parser.parse_args(argv)
    result = bare(args.root) if args.bare else stages(args.root.resolve())
    json.dump(result, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
