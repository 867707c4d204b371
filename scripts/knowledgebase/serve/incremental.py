"""The incremental preview: ``mkdocs serve --dirty`` made to serve what a clean build makes.

In a dirty build MkDocs 1.6 reads, renders and writes only the pages whose Markdown is newer than
their HTML. ``kb build`` rewrites only the files whose bytes change, and it regenerates every page
that shows the edited data (backlinks, index pages, guides, glossary, feed, exports), so those are
the pages a dirty build rebuilds. What MkDocs' dirty build gets wrong (``commands/build.py``) is
what gathers over all pages, and what is no longer there:

- the pages it does not rebuild are not read, so a plugin that gathers over every page in
  ``on_page_markdown`` (Material's tags listing) sees only the rebuilt ones: they are read again
  (source and front matter, not rendered) and handed to the same event, and a page that holds a
  tags listing is rebuilt when a page's title, tags or address changes;
- the search index holds only the rebuilt pages (Material's search merges them into the last
  index, assuming one page a rebuild, at the end): each page's entries are kept from the build
  that last rendered it, and the index is written in page order, as a clean build writes it;
- the HTML of a deleted page stays: what an earlier build of this preview wrote and this one did
  not is deleted;
- MkDocs warns on every dirty build, which ``strict`` turns into a failed build: the warning,
  answered by the above, is filtered out;
- a page's HTML also hangs on the configuration and the theme (navigation, templates), and a
  build that fails once pages are written (``strict`` counts warnings at the end) would not
  warn again about a page it does not rebuild: after either, every page is rebuilt.

Only ``mkdocs serve --dirty`` is concerned: ``mkdocs build`` is always clean.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.utils import get_markdown_title
from mkdocs.utils.meta import get_data

#: Material's tags plugin replaces this comment with a listing of every tagged page.
TAGS_LISTING = "<!-- material/tags"
DIRTY_WARNING = "A 'dirty' build is being performed"


def _label(meta: dict[str, Any], markdown: str) -> str:
    """What a tags listing shows of a page: its title (front matter, else first heading) and tags."""
    title = meta.get("title") or get_markdown_title(markdown)
    return json.dumps([title, meta.get("tags")], default=str, sort_keys=True)


#: Where the entries start in the search index Material's search plugin writes.
_DOCS = ',"docs":['


def _dumps(entry: dict[str, Any]) -> str:
    """A search entry as Material's search plugin writes it into the index."""
    return json.dumps(entry, separators=(",", ":"), default=str)


class _DropDirtyWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(DIRTY_WARNING)


