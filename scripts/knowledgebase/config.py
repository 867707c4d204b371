"""Options of the ``knowledgebase`` MkDocs plugin."""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c

from knowledgebase.settings import DEFAULTS


class KnowledgeBaseConfig(base.Config):
    #: Folder of the YAML entries (content/<type>/<id>.yaml) and hand-written pages (content/pages).
    content_dir = c.Type(str, default=DEFAULTS["content_dir"])
    #: Folder of the *.bib files.
    bibliography_dir = c.Type(str, default=DEFAULTS["bibliography_dir"])
    #: No longer written (each page carries its own glossary definitions: tooltips.py); still
    #: accepted and checked so that existing mkdocs.yml files keep working. Due to be removed.
    snippets_dir = c.Type(str, default=DEFAULTS["snippets_dir"])
    #: Optional folder of Jinja2 templates that replace the built-in ones of the same name.
    templates_dir = c.Type(str, default=DEFAULTS["templates_dir"])
    #: The branch the site is published from: "Edit this entry" opens the source there.
    repo_branch = c.Type(str, default=DEFAULTS["repo_branch"])
