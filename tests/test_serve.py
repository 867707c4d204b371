"""`mkdocs serve` rebuilds when a source changes, and settles instead of looping."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.run import fetch, free_port  # the harness times the same rebuild


def wait_for(predicate, timeout: float = 90) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.5)
    return False


def test_serve_rebuilds_on_yaml_and_bibtex_changes(project):
    port = free_port()
    log = project.root / "serve.log"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    mkdocs = Path(sys.executable).parent / "mkdocs"
    with open(log, "w") as out:
        server = subprocess.Popen(
            [str(mkdocs), "serve", "--livereload", "--dev-addr", f"127.0.0.1:{port}"],
            cwd=project.root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )

    def builds() -> int:
        # Started builds: MkDocs' build logger drops a line it has logged before, so the same
        # "Documentation built in 0.47 seconds" twice would count once.
        return log.read_text().count("Building documentation")

    def settle() -> int:
        """The count of builds once it has stopped climbing for 8 s (a loop would keep it climbing)."""
        history = [builds()]

        def still() -> bool:
            history.append(builds())
            return len(history) > 16 and history[-1] == history[-16]

        assert wait_for(still, timeout=120), log.read_text()[-2000:]
        return history[-1]

    try:
        url = f"http://127.0.0.1:{port}/"
        assert wait_for(lambda: fetch(url + "datasets/mnist/") is not None), log.read_text()
        before = settle()
        entry = project.root / "content/datasets/mnist.yaml"
        entry.write_text(entry.read_text().replace("Handwritten digits.", "Handwritten digits, edited while serving."))
        assert wait_for(lambda: "edited while serving" in (fetch(url + "datasets/mnist/") or "")), log.read_text()
        # One build per edit: the pages the build writes into docs_dir must not wake the watcher
        # for a second build (nor, since only changed pages are written, for a loop of them).
        assert settle() == before + 1, log.read_text()[-2000:]
        bib = project.root / "bibliography/works.bib"
        bib.write_text(bib.read_text().replace("Makes the case for AI", "Argues at length for AI"))
        assert wait_for(lambda: "Argues at length" in (fetch(url + "papers/case-for-public-ai/") or "")), log.read_text()
        assert settle() == before + 2, log.read_text()[-2000:]
    finally:
        server.terminate()
        server.wait(timeout=30)
