"""Where the sources are, where the generated pages go and where the site is published, read
from ``mkdocs.yml``.

``kb`` run on its own (before ``zensical build``, say) and the MkDocs plugin must agree on
every path, so both take them from the same place: the ``knowledgebase`` plugin's options,
``docs_dir``, and the site's fields (``site_url`` and ``repo_url``, which the deployment sets
through ``!ENV``; ``extra.licence``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml_env_tag import construct_env_tag


class _LenientLoader(yaml.SafeLoader):
    """Reads mkdocs.yml even where it uses tags such as !!python/name; !ENV as MkDocs reads it."""


_LenientLoader.add_multi_constructor("", lambda loader, suffix, node: None)
# site_url and repo_url come from the environment in the deployment (scripts/build-site.sh).
_LenientLoader.add_constructor("!ENV", construct_env_tag)

DEFAULTS = {
    "content_dir": "content",
    "bibliography_dir": "bibliography",
    "snippets_dir": "build/snippets",
    "templates_dir": "",
    "repo_branch": "main",
}


@dataclass(frozen=True)
class Licence:
    """The licence of the knowledge base's content (``extra.licence`` in mkdocs.yml)."""

    name: str  # as readers see it: "CC BY 4.0"
    url: str  # the licence's deed
    spdx: str  # its SPDX identifier: "CC-BY-4.0"

    @classmethod
    def from_extra(cls, extra: Any) -> Licence | None:
        found = extra.get("licence") if isinstance(extra, Mapping) else None  # MkDocs gives a UserDict
        if not isinstance(found, Mapping) or not found.get("name") or not found.get("url"):
            return None
        return cls(str(found["name"]), str(found["url"]), str(found.get("spdx") or found["name"]))


@dataclass(frozen=True)
class Settings:
    root: Path
    content_dir: Path
    bibliography_dir: Path
    docs_dir: Path
    snippets_dir: Path
    templates_dir: Path | None = None
    site_name: str = "Open Source AI Knowledge Base"
    site_url: str = ""
    repo_url: str = ""
    #: The branch the site is built from, for the links that edit an entry's source.
    repo_branch: str = "main"
    licence: Licence | None = None

    @property
    def pages_dir(self) -> Path:
        return self.content_dir / "pages"

    @classmethod
    def from_options(
        cls, root: Path, docs_dir: str | Path, options: dict[str, Any], site: dict[str, Any] | None = None
    ) -> Settings:
        root = Path(root).resolve()
        merged = {**DEFAULTS, **{k: v for k, v in options.items() if v is not None}}
        site = site or {}
        return cls(
            root=root,
            content_dir=root / merged["content_dir"],
            bibliography_dir=root / merged["bibliography_dir"],
            docs_dir=root / docs_dir,
            snippets_dir=root / merged["snippets_dir"],
            templates_dir=(root / merged["templates_dir"]) if merged["templates_dir"] else None,
            site_name=str(site.get("site_name") or cls.site_name),
            site_url=str(site.get("site_url") or ""),
            repo_url=str(site.get("repo_url") or ""),
            repo_branch=str(merged["repo_branch"]),
            licence=Licence.from_extra(site.get("extra")),
        )

    @classmethod
    def from_mkdocs_yml(cls, config_file: Path) -> Settings:
        config_file = Path(config_file).resolve()
        with open(config_file, encoding="utf-8") as handle:
            config = yaml.load(handle, Loader=_LenientLoader) or {}
        options: dict[str, Any] = {}
        for plugin in config.get("plugins") or []:
            if isinstance(plugin, dict) and "knowledgebase" in plugin:
                options = plugin["knowledgebase"] or {}
        return cls.from_options(config_file.parent, config.get("docs_dir", "docs"), options, config)
