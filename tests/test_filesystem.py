"""The build writes only where it owns, never loses a file, never hangs, never shows a traceback.

Every case runs on a temporary git repository holding a copy of the sources. Where a source
could have been touched, ``git status --porcelain`` is empty afterwards and ``git fsck`` passes;
every failure is a message (no traceback) and a non-zero exit; the cases that used to hang
finish within a bound; builds run at once, or killed at random moments, end as a fresh build.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from kbtest import BIN, DOCS_LINE, PLUGIN_LINE, ROOT, SITE_LINE, Project, copy_mini

#: Seconds within which every command here must finish (they used to hang for ever).
BOUND = 60
ENV = {
    **os.environ,
    "NO_MKDOCS_2_WARNING": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.org",
    # Pages carry git dates: two repositories committed at one time build the same bytes.
    "GIT_AUTHOR_DATE": "2026-01-01T12:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T12:00:00Z",
}


def git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = ["git", "-c", "safe.directory=*", "-c", "core.autocrlf=false", *args]
    return subprocess.run(command, cwd=root, env=ENV, capture_output=True, text=True, timeout=BOUND)


def make_repo(root: Path) -> Project:
    """The mini knowledge base as a committed git repository, with the project's .gitignore."""
    project = copy_mini(root)
    shutil.copy(ROOT / ".gitignore", root / ".gitignore")
    for name in ("scripts", "tests"):  # folders that must never receive output
        project.write(f"{name}/keep.txt", "not output\n")
    assert git(root, "init", "-q").returncode == 0
    assert git(root, "add", "-A").returncode == 0
    assert git(root, "commit", "-q", "-m", "sources").returncode == 0, git(root, "status").stdout
    return project


@pytest.fixture
def repo(tmp_path: Path) -> Project:
    return make_repo(tmp_path / "kb")


def assert_intact(project: Project, *paths: str) -> None:
    """Nothing the repository tracks changed, nothing new appeared beside it, and git is sound."""
    status = git(project.root, "status", "--porcelain", "--", *paths)
    assert status.returncode == 0 and status.stdout == "", status.stdout + status.stderr
    fsck = git(project.root, "fsck", "--no-progress")
    assert fsck.returncode == 0, fsck.stdout + fsck.stderr


def run(project: Project, *args: str, prefix: tuple[str, ...] = (), timeout: float = BOUND) -> subprocess.CompletedProcess[str]:
    command = [str(BIN / args[0]) if (BIN / args[0]).exists() else args[0], *args[1:]]
    result = subprocess.run([*prefix, *command], cwd=project.root, env=ENV, capture_output=True, text=True, timeout=timeout)
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    return result


def set_config(project: Project, old: str, new: str) -> None:
    config = project.root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert old in text
    config.write_text(text.replace(old, new), encoding="utf-8")
    git(project.root, "commit", "-qam", "configuration")


def files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``, dotfiles included, by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- 1. The build owns its folders and proves it ------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "docs_dir: build/docs",
            "docs_dir: content",
            f"mkdocs.yml:{DOCS_LINE}:11: error: docs_dir 'content' is the content folder",
        ),
        (
            "docs_dir: build/docs",
            "docs_dir: content/pages",
            f"mkdocs.yml:{DOCS_LINE}:11: error: docs_dir 'content/pages' lies inside the content",
        ),
        (
            "docs_dir: build/docs",
            "docs_dir: scripts",
            f"mkdocs.yml:{DOCS_LINE}:11: error: docs_dir 'scripts' is the build's code",
        ),
        ("docs_dir: build/docs", "docs_dir: .", f"mkdocs.yml:{DOCS_LINE}:11: error: docs_dir '.' is the project folder"),
        ("site_dir: site", "site_dir: tests", f"mkdocs.yml:{SITE_LINE}:11: error: site_dir 'tests' is the tests (tests/)"),
        (
            "  - knowledgebase\n",
            "  - knowledgebase:\n      snippets_dir: overrides\n",
            f"mkdocs.yml:{PLUGIN_LINE}:21: error: plugin option snippets_dir",
        ),
    ],
)
def test_a_folder_of_sources_is_refused_at_its_setting(repo, old, new, message):
    set_config(repo, old, new)
    result = run(repo, "kb", "build")
    assert result.returncode == 1 and message in result.stderr, result.stderr
    assert_intact(repo)


