"""MkDocs' own rendering of the Markdown pages, done ahead on every core.

Turning each page's Markdown into HTML (``Page.render``: Python-Markdown and its extensions, the
glossary abbreviations among them) is more than half of what MkDocs spends on a site of thousands
of pages, and MkDocs does it one page after another, on one core. Before MkDocs reads the pages
(``on_nav``), worker processes forked from it (workers.py) read each page and call that same
``Page.render`` on it; the page's own ``read_source`` and ``render`` (``PrerenderedPage``) then
take what its worker read and made instead of doing it again. Only if the page's source and its
Markdown are what the worker read and rendered: a plugin that changes a page's Markdown
(``on_page_markdown``) has it rendered here, as before.

The site is the same either way: the worker runs MkDocs' code on a fork of this process (the same
configuration, the same files), and what it logged is logged here, in its place, so that
``--strict`` counts it. Anything a worker cannot do, this process does itself.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mkdocs.structure.files import InclusionLevel, set_exclusions
from mkdocs.structure.pages import Page
from mkdocs.utils import meta

from knowledgebase.workers import Record, can_fork, fork_over, logs_kept, replay

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import File, Files

#: Fewer pages than this are rendered by MkDocs as usual: forking would cost more than it saves.
PARALLEL_FROM = 200
#: What ``Page.render`` sets (MkDocs 1.6): a worker whose render set anything else gives its page back.
RENDERED = frozenset({"content", "toc", "_title_from_render", "present_anchor_ids", "links_to_anchors"})


@dataclass
class Rendered:
    """What a worker read of a page and its ``Page.render`` made of it, and what it logged meanwhile."""

    #: The digest of the source it read (``_text_digest``), and the Markdown and front matter read from it.
    source: bytes
    markdown: str
    meta: dict[str, Any]
    #: The digest of the Markdown it rendered, and of where the page goes (``_digest``).
    digest: bytes
    #: The attributes render() set; links_to_anchors keyed by the linked file's src_uri.
    attributes: dict[str, Any]
    #: Each record logged, in order.
    records: list[Record]


class PrerenderedPage(Page):
    """A page whose ``read_source`` takes what a worker read of the same source, and whose ``render``
    takes the HTML a worker made of the same Markdown (``prerender``)."""

    rendered: Rendered | None = None

    def read_source(self, config: MkDocsConfig) -> None:
        done = self.rendered
        if done is None:
            super().read_source(config)
            return
        source = config.plugins.on_page_read_source(page=self, config=config)
        if source is None:
            try:
                source = self.file.content_string  # as MkDocs reads it
            except (OSError, ValueError):  # MkDocs says what went wrong (the plugins asked again: none had it)
                super().read_source(config)
                return
        if _text_digest(source) == done.source:
            # Parsing each page's front matter (its citation data) was three quarters of what MkDocs
            # spent reading the pages once their HTML was made in the workers.
            self.markdown, self.meta = done.markdown, done.meta
        else:
            self.markdown, self.meta = meta.get_data(source)

    def render(self, config: MkDocsConfig, files: Files) -> None:
        done, self.rendered = self.rendered, None  # let go of once used
        if done is None or self.markdown is None or done.digest != _digest(self):
            super().render(config, files)
            return
        replay(done.records)
        for name, value in done.attributes.items():
            if name == "links_to_anchors" and value is not None:
                value = {files.get_file_from_path(uri): links for uri, links in value.items()}
            setattr(self, name, value)


def make_pages(files: Files, config: MkDocsConfig) -> int:
    """Give each documentation page MkDocs would make a ``PrerenderedPage`` instead, with the title
    mkdocs.yml's nav gives it (MkDocs' nav takes a file's page as it finds it); the number made.

    Called last in ``on_files``: the pages are made just as MkDocs' ``get_navigation`` would make them.
    """
    # Not where no worker can be forked (a rebuild of `mkdocs serve`, whose server has threads).
    if not can_fork():
        return 0
    # An extension given as an object (a plugin's, added in on_config) may keep what it sees from
    # page to page, for its plugin to use: in a worker, that would be lost. By name, each page gets its own.
    if not all(isinstance(extension, str) for extension in config.markdown_extensions):
        return 0
    set_exclusions(files, config)  # as MkDocs does after on_files: pages only for files it includes
    pages = [file for file in files.documentation_pages() if file.page is None]
    if len(pages) < PARALLEL_FROM:
        return 0
    titles = nav_titles(config.nav, files, config)
    for file in pages:
        PrerenderedPage(titles.get(file.src_uri), file, config)  # sets file.page
    return len(pages)


def nav_titles(nav: object, files: Files, config: MkDocsConfig) -> dict[str, str | None]:
    """The title mkdocs.yml's nav gives each file, where it first names it (MkDocs' ``_data_to_navigation``)."""
    titles: dict[str, str | None] = {}
    # MkDocs' own (private) enum: its name, not its value, says a leading "/" is the docs folder.
    relative_to_docs = getattr(config.validation.nav.absolute_links, "name", None) == "RELATIVE_TO_DOCS"

    def walk(item: object, title: str | None = None) -> None:
        if isinstance(item, list):
            for child in item:
                walk(child)
        elif isinstance(item, dict):
            for key, value in item.items():
                walk(value, key if isinstance(value, str) else None)
        elif isinstance(item, str):
            path = item.lstrip("/") if item.startswith("/") and relative_to_docs else item
            file = files.get_file_from_path(path)
            if file is not None:
                titles.setdefault(file.src_uri, title)

    walk(nav or [])
    return titles


#: What the workers render from: the pages, the configuration, the files.
_Working = tuple[list[PrerenderedPage], "MkDocsConfig", "Files"]


def prerender(files: Files, config: MkDocsConfig, dirty: bool = False) -> int:
    """Render every ``PrerenderedPage`` MkDocs will render in worker processes (``dirty``: only
    those whose source is newer than their HTML); the number rendered (0 if none could be)."""
    pages = [
        file.page
        for file in files.documentation_pages(inclusion=InclusionLevel.is_included)
        if isinstance(file.page, PrerenderedPage) and (not dirty or file.is_modified())
    ]
    if len(pages) < PARALLEL_FROM:
        return 0
    made = fork_over((pages, config, files), _render, len(pages), "rendering the Markdown pages")
    if made is None:
        return 0
    for page, rendered in zip(pages, made, strict=True):
        page.rendered = rendered
    return sum(rendered is not None for rendered in made)


def _digest(page: Page) -> bytes:
    """What the HTML of a page depends on that a plugin may change after the worker's render: its
    Markdown (``on_page_markdown``) and where it goes (links are made relative to it)."""
    assert page.markdown is not None
    return _text_digest("\0".join((page.markdown, page.file.url, page.file.dest_uri)))


def _text_digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _render(working: _Working, index: int) -> Rendered | None:
    """A worker's render of one page: what MkDocs' ``_populate_page`` does up to ``render``, less
    the plugins' ``on_pre_page`` and ``on_page_markdown`` (whose effects this process would lose)."""
    pages, config, files = working
    page = pages[index]
    config._current_page = page
    # What the page logs is kept, to be logged by the build's own process in its place.
    with logs_kept() as records:
        try:
            # Page.read_source, keeping the source: its digest tells the build's process it read the same.
            source = config.plugins.on_page_read_source(page=page, config=config)
            if source is None:
                source = page.file.content_string
            page.markdown, page.meta = meta.get_data(source)
            read = (_text_digest(source), page.markdown, page.meta)
            before = dict(vars(page))
            Page.render(page, config, files)
            changed = {name for name, value in vars(page).items() if name not in before or before[name] is not value}
        except Exception:  # noqa: BLE001 - rendered again by the build's process, which reports it there
            return None
        finally:
            config._current_page = None
    if not changed <= RENDERED:
        return None
    attributes = {name: getattr(page, name) for name in changed}
    links: dict[File, Any] | None = attributes.get("links_to_anchors")
    if links is not None:
        attributes["links_to_anchors"] = {file.src_uri: anchors for file, anchors in links.items()}
    return Rendered(*read, _digest(page), attributes, records)


__all__ = ["PARALLEL_FROM", "PrerenderedPage", "make_pages", "nav_titles", "prerender"]