class IncrementalPreview:
    """State kept across the rebuilds of one ``mkdocs serve --dirty``, and the fixes it makes."""

    def __init__(self) -> None:
        self.active = False
        #: page URL -> its search entries, as they are written into the index (JSON, comma-separated)
        self._search: dict[str, str] = {}
        self._fresh: dict[str, str] = {}  # the same, for the pages this build rendered
        self._seen = 0
        self._order: list[str] = []  # page URLs, in the order a build renders them
        self._written: set[str] = set()  # files MkDocs wrote for the docs folder last time
        self._current: set[str] = set()
        self._indexed = False  # whether the search plugin's entries could be read
        self._setup: tuple[int, ...] = ()  # modification times of the configuration and the theme
        self._writing = False  # pages are being written: a failure now leaves some unchecked
        self._everything = False  # rebuild every page next time
        self._labels: dict[str, str] = {}  # page URL -> what a tags listing shows of it, last build
        self._listing: dict[str, tuple[int, bool]] = {}  # source -> (its mtime, whether it lists pages)
        #: source -> ((its mtime, its size), (its Markdown, its front matter)), as last read
        self._sources: dict[str, tuple[tuple[int, int], tuple[str, dict[str, Any]]]] = {}

    def start(self, command: str, dirty: bool) -> None:
        self.active = command == "serve" and dirty
        if self.active:
            logging.getLogger("mkdocs.commands.build").addFilter(_DropDirtyWarning())

    def files(self, files: Files, config: MkDocsConfig) -> None:
        """Mark as changed the pages to rebuild though their Markdown is the same."""
        if not self.active:
            return
        setup = self._setup_times(config)
        everything, self._everything, self._setup = self._everything or setup != self._setup, False, setup
        unchanged, urls, relabelled = [], set(), False
        for file in files.documentation_pages():
            urls.add(file.url)
            if os.path.isfile(file.abs_dest_path) and not file.is_modified():
                unchanged.append(file)
            elif not everything and not relabelled:
                markdown, meta = get_data(file.content_string)
                relabelled = _label(meta, markdown) != self._labels.get(file.url)
        # A tags listing shows every tagged page's title and address: rebuilt when one changes.
        relabelled = relabelled or urls != self._labels.keys()
        for file in unchanged:
            if everything or (relabelled and self._lists_pages(file)):
                os.utime(file.abs_src_path)

    def _lists_pages(self, file: File) -> bool:
        """Whether the page holds a tags listing (remembered while its source is unchanged)."""
        stamp = os.stat(file.abs_src_path).st_mtime_ns
        known = self._listing.get(file.abs_src_path)
        if known is None or known[0] != stamp:
            known = (stamp, TAGS_LISTING in file.content_string)
            self._listing[file.abs_src_path] = known
        return known[1]

    @staticmethod
    def _setup_times(config: MkDocsConfig) -> tuple[int, ...]:
        paths = [config.config_file_path or ""]
        if config.theme.custom_dir:
            for folder, _subfolders, names in os.walk(config.theme.custom_dir):
                paths.extend(os.path.join(folder, name) for name in sorted(names))
        return tuple(os.stat(path).st_mtime_ns if os.path.isfile(path) else 0 for path in sorted(paths))

    def failed(self, error: Exception) -> None:
        """A build failed: unless it failed before writing any page, the next one rebuilds them all.

        A plugin's error before the pages (bad sources stop the build in ``on_pre_build``) leaves
        the site as it was; ``strict`` fails the build after every page is written.
        """
        if self.active and (self._writing or not isinstance(error, PluginError)):
            self._everything = True
        self._writing = False

    def read_unchanged(self, config: MkDocsConfig, files: Files) -> None:
        """Hand the pages the dirty build skipped to the reading events, for plugins that gather over all."""
        if not self.active:
            return
        pages = [f.page for f in files.documentation_pages(inclusion=InclusionLevel.is_in_serve) if f.page is not None]
        self._order = [page.url for page in pages]
        self._current = {f.abs_dest_path for f in files}
        self._fresh, self._seen, self._writing = {}, 0, True
        labels = {}
        for page in pages:
            # By the file's URL, as ``files`` looks them up: the home page's is "./" where its page's is "".
            url = page.file.url
            if page.markdown is None:  # not read (nor rendered) by this build
                page = config.plugins.on_pre_page(page, config=config, files=files)
                self._read_source(page, config)
                page.markdown = config.plugins.on_page_markdown(page.markdown, page=page, config=config, files=files)
                if self._lists_pages(page.file):
                    # Not rebuilt (no label changed, see ``files``), but read, so that the tags of
                    # the pages rebuilt link to its listing; Material's tags plugin fills in the
                    # listing of every page it has read, in the HTML, which a page not rendered lacks.
                    page.content = ""
            labels[url] = _label(page.meta, page.markdown or "")
        self._labels = labels

    def read(self, page: Page) -> None:
        """Remember the Markdown and front matter MkDocs has just read of ``page``, for the next builds.

        Called before any other plugin's ``on_page_markdown`` can change them. Without it the first
        edit of a preview parsed the front matter of every page the first build had read already.
        """
        if not self.active or page.markdown is None:
            return
        path = page.file.abs_src_path
        if path is None:
            return
        try:
            stat = os.stat(path)
        except OSError:
            return
        self._sources[path] = ((stat.st_mtime_ns, stat.st_size), (page.markdown, dict(page.meta)))

    def _read_source(self, page: Page, config: MkDocsConfig) -> None:
        """``page.read_source``, with the front matter of a source unchanged since the last build not parsed again.

        Parsing the YAML front matter of every unchanged page (each carries its citation data)
        was most of what re-reading them cost.
        """
        source = config.plugins.on_page_read_source(page=page, config=config)
        if source is not None:  # a plugin supplies the source: read as MkDocs reads it
            page.markdown, page.meta = get_data(source)
            return
        path = page.file.abs_src_path
        stat = os.stat(path)
        stamp = (stat.st_mtime_ns, stat.st_size)
        known = self._sources.get(path)
        if known is None or known[0] != stamp:
            known = (stamp, get_data(page.file.content_string))
            self._sources[path] = known
        markdown, meta = known[1]
        page.markdown, page.meta = markdown, dict(meta)  # a plugin that sets a key sets it for this build only

    def rendered(self, page: Page, search: Any) -> None:
        """Keep the search entries the search plugin has just made of ``page``."""
        if not self.active or search is None:
            return
        entries = getattr(getattr(search, "search_index", None), "entries", None)
        if entries is None:
            return
        # Serialised once, here: writing the index joins them (json.dumps of a list is its items'
        # dumps joined by the separator), instead of parsing and dumping the whole index each time.
        self._fresh[page.url] = ",".join(_dumps(entry) for entry in entries[self._seen :])
        self._seen = len(entries)
        self._indexed = True

    def index_alone(self, search: Any) -> None:
        """Before the search plugin writes its index: only this build's entries, since ``finish``
        writes the whole index again anyway.

        Material's search merges the entries of the pages rebuilt into the whole last index and
        writes it all (``search_index_prev``, kept under a dirty build): the index dumped twice
        after each edit, a twentieth of a rebuild after a summary edit (N = 2,000).
        """
        if self.active and self._indexed and search is not None and hasattr(search, "search_index_prev"):
            search.search_index_prev = None

    def finish(self, config: MkDocsConfig) -> None:
        """Write the whole search index, and delete what no page of this build stands for any more."""
        if not self.active:
            return
        self._search = {url: self._fresh.get(url, self._search.get(url, "")) for url in self._order}
        path = os.path.join(config.site_dir, "search", "search_index.json")
        if self._indexed and os.path.isfile(path):
            with open(path, encoding="utf-8") as index:
                text = index.read()
            docs = ",".join(entries for url in self._order if (entries := self._search[url]))
            # Material's search writes {"config":{...},"docs":[...]}, compact; in JSON text a quote
            # within a string is escaped, so the first ',"docs":[' is where its entries start.
            head, found, _ = text.partition(_DOCS)
            if found:
                text = f"{head}{_DOCS}{docs}]}}"
            else:  # written some other way: as Material's search writes it, so the index is the clean build's
                data = json.loads(text)
                data["docs"] = json.loads(f"[{docs}]")
                text = json.dumps(data, separators=(",", ":"), default=str)
            with open(path, "w", encoding="utf-8") as index:
                index.write(text)
        site = os.path.realpath(config.site_dir)
        for stale in sorted(self._written - self._current):
            if os.path.isfile(stale):
                os.unlink(stale)
            folder = os.path.dirname(stale)
            while os.path.realpath(folder).startswith(site + os.sep) and os.path.isdir(folder) and not os.listdir(folder):
                os.rmdir(folder)
                folder = os.path.dirname(folder)
        self._written, self._writing = self._current, False
