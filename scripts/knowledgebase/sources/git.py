"""Git, asked about the repository the sources live in: one way to run it for every stage and tool.

Always in the C locale (messages and dates parse the same everywhere), with paths unquoted
(``core.quotepath=off``: a file name with accents comes back as it is) and without the optional
locks a read would otherwise take, so that a build never blocks a contributor's own git.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

#: Long enough for ``git log`` and ``git blame`` over a large history; a hung git still ends.
TIMEOUT = 600


class GitError(Exception):
    """Git is missing or the command failed; the message is git's own last line of complaint."""


def run(cwd: Path, *args: str) -> bytes:
    """What ``git args`` prints, run in ``cwd``; GitError if git is missing or the command fails."""
    git = shutil.which("git")
    if git is None:
        raise GitError("git is not installed")
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    try:
        result = subprocess.run([git, "-c", "core.quotepath=off", *args], cwd=cwd, env=env, capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired as error:
        raise GitError(f"git {args[0]} took longer than {TIMEOUT} seconds") from error
    except OSError as error:
        raise GitError(f"cannot run git: {error.strerror}") from error
    if result.returncode != 0:
        complaint = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(complaint[-1] if complaint else f"git {args[0]} failed")
    return result.stdout


def text(cwd: Path, *args: str) -> str:
    """``run``'s output as text, every line ending as ``\\n``."""
    output = run(cwd, *args).decode("utf-8", "replace")
    return output.replace("\r\n", "\n").replace("\r", "\n")


def text_or_none(cwd: Path, *args: str) -> str | None:
    """``text``, or None where git is missing or fails: for what a build can do without (dates,
    warnings about untracked files), outside a repository or without git."""
    try:
        return text(cwd, *args)
    except GitError:
        return None