def test_mkdocs_refuses_a_site_dir_of_sources_before_it_empties_it(repo):
    set_config(repo, "site_dir: site", "site_dir: content")
    result = run(repo, "mkdocs", "build")
    assert result.returncode == 1
    assert f"mkdocs.yml:{SITE_LINE}:11: error: site_dir 'content' is the content folder (content_dir)" in result.stderr
    assert "nothing was built or deleted" in result.stderr
    assert_intact(repo)


def test_absolute_docs_dir_of_sources_is_refused(repo):
    set_config(repo, "docs_dir: build/docs", f"docs_dir: {repo.root / 'bibliography'}")
    result = run(repo, "kb", "build")
    assert result.returncode == 1 and "is the bibliography folder (bibliography_dir)" in result.stderr
    assert_intact(repo)


def test_hand_written_pages_in_the_default_docs_folder_are_kept(repo):
    """No docs_dir: MkDocs' default docs/, where MkDocs users keep their pages."""
    repo.write("docs/about.md", "# About us\n")
    git(repo.root, "add", "-A")
    set_config(repo, "docs_dir: build/docs\n", "")
    for command in (("kb", "build"), ("mkdocs", "build")):
        result = run(repo, *command)
        assert result.returncode == 1
        assert (
            "mkdocs.yml:1:1: error: docs_dir (not set, so the default 'docs') holds files the build did not write (about.md"
            in (result.stderr)
        )
    assert_intact(repo)


def test_a_linked_docs_folder_is_judged_by_what_it_points_at(repo, tmp_path):
    home = tmp_path / "home"
    (home / "notes").mkdir(parents=True)
    (home / "notes" / "diary.md").write_text("mine\n")
    shutil.rmtree(repo.root / "build" / "docs")
    (repo.root / "build" / "docs").symlink_to(home)
    result = run(repo, "kb", "build")
    assert result.returncode == 1
    assert f"docs_dir 'build/docs' (a link to {home}) holds files the build did not write (notes" in result.stderr
    assert (home / "notes" / "diary.md").read_text() == "mine\n" and len(list(home.rglob("*"))) == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    (repo.root / "build" / "docs").unlink()
    (repo.root / "build" / "docs").symlink_to(empty)
    assert run(repo, "kb", "build").returncode == 0
    assert (empty / "index.md").is_file() and (empty / ".kb-build.json").is_file()
    assert_intact(repo, "content", "bibliography", "scripts", "tests", "mkdocs.yml")  # build/docs is the test's link


def test_own_snippets_are_not_taken(repo):
    repo.write("snippets/footer.md", "My footer\n")
    git(repo.root, "add", "-A")
    set_config(repo, "  - knowledgebase\n", "  - knowledgebase:\n      snippets_dir: snippets\n")
    result = run(repo, "kb", "build")
    assert result.returncode == 1
    assert (
        f"mkdocs.yml:{PLUGIN_LINE}:21: error: plugin option snippets_dir 'snippets' holds files the build did not write (footer.md"
        in (result.stderr)
    )
    assert_intact(repo)


def test_docs_dir_outside_the_project(repo, tmp_path):
    out = tmp_path / "elsewhere" / "docs"
    set_config(repo, "docs_dir: build/docs", f"docs_dir: {out}")
    result = run(repo, "kb", "build")
    assert result.returncode == 0, result.stderr
    assert f"entries rendered into {out}" in result.stdout
    assert (out / "index.md").is_file()
    assert_intact(repo)


# --- 2. Delete only what it wrote ------------------------------------------------------------


def test_a_hand_placed_file_survives_with_a_warning(repo):
    assert run(repo, "kb", "build").returncode == 0
    docs = repo.root / "build" / "docs"
    (docs / "notes.md").write_text("placed by hand\n")
    result = run(repo, "kb", "build")
    assert result.returncode == 0
    assert "build/docs/notes.md: warning: was not written by the build; left in place" in result.stderr
    assert (docs / "notes.md").read_text() == "placed by hand\n"
    # One in the way of a new page: an error, and nothing is replaced.
    (docs / "glossary" / "open-source.md").write_text("also by hand\n")
    before = files(repo.root / "build")
    repo.write(
        "content/glossary/open-source.yaml", "title: Open source\nshort: Free to use.\naliases: []\nsources: [explainer]\n"
    )
    result = run(repo, "kb", "build")
    assert result.returncode == 1
    assert "build/docs/glossary/open-source.md: error: was not written by the build, which would replace it" in result.stderr
    assert files(repo.root / "build") == before


