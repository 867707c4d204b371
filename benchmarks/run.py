"""The build-cost benchmark: is the generator a thin, linear layer over MkDocs?

``python -m benchmarks.run`` (``make bench``) generates synthetic knowledge bases of N entries
(``benchmarks.generate``) and, for each N, measures over ``--runs`` runs and reports medians of:

- the pipeline's own stages, in a fresh process per run (``benchmarks.stages``): load (YAML and
  BibTeX), validate, link, render, publish, write;
- ``kb validate`` as a command, and its floor: a command that parses the same YAML files with
  PyYAML's C loader and does nothing else;
- ``mkdocs build --strict`` with the ``knowledgebase`` plugin (from an empty docs folder, as in CI),
  a baseline ``mkdocs build --strict`` of the very same Markdown with the plugin removed from
  the configuration, and the floor: the same pages without their glossary definitions, built by
  MkDocs + Material with no glossary machinery (no plugin, no ``abbr``, no snippets);
- Zensical building the same pages (``--zensical-sizes``);
- the rebuild of ``mkdocs serve`` as ``make serve`` runs it, after one entry's summary and then
  its title is edited: from saving the file until the served page shows the change and the
  build has ended;
- peak resident memory of every measured process, and its CPU time beside the wall-clock time.

It prints a table and the target ratios with PASS or FAIL, and writes them to
``benchmarks/results/latest.md`` and ``latest.json`` (and a dated copy of each).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from benchmarks.generate import REPO, make_project
from benchmarks.stages import APPENDED_DEFINITIONS

SIZES = (500, 1000, 2000, 4000, 8000)
SITE_SIZES = (500, 1000, 2000)
QUICK = {"sizes": (500, 1000, 2000, 8000), "site_sizes": (500, 2000), "serve_sizes": (2000,), "runs": 1}
#: The pipeline's own stages, held to the linearity target.
STAGES = ("load", "validate", "link", "cite", "render", "publish")
BIN = Path(sys.executable).parent

#: The targets of the issue, at these sizes where they were measured (else the nearest ones).
OVERHEAD_AT, OVERHEAD_MAX = 2000, 1.10
LINEAR_FROM, LINEAR_TO, LINEAR_SLACK = 1000, 8000, 9 / 8
VALIDATE_AT, VALIDATE_MAX = 8000, 2.5
#: Issue 14: the full build against its floor, its growth, the preview and memory, at these sizes.
FLOOR_AT, FLOOR_MAX = 2000, 1.10
GROWTH_FROM, GROWTH_MAX = 500, 4.4
SERVE_SUMMARY_MAX, SERVE_TITLE_MAX = 0.10, 0.30
MEMORY_FLOOR_MAX = 1.15


@dataclass
class Measured:
    """One finished process: wall-clock and CPU seconds, peak resident memory (KiB), exit code, output."""

    wall: float
    cpu: float
    rss_kib: int
    code: int
    out: str
    err: str


def _env() -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": path}


def _command(name: str) -> str:
    return str(BIN / name) if (BIN / name).exists() else name


def measure(args: list[str], cwd: Path, timeout: float, env: dict[str, str] | None = None) -> Measured:
    """Run one command (``env``: variables to set for it). ``os.wait4`` gives this child's own CPU
    time and peak memory, unmixed with others'."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(args, cwd=cwd, env={**_env(), **(env or {})}, stdout=out, stderr=err)
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:
            process.kill()
            process.wait()
            raise
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Measured(
            wall,
            usage.ru_utime + usage.ru_stime,
            usage.ru_maxrss,
            process.returncode,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
        )


def checked(args: list[str], cwd: Path, timeout: float, env: dict[str, str] | None = None) -> Measured:
    result = measure(args, cwd, timeout, env)
    if result.code != 0:
        raise SystemExit(
            f"benchmark: {' '.join(args)} failed in {cwd} ({result.code}):\n{result.out[-3000:]}\n{result.err[-3000:]}"
        )
    return result


def median(values: list[float]) -> float:
    return statistics.median(values)


def summary(runs: list[Measured]) -> dict[str, Any]:
    """Medians of a command's runs, and every run's wall-clock time."""
    return {
        "wall": median([r.wall for r in runs]),
        "cpu": median([r.cpu for r in runs]),
        "rss_kib": median([r.rss_kib for r in runs]),
        "runs": [round(r.wall, 4) for r in runs],
    }


# --- the measurements of one size -----------------------------------------------------------


