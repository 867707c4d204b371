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
from mkdocs.plugins import BasePlugin

from .config import KnowledgeBaseConfig
from .history import stamps
from .pipeline import build
from .settings import Settings

log = logging.getLogger(f"mkdocs.plugins.{__name__}")


class KnowledgeBasePlugin(BasePlugin[KnowledgeBaseConfig]):
    def __init__(self) -> None:
        self.settings: Settings | None = None

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
        cut = stamps(loaded.graph, self.settings).shallow
        if cut:  # info, not a warning: --strict would stop the build, and the site is still right
            log.info(
                "knowledgebase: a shallow clone: the first publication of %d entries is not in the history fetched, and the "
                "entries not changed since fall back to SOURCE_DATE_EPOCH; fetch the whole history (git fetch --unshallow, "
                "or fetch-depth: 0 in actions/checkout)",
                len(cut),
            )

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