def test_a_file_placed_in_the_site_is_not_emptied_away(repo):
    """MkDocs empties site_dir before every build: the plugin refuses while it holds a stranger."""
    assert run(repo, "mkdocs", "build").returncode == 0
    (repo.root / "site" / "notes.txt").write_text("mine\n")
    result = run(repo, "mkdocs", "build")
    assert result.returncode == 1
    assert (
        f"mkdocs.yml:{SITE_LINE}:11: error: site_dir 'site' holds files the last build did not write (notes.txt)" in result.stderr
    )
    assert (repo.root / "site" / "notes.txt").read_text() == "mine\n"
    assert (repo.root / "site" / "index.html").is_file()  # and the site is still there
    assert_intact(repo)


# --- 3. Edits of sources are atomic ------------------------------------------------------------


def test_kb_new_keeps_crlf_and_encoding(repo):
    bib = repo.root / "bibliography" / "works.bib"
    crlf = bib.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    bib.write_bytes(crlf)
    git(repo.root, "commit", "-qam", "CRLF")
    result = run(repo, "kb", "new", "paper", "new-paper", "--file", "works.bib")
    assert result.returncode == 0, result.stderr
    after = bib.read_bytes()
    assert after.startswith(crlf) and b"new-paper," in after
    assert after.count(b"\n") == after.count(b"\r\n"), "a line ending was changed"
    git(repo.root, "checkout", "--", "bibliography/works.bib")
    assert_intact(repo)


#: Runs kb new paper with a SIGKILL at the given step of writing the .bib file.
KILLED_NEW = """
import os, signal, sys
from pathlib import Path
from knowledgebase.publish import atomic
from knowledgebase.tools import scaffold
from knowledgebase.settings import Settings

step = sys.argv[1]
real = {"open": open, "fsync": os.fsync, "replace": os.replace}
def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
if step == "fsync":
    os.fsync = die
elif step == "replace":
    os.replace = die
elif step == "write":
    def half(path, mode="r", *args, **kwargs):
        handle = real["open"](path, mode, *args, **kwargs)
        if "x" in mode:
            handle.write(b"@misc{half")
            handle.flush()
            die()
        return handle
    atomic.open = half
settings = Settings.from_mkdocs_yml(Path("mkdocs.yml"))
scaffold.new_entry(settings, "paper", "killed-paper", "works.bib")
"""


@pytest.mark.parametrize("step", ["write", "fsync", "replace"])
def test_kb_new_killed_while_writing_leaves_the_bib_file_whole(repo, step):
    bib = repo.root / "bibliography" / "works.bib"
    before = bib.read_bytes()
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_NEW, step], cwd=repo.root, env=ENV, capture_output=True, text=True, timeout=BOUND
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert bib.read_bytes() == before
    assert_intact(repo)  # the half-written file beside it is a dotfile git ignores
    result = run(repo, "kb", "validate")
    assert result.returncode == 0, result.stderr
    assert run(repo, "kb", "new", "paper", "killed-paper", "--file", "works.bib").returncode == 0
    assert bib.read_bytes().startswith(before)


@pytest.mark.parametrize(
    ("length", "message"), [(101, "is 101 characters long; ids have at most 100"), (251, "is 251 characters")]
)
def test_kb_new_refuses_an_id_too_long_for_a_file_name(repo, length, message):
    result = run(repo, "kb", "new", "glossary", "a" * length)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert_intact(repo)


# --- 5. Bounded everything ------------------------------------------------------------------


