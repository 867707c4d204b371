"""Where an entry's page lives: its URL relative to the site root, its permalink on the deployed
site, and the paths of the CSL-JSON downloads beside it."""

from __future__ import annotations

from knowledgebase.model.entry import Entry
from knowledgebase.model.schema import entry_types
from knowledgebase.settings import Settings


def page_url(entry: Entry) -> str:
    """The page's URL relative to the site root, as MkDocs serves it: ``papers/widder2024why/``."""
    return f"{entry_types()[entry.type].url}/{entry.id}/"


def site_root(settings: Settings) -> str:
    """The deployed site's address with a trailing slash, or '' when mkdocs.yml sets no site_url."""
    url = settings.site_url.strip()
    return url.rstrip("/") + "/" if url else ""


def permalink(entry: Entry, settings: Settings) -> str:
    """The page's absolute URL when site_url is set, else its URL relative to the site root."""
    return site_root(settings) + page_url(entry)


def download_path(entry: Entry, what: str = "page") -> str:
    """Where the CSL-JSON download of the page (or of the work it describes) lives in the docs folder.

    It sits in the page's own folder, so the page links it by its bare name.
    """
    return f"{page_url(entry)}{what}.csl.json"
