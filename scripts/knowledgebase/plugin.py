"""The ``knowledgebase`` MkDocs plugin: runs the same build as ``kb build`` before every build.

It holds no logic of its own, so the generated Markdown is the same whether MkDocs, Zensical
(which runs no MkDocs plugins) or anything else turns it into a site. Invalid sources fail
``mkdocs build``; ``mkdocs serve`` keeps serving the last good site with the errors on every
page (see ``preview``), because MkDocs' server stops answering while a build fails.

``mkdocs build`` runs ``kb build`` in a forked child process (on Linux): the generator's
memory (the graph, every page) is handed back to the system before MkDocs starts on the pages,
instead of staying in MkDocs' heap, where at N = 2,000 it added a fifth to the build's peak.
The child hands the pages over before writing the docs folder, and MkDocs reads them meanwhile
(``handover``). Then MkDocs' own rendering of the pages' Markdown is done ahead on every core
(``prerender``), and so is its building of the pages (``prebuild``).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority

from knowledgebase import handover
from knowledgebase.config import KnowledgeBaseConfig
from knowledgebase.diagnostics import Diagnostics
from knowledgebase.handover import Handover, planned_files, source_text
from knowledgebase.model.schema import entry_types
from knowledgebase.navigation import section_page, with_sections
from knowledgebase.pipeline import Ready, build
from knowledgebase.prebuild import Prebuilt
from knowledgebase.prerender import make_pages, prerender
from knowledgebase.publish.ownership import check_site, claim_site, record_site
from knowledgebase.render.environment import compile_ahead, compiled_for
from knowledgebase.render.reuse import Reuse
from knowledgebase.serve.incremental import IncrementalPreview
from knowledgebase.settings import Settings
from knowledgebase.sources.reader import gc_paused, keep_reads

if TYPE_CHECKING:
    from jinja2 import Environment
    from mkdocs.structure.files import Files

    from knowledgebase.serve.preview import Preview

log = logging.getLogger(f"mkdocs.plugins.{__name__}")


@dataclass
class Built:
    """What the plugin reports of one ``kb build``: its findings, its entries, those a shallow clone cut."""

    diagnostics: Diagnostics
    entries: int
    shallow: int
    #: Entry pages rendered again (the others were the last build's, render/reuse.py).
    rendered: int = 0
    #: How long the build took, writing the docs folder included.
    seconds: float = 0.0


def build_here(settings: Settings, reuse: Reuse | None = None, ready: Ready | None = None) -> Built:
    start = time.perf_counter()
    reuse = reuse if reuse is not None else Reuse()  # a new one starts from what the last build stored
    loaded = build(settings, reuse, ready)
    shallow = len(loaded.dates.shallow) if loaded.ok else 0
    rendered = reuse.rendered if loaded.ok else 0
    return Built(loaded.diagnostics, len(loaded.graph.entries), shallow, rendered, time.perf_counter() - start)


class BuildApart:
    """``build_here`` in a forked child, so that everything the build held goes back to the system.

    The child answers twice if it gets as far as writing the docs folder: first what the folder
    will hold (a ``Handover``, so that MkDocs reads the pages meanwhile: handover.py), then, once
    written, what the build found (``Built``); otherwise once, with what it found.

    Where there is no fork to rely on (Windows; macOS, where forking is unsafe), and should the
    child fail in any way, the build runs here instead: the same findings, the same exceptions.
    """

    def __init__(self, settings: Settings, hand_over: bool) -> None:
        self.settings = settings
        self._receive: Connection | None = None
        if sys.platform != "linux":
            return
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        for stream in (sys.stdout, sys.stderr):
            stream.flush()  # else the child's copy of what is buffered would be written twice
        # Not a daemon: a daemon process may not start processes, and the build formats citeproc-py's
        # references and renders its pages in worker processes of its own (workers.py). Joined in finish().
        self._child = context.Process(target=_build_child, args=(settings, send, hand_over), daemon=False)
        self._child.start()
        send.close()

    def first(self, meanwhile: Callable[[Callable[[], bool]], None] | None = None) -> Built | Handover:
        """The child's first answer. ``meanwhile``, if given, is work of this process's own to do
        while the child builds; it is given a function that says whether the child has answered
        (then it should stop)."""
        if self._receive is None:
            return build_here(self.settings)
        if meanwhile is not None:
            try:
                meanwhile(self._receive.poll)
            except Exception:  # noqa: BLE001 - work done ahead only; done again where it is needed, failing there
                log.debug("knowledgebase: the work done while the build ran failed", exc_info=True)
        answer = self._answer()
        if isinstance(answer, Handover):
            answer = handover.receive(self._receive, answer)  # its pages come in batches
        return answer if isinstance(answer, Handover) else self.finish(answer)

    def finish(self, answer: object = None) -> Built:
        """What the build found, once the child is done (and the docs folder written)."""
        if self._receive is None:
            return build_here(self.settings)
        if answer is None:
            answer = self._answer()
        self._receive.close()
        self._child.join()
        self._receive = None
        return answer if isinstance(answer, Built) else build_here(self.settings)

    def abandon(self) -> None:
        """Wait for the child to end, whatever it answers (MkDocs failed: nothing is to be reported)."""
        if self._receive is not None:
            self._answer()  # read, so that the child is not left waiting to send it
            self._receive.close()
            self._child.join()
            self._receive = None

    def _answer(self) -> object:
        assert self._receive is not None
        try:
            return self._receive.recv()
        except EOFError:  # the child died before it could answer
            return None


def _build_child(settings: Settings, send: Connection, hand_over: bool) -> None:
    def ready(files: dict[str, bytes], paths: list[str]) -> None:
        handover.send(send, files, paths)

    try:
        built = build_here(settings, ready=ready if hand_over else None)
    except BaseException:  # answered by the build run again in the parent, which raises it there
        built = None
    send.send(built)
    send.close()


class KnowledgeBasePlugin(BasePlugin[KnowledgeBaseConfig]):
    def __init__(self) -> None:
        self.settings: Settings | None = None
        self.serving = self.dirty = False
        #: While serving invalid sources: the errors shown on the last good site.
        self.preview: Preview | None = None
        #: The errors the pages of the last build show, for `mkdocs serve --dirty` (see on_files).
        self.shown: object = None
        #: What `mkdocs serve --dirty` must rebuild though its Markdown is the same (incremental.py).
        self.incremental = IncrementalPreview()
        #: The pages of the last build that the preview's next build need not render again (render/reuse.py).
        self.reuse = Reuse(remember=True)
        #: While `mkdocs build` reads the pages that its build child is writing (handover.py).
        self.apart: BuildApart | None = None
        self.handover: Handover | None = None
        #: The pages of this build that worker processes built (prebuild.py), and the nav they were built with.
        self.prebuilt = Prebuilt()
        self.nav: object = None

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        # Also keeps this plugin object for every rebuild of one `mkdocs serve`.
        self.serving, self.dirty = command == "serve", dirty
        self.incremental.start(command, dirty)
        if self.serving:  # every rebuild reads every source: what each read to is kept while its bytes stay
            keep_reads()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        root = Path(config.config_file_path).resolve().parent
        # As written in mkdocs.yml (not resolved), so that a message can say "build/docs (a link to ...)".
        docs_dir = os.path.relpath(config.docs_dir, os.path.dirname(os.path.abspath(config.config_file_path)))
        self.settings = Settings.from_options(root, docs_dir, dict(self.config), config, config.config_file_path)
        # Here, before any on_pre_build: MkDocs empties site_dir right after those, so a site_dir
        # that holds sources (or anything not built) must be refused now, with nothing touched.
        # (`mkdocs serve` builds into a new temporary folder of its own: nothing there to protect.)
        if not self.serving:
            check_site(self.settings)
        # A section mkdocs.yml's nav lacks (a type added with only its schema) is placed by its x-kb.nav.
        config.nav, added = with_sections(config.nav, entry_types().values())
        for kind in added:
            log.info(
                "knowledgebase: the nav has no %s; added '%s' as its schema's x-kb.nav says", section_page(kind), kind.nav.title
            )
        return config

    def on_pre_build(self, config: MkDocsConfig) -> None:
        # Runs before MkDocs cleans site_dir or reads docs_dir: bad sources stop the build
        # here, and the site built last time stays as it was.
        assert self.settings is not None
        self.handover = self.apart = None
        if self.serving:  # mkdocs serve builds here: its incremental preview keeps what each build learnt
            # Without the collector: in a process that holds the whole site, its passes over what
            # the build allocates were a tenth of a rebuild after a summary edit (N = 2,000).
            self.report(gc_paused(build_here)(self.settings, self.reuse), config)
            return
        # mkdocs build apart, compiling the theme's templates meanwhile (see on_env). Unless it only
        # rebuilds what changed (--dirty: by the files' times), it reads the pages as the child
        # writes them (handover.py).
        language = str(config.theme.get("language") or "en")
        self.apart = BuildApart(self.settings, hand_over=not self.dirty)
        answer = self.apart.first(lambda stop: compile_ahead(config.theme.get_env(), language, stop))
        if isinstance(answer, Handover):
            self.handover = answer  # what the build found comes once the folder is written (on_env)
        else:
            self.apart = None
            self.report(answer, config)

    def report(self, built: Built, config: MkDocsConfig) -> None:
        """Log what the build found; stop MkDocs (PluginError) on an error, except while serving."""
        assert self.settings is not None
        errors = built.diagnostics.sorted()
        self.preview = None
        count = len(built.diagnostics.errors)
        counted = f"{count} error{'s' if count != 1 else ''} in the knowledge base sources"
        if count and self.serving:
            from knowledgebase.serve.preview import prepare

            # Logged below warning level: in strict mode MkDocs would count them and fail the
            # build, and a failed build freezes the server until the sources are fixed.
            for diagnostic in errors:
                log.info(str(diagnostic))
            log.info("knowledgebase: %s; serving the last good site, with the errors on every page", counted)
            self.preview = prepare(self.settings, config, errors)
            return
        # While serving, warnings too are logged below warning level (each line still says
        # "warning:"): in strict mode MkDocs would fail the rebuild for them and the server would wait.
        warn = log.info if self.serving else log.warning
        for diagnostic in errors:
            (warn if diagnostic.severity == "warning" else log.error)(str(diagnostic))
        if count:
            raise PluginError(f"{counted}; the site was not built")
        log.info(
            "knowledgebase: %d entries, %d of their pages rendered again, in %.2f s",
            built.entries,
            built.rendered,
            built.seconds,
        )
        cut = built.shallow
        if cut:  # info, not a warning: --strict would stop the build, and the site is still right
            log.info(
                "knowledgebase: a shallow clone: the first publication of %d entries is not in the history fetched, and the "
                "entries not changed since fall back to SOURCE_DATE_EPOCH; fetch the whole history (git fetch --unshallow, "
                "or fetch-depth: 0 in actions/checkout)",
                cut,
            )

    def _on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        if self.settings is not None and not self.serving:
            # MkDocs has emptied site_dir (or a failed build left it as it was): now it becomes ours.
            claim_site(self.settings)
        shown = self.preview.context() if self.preview else None
        if self.dirty and shown != self.shown:
            from knowledgebase.serve.preview import mark_stale

            # A dirty build renders only pages whose Markdown changed; the banner is on all of them.
            mark_stale(files)
        self.shown = shown
        if self.handover is not None:  # the docs folder as the child is writing it
            files = planned_files(self.handover, files, config)
        self.incremental.files(files, config)
        if self.preview is None:
            return files
        from knowledgebase.serve.preview import add_placeholders

        return add_placeholders(self.preview, files, config)

    @event_priority(-100)  # once every plugin has its files: the pages MkDocs' nav would make
    def _on_files_pages(self, files: Files, *, config: MkDocsConfig) -> Files:
        # MkDocs renders its pages' Markdown on every core (prerender.py): in `mkdocs build`, and in
        # the first build of `mkdocs serve` (its rebuilds run beside the server's threads: no fork).
        make_pages(files, config)
        return files

    on_files = CombinedEvent(_on_files, _on_files_pages)

    @event_priority(-100)  # once every plugin has changed the nav: MkDocs reads the pages next
    def on_nav(self, nav, *, config: MkDocsConfig, files: Files):  # noqa: ANN001, ANN201 - MkDocs' Navigation
        rendered = prerender(files, config, dirty=self.dirty)
        if rendered:
            log.info("knowledgebase: %d pages' Markdown rendered in worker processes, one per core", rendered)
        self.nav = nav  # the nav MkDocs builds the pages with (on_env)
        return nav

    @event_priority(100)  # before the search plugin writes its index
    def _on_post_build_index(self, config: MkDocsConfig) -> None:
        self.incremental.index_alone(self._search(config))

    @event_priority(-100)  # after every other plugin's files (the search index) are written
    def _on_post_build(self, config: MkDocsConfig) -> None:
        self.prebuilt.finish()
        self.incremental.finish(config)  # the whole search index; no page of a deleted entry
        # What MkDocs wrote into site_dir, so that the next build refuses to empty anything else.
        if self.settings is not None and not self.serving:
            record_site(self.settings)

    on_post_build = CombinedEvent(_on_post_build_index, _on_post_build)

    @staticmethod
    def _search(config: MkDocsConfig) -> object:
        """The search plugin (Material's), if the site has it."""
        return config.plugins.get("material/search") or config.plugins.get("search")

    def on_page_read_source(self, *, page, config: MkDocsConfig) -> str | None:  # noqa: ANN001 - MkDocs' Page
        if self.handover is None:
            return None
        data = self.handover.pages.pop(page.file.src_uri, None)  # let go of once read
        return None if data is None else source_text(data)

    @event_priority(110)  # before Material's tags plugin (100) gathers its listing
    def _on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        if self.apart is not None:
            # MkDocs copies the docs folder's other files next: it must be written by now.
            apart, self.apart, self.handover = self.apart, None, None
            self.report(apart.finish(), config)
        # Read by overrides/partials/kb-preview.html on every page, the 404 page included.
        env.globals["kb_preview"] = self.preview.context() if self.preview else None
        if env.bytecode_cache is None:
            # MkDocs makes the theme's environment again for every rebuild, and Jinja2 compiled
            # Material's templates again each time: a fifth of a rebuild after a summary edit.
            # (A build finds here what compile_ahead compiled while the knowledge base was built.)
            env.bytecode_cache = compiled_for(env)
        self.incremental.read_unchanged(config, files)
        return env

    @event_priority(-100)  # once every plugin has gathered what it gathers over all the pages
    def _on_env_pages(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        # MkDocs builds its pages on every core (prebuild.py): not in a dirty build, which decides
        # which pages to build by the times of the HTML the workers would write.
        nav, self.nav = self.nav, None  # not held from one build of `mkdocs serve` to the next
        if not self.dirty and nav is not None:
            built = self.prebuilt.build(config, files, nav, env, serving=self.serving)  # type: ignore[arg-type]
            if built:
                log.info("knowledgebase: %d pages built in worker processes, one per core", built)
        return env

    on_env = CombinedEvent(_on_env, _on_env_pages)

    @event_priority(100)  # before any other plugin changes the page's Markdown or front matter
    def on_page_markdown(self, markdown: str, *, page, config: MkDocsConfig, files: Files) -> str:  # noqa: ANN001
        self.incremental.read(page)
        return markdown

    @event_priority(100)  # before the search plugin indexes the page
    def _on_page_context_built(self, context, page, config: MkDocsConfig, nav):  # noqa: ANN001, ANN201
        self.prebuilt.context(page)  # a page a worker built: its search entries, and what was logged
        return context

    @event_priority(-100)  # after the search plugin has indexed the page
    def _on_page_context_indexed(self, context, page, config: MkDocsConfig, nav):  # noqa: ANN001, ANN201
        self.incremental.rendered(page, self._search(config))
        return context

    on_page_context = CombinedEvent(_on_page_context_built, _on_page_context_indexed)

    @event_priority(-100)  # after every other plugin's (prebuild.py allows none)
    def on_post_page(self, output: str, *, page, config: MkDocsConfig) -> str:  # noqa: ANN001 - MkDocs' Page
        self.prebuilt.done(page)
        return output

    def on_build_error(self, error: Exception) -> None:
        self.prebuilt.finish()
        self.incremental.failed(error)
        if self.apart is not None:  # MkDocs failed while the child wrote the docs folder: let it finish
            apart, self.apart, self.handover = self.apart, None, None
            apart.abandon()

    def on_serve(self, server, config: MkDocsConfig, builder):  # noqa: ANN001 - MkDocs' own signature
        # Editing a YAML or BibTeX file must rebuild the site, like editing a page does.
        assert self.settings is not None
        for folder in (self.settings.content_dir, self.settings.bibliography_dir):
            if folder.is_dir():
                server.watch(str(folder))
        # Every file in docs_dir is written by the build from the folders watched above, so the
        # watch MkDocs keeps on docs_dir only saw our own writes and rebuilt each edit twice.
        try:
            server.unwatch(config.docs_dir)
        except KeyError:
            pass  # not watched (an older or newer MkDocs): nothing to undo
        return server
