"""The benchmark harness keeps working: a tiny run end to end, and the synthetic knowledge bases are valid.

No speed is asserted here: timings belong to ``make bench`` (see benchmarks/README.md), never
to the test suite. Only that every measurement and ratio is produced.
"""

from __future__ import annotations

import copy
import itertools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from benchmarks import generate

from knowledgebase.diagnostics import Diagnostics
from knowledgebase.model.schema import entry_types
from knowledgebase.pipeline import load, read
from knowledgebase.settings import Settings

ROOT = Path(__file__).resolve().parent.parent

TARGETS = (
    "plugin overhead",
    "build vs floor",
    "memory vs floor",
    "build growth",
    "serve, summary edit",
    "serve, title edit",
    "linear: load",
    "linear: validate",
    "linear: link",
    "linear: render",
    "validation",
    "memory: pipeline",
    "memory: kb validate",
)


def test_synthetic_knowledge_base_is_valid_and_complete(tmp_path):
    counts = generate.make_project(tmp_path / "kb", 300, seed=7)
    assert sum(counts.values()) == 300
    assert set(counts) == set(entry_types())
    assert all(count > 0 for count in counts.values())
    loaded = load(Settings.from_mkdocs_yml(tmp_path / "kb" / "mkdocs.yml"))
    assert [str(d) for d in loaded.diagnostics] == []
    assert len(loaded.graph.entries) == 300
    # Realistic: entries link each other and cite papers in their prose.
    fields = {edge.field for edge in loaded.graph.edges}
    assert {"prose", "cite", "related", "sources"} <= fields
    assert len(loaded.graph.edges) > 300 * 5


def test_synthetic_knowledge_base_is_deterministic(tmp_path):
    def snapshot(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    generate.generate(tmp_path / "a", 120, seed=3)
    generate.generate(tmp_path / "b", 120, seed=3)
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "b")


def test_harness_runs_end_to_end(tmp_path):
    """Every stage, command, build, serve rebuild and ratio, at a size that takes seconds."""
    out = tmp_path / "results"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "benchmarks.run", "--sizes", "30,45,60", "--runs", "1", "--site-sizes", "30,60"]
    command += ["--serve-sizes", "60", "--zensical-sizes", "60"]
    command += ["--out", str(out), "--workdir", str(tmp_path / "work")]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    report = (out / "latest.md").read_text(encoding="utf-8")
    assert report.strip() in result.stdout
    for n in ("30", "45", "60"):
        assert f"\n| {n} |" in report
    data = json.loads((out / "latest.json").read_text(encoding="utf-8"))
    sizes = data["sizes"]
    assert set(sizes) == {"30", "45", "60"}
    for key in ("load", "load_yaml", "load_bibtex", "validate", "link", "render", "write", "build"):
        assert sizes["60"]["stages"]["wall"][key] > 0, key
        assert sizes["60"]["stages"]["cpu"][key] > 0, key
    assert sizes["60"]["stages"]["peak_kib"] > sizes["60"]["stages"]["floor_kib"] > 0
    for command in ("kb validate", "bare parse", "kb --version", "mkdocs build", "baseline build", "floor build"):
        measured = sizes["60"]["commands"][command]
        assert measured["wall"] > 0 and measured["cpu"] > 0 and measured["rss_kib"] > 0, command
    # The cold build, and the same build again over the docs folder it left (the citeproc cache kept).
    # And again with another build date (SOURCE_DATE_EPOCH), as every deployment of a new commit builds.
    for command in ("mkdocs build (build folder kept)", "mkdocs build (build folder kept, new date)"):
        kept = sizes["60"]["commands"][command]
        assert kept["wall"] > 0 and kept["cpu"] > 0 and kept["rss_kib"] > 0, command
    assert "mkdocs + plugin, build folder kept" in report and "new date / floor" in report
    header, rule = next(pair for pair in itertools.pairwise(report.splitlines()) if "| N | sources" in pair[0])
    assert header.count("|") == rule.count("|")  # a column for every heading
    serve = sizes["60"]["serve"]
    assert serve["summary"] > 0 and serve["title"] > 0 and serve["rss_kib"] > 0 and serve["settles"]
    assert "--dirty" in serve["command"]  # as make serve runs it
    assert "mkdocs build" not in sizes["45"]["commands"] and "serve" not in sizes["30"]
    if shutil.which("zensical") or (Path(sys.executable).parent / "zensical").exists():
        assert sizes["60"]["commands"]["zensical build"]["wall"] > 0
    ratios = {r["name"]: r for r in data["ratios"]}
    for name in TARGETS:
        assert isinstance(ratios[name]["value"], float), name
        assert ratios[name]["verdict"] in ("PASS", "FAIL"), name
    for name in ("plugin overhead", "build vs floor"):  # the kept-folder variants beside each cold target
        for suffix in ("build folder kept", "build folder kept, new date"):
            variant = ratios[f"{name}, {suffix}"]
            assert isinstance(variant["value"], float) and variant["verdict"] in ("PASS", "FAIL"), name
            assert variant["bound"] == ratios[name]["bound"], name
            assert f"| {name}, {suffix}: " in report, name
        assert "build/docs kept" in ratios[f"{name}, build folder kept"]["what"]
        assert "SOURCE_DATE_EPOCH" in ratios[f"{name}, build folder kept, new date"]["what"]
    # The generated knowledge bases are gone; only the results stay.
    assert not any((tmp_path / "work").iterdir())


