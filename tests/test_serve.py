"""`mkdocs serve` rebuilds when a source changes, and settles instead of looping."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


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
    try:
        url = f"http://127.0.0.1:{port}/"
        assert wait_for(lambda: fetch(url + "datasets/mnist/") is not None), log.read_text()
        entry = project.root / "content/datasets/mnist.yaml"
        entry.write_text(entry.read_text().replace("Handwritten digits.", "Handwritten digits, edited while serving."))
        assert wait_for(lambda: "edited while serving" in (fetch(url + "datasets/mnist/") or "")), log.read_text()
        bib = project.root / "bibliography/works.bib"
        bib.write_text(bib.read_text().replace("Makes the case for AI", "Argues at length for AI"))
        assert wait_for(lambda: "Argues at length" in (fetch(url + "papers/case-for-public-ai/") or "")), log.read_text()

        # Writing only changed pages means a rebuild does not wake the watcher again: the count of
        # builds comes to rest (a loop would keep it climbing however long we wait).
        def builds() -> int:
            return log.read_text().count("Documentation built")

        history = [builds()]

        def settled() -> bool:
            history.append(builds())
            return len(history) > 16 and history[-1] == history[-16]  # no build for 8 s

        assert wait_for(settled, timeout=120), log.read_text()[-2000:]
        assert builds() <= 10, log.read_text()[-2000:]  # the first build and a few per edit
    finally:
        server.terminate()
        server.wait(timeout=30)
