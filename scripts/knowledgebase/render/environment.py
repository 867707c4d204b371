"""The Jinja2 environment every page is rendered with.

Templates are looked up in the site's own templates folder first (any template can be replaced
there), then in the package's. Every value a template prints is escaped as plain text unless it
is ``Markup`` made by Python (links, checked prose, URLs), so contributor text never reaches the
page as markup.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup, escape

from knowledgebase.graph import markup
from knowledgebase.model.duration import hms
from knowledgebase.render.front_matter import front

TEMPLATE_PACKAGE = "knowledgebase.render"


def _finalize(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    return markup.escape_text(value)


#: What makes a paragraph's first line another block: a list item's marker ("- ", "+ ", "1. ").
_BLOCK_START = re.compile(r"([-+])|(\d+)([.)])(?=\s|$)")


def block_safe(text: str) -> Markup:
    """Markdown (already escaped) kept to one paragraph where a block begins, as a definition
    list's value: on one line, and not taken for a list whatever its first characters."""
    line = " ".join(str(text).split())
    found = _BLOCK_START.match(line)
    if found:
        escaped = f"\\{found[1]}" if found[1] else f"{found[2]}\\{found[3]}"
        line = escaped + line[found.end() :]
    return Markup(line)


def url_markup(url: str) -> Markup:
    """An http(s) URL, already validated, made safe to stand inside Markdown ``(...)`` or ``<...>``."""
    return Markup(quote(url, safe=":/?#[]@!$&'*+,;=%~-._"))


def url_attribute(url: str) -> Markup:
    """An http(s) URL made safe to stand in an HTML attribute (``href="..."``) of raw HTML."""
    return Markup(escape(str(url_markup(url))))


class CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled once a process: ``mkdocs serve`` renders the site again after each edit.

    Jinja2 keys each by the template's name and checks its source's checksum, so an edited
    template is compiled again. One cache serves environments of one configuration only (see
    ``compiled_for``): the code Jinja2 makes hangs on the environment's syntax and extensions.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = CompiledTemplates()
_BY_SETUP: dict[tuple, CompiledTemplates] = {}


def compiled_for(env: jinja2.Environment) -> CompiledTemplates:
    """The process's cache of compiled templates for environments set up as ``env`` is."""
    autoescape = env.autoescape if isinstance(env.autoescape, bool) else getattr(env.autoescape, "__qualname__", "?")
    setup = (
        tuple(sorted(env.extensions)),
        env.block_start_string,
        env.block_end_string,
        env.variable_start_string,
        env.variable_end_string,
        env.comment_start_string,
        env.comment_end_string,
        env.line_statement_prefix,
        env.line_comment_prefix,
        env.trim_blocks,
        env.lstrip_blocks,
        env.newline_sequence,
        env.keep_trailing_newline,
        env.optimized,
        autoescape,
    )
    return _BY_SETUP.setdefault(setup, CompiledTemplates())


def compile_ahead(env: jinja2.Environment, language: str, stop: Callable[[], bool]) -> None:
    """Compile the HTML and XML templates of ``env`` into its process's cache (``compiled_for``)
    until ``stop()``: ``mkdocs build`` does it while the knowledge base is built apart, so that
    the theme's environment finds its templates compiled (a fifth of a second at N = 2,000).

    Of the theme's translations only ``language``'s is compiled; a template that does not compile
    here (one of a plugin not in use, with a filter of its own) is left for whoever renders it.
    """
    env.bytecode_cache = compiled_for(env)
    names = env.list_templates(filter_func=lambda name: name.endswith((".html", ".xml")))
    for name in names:
        if stop():
            return
        if "/languages/" in f"/{name}" and not name.endswith(f"/{language}.html"):
            continue
        try:
            env.get_template(name)
        except jinja2.TemplateError:
            continue


def environment(templates_dir: Path | None) -> jinja2.Environment:
    """The environment with the site's templates (if it has any) ahead of the package's."""
    loaders: list[jinja2.BaseLoader] = []
    if templates_dir and templates_dir.is_dir():
        # A site may override any template by putting one of the same name here.
        loaders.append(jinja2.FileSystemLoader(templates_dir))
    loaders.append(jinja2.PackageLoader(TEMPLATE_PACKAGE, "templates"))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        bytecode_cache=_COMPILED,
        autoescape=False,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(url=url_markup, url_attr=url_attribute, hms=hms, block_safe=block_safe)
    return env


def render_page(env: jinja2.Environment, template: str, meta: dict[str, Any], **context: Any) -> str:
    """A page: its front matter, then its template's text."""
    return front(meta) + env.get_template(template).render(**context).strip() + "\n"
