"""Sources git does not track: files a contributor made that their pull request would leave out.

``kb validate`` checks the working tree, so a new entry validates even when it was never
``git add``-ed; the pull request then fails for the want of it (``unknown id``). Outside a git
repository, or without git, there is nothing to say.
"""

from __future__ import annotations

from knowledgebase.diagnostics import Diagnostic
from knowledgebase.settings import Settings
from knowledgebase.sources import git


def untracked_sources(settings: Settings) -> list[Diagnostic]:
    """A warning for every file under the source folders that git does not track (nor ignore)."""
    folders = [f.relative_to(settings.root).as_posix() for f in (settings.content_dir, settings.bibliography_dir) if f.is_dir()]
    if not folders:
        return []
    listing = git.text_or_none(settings.root, "ls-files", "-z", "--others", "--exclude-standard", "--", *folders)
    if listing is None:
        return []  # not a git repository, or no git: nothing to compare with
    return [
        Diagnostic(
            path,
            1,
            1,
            f"not tracked by git, so not part of your commit or pull request: git add {path}",
            severity="warning",
        )
        for path in sorted(filter(None, listing.split("\0")))
        if not path.rsplit("/", 1)[-1].startswith(".")
    ]