def test_a_named_pipe_is_refused_not_waited_for(repo):
    os.mkfifo(repo.root / "bibliography" / "z.bib")
    os.mkfifo(repo.root / "content" / "glossary" / "pipe.yaml")
    for command in ("validate", "build"):
        result = run(repo, "kb", command, timeout=BOUND)
        assert result.returncode == 1
        assert "bibliography/z.bib:1:1: error: is a named pipe (FIFO), not a regular file" in result.stderr
        assert "content/glossary/pipe.yaml:1:1: error: is a named pipe (FIFO)" in result.stderr


def test_a_link_out_of_the_project_is_refused_not_followed(repo):
    (repo.root / "content" / "glossary" / "root").symlink_to("/")
    (repo.root / "content" / "pages" / "passwd.png").symlink_to("/etc/passwd")
    result = run(repo, "kb", "build")
    assert result.returncode == 1
    assert "content/glossary/root:1:1: error: file is a symbolic link" in result.stderr
    assert "content/pages/passwd.png:1:1: error: file is a symbolic link" in result.stderr


class Trickle(threading.Thread):
    """A web server that answers one byte at a time, slowly, for ever (or stalls completely)."""

    def __init__(self, delay: float | None) -> None:
        super().__init__(daemon=True)
        self.server = socket.create_server(("127.0.0.1", 0))
        self.delay = delay
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"

    def run(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self.answer, args=(client,), daemon=True).start()

    def answer(self, client: socket.socket) -> None:
        try:
            for byte in b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"y" * 10_000:
                if self.delay is None:
                    time.sleep(BOUND)  # nothing at all
                time.sleep(self.delay or 0)
                client.sendall(bytes([byte]))
        except OSError:
            pass
        finally:
            client.close()


def only_urls(project: Project, url: str) -> None:
    """Every URL of the sources replaced by ``url`` (nothing leaves the machine)."""
    import re

    for path in [*project.root.glob("content/*/*.yaml"), *project.root.glob("bibliography/*.bib")]:
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"https?://[^\s},)\]]+", url, text), encoding="utf-8")


def test_linkcheck_cuts_off_a_server_that_trickles(repo):
    server = Trickle(delay=0.5)
    server.start()
    only_urls(repo, f"{server.url}/slow")
    started = time.monotonic()
    result = run(repo, "kb", "linkcheck", "--timeout", "2")
    elapsed = time.monotonic() - started
    server.server.close()
    assert result.returncode == 1
    assert f"dead link {server.url}/slow (no answer within 2 s)" in result.stdout
    assert elapsed < 20, f"took {elapsed:.1f} s"  # HEAD and GET, 2 s each, plus start-up


def test_linkcheck_stops_at_its_deadline(repo):
    server = Trickle(delay=None)
    server.start()
    only_urls(repo, f"{server.url}/stalls")
    repo.write(
        "content/organisations/other.yaml",
        f"title: Other\nkind: company\nurl: {server.url}/other\nsummary: x.\nsources: [explainer]\n",
    )
    started = time.monotonic()
    result = run(repo, "kb", "linkcheck", "--timeout", "30", "--deadline", "2", "--workers", "1")
    elapsed = time.monotonic() - started
    server.server.close()
    assert result.returncode == 1
    assert "URLs not checked: the deadline of 2 s passed" in result.stderr
    assert elapsed < 15, f"took {elapsed:.1f} s"


def test_linkcheck_without_network_says_so_once(repo):
    if shutil.which("unshare") and subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0:
        prefix: tuple[str, ...] = ("unshare", "-rn")  # a network namespace with no network at all
    else:
        prefix = ()
        only_urls(repo, "https://no-such-host.invalid/")  # a name that never resolves
    result = run(repo, "kb", "linkcheck", "--timeout", "3", prefix=prefix)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert result.stderr.count("no network") == 1, result.stderr
    assert "nothing is reported dead" in result.stderr


# --- 6. Every file-system failure is a message, and the previous output stays ----------------


def test_a_file_where_a_folder_goes_is_a_message(repo):
    assert run(repo, "kb", "build").returncode == 0
    docs = repo.root / "build" / "docs"
    shutil.rmtree(docs / "podcasts")
    (docs / "podcasts").write_text("in the way\n")
    before = files(repo.root / "build")
    result = run(repo, "kb", "build")
    assert result.returncode == 1
    assert "build/docs/podcasts/" in result.stderr and "a file stands where the build needs a folder" in result.stderr
    assert files(repo.root / "build") == before


