"""From an entry's page back to its source: "Edit this entry" and "Report an error".

Both are links into the repository that ``repo_url`` names (GitHub's URL layout): the entry's
YAML file opened in GitHub's editor, or the .bib file shown at the line where the entry's record
starts (GitHub edits a whole file, and cannot open its editor at a line); and the repository's
"Report an error" issue form (.github/ISSUE_TEMPLATE/report-error.yml) with the page's address
and the entry's id filled in through the form's query parameters. Without ``repo_url`` there
are no such links, rather than broken ones.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from knowledgebase.model.entry import Entry
from knowledgebase.settings import Settings

#: The issue form a reader reports an error with, and the id of its field that names the entry.
REPORT_FORM = "report-error.yml"
REPORT_FIELD = "entry"


def repository(settings: Settings) -> str:
    """The repository's address without a trailing slash, or '' when mkdocs.yml sets no repo_url."""
    url = settings.repo_url.strip().rstrip("/")
    return url if url.startswith(("https://", "http://")) else ""


def _source(entry: Entry, settings: Settings) -> tuple[str, str]:
    """The repository's address and the entry's source path in it, ('', '') when there is none."""
    repo = repository(settings)
    source = entry.source.path.replace("\\", "/")
    if not repo or source.startswith(("/", "../")):  # a source outside the repository has no page there
        return "", ""
    return repo, source


def blob_url(entry: Entry, settings: Settings, ref: str) -> str:
    """The entry's source file shown at ``ref`` (a branch or a commit), at its record's line for a
    .bib file; '' without repo_url."""
    repo, source = _source(entry, settings)
    if not repo:
        return ""
    line = f"#L{entry.source.start[0]}" if source.endswith(".bib") else ""
    return f"{repo}/blob/{quote(ref, safe='/')}/{quote(source)}{line}"


def commit_url(settings: Settings, sha: str) -> str:
    """A commit's page on repo_url; '' without one."""
    repo = repository(settings)
    return f"{repo}/commit/{sha}" if repo else ""


def source_links(entry: Entry, settings: Settings, permalink: str) -> dict[str, str] | None:
    """The edit and report links of an entry's page (None without repo_url), for its front matter."""
    repo, source = _source(entry, settings)
    if not repo:
        return None
    if source.endswith(".bib"):
        edit = blob_url(entry, settings, settings.repo_branch)
    else:
        edit = f"{repo}/edit/{quote(settings.repo_branch, safe='/')}/{quote(source)}"
    where = permalink if permalink.startswith(("https://", "http://")) else f"{permalink} (id: {entry.id})"
    query = urlencode({"template": REPORT_FORM, "title": f"Error in {entry.id}", REPORT_FIELD: where}, quote_via=quote)
    return {"edit": edit, "report": f"{repo}/issues/new?{query}", "file": source}