def derived_config(root: Path, name: str, site_dir: str, drop: tuple[str, ...], docs_dir: str | None = None) -> Path:
    """A copy of mkdocs.yml without the list items ``drop`` (plugins, extensions) and their options."""
    lines = (root / "mkdocs.yml").read_text(encoding="utf-8").splitlines(keepends=True)
    kept: list[str] = []
    skipping_indent: int | None = None
    removed: set[str] = set()
    for line in lines:
        indent = len(line) - len(line.lstrip())
        if skipping_indent is not None:
            if line.strip() and indent > skipping_indent:
                continue  # the item's own options
            skipping_indent = None
        stripped = line.strip()
        item = stripped[2:].split(":")[0].strip() if stripped.startswith("- ") else None
        if item in drop:
            removed.add(item)
            skipping_indent = indent
            continue
        if stripped.startswith("site_dir:"):
            line = f"{line[:indent]}site_dir: {site_dir}\n"
        if docs_dir and stripped.startswith("docs_dir:"):
            line = f"{line[:indent]}docs_dir: {docs_dir}\n"
        kept.append(line)
    if "knowledgebase" not in removed:
        raise SystemExit("benchmark: mkdocs.yml does not list the knowledgebase plugin")
    path = root / name
    path.write_text("".join(kept), encoding="utf-8")
    return path


def baseline_config(root: Path) -> Path:
    """A copy of mkdocs.yml without the knowledgebase plugin, building into site-baseline/."""
    return derived_config(root, "mkdocs.baseline.yml", "site-baseline", ("knowledgebase",))


#: The second plugin build, over the docs folder the first left: a contributor's later builds of the day.
KEPT = "mkdocs build (build folder kept)"
#: The third, over the same folder with another build date (SOURCE_DATE_EPOCH): what a deployment
#: builds, since every commit dates its build anew and every page's citation carries the date.
DEPLOYED = "mkdocs build (build folder kept, new date)"
#: That build date: 2025-11-30, a date no other build of the harness has (they build as of today).
DEPLOYED_EPOCH = "1764460800"

#: The glossary machinery the floor goes without: the plugin, abbreviations, snippets (older configurations).
FLOOR_DROP = ("knowledgebase", "abbr", "pymdownx.snippets")


def floor_config(root: Path) -> Path:
    """The floor of a build: the same pages, less their glossary definitions, by MkDocs + Material alone.

    The pages are the ones the plugin build has just written into build/docs, copied into
    build/docs-floor without the abbreviation definitions appended to them; the configuration is
    mkdocs.yml without the knowledgebase plugin, the abbr extension or pymdownx.snippets.
    """
    docs, floor = root / "build" / "docs", root / "build" / "docs-floor"
    if floor.exists():
        shutil.rmtree(floor)
    shutil.copytree(docs, floor)
    for page in floor.rglob("*.md"):
        text = page.read_text(encoding="utf-8")
        stripped = APPENDED_DEFINITIONS.sub("\n", text)
        if stripped != text:
            page.write_text(stripped, encoding="utf-8")
    return derived_config(root, "mkdocs.floor.yml", "site-floor", FLOOR_DROP, docs_dir="build/docs-floor")


def site_build(root: Path, site_dir: str, args: list[str], timeout: float, env: dict[str, str] | None = None) -> Measured:
    """``mkdocs build --strict`` timed from no site folder.

    MkDocs first deletes the site folder a build before left, the same work with or without the
    plugin; with one run per measurement only the second plugin build found one (the baseline and
    the floor build into folders of their own, new each time), and paid seconds of deleting for it
    on a slow disk. Every build is now timed from the same state, and times only the build.
    """
    shutil.rmtree(root / site_dir, ignore_errors=True)
    return checked([_command("mkdocs"), "build", "--strict", *args], root, timeout, env)


def clean_docs(root: Path) -> None:
    """An empty docs folder and no snippets, as in a fresh clone."""
    for folder in (root / "build" / "docs", root / "build" / "snippets"):
        if folder.exists():
            shutil.rmtree(folder)
    (root / "build" / "docs").mkdir(parents=True)
    (root / "build" / "docs" / ".gitkeep").touch()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", errors="replace")
    except (urllib.error.URLError, OSError):
        return None


def _settle(log: Path, quiet: float, limit: float) -> bool:
    """Wait until ``mkdocs serve`` has finished building and started no build for ``quiet`` seconds."""
    deadline = time.perf_counter() + limit
    last, since = None, time.perf_counter()
    while time.perf_counter() < deadline:
        text = log.read_text(encoding="utf-8", errors="replace")
        # Builds started and finished. Not "Documentation built": MkDocs' build logger drops a
        # line it has logged before, so two builds of the same length would look unfinished.
        state = (text.count("Building documentation"), text.count("Reloading browsers") + ("Serving on" in text))
        if state != last:
            last, since = state, time.perf_counter()
        elif state[0] == state[1] and time.perf_counter() - since >= quiet:
            return True
        time.sleep(0.1)
    return False