# --- the compiled fast path of validation -----------------------------------------------------

_REPLACEMENTS = (
    None,
    True,
    0,
    7,
    1.5,
    "",
    " ",
    "two\nlines",
    "Not A Slug",
    "2024-02-30",
    "ftp://example.org/x",
    "TODO",
    [],
    {},
    ["a", "a"],
)


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


def _replaced(data, path, replacement):
    data = copy.deepcopy(data)
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = replacement
    return data


def _mutations(data):
    yield data
    yield {**data, "unknown_field": "x"}
    for key in data:
        yield {k: v for k, v in data.items() if k != key}
    for path in list(_paths(data))[1:]:
        for replacement in _REPLACEMENTS:
            yield _replaced(data, path, replacement)
        node = data  # and: duplicate a list item, or drop a key of a mapping
        for part in path:
            node = node[part]
        if isinstance(node, list) and node:
            yield _replaced(data, path, [*node, node[0]])
        if isinstance(node, dict):
            for key in node:
                yield _replaced(data, path, {k: v for k, v in node.items() if k != key})


@pytest.fixture(scope="module")
def sample_entries(tmp_path_factory):
    """One entry of every type from a synthetic knowledge base, and every entry of the test fixture."""
    root = tmp_path_factory.mktemp("fast") / "kb"
    generate.generate(root, 120, seed=11)
    raws = read(Settings.from_options(root, "docs", {}), Diagnostics())
    mini = ROOT / "tests" / "fixtures" / "mini"
    raws += read(Settings.from_options(mini, "docs", {}), Diagnostics())
    firsts = {}
    for raw in raws:
        firsts.setdefault(raw.type, raw)
        if raw.type == "podcast" and "segment" in raw.data:
            firsts["podcast-segment"] = raw
    return [*firsts.values(), *raws[-40:]]


def test_fast_check_never_accepts_what_jsonschema_rejects(sample_entries):
    """``EntryType.is_valid`` may be stricter than the JSON Schema validator, never looser."""
    checked = accepted = 0
    for raw in sample_entries:
        kind = entry_types()[raw.type]
        assert kind.is_valid(raw.data), (raw.id, [e.message for e in kind.validator.iter_errors(raw.data)])
        for data in _mutations(raw.data):
            checked += 1
            if kind.is_valid(data):
                accepted += 1
                errors = [e.message for e in kind.validator.iter_errors(data)]
                assert not errors, (raw.id, data, errors)
    assert checked > 5000 and accepted > 100
