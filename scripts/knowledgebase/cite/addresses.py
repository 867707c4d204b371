"""Addresses on the deployed site, and an entry page's permalink. (The paths of an entry's page
and files, in the docs folder and the site, are its entry type's: ``EntryType.page_path``,
``page_url``, ``download_path``.)"""

from __future__ import annotations

from knowledgebase.model.entry import Entry
from knowledgebase.model.schema import entry_types
from knowledgebase.settings import Settings


def site_root(settings: Settings) -> str:
    """The deployed site's address with a trailing slash, or '' when mkdocs.yml sets no site_url."""
    url = settings.site_url.strip()
    return url.rstrip("/") + "/" if url else ""


def address(settings: Settings, path: str) -> str:
    """A file or page of the site (``path`` from its root) as linked from outside a page: absolute
    with site_url, else relative to the site root."""
    return site_root(settings) + path


def permalink(entry: Entry, settings: Settings) -> str:
    """The page's absolute URL when site_url is set, else its URL relative to the site root."""
    return address(settings, entry_types()[entry.type].page_url(entry.id))
