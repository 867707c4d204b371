"""Where the sources are, where the generated pages go and where the site is published, read
from ``mkdocs.yml``.

``kb`` run on its own (before ``zensical build``, say) and the MkDocs plugin must agree on
every path, so both take them from the same place: the ``knowledgebase`` plugin's options,
``docs_dir`` and ``site_dir``, and the site's fields (``site_url`` and ``repo_url``, which the
deployment sets through ``!ENV``; ``extra.licence``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml_env_tag import construct_env_tag


class LenientLoader(yaml.SafeLoader):
    """Reads mkdocs.yml even where it uses tags such as !!python/name; !ENV as MkDocs reads it."""


LenientLoader.add_multi_constructor("", lambda loader, suffix, node: None)
# site_url and repo_url come from the environment in the deployment (scripts/build-site.sh).
LenientLoader.add_constructor("!ENV", construct_env_tag)

DEFAULTS = {
    "content_dir": "content",
    "bibliography_dir": "bibliography",
    "snippets_dir": "build/snippets",
    "templates_dir": "",
    "repo_branch": "main",
}
#: MkDocs' own defaults, used when mkdocs.yml does not set them.
MKDOCS_DEFAULTS = {"docs_dir": "docs", "site_dir": "site"}
PLUGIN = "knowledgebase"


class SettingsError(Exception):
    """mkdocs.yml cannot be read: ``path:line:col: error: message`` in ``str()``."""


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
    #: MkDocs' output folder: not written by ``kb build``, but emptied by ``mkdocs build``.
    site_dir: Path | None = None
    #: The mkdocs.yml the settings came from, to point at a setting that is wrong.
    config_file: Path | None = None

    @property
    def pages_dir(self) -> Path:
        return self.content_dir / "pages"

    def show(self, path: Path) -> str:
        """``path`` as a contributor would type it: relative to the project where it is inside it."""
        return path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else path.as_posix()

    @classmethod
    def from_options(
        cls,
        root: Path,
        docs_dir: str | Path,
        options: dict[str, Any],
        site: Any = None,
        config_file: Path | None = None,
    ) -> Settings:
        root = Path(root).resolve()
        merged = {**DEFAULTS, **{k: v for k, v in options.items() if v is not None}}
        site = site or {}
        site_dir = site.get("site_dir") or MKDOCS_DEFAULTS["site_dir"]
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
            site_dir=root / str(site_dir),
            config_file=Path(config_file).resolve() if config_file else root / "mkdocs.yml",
        )

    @classmethod
    def from_mkdocs_yml(cls, config_file: Path) -> Settings:
        config_file = Path(config_file).resolve()
        try:
            with open(config_file, encoding="utf-8") as handle:
                config = yaml.load(handle, Loader=LenientLoader) or {}
        except yaml.MarkedYAMLError as error:
            from knowledgebase.sources.yaml_messages import explain

            text = config_file.read_text(encoding="utf-8", errors="replace")
            (line, col), message = explain(error, text)
            raise SettingsError(f"{config_file.name}:{line}:{col}: error: {message}") from None
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            raise SettingsError(f"{config_file.name}: error: cannot read it: {error}") from None
        if not isinstance(config, dict):
            raise SettingsError(f"{config_file.name}:1:1: error: mkdocs.yml must be a mapping of setting names to values")
        options: dict[str, Any] = {}
        for plugin in config.get("plugins") or []:
            if isinstance(plugin, dict) and isinstance(plugin.get(PLUGIN), dict):
                options = plugin[PLUGIN]
        for key, value in [*((k, config.get(k)) for k in MKDOCS_DEFAULTS), *options.items()]:
            if key.endswith("_dir") and value is not None and not isinstance(value, str):
                line, col = setting_mark(config_file, key) or (1, 1)
                raise SettingsError(f"{config_file.name}:{line}:{col}: error: {key} must be a folder name, such as build/docs")
        return cls.from_options(
            config_file.parent, config.get("docs_dir", MKDOCS_DEFAULTS["docs_dir"]), options, config, config_file
        )


def setting_mark(config_file: Path | None, key: str) -> tuple[int, int] | None:
    """Where the value of ``key`` (a top-level setting or an option of this plugin) stands in mkdocs.yml.

    None when mkdocs.yml does not set it (the default applies) or cannot be read. The key ``""``
    asks where the plugin is listed (under ``plugins:``), where its unset options can be named.
    """
    if config_file is None:
        return None
    try:
        with open(config_file, encoding="utf-8") as handle:
            root = yaml.compose(handle, Loader=LenientLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    mappings = [root] if isinstance(root, yaml.MappingNode) else []
    listed = None
    for name, value in root.value if mappings else []:
        if name.value == "plugins" and isinstance(value, yaml.SequenceNode):
            for item in value.value:
                if isinstance(item, yaml.ScalarNode) and item.value == PLUGIN:
                    listed = item
                elif isinstance(item, yaml.MappingNode):
                    for k, v in item.value:
                        if k.value == PLUGIN:
                            listed = k
                            mappings += [v] if isinstance(v, yaml.MappingNode) else []
    if key == "":
        return (listed.start_mark.line + 1, listed.start_mark.column + 1) if listed is not None else None
    # docs_dir and site_dir are MkDocs' own settings; the others are options of this plugin.
    for mapping in mappings[:1] if key in MKDOCS_DEFAULTS else mappings[1:]:
        for name, value in mapping.value:
            if isinstance(name, yaml.ScalarNode) and name.value == key:
                return value.start_mark.line + 1, value.start_mark.column + 1
    return None
