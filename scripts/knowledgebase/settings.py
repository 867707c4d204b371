"""Where the sources are and where the generated pages go, read from ``mkdocs.yml``.

``kb`` run on its own (before ``zensical build``, say) and the MkDocs plugin must agree on
every path, so both take them from the same place: the ``knowledgebase`` plugin's options
and ``docs_dir`` in ``mkdocs.yml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


class _LenientLoader(yaml.SafeLoader):
    """Reads mkdocs.yml even where it uses tags such as !!python/name or !ENV."""


_LenientLoader.add_multi_constructor("", lambda loader, suffix, node: None)

DEFAULTS = {
    "content_dir": "content",
    "bibliography_dir": "bibliography",
    "snippets_dir": "build/snippets",
    "templates_dir": "",
}


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