def make_serve_args(template: Path = REPO) -> list[str]:
    """The options ``make serve`` gives ``mkdocs serve`` (read from the Makefile), less its address."""
    makefile = template / "Makefile"
    text = makefile.read_text(encoding="utf-8") if makefile.is_file() else ""
    match = re.search(r"^\t\$\(BIN\)/mkdocs serve (.*)$", text, re.M)
    words = match.group(1).split() if match else ["--livereload"]
    return [w for i, w in enumerate(words) if w != "--dev-addr" and (i == 0 or words[i - 1] != "--dev-addr")]


def _edited(path: Path, field: str, marker: str) -> str:
    """The entry file's text with ``marker`` put at the start of one of its fields."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data[field] = f"{marker} {data[field]}"
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10**6)


def serve_rebuilds(root: Path, edits: int, timeout: float, args: list[str]) -> dict[str, Any]:
    """Seconds from saving an edited entry until ``mkdocs serve`` has rebuilt and serves the change.

    ``edits`` edits of a topic's summary (its own page and the lists that show it change), then as
    many of its title (so do the pages that link to it). Each is timed from saving the file until
    the served page shows it and the build has ended (MkDocs then reloads the browser). Also
    whether the server settles after each rebuild (a rebuild that changes its own output would wake
    the watcher again, for ever), its first build and its peak memory.
    """
    topic = sorted((root / "content" / "topics").glob("*.yaml"))[0]
    original = topic.read_text(encoding="utf-8")
    port = free_port()
    url = f"http://127.0.0.1:{port}/topics/{topic.stem}/"
    log_path = root / "serve.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed below, after the server stops
    start = time.perf_counter()
    command = [_command("mkdocs"), "serve", *args, "--dev-addr", f"127.0.0.1:{port}"]
    process = subprocess.Popen(command, cwd=root, env=_env(), stdout=log, stderr=subprocess.STDOUT)
    times: dict[str, list[float]] = {"summary": [], "title": []}
    settled: list[bool] = []

    def reloads() -> int:
        return log_path.read_text(encoding="utf-8", errors="replace").count("Reloading browsers")

    try:
        while fetch(url) is None:
            if process.poll() is not None or time.perf_counter() - start > timeout:
                raise SystemExit(f"benchmark: mkdocs serve did not come up; see {log_path}")
            time.sleep(0.2)
        first_build = time.perf_counter() - start
        number = 0
        for field, measured in times.items():
            for _ in range(edits):
                number += 1
                marker = f"Benchedit{number}x{os.getpid()}"
                # Edit only once the server is idle; a build that never stops is itself a finding.
                settled.append(_settle(log_path, quiet=2.0, limit=max(10.0, 3 * first_build)))
                text, before = _edited(topic, field, marker), reloads()
                topic.write_text(text, encoding="utf-8")
                saved = time.perf_counter()
                while True:
                    page = fetch(url)
                    if page is not None and marker in page and reloads() > before:
                        measured.append(time.perf_counter() - saved)
                        break
                    if process.poll() is not None or time.perf_counter() - saved > timeout:
                        raise SystemExit(f"benchmark: mkdocs serve did not rebuild after an edit; see {log_path}")
                    time.sleep(0.05)
                topic.write_text(original, encoding="utf-8")  # the next edit starts from the same entry
                settled.append(_settle(log_path, quiet=2.0, limit=max(10.0, 3 * first_build)))
    finally:
        topic.write_text(original, encoding="utf-8")
        peak = 0
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            timer = threading.Timer(30, process.kill)
            timer.start()
            try:
                peak = os.wait4(process.pid, 0)[2].ru_maxrss
            finally:
                timer.cancel()
            process.returncode = 0
        log.close()
    return {
        "command": " ".join(["mkdocs", "serve", *args]),
        **{field: median(measured) for field, measured in times.items()},
        "runs": {field: [round(t, 4) for t in measured] for field, measured in times.items()},
        "first_build": first_build,
        "settles": all(settled),
        "rss_kib": peak,
    }


def measure_size(n: int, options: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    root = workdir / f"kb-{n}"
    started = time.perf_counter()
    counts = make_project(root, n, options.seed, options.template)
    generated = time.perf_counter() - started
    yaml_files = list((root / "content").glob("*/*.yaml"))
    bib_files = list((root / "bibliography").glob("*.bib"))
    size = sum(p.stat().st_size for p in [*yaml_files, *bib_files])
    result: dict[str, Any] = {
        "entries": n,
        "counts": counts,
        "yaml_files": len(yaml_files),
        "bib_files": len(bib_files),
        "source_bytes": size,
        "generate_seconds": generated,
    }
    timeout = options.timeout
    python = sys.executable
    _say(f"N={n}: {len(yaml_files)} YAML files, {len(bib_files)} .bib files, {size / 1e6:.1f} MB of sources")

    runs: list[dict[str, Any]] = []
    for _ in range(options.runs):
        clean_docs(root)
        done = checked([python, "-m", "benchmarks.stages", str(root)], REPO, timeout)
        stage = json.loads(done.out)
        if stage["errors"]:
            raise SystemExit(f"benchmark: the synthetic knowledge base of {n} entries has {stage['errors']} errors")
        stage["process_rss_kib"] = done.rss_kib
        runs.append(stage)
    result["stages"] = {
        "wall": {k: median([r["wall"][k] for r in runs]) for k in runs[0]["wall"]},
        "cpu": {k: median([r["cpu"][k] for r in runs]) for k in runs[0]["cpu"]},
        "floor_kib": median([r["floor_kib"] for r in runs]),
        "peak_kib": median([r["peak_kib"] for r in runs]),
        "pages": runs[0]["pages"],
        "glossary_per_page": runs[0].get("glossary_per_page"),
        "runs": [r["wall"] for r in runs],
    }
    wall = result["stages"]["wall"]
    _say("  stages: " + ", ".join(f"{k} {wall[k]:.2f}s" for k in (*STAGES, "write", "build")))
    _say(f"  {result['stages']['pages']} pages, {result['stages']['glossary_per_page']:.1f} glossary definitions a page")

    bare, parsed, validate, startup = [], [], [], []
    for _ in range(options.runs):
        bare.append(checked([python, "-m", "benchmarks.stages", "--bare", str(root)], REPO, timeout))
        parsed.append(json.loads(bare[-1].out))
        validate.append(checked([_command("kb"), "validate"], root, timeout))
        startup.append(checked([_command("kb"), "--version"], root, timeout))
    commands = {"kb validate": summary(validate), "bare parse": summary(bare), "kb --version": summary(startup)}
    # The parse alone, timed inside the process: without the interpreter's start and the imports.
    commands["bare parse"]["parse"] = median([p["parse"] for p in parsed])
    commands["bare parse"]["parse_cpu"] = median([p["parse_cpu"] for p in parsed])
    _say(f"  kb validate {commands['kb validate']['wall']:.2f}s; bare C-loader parse {commands['bare parse']['wall']:.2f}s")

    if n in options.site_sizes:
        baseline = baseline_config(root)
        plugin_runs, kept_runs, deployed_runs, baseline_runs, floor_runs = [], [], [], [], []
        for _ in range(options.site_runs):
            clean_docs(root)
            plugin_runs.append(site_build(root, "site", [], timeout))
            # Again over the docs folder the cold build left (its citeproc cache among it), as a
            # contributor's second `make build` or `make serve` of the day builds (the deployment
            # keeps build/docs too, but each commit dates its build anew: every page changes).
            # MkDocs rebuilds the site folder whole as usual.
            kept_runs.append(site_build(root, "site", [], timeout))
            deployed_runs.append(site_build(root, "site", [], timeout, {"SOURCE_DATE_EPOCH": DEPLOYED_EPOCH}))
            baseline_runs.append(site_build(root, "site-baseline", ["-f", baseline.name], timeout))
            floor = floor_config(root)  # from the pages the plugin build has just written
            floor_runs.append(site_build(root, "site-floor", ["-f", floor.name], timeout))
        commands["mkdocs build"] = summary(plugin_runs)
        commands[KEPT] = summary(kept_runs)
        commands[DEPLOYED] = summary(deployed_runs)
        commands["baseline build"] = summary(baseline_runs)
        commands["floor build"] = summary(floor_runs)
        _say(
            f"  mkdocs build: plugin {commands['mkdocs build']['wall']:.2f}s (build folder kept {commands[KEPT]['wall']:.2f}s, "
            f"and with a new date {commands[DEPLOYED]['wall']:.2f}s), "
            f"baseline {commands['baseline build']['wall']:.2f}s, "
            f"floor {commands['floor build']['wall']:.2f}s"
        )
    if n in options.zensical_sizes:
        zensical = _command("zensical")
        if shutil.which(zensical) is None:
            _say("  zensical: not installed, not measured")
        else:
            clean_docs(root)
            checked([_command("kb"), "build"], root, timeout)  # Zensical runs no MkDocs plugin
            runs = [checked([zensical, "build", "--clean"], root, timeout) for _ in range(options.site_runs)]
            commands["zensical build"] = summary(runs)
            _say(f"  zensical build: {commands['zensical build']['wall']:.2f}s")
    result["commands"] = commands
    if n in options.serve_sizes:
        args = make_serve_args(options.template)
        try:
            result["serve"] = serve_rebuilds(root, options.site_runs, timeout, args)
        except SystemExit as error:  # reported in the results; the other measurements stand
            result["serve"] = {"error": str(error)}
            _say(f"  mkdocs serve: {error}")
        else:
            serve = result["serve"]
            settles = "" if serve["settles"] else " (and it keeps rebuilding: it never settles)"
            _say(f"  {serve['command']}: summary edit {serve['summary']:.2f}s, title edit {serve['title']:.2f}s{settles}")
    if not options.keep:
        shutil.rmtree(root, ignore_errors=True)
    return result


# --- ratios and report ----------------------------------------------------------------------


def _nearest(sizes: list[int], wanted: int) -> int | None:
    return min(sizes, key=lambda s: (abs(s - wanted), -s)) if sizes else None


def ratios(results: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
    """The targets of the issue: each ratio of wall-clock times, with its CPU-time twin, bound and verdict."""
    sizes = sorted(results)
    found: list[dict[str, Any]] = []

    def add(name: str, what: str, value: float | None, cpu: float | None, bound: float | None, target: bool = True) -> None:
        verdict = "n/a" if value is None or bound is None else ("PASS" if value <= bound else "FAIL")
        found.append(
            {"name": name, "what": what, "value": value, "cpu": cpu, "bound": bound, "verdict": verdict if target else "info"}
        )

    def cmd(n: int, name: str, key: str = "wall") -> float:
        return results[n]["commands"][name][key]

    def kept(name: str, n: int, over: str, label: str, bound: float) -> None:
        """The cold target's ratio again for the plugin builds that kept build/docs, beside it: the
        same day's (a contributor's next build), and a new day's (a deployment's)."""
        add(
            f"{name}, build folder kept",
            f"mkdocs build --strict with the plugin, build/docs kept from the build before / {label}, N={n}",
            cmd(n, KEPT) / cmd(n, over),
            cmd(n, KEPT, "cpu") / cmd(n, over, "cpu"),
            bound,
        )
        add(
            f"{name}, build folder kept, new date",
            f"the same with another SOURCE_DATE_EPOCH, as a deployment builds / {label}, N={n}",
            cmd(n, DEPLOYED) / cmd(n, over),
            cmd(n, DEPLOYED, "cpu") / cmd(n, over, "cpu"),
            bound,
        )

    site = [s for s in sizes if "mkdocs build" in results[s]["commands"]]
    at = _nearest(site, OVERHEAD_AT)
    if at is None:
        add("plugin overhead", "no mkdocs builds measured", None, None, OVERHEAD_MAX)
    else:
        add(
            "plugin overhead",
            f"mkdocs build with the plugin / baseline build of the same Markdown, N={at}",
            cmd(at, "mkdocs build") / cmd(at, "baseline build"),
            cmd(at, "mkdocs build", "cpu") / cmd(at, "baseline build", "cpu"),
            OVERHEAD_MAX,
        )
        kept("plugin overhead", at, "baseline build", "baseline build", OVERHEAD_MAX)

    if at is not None:
        add(
            "build vs floor",
            f"mkdocs build --strict with the plugin / the floor (same pages, no glossary machinery), N={at}",
            cmd(at, "mkdocs build") / cmd(at, "floor build"),
            cmd(at, "mkdocs build", "cpu") / cmd(at, "floor build", "cpu"),
            FLOOR_MAX,
        )
        kept("build vs floor", at, "floor build", "the floor", FLOOR_MAX)
        add(
            "memory vs floor",
            f"peak memory of mkdocs build with the plugin / of the floor build, N={at}",
            cmd(at, "mkdocs build", "rss_kib") / cmd(at, "floor build", "rss_kib"),
            None,
            MEMORY_FLOOR_MAX,
        )
        small = _nearest([s for s in site if s < at], GROWTH_FROM)
        if small is not None:
            add(
                "build growth",
                f"mkdocs build at N={at} / at N={small} (x{at / small:g} entries)",
                cmd(at, "mkdocs build") / cmd(small, "mkdocs build"),
                cmd(at, "mkdocs build", "cpu") / cmd(small, "mkdocs build", "cpu"),
                GROWTH_MAX * (at / small) / (FLOOR_AT / GROWTH_FROM),
            )
        else:
            add("build growth", "needs mkdocs builds at two sizes", None, None, GROWTH_MAX)
        served = [s for s in site if "summary" in results[s].get("serve", {})]
        near = _nearest(served, OVERHEAD_AT)
        for field, bound in (("summary", SERVE_SUMMARY_MAX), ("title", SERVE_TITLE_MAX)):
            if near is None:
                add(f"serve, {field} edit", "no serve rebuild measured", None, None, bound)
                continue
            add(
                f"serve, {field} edit",
                f"{results[near]['serve']['command']}: one entry's {field} edited, saved to rebuilt and shown / full build, N={near}",
                results[near]["serve"][field] / cmd(near, "mkdocs build"),
                None,
                bound,
            )
    zensical = [s for s in site if "zensical build" in results[s]["commands"]]
    if zensical:
        z = zensical[0]
        add(
            "zensical",
            f"zensical build of the same pages / mkdocs build with the plugin, N={z}",
            cmd(z, "zensical build") / cmd(z, "mkdocs build"),
            cmd(z, "zensical build", "cpu") / cmd(z, "mkdocs build", "cpu"),
            None,
            target=False,
        )

    low, high = _nearest(sizes, LINEAR_FROM), _nearest(sizes, LINEAR_TO)
    if low == high and len(sizes) > 1:
        low, high = sizes[0], sizes[-1]
    for stage in (*STAGES, "write"):
        if low is None or high is None or low == high:
            add(f"linear: {stage}", "needs two sizes", None, None, None)
            continue
        lo, hi = results[low]["stages"], results[high]["stages"]
        if not lo["wall"][stage] and not hi["wall"][stage]:
            continue  # a stage this pipeline does not have
        add(
            f"linear: {stage}",
            f"{stage} time at N={high} / at N={low}",
            hi["wall"][stage] / max(lo["wall"][stage], 1e-9),
            hi["cpu"][stage] / max(lo["cpu"][stage], 1e-9),
            LINEAR_SLACK * high / low,
            target=stage != "write",  # writing files is the file system's work, not ours: shown, not held to it
        )

    top = _nearest(sizes, VALIDATE_AT)
    assert top is not None
    bare, bare_cpu = cmd(top, "bare parse"), cmd(top, "bare parse", "cpu")
    add(
        "validation",
        f"kb validate / bare C-loader parse of the same YAML files (both commands), N={top}",
        cmd(top, "kb validate") / bare,
        cmd(top, "kb validate", "cpu") / bare_cpu,
        VALIDATE_MAX,
    )
    stages = results[top]["stages"]
    add(
        "validation, YAML part",
        f"kb validate less its BibTeX parsing (which the floor does not do) / the same floor, N={top}",
        (cmd(top, "kb validate") - stages["wall"]["load_bibtex"]) / bare,
        (cmd(top, "kb validate", "cpu") - stages["cpu"]["load_bibtex"]) / bare_cpu,
        VALIDATE_MAX,
        target=False,
    )
    parse = results[top]["commands"]["bare parse"]
    add(
        "reading YAML",
        f"kb's YAML reading, with the line and column of every key and value / bare C-loader parse, in process, N={top}",
        stages["wall"]["load_yaml"] / max(parse["parse"], 1e-9),
        stages["cpu"]["load_yaml"] / max(parse["parse_cpu"], 1e-9),
        None,
        target=False,
    )

    # Memory grows no faster than N when the memory each added entry costs is no more at the top
    # of the range than over the whole of it. (A ratio of peaks above a floor, as below, hangs on
    # the floor: a few MiB off the true fixed cost swings it widely while the growth stays linear.)
    def marginal(peak: Callable[[int], float], what: str, name: str) -> None:
        if len(sizes) < 3:
            add(name, f"{what}: needs three sizes", None, None, LINEAR_SLACK)
            return
        first, before, last = sizes[0], sizes[-2], sizes[-1]
        top = (peak(last) - peak(before)) / (last - before)
        whole = (peak(last) - peak(first)) / (last - first)
        add(
            name,
            f"{what}: memory per added entry from N={before} to {last} / from N={first} to {last} ({top:.1f} / {whole:.1f} KiB)",
            # No growth over the whole range (tiny sizes): none at the top passes, some fails.
            top / whole if whole > 0 else (0.0 if top <= 0 else float("inf")),
            None,
            LINEAR_SLACK,
        )

    marginal(lambda n: results[n]["stages"]["peak_kib"], "peak memory of kb build", "memory: pipeline")
    marginal(lambda n: cmd(n, "kb validate", "rss_kib"), "peak memory of kb validate", "memory: kb validate")
    if low is not None and high is not None and low != high:
        lo, hi = results[low], results[high]
        grow = (hi["stages"]["peak_kib"] - hi["stages"]["floor_kib"]) / max(
            lo["stages"]["peak_kib"] - lo["stages"]["floor_kib"], 1
        )
        add(
            "memory, above a floor",
            f"peak memory of kb build above its imports', N={high} / N={low}",
            grow,
            None,
            high / low,
            target=False,
        )
        grow = (cmd(high, "kb validate", "rss_kib") - cmd(high, "kb --version", "rss_kib")) / max(
            cmd(low, "kb validate", "rss_kib") - cmd(low, "kb --version", "rss_kib"), 1
        )
        add(
            "memory, above a floor",
            f"peak memory of kb validate above kb --version's, N={high} / N={low}",
            grow,
            None,
            high / low,
            target=False,
        )
    if len(site) > 1:
        a, b = site[0], site[-1]
        add(
            "memory: mkdocs build",
            f"peak memory of mkdocs build with the plugin, N={b} / N={a}",
            cmd(b, "mkdocs build", "rss_kib") / cmd(a, "mkdocs build", "rss_kib"),
            None,
            b / a,
            target=False,
        )
    return found


def _s(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def _mib(kib: float | None) -> str:
    return "—" if kib is None else f"{kib / 1024:.0f}"


def table(results: dict[int, dict[str, Any]]) -> str:
    def command(r: dict[str, Any], name: str, key: str = "wall") -> float | None:
        return r["commands"].get(name, {}).get(key)

    rows = [
        "Seconds, wall clock (medians):",
        "",
        "| N | sources (MB) | load | validate | link | cite | render | publish | write | kb build | kb validate | bare parse "
        "| mkdocs + plugin | mkdocs + plugin, build folder kept | same, new date | baseline | plugin / baseline | kept / baseline "
        "| floor | plugin / floor | kept / floor | new date / floor | zensical | serve: summary edit | serve: title edit |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n in sorted(results):
        r = results[n]
        s = r["stages"]["wall"]
        plugin, baseline, floor = command(r, "mkdocs build"), command(r, "baseline build"), command(r, "floor build")
        kept, deployed = command(r, KEPT), command(r, DEPLOYED)
        serve = r.get("serve", {})
        rest = "" if serve.get("settles", True) else " (no rest)"
        summary_edit, title_edit = ("failed" if "error" in serve else _s(serve.get(f)) + rest for f in ("summary", "title"))
        rows.append(
            f"| {n} | {r['source_bytes'] / 1e6:.1f} | {_s(s['load'])} | {_s(s['validate'])} | {_s(s['link'])} | {_s(s.get('cite'))} | {_s(s['render'])} "
            f"| {_s(s['publish'])} | {_s(s['write'])} | {_s(s['build'])} | {_s(command(r, 'kb validate'))} | {_s(command(r, 'bare parse'))} "
            f"| {_s(plugin)} | {_s(kept)} | {_s(deployed)} | {_s(baseline)} | {_s(_ratio(plugin, baseline))} | {_s(_ratio(kept, baseline))} "
            f"| {_s(floor)} | {_s(_ratio(plugin, floor))} | {_s(_ratio(kept, floor))} | {_s(_ratio(deployed, floor))} "
            f"| {_s(command(r, 'zensical build'))} "
            f"| {summary_edit} | {title_edit} |"
        )
    rows += [
        "",
        "Peak resident memory, MiB:",
        "",
        "| N | kb build (after imports) | kb build | kb validate | kb --version | bare parse | mkdocs + plugin "
        "| mkdocs + plugin, build folder kept | baseline | floor | zensical | mkdocs serve |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n in sorted(results):
        r = results[n]
        rows.append(
            f"| {n} | {_mib(r['stages']['floor_kib'])} | {_mib(r['stages']['peak_kib'])} | {_mib(command(r, 'kb validate', 'rss_kib'))} "
            f"| {_mib(command(r, 'kb --version', 'rss_kib'))} | {_mib(command(r, 'bare parse', 'rss_kib'))} "
            f"| {_mib(command(r, 'mkdocs build', 'rss_kib'))} | {_mib(command(r, KEPT, 'rss_kib'))} "
            f"| {_mib(command(r, 'baseline build', 'rss_kib'))} "
            f"| {_mib(command(r, 'floor build', 'rss_kib'))} | {_mib(command(r, 'zensical build', 'rss_kib'))} "
            f"| {_mib(r.get('serve', {}).get('rss_kib'))} |"
        )
    return "\n".join(rows)


def ratio_lines(found: list[dict[str, Any]]) -> str:
    lines = ["| target | ratio | same, CPU time | bound | verdict |", "|---|---:|---:|---:|---|"]
    for r in found:
        bound = "—" if r["bound"] is None else f"≤ {r['bound']:.2f}"
        lines.append(f"| {r['name']}: {r['what']} | {_s(r['value'])} | {_s(r['cpu'])} | {bound} | {r['verdict']} |")
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    try:
        load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "load_average_at_end": load,
    }


def report(results: dict[int, dict[str, Any]], options: argparse.Namespace, command: str) -> tuple[str, dict[str, Any]]:
    found = ratios(results)
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    info = machine()
    text = "\n".join(
        [
            "# Build-cost benchmark",
            "",
            f"{now}; `{command}`; {options.runs} run(s) per measurement, medians.",
            f"Python {info['python']} on {info['platform']}, {info['cpus']} CPU(s); load average at the end {info['load_average_at_end']}.",
            "",
            table(results),
            "",
            "Glossary definitions a page carries, on average (about 8 on the real site): "
            + ", ".join(f"N={n}: {_s(results[n]['stages'].get('glossary_per_page'))}" for n in sorted(results))
            + ".",
            "",
            "Targets (ratios of wall-clock medians; the CPU-time ratio beside each is less sensitive to other work on the machine):",
            "",
            ratio_lines(found),
            "",
        ]
    )
    data = {"date": now, "command": command, "machine": info, "runs": options.runs, "sizes": results, "ratios": found}
    return text, data


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _sizes(text: str, every: tuple[int, ...]) -> tuple[int, ...]:
    if text == "all":
        return every
    if text in ("", "none"):
        return ()
    return tuple(int(part) for part in text.split(","))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description="Time the knowledge-base build on synthetic knowledge bases."
    )
    parser.add_argument(
        "--sizes", default=",".join(map(str, SIZES)), help="entries per knowledge base, comma-separated (default: %(default)s)"
    )
    parser.add_argument(
        "--site-sizes",
        default=",".join(map(str, SITE_SIZES)),
        help="sizes at which to run the two mkdocs builds: comma-separated, 'all' or 'none' (default: %(default)s)",
    )
    parser.add_argument(
        "--serve-sizes", default=None, help="sizes at which to time mkdocs serve's rebuild (default: the site sizes)"
    )
    parser.add_argument(
        "--zensical-sizes",
        default="1000",
        help="sizes at which to time a Zensical build of the same pages (default: %(default)s)",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement; medians are reported (default: %(default)s)")
    parser.add_argument(
        "--site-runs", type=int, default=None, help="runs of each mkdocs build, and edits under mkdocs serve (default: --runs)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="only what the targets need, once: N=1000, 2000, 8000; mkdocs at 2000"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--template",
        type=Path,
        default=REPO,
        help="the project whose mkdocs.yml, overrides/ and hand-written pages the knowledge bases get (default: this repository)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO / "benchmarks" / "results",
        help="folder for latest.md and latest.json (default: benchmarks/results)",
    )
    parser.add_argument(
        "--workdir", type=Path, default=None, help="where to generate the knowledge bases (default: a temporary folder)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated knowledge bases")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds before one command is killed (default: %(default)s)")
    options = parser.parse_args(argv)
    options.sizes = _sizes(options.sizes, SIZES)
    options.site_sizes = _sizes(options.site_sizes, options.sizes)
    options.serve_sizes = options.site_sizes if options.serve_sizes is None else _sizes(options.serve_sizes, options.sizes)
    options.zensical_sizes = tuple(n for n in _sizes(options.zensical_sizes, options.sizes) if n in options.sizes)
    if options.quick:
        options.sizes, options.site_sizes, options.serve_sizes, options.runs = (
            QUICK["sizes"],
            QUICK["site_sizes"],
            QUICK["serve_sizes"],
            QUICK["runs"],
        )
    options.site_runs = options.site_runs or options.runs
    if not options.sizes or options.runs < 1:
        parser.error("give at least one size and one run")
    for n in (*options.site_sizes, *options.serve_sizes):
        if n not in options.sizes:
            parser.error(f"size {n} is not among --sizes")
    return options


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    # Stopped with SIGTERM, still stop the command being measured and remove the knowledge bases.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    command = "python -m benchmarks.run " + " ".join(sys.argv[1:] if argv is None else argv)
    workdir = options.workdir or Path(tempfile.mkdtemp(prefix="kb-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results: dict[int, dict[str, Any]] = {}
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    options.out.mkdir(parents=True, exist_ok=True)
    try:
        for n in sorted(options.sizes):
            results[n] = measure_size(n, options, workdir)
            # What is measured so far, should a later size fail or be stopped.
            text, data = report(results, options, command.strip())
            write(options.out, f"{stamp}.partial", text, data)
    finally:
        if options.workdir is None and not options.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    text, data = report(results, options, command.strip())
    print(text)
    for name in ("latest", stamp):
        write(options.out, name, text, data)
    for partial in options.out.glob(f"{stamp}.partial.*"):
        partial.unlink()
    _say(f"written to {options.out / 'latest.md'} and {options.out / 'latest.json'}")
    return 0


def write(folder: Path, name: str, text: str, data: dict[str, Any]) -> None:
    (folder / f"{name}.md").write_text(text, encoding="utf-8")
    (folder / f"{name}.json").write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
