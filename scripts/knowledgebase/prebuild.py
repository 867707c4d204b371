"""MkDocs' building of the pages (the theme's templates, the plugins' page events, the HTML
written), done ahead on every core.

Once the Markdown is HTML (prerender.py), what is left of a build is MkDocs' ``_build_page``: the
theme's templates filled in for each page, Material's search indexing it on the way, the page
written. MkDocs does it one page after another, on one core: a third of ``mkdocs build`` at
N = 2,000 (7.2 of 23 s). Once every plugin has gathered what it gathers over all the pages (the
end of ``on_env``), worker processes forked from MkDocs (workers.py) run that same
``_build_page`` on the pages, each writing its page's HTML, and send back what MkDocs' own process
must still know of the page: the search entries Material's search plugin made of it, and what was
logged meanwhile.

MkDocs then goes through its pages as usual. A page a worker built is handed a template that
makes nothing (``page.meta["template"]``: its HTML is written already), so MkDocs writes nothing
and only says so (at info level, left out here); its search entries and log records are given
back in its place (``on_page_context``, before the search plugin's), so the index and the warnings
``--strict`` counts are those of MkDocs building it itself.

Only where every plugin with a page event is one whose state a worker can send back (this plugin,
Material's search and tags): a page event of any other plugin or hook may keep something from page
to page that a worker would lose, and then MkDocs builds every page itself, as it does wherever
no worker can be forked and in a dirty build (which decides by the times of the HTML the workers
would write). Anything a worker cannot do, this process does itself.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mkdocs.commands import build as mkdocs_build
from mkdocs.structure.files import InclusionLevel

from knowledgebase.workers import Record, fork_over, logs_kept, replay

if TYPE_CHECKING:
    from jinja2 import Environment, Template
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page

#: Fewer pages than this are built by MkDocs as usual: forking would cost more than it saves.
PARALLEL_FROM = 200
#: The plugins whose page events (``on_page_context``, ``on_post_page``) keep nothing from one page
#: to the next that a worker cannot send back: Material's search (its index entries, sent back),
#: Material's tags (reads what it gathered in ``on_env``), and this one (see ``on_page_context``).
KNOWN = frozenset(
    {
        "material.plugins.search.plugin.SearchPlugin",
        "material.plugins.tags.plugin.TagsPlugin",
        "knowledgebase.plugin.KnowledgeBasePlugin",
    }
)
#: The page events ``_build_page`` runs.
PAGE_EVENTS = ("page_context", "post_page")


@dataclass
class Built:
    """What a worker's build of a page leaves for MkDocs' own process: the page's search entries
    (as Material's search plugin made them) and each record logged meanwhile, in order."""

    entries: list[dict[str, Any]]
    records: list[Record]


def _name(owner: object) -> str:
    kind = type(owner)
    return f"{kind.__module__}.{kind.__qualname__}"


def _search_index(config: MkDocsConfig) -> Any | None:
    """Material's search plugin's index (whose ``entries`` a page adds to), if the plugin is on."""
    for handler in config.plugins.events["page_context"]:
        owner = getattr(handler, "__self__", None)
        if _name(owner) == "material.plugins.search.plugin.SearchPlugin" and owner.config.enabled:
            return owner.search_index
    return None


class _Quiet(logging.Filter):
    """Drops what MkDocs says of each page a worker built: that its own build made nothing of it."""

    def __init__(self, messages: set[str]) -> None:
        super().__init__()
        self.messages = messages

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() not in self.messages


#: What the workers build from: the pages, the configuration, MkDocs' list of pages, the nav, the
#: theme's environment, and the search plugin's index.
_Working = tuple[list["Page"], "MkDocsConfig", list["File"], "Navigation", "Environment", Any]


class Prebuilt:
    """The pages of one build that workers built, until MkDocs has gone through them."""

    def __init__(self) -> None:
        self._built: dict[str, Built] = {}  # by the page's source path
        #: The page's own front matter and HTML, while MkDocs goes through it.
        self._kept: dict[str, tuple[dict[str, Any], str | None]] = {}
        self._quiet: _Quiet | None = None
        self._template: Template | None = None
        self._search: Any | None = None  # Material's search plugin's index

    def build(self, config: MkDocsConfig, files: Files, nav: Navigation, env: Environment, *, serving: bool) -> int:
        """Build in worker processes every page MkDocs will build (see the module); the number built."""
        self.finish()
        if any(_name(getattr(h, "__self__", None)) not in KNOWN for event in PAGE_EVENTS for h in config.plugins.events[event]):
            return 0
        # The pages MkDocs' build will go through, as it lists them (get_context hands the list to the templates).
        doc_files = files.documentation_pages(inclusion=InclusionLevel.is_in_serve if serving else InclusionLevel.is_included)
        # Not a page whose place a static file or template also takes: MkDocs writes those first, and the page over them.
        taken = {f.abs_dest_path for f in files if not f.is_documentation_page()}
        taken.update(os.path.join(config.site_dir, t) for t in (*config.theme.static_templates, *config.extra_templates))
        pages = [
            f.page
            for f in doc_files
            if f.page is not None and f.inclusion.is_included() and f.abs_dest_path not in taken and f.page.content is not None
        ]
        if len(pages) < PARALLEL_FROM:
            return 0
        search = _search_index(config)
        made = fork_over((pages, config, doc_files, nav, env, search), _build, len(pages), "building the pages")
        if made is None:
            return 0
        self._template, self._search = env.from_string(""), search
        for page, built in zip(pages, made, strict=True):
            if built is not None:
                self._built[page.file.src_uri] = built
        skipped = {f"Page skipped: '{uri}'. Generated empty output." for uri in self._built}
        self._quiet = _Quiet(skipped)
        logging.getLogger(mkdocs_build.__name__).addFilter(self._quiet)
        for page in pages:
            if page.file.src_uri in self._built:
                # Fetched by MkDocs before the page events: the page's own comes back in ``done``.
                self._kept[page.file.src_uri] = (page.meta, page.content)
                page.meta = {**page.meta, "template": self._template}
        return len(self._built)

    def context(self, page: Page) -> None:
        """Before the search plugin indexes ``page``: a page a worker built gets the entries the
        worker's search plugin made, and nothing for this one's to index, and its log records."""
        built = self._built.pop(page.file.src_uri, None)
        if built is None:
            return
        replay(built.records)
        if self._search is not None:
            self._search.entries.extend(built.entries)
        page.content = ""  # the search plugin's parser finds no section in it

    def done(self, page: Page) -> None:
        """After MkDocs has gone through ``page``: its own front matter and HTML back."""
        kept = self._kept.pop(page.file.src_uri, None)
        if kept is None:
            return
        page.meta, page.content = kept

    def finish(self) -> None:
        """The build is over (or failed): nothing of it is kept."""
        if self._quiet is not None:
            logging.getLogger(mkdocs_build.__name__).removeFilter(self._quiet)
        self._built, self._kept, self._quiet, self._template, self._search = {}, {}, None, None, None


def _build(working: _Working, index: int) -> Built | None:
    """A worker's build of one page: MkDocs' own ``_build_page``, which writes its HTML."""
    pages, config, doc_files, nav, env, search = working
    page = pages[index]
    before = len(search.entries) if search is not None else 0
    with logs_kept() as records:
        try:
            mkdocs_build._build_page(page, config, doc_files, nav, env)
        except Exception:  # noqa: BLE001 - built again by the build's process, which reports it there
            return None
    if any(message.startswith("Page skipped: ") for _name, _level, message in records):
        return None  # MkDocs' own process says so, building it again
    entries: list[dict[str, Any]] = []
    if search is not None:
        entries = search.entries[before:]
        del search.entries[before:]  # sent back: the worker need not hold the whole index
    return Built(entries, records)


__all__ = ["PARALLEL_FROM", "Prebuilt"]
