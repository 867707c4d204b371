"""The ``knowledgebase`` MkDocs plugin: runs the same build as ``kb build`` before every build.

It holds no logic of its own, so the generated Markdown is the same whether MkDocs, Zensical
(which runs no MkDocs plugins) or anything else turns it into a site.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority

from .config import KnowledgeBaseConfig
from .pipeline import build
from .preview import IncrementalPreview
from .settings import Settings

log = logging.getLogger(f"mkdocs.plugins.{__name__}")


class KnowledgeBasePlugin(BasePlugin[KnowledgeBaseConfig]):
    def __init__(self) -> None:
        self.settings: Settings | None = None
        self.preview = IncrementalPreview()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        root = Path(config.config_file_path).resolve().parent
        docs_dir = Path(config.docs_dir).resolve()
        self.settings = Settings.from_options(root, docs_dir, dict(self.config), config)
        return config

    def on_pre_build(self, config: MkDocsConfig) -> None:
        # Runs before MkDocs cleans site_dir or reads docs_dir: bad sources stop the build
        # here, and the site built last time stays as it was.
        assert self.settings is not None
        start = time.perf_counter()
        loaded = build(self.settings)
        errors = loaded.diagnostics.sorted()
        for diagnostic in errors:
            log.error(str(diagnostic))
        if loaded.diagnostics.errors:
            count = len(loaded.diagnostics.errors)
            raise PluginError(f"{count} error{'s' if count != 1 else ''} in the knowledge base sources; the site was not built")
        log.info("knowledgebase: %d entries rendered in %.2f s", len(loaded.graph.entries), time.perf_counter() - start)

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

    # --- the incremental preview (`mkdocs serve --dirty`, preview.py) ---------------------------
    # Defining on_startup also keeps this plugin, and so the preview's state, across rebuilds.

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.preview.start(command, dirty)

    def on_files(self, files, config: MkDocsConfig):  # noqa: ANN001, ANN201 - MkDocs' own signature
        self.preview.files(files, config)
        return files

    @event_priority(110)  # before Material's tags plugin (100) gathers its listing
    def on_env(self, env, config: MkDocsConfig, files):  # noqa: ANN001, ANN201 - MkDocs' own signature
        self.preview.read_unchanged(config, files)
        return env

    @event_priority(-100)  # after the search plugin has indexed the page
    def on_page_context(self, context, page, config: MkDocsConfig, nav):  # noqa: ANN001, ANN201
        self.preview.rendered(page, config.plugins.get("material/search") or config.plugins.get("search"))
        return context

    @event_priority(-100)  # after the search plugin has written its index
    def on_post_build(self, config: MkDocsConfig) -> None:
        self.preview.finish(config)

    def on_build_error(self, error: Exception) -> None:
        self.preview.failed(error)