def _nobody() -> tuple[str, ...]:
    """Run as an ordinary user: root may read and write anything, so no permission would fail."""
    if os.geteuid() != 0:
        return ()
    if not shutil.which("setpriv"):
        pytest.skip("needs setpriv to drop root's privileges")
    return ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")


@pytest.fixture
def open_repo():
    """A repository in a folder any user can enter (pytest's tmp_path is root's alone)."""
    base = Path(tempfile.mkdtemp(prefix="kb-fs-"))
    base.chmod(0o755)
    project = make_repo(base / "kb")
    if os.geteuid() == 0:
        subprocess.run(["chown", "-R", "65534:65534", str(base)], check=True)
    yield project
    shutil.rmtree(base, ignore_errors=True)


def test_unreadable_files_and_folders_are_messages(open_repo):
    prefix = _nobody()
    repo = open_repo
    (repo.root / "content" / "pages" / "logo.png").write_bytes(b"\x89PNG")
    os.chown(repo.root / "content" / "pages" / "logo.png", 65534, 65534) if os.geteuid() == 0 else None
    (repo.root / "content" / "pages" / "logo.png").chmod(0)
    (repo.root / "content" / "topics").chmod(0)
    (repo.root / "content" / "glossary" / "osaid.yaml").chmod(0)
    try:
        for command in ("validate", "build"):
            result = run(repo, "kb", command, prefix=prefix)
            assert result.returncode == 1, result.stdout + result.stderr
            err = result.stderr
            assert "content/pages/logo.png:1:1: error: cannot read file: Permission denied" in err
            assert "content/topics:1:1: error: cannot read folder: Permission denied" in err
            assert "content/glossary/osaid.yaml:1:1: error: cannot read file: Permission denied" in err
    finally:
        for path in ("content/pages/logo.png", "content/topics", "content/glossary/osaid.yaml"):
            (repo.root / path).chmod(0o755)


def test_kb_new_into_a_read_only_folder_is_a_message(open_repo):
    prefix = _nobody()
    folders = [open_repo.root / "content" / "glossary", open_repo.root / "bibliography"]
    for folder in folders:
        folder.chmod(0o555)
    try:
        for args in (("glossary", "new-term"), ("paper", "new-paper")):
            result = run(open_repo, "kb", "new", *args, prefix=prefix)
            assert result.returncode == 2, result.stdout + result.stderr
            assert "cannot write: Permission denied; make the folder writable" in result.stderr
    finally:
        for folder in folders:
            folder.chmod(0o755)
    assert_intact(open_repo)


def test_a_read_only_docs_folder_keeps_the_previous_output(open_repo):
    prefix = _nobody()
    repo = open_repo
    assert run(repo, "kb", "build", prefix=prefix).returncode == 0
    before = files(repo.root / "build")
    (repo.root / "build" / "docs" / "glossary").chmod(0o555)
    term = repo.root / "content" / "glossary" / "osaid.yaml"
    term.write_text(term.read_text().replace("title: ", "title: The "))
    try:
        result = run(repo, "kb", "build", prefix=prefix)
    finally:
        (repo.root / "build" / "docs" / "glossary").chmod(0o755)
    assert result.returncode == 1
    assert (
        "build/docs/glossary/" in result.stderr and "cannot write: Permission denied; make the folder writable" in result.stderr
    )
    assert files(repo.root / "build") == before  # not half old, half new


FULL_DISK = """
import json, os, subprocess, sys
docs = "build/docs"
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", docs], check=True)
first = subprocess.run([sys.argv[1], "build"], capture_output=True, text=True)
def snapshot():
    found = {os.path.join(d, n): open(os.path.join(d, n), "rb").read().hex() for d, _, ns in os.walk(docs) for n in ns}
    if os.path.join(docs, ".filler") in found:
        found[os.path.join(docs, ".filler")] = "full"
    return found
before = snapshot()
filler = os.open(os.path.join(docs, ".filler"), os.O_WRONLY | os.O_CREAT)  # the disk fills up
try:
    while True:
        os.write(filler, b"x" * 4096)
except OSError:
    pass
os.close(filler)
before[os.path.join(docs, ".filler")] = "full"
for path in ["content/glossary/osaid.yaml", "content/glossary/open-weights.yaml"]:
    text = open(path).read()
    open(path, "w").write(text.replace("title: ", "title: A much longer title for every page that shows it, "))
second = subprocess.run([sys.argv[1], "build"], capture_output=True, text=True)
print(json.dumps({"first": first.returncode, "second": second.returncode, "stderr": second.stderr, "same": snapshot() == before}))
"""


def test_a_full_disk_keeps_the_previous_output(repo):
    if not shutil.which("unshare") or subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode:
        pytest.skip("needs unshare -rm (a user and mount namespace) to mount a small tmpfs")
    result = subprocess.run(
        ["unshare", "-rm", sys.executable, "-c", FULL_DISK, str(BIN / "kb")],
        cwd=repo.root,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=BOUND,
    )
    report = json.loads(result.stdout)
    assert report["first"] == 0, result.stderr
    assert report["second"] == 1
    assert "error: cannot write: No space left on device; free some disk space" in report["stderr"]
    assert "Traceback" not in report["stderr"]
    assert report["same"], "a failed build changed the docs folder"


# --- Stress: builds at once, builds killed, and then a clean build is a fresh build ------------


def test_a_build_that_claims_the_folder_meanwhile_is_not_taken_for_a_stranger(tmp_path, monkeypatch):
    """Two builds into a new docs folder: the second claims it and writes its pages between the
    first's look for the marker and its listing of the folder. The first must see a build's
    folder (the marker came before the pages), not a stranger's, and write as usual."""
    from knowledgebase.publish import output

    docs = tmp_path / "build" / "docs"
    pages = {"index.md": b"# Home\n", "papers/a.md": b"# A\n"}
    looks = []
    real_owned = output.owned

    def owned_after_a_concurrent_build(folder):
        looks.append(folder)
        if len(looks) == 1:  # the first look: another build runs to the end before the listing
            other = output.Writer()
            other.add(folder, "build/docs", dict(pages))
            other.write()
            return False
        return real_owned(folder)

    monkeypatch.setattr(output, "owned", owned_after_a_concurrent_build)
    writer = output.Writer()
    writer.add(docs, "build/docs", {**pages, "papers/b.md": b"# B\n"})
    writer.write()
    assert (docs / "papers" / "b.md").read_bytes() == b"# B\n"
    assert output.manifest(docs) == {"index.md", "papers/a.md", "papers/b.md"}


def test_concurrent_and_killed_builds_end_as_a_fresh_build(repo, tmp_path):
    fresh = make_repo(tmp_path / "fresh")
    assert run(fresh, "kb", "build").returncode == 0
    reference = files(fresh.root / "build")

    processes = [
        subprocess.Popen(
            [str(BIN / "kb"), "build"], cwd=repo.root, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    for process in processes:
        out, err = process.communicate(timeout=BOUND)
        assert process.returncode == 0 and "Traceback" not in err, err
    assert files(repo.root / "build") == reference

    seed = random.randrange(1 << 30)
    chance = random.Random(seed)
    term = repo.root / "content" / "glossary" / "osaid.yaml"
    for attempt in range(6):
        # Another state of the sources, so that the killed build has files to write and delete.
        term.write_text(term.read_text().replace("title: ", f"title: Version {attempt} of "))
        repo.write(
            f"content/glossary/extra-{attempt}.yaml", "title: Extra\nshort: An extra term.\naliases: []\nsources: [explainer]\n"
        )
        process = subprocess.Popen(
            [str(BIN / "kb"), "build"], cwd=repo.root, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(chance.uniform(0.05, 1.5))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=BOUND)
        git(repo.root, "checkout", "--", "content")
        (repo.root / f"content/glossary/extra-{attempt}.yaml").unlink()
        result = run(repo, "kb", "build")
        assert result.returncode == 0, f"seed {seed}, attempt {attempt}: {result.stderr}"
        assert "warning" not in result.stderr, f"seed {seed}, attempt {attempt}: {result.stderr}"
        assert files(repo.root / "build") == reference, f"seed {seed}, attempt {attempt}: not a fresh build's bytes"
    assert_intact(repo)
