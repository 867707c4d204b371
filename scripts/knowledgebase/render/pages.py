"""Stage 4: the linked graph as Markdown pages, through Jinja2 templates.

Templates hold the presentation; the ``Renderer`` gives them the data and the helpers that need
the graph (links, prose, guides, listings). The environment, its escaping and its stateless
filters are ``environment``'s; the front matter's format is ``front_matter``'s.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections import defaultdict
from typing import Any

import jinja2
from markupsafe import Markup, escape

from knowledgebase.cite import labels as citation
from knowledgebase.cite.record import Citations
from knowledgebase.graph import markup, style
from knowledgebase.graph.resolve import Graph
from knowledgebase.model.duration import listening_seconds
from knowledgebase.model.entry import Entry
from knowledgebase.model.schema import EntryType, allowed_values, entry_types
from knowledgebase.render import compare
from knowledgebase.render.archive import Archive
from knowledgebase.render.entries import Job, render_entries
from knowledgebase.render.environment import environment, render_page, url_markup
from knowledgebase.render.fields import entry_fields
from knowledgebase.render.listing import TABLE_INDEXES, Listings, glossary_letters, venue
from knowledgebase.render.reuse import Reuse
from knowledgebase.render.tooltips import Tooltips, definitions
from knowledgebase.settings import Settings

#: What a glossary tooltip says first when the term is drawn from AI-generated text.
AI_TOOLTIP_WARNING = "⚠ Drawn from an AI-generated overview:"
#: The average silent reading rate of adults for non-fiction (Brysbaert, 2019, Journal of Memory
#: and Language 109, 104047).
READING_WORDS_PER_MINUTE = 238


def entry_path(entry: Entry) -> str:
    """The page's path in the docs folder; MkDocs serves it at ``/<url>/<id>/``."""
    return entry_types()[entry.type].page_path(entry.id)


def relative(target: str, here: str) -> str:
    """``posixpath.relpath(target, here)`` for the docs folder's normalised relative paths.

    A page links to dozens of others; relpath makes both paths absolute first, which was a third
    of the time spent rendering.
    """
    up = here.split("/") if here else []
    parts = target.split("/")
    common = 0
    while common < len(up) and common < len(parts) - 1 and up[common] == parts[common]:
        common += 1
    return "/".join([".."] * (len(up) - common) + parts[common:])


def sort_key(entry: Entry) -> tuple[Any, ...]:
    return (entry.get("order", 10**6), entry.title.casefold(), entry.id)


class Renderer:
    """Renders every page of the site from one linked graph."""

    def __init__(self, graph: Graph, settings: Settings, citations: Citations) -> None:
        self.graph = graph
        self.settings = settings
        self.citations = citations  # each entry's citation record, made once before rendering
        self.types = entry_types()
        self.env = environment(settings.templates_dir)
        self.env.filters.update(plain=self.plain)
        self.env.globals.update(
            graph=graph,
            types=self.types,
            settings=settings,
            citation=citation,
            citations=citations,
            ROLES=allowed_values("stakeholder", ("roles", "*")),
            COMPONENTS=compare.components(),
            FREEDOMS=compare.freedoms(),
            link=self.link,
            prose=self.prose,
            backlink_groups=self.backlink_groups,
            entries_of=self.entries_of,
            listening_seconds=listening_seconds,
            guide=self.guide,
            path_of=entry_path,
            ai_generated=self.ai_generated,
            tooltip=self.tooltip,
            glossary_letters=glossary_letters,
            letter_anchor=lambda letter: letter.lower() if letter.isalpha() else "other",
            anchor=lambda slug: Markup("{#" + slug + "}"),
            component_labels=compare.component_labels(),
            level_labels=compare.level_labels(),
            href=self.href,
            path_to=self.path_to,
            table_indexes=TABLE_INDEXES,
            archived=self.archived,
            listings=self.listings,
            venue=venue,
            definition_matrix=self.definition_matrix,
            treatment=self.treatment,
            summary=self.summary,
            fields=lambda entry: entry_fields(entry, self.types[entry.type]),
        )
        self._pages: dict[str, str] = {}
        self._cache: dict[str, Any] = {}

    # --- helpers for templates ------------------------------------------------------------

    @jinja2.pass_context
    def link(self, context: jinja2.runtime.Context, target: Entry | str, text: str | None = None) -> Markup:
        """A Markdown link from the page being rendered to an entry's page."""
        entry = target if isinstance(target, Entry) else self.graph.entries[target]
        href = relative(entry_path(entry), posixpath.dirname(context["page_path"]))
        return Markup(f"[{markup.escape_text(text if text is not None else entry.title)}]({href})")

    @jinja2.pass_context
    def path_to(self, context: jinja2.runtime.Context, target: str) -> str:
        """A docs-folder path (``papers/index.md``) relative to the page being rendered, for a Markdown link."""
        return relative(target, posixpath.dirname(context["page_path"]))

    @jinja2.pass_context
    def prose(self, context: jinja2.runtime.Context, text: str | None) -> Markup:
        """Contributor Markdown with its entry links and citations resolved, and HTML escaped.

        A web link in it gets its archived copy beside it, dated by the page's entry.
        """
        resolved = self._resolve(context, text, escape=True)
        entry = context.get("entry")
        if "](http" not in resolved or not isinstance(entry, Entry):
            return resolved
        code = markup._code_spans(resolved)

        def beside(match: re.Match[str]) -> str:
            url = match.group(2)
            if match.group(1) or not markup._outside(code, match.start()) or not url.startswith(("http://", "https://")):
                return match.group()
            copy = url_markup(self.archived(entry, url))
            return f"{match.group()} ([archived copy]({copy}){{ .kb-archived }})"

        return Markup(markup._INLINE_LINK.sub(beside, str(resolved)))

    def _resolve(self, context: jinja2.runtime.Context, text: str | None, escape: bool) -> Markup:
        if not text:
            return Markup("")

        def link(token: markup.Token) -> str:
            text = token.text
            if text is None and token.target in self.graph.entries:
                entry = self.graph.entries[token.target]
                text = style.link_text(entry, token.before)
            return self.link(context, token.target, text)

        def cite(tokens: list[markup.Token]) -> str:
            parts = [self.link(context, t.target, citation.label(self.graph.entries[t.target], t.locator)) for t in tokens]
            return "(" + "; ".join(parts) + ")"

        return markup.render(str(text), link, cite, escape=escape)

    def backlink_groups(self, entry: Entry) -> list[tuple[EntryType, list[Entry]]]:
        groups: dict[str, list[Entry]] = defaultdict(list)
        for source in self.graph.backlinks(entry.id):
            groups[source.type].append(source)
        return [(kind, sorted(groups[name], key=sort_key)) for name, kind in self.types.items() if groups.get(name)]

    def plain(self, text: object) -> str:
        return style.plain_text(self.graph, text)

    def summary(self, entry: Entry, short_first: bool = False) -> str:
        return style.summary_text(self.graph, entry, short_first)

    def ai_generated(self, entry: Entry) -> bool:
        """Whether the entry, or a source it names, is marked as drawing on AI-generated text."""
        sources = [self.graph.entries[s] for s in entry.get("sources", []) if s in self.graph.entries]
        return any(e.get("provenance") == "ai-generated" for e in (entry, *sources))

    def tooltip(self, term: Entry) -> str:
        """A glossary term's short definition as its tooltip shows it: a term drawn from an
        AI-generated source says so first, since the reader never sees that term's page."""
        short = " ".join(str(term.get("short")).split())
        return f"{AI_TOOLTIP_WARNING} {short}" if self.ai_generated(term) else short

    def abbreviation(self, word: str, text: str) -> str:
        """A glossary word's Markdown abbreviation definition, through abbreviation.md.j2 (a site
        may replace it). Both come ready for the abbr extension: ``tooltips.definitions`` skipped
        words with brackets and escaped the text, so they go in as they are."""
        if "abbreviation" not in self._cache:  # a macro, made once: it is called for every glossary word
            self._cache["abbreviation"] = self.env.get_template("abbreviation.md.j2").module.definition
        return str(self._cache["abbreviation"](Markup(word), Markup(text)))

    def entries_of(self, type_name: str) -> list[Entry]:
        return sorted(self.graph.by_type(type_name), key=sort_key)

    def guide(self, stakeholder: Entry) -> dict[str, Any]:
        """What a stakeholder's guide lists: its recommendations, then what matters to it, by type.

        Computed once per build: the guide's page and the index tables' stakeholder filter read it.
        """
        if f"guide:{stakeholder.id}" not in self._cache:
            self._cache[f"guide:{stakeholder.id}"] = self._guide(stakeholder)
        return self._cache[f"guide:{stakeholder.id}"]

    def _guide(self, stakeholder: Entry) -> dict[str, Any]:
        recommendations = sorted(
            (r for r in self.graph.by_type("recommendation") if r.get("stakeholder") == stakeholder.id),
            key=sort_key,
        )
        relevant: dict[str, dict[str, Entry]] = defaultdict(dict)
        for entry in self.graph.entries.values():
            if stakeholder.id in entry.get("stakeholders", []) and entry.type not in ("recommendation", "stakeholder"):
                relevant[entry.type][entry.id] = entry
        for recommendation in recommendations:
            for target in self.graph.outgoing(recommendation.id):
                if target.type not in ("recommendation", "stakeholder"):
                    relevant[target.type][target.id] = target
        sections = [
            (kind, sorted(relevant[name].values(), key=sort_key)) for name, kind in self.types.items() if relevant.get(name)
        ]
        podcasts = list(relevant.get("podcast", {}).values())
        texts = [stakeholder.get(k) for k in ("summary", "body", "roles_note")]
        texts += [r.get(k) for r in recommendations for k in ("summary", "body")]
        return {
            "recommendations": recommendations,
            "sections": sections,
            "listening": sum(listening_seconds(p) for p in podcasts),
            "podcasts": len(podcasts),
            "reading": self.reading_minutes(*texts),
        }

    @jinja2.pass_context
    def href(self, context: jinja2.runtime.Context, target: Entry | str, anchor: str = "") -> Markup:
        """An entry page's URL relative to the page being rendered, for links in raw HTML.

        MkDocs rewrites the ``.md`` links of Markdown, not those of raw HTML, so these point at
        the URL MkDocs serves the page at (``<type>/<id>/``), as the permalinks do.
        """
        entry = target if isinstance(target, Entry) else self.graph.entries[target]
        page = context["page_path"].removesuffix(".md")
        here = page.removesuffix("index").rstrip("/") if page == "index" or page.endswith("/index") else page
        url = relative(self.types[entry.type].page_url(entry.id), here) or "./"
        return Markup(escape(url + (f"#{anchor}" if anchor else "")))

    def archived(self, entry: Entry, url: str) -> str:
        """The archived copy of an external URL of ``entry`` (see ``archive``), to print ``| url``."""
        if "archive" not in self._cache:
            self._cache["archive"] = Archive.of(self.graph, self.citations.dates)
        return self._cache["archive"].url(entry, url)

    def listings(self) -> Listings:
        """Which guides each entry is in, and so the facets of the index tables: once per build."""
        if "listings" not in self._cache:
            guides = []
            for stakeholder in self.entries_of("stakeholder"):
                g = self.guide(stakeholder)
                members = {e.id for e in g["recommendations"]} | {e.id for _, items in g["sections"] for e in items}
                guides.append((stakeholder, members))
            self._cache["listings"] = Listings(guides)
        return self._cache["listings"]

    def definition_matrix(self) -> list[compare.Row]:
        if "matrix" not in self._cache:
            self._cache["matrix"] = compare.matrix(self.entries_of("definition"))
        return self._cache["matrix"]

    def treatment(self, component: str | None) -> compare.Row | None:
        """The definitions matrix's row for a component, where the definitions treat it differently."""
        return compare.treatment(self.definition_matrix(), component) if component else None

    def reading_minutes(self, *texts: object) -> int:
        """Minutes to read these texts at 238 words a minute (Brysbaert 2019, non-fiction), at least 1."""
        words = sum(len(self.plain(t).split()) for t in texts if t)
        return max(1, round(words / READING_WORDS_PER_MINUTE))

    # --- pages ----------------------------------------------------------------------------

    def _render(self, template: str, page_path: str, front_matter: dict[str, Any], **context: Any) -> None:
        self._pages[page_path] = render_page(self.env, template, front_matter, page_path=page_path, **context)

    def entry_front_matter(self, entry: Entry) -> dict[str, Any]:
        summary = self.summary(entry)
        # MkDocs themes print page.meta.title and .description without escaping them (the
        # header, <meta name="description">), so the front matter carries them HTML-escaped.
        meta: dict[str, Any] = {"title": str(escape(entry.title))}
        if summary:
            meta["description"] = str(escape(markup.excerpt(summary, 300)))
        tags = entry.get("tags") or entry.get("keywords") or []
        if tags:
            meta["tags"] = list(tags)
        meta["kb"] = {"id": entry.id, "type": entry.type}
        record = self.citations[entry.id]  # citations, history, Highwire tags and JSON-LD for overrides/
        assert record.meta is not None, f"{entry.id}: a record taken from the last build, for a page rendered again"
        meta["cite"] = record.meta["cite"]
        from knowledgebase.cite.repository import source_links  # "Edit this entry" and "Report an error"

        links = source_links(entry, self.settings, record.permalink)
        if links:
            meta["source"] = links
        meta["version"] = record.meta["version"]
        return meta

    def pages(self, kept: dict[str, str] | None = None, kept_sections: dict[str, str] | None = None) -> dict[str, str]:
        """Every generated page, by its path; not rendered again (reuse.py): ``kept`` entry pages, by id, ``kept_sections`` by path."""
        kept, kept_sections = kept or {}, kept_sections or {}
        self._pages = {}
        jobs: list[Job] = []
        for page in self.graph.pages:
            self._pages[page.rel] = self.prose_page(page.text, page.rel)
        for name, kind in self.types.items():
            entries = self.entries_of(name)
            # A type added with only its schema has no template of its own: every field, as the schema describes it.
            template = self.env.select_template([f"{name}.md.j2", "generic.md.j2"]).name
            for entry in entries:
                path = entry_path(entry)
                if entry.id in kept:
                    self._pages[path] = kept[entry.id]
                else:
                    jobs.append(Job(template, path, entry, kind))
            if kind.index_path in kept_sections:
                self._pages[kind.index_path] = kept_sections[kind.index_path]
                continue
            index_template = self.env.select_template([f"{name}-index.md.j2", "section.md.j2"])
            meta: dict[str, Any] = {"title": kind.plural}
            if name in TABLE_INDEXES:
                meta["hide"] = ["navigation", "toc"]  # Material's: the table gets the page's whole width
            self._render(index_template.name, kind.index_path, meta, kind=kind, entries=entries)
        # From nothing, thousands of them: shared with worker processes (entries.py).
        self._pages.update(render_entries(self, jobs))
        definitions = self.entries_of("definition")
        if definitions:
            rows = self.definition_matrix()
            titles = {c.target: self.graph.entries[c.target].title for row in rows for c in row.cells if c.target}
            urls = {d.id: self.citations[d.id].permalink for d in definitions}
            csv = compare.csv_text(definitions, rows, titles, urls)
            self._pages[f"{self.types['definition'].url}/comparison.csv"] = csv
        dated = sorted(
            (e for e in self.graph.entries.values() if _date_of(e)),
            key=lambda e: (_date_of(e), e.id),
            reverse=True,
        )
        self._render("timeline.md.j2", "timeline.md", {"title": "Timeline"}, entries=dated)
        self._render("tags.md.j2", "tags.md", {"title": "Tags"})
        self._pages["glossary/terms.json"] = self.glossary_terms()
        # Handed over, not kept: the templates' globals hold the renderer in a reference cycle, which
        # kept every page's text alive to the end of the build (a fifth of its peak memory).
        pages, self._pages = dict(sorted(self._pages.items())), {}
        return pages

    def entry_page(self, job: Job) -> str:
        front_matter = self.entry_front_matter(job.entry)
        return render_page(self.env, job.template, front_matter, page_path=job.path, entry=job.entry, kind=job.kind)

    def tooltips(self) -> Tooltips:
        """The glossary tooltips that every Markdown page of the site goes through."""
        if "tooltips" not in self._cache:
            self._cache["tooltips"] = Tooltips(definitions(self.entries_of("glossary"), self.tooltip, self.abbreviation))
        return self._cache["tooltips"]

    def glossary_terms(self) -> str:
        """Each glossary word (title, alias, abbreviation) -> its entry's URL, for glossary.js."""
        terms = {}
        for term in self.entries_of("glossary"):
            for word in [term.title, *term.get("aliases", []), *term.get("abbreviations", [])]:
                terms.setdefault(word, self.types["glossary"].page_url(term.id))
        return json.dumps(terms, sort_keys=True, ensure_ascii=False, indent=0) + "\n"

    def prose_page(self, text: str, page_path: str) -> str:
        """A hand-written page, with its entry links and citations resolved (its HTML is trusted)."""
        context = self.env.from_string("").new_context({"page_path": page_path})
        return str(self._resolve(context, text, escape=False))


def _date_of(entry: Entry) -> str:
    if entry.get("date"):
        return str(entry.get("date"))
    if entry.type == "paper" and str(entry.get("year", "")).isdigit():
        return str(entry.get("year"))
    return ""


def render_site(
    graph: Graph, settings: Settings, citations: Citations, reuse: Reuse | None = None
) -> tuple[dict[str, str], Tooltips]:
    """Every page, and the glossary tooltips that every Markdown page of the site goes through.

    With ``reuse`` (reuse.py), the entry pages and section indexes an edit leaves as they were are the last build's."""
    renderer = Renderer(graph, settings, citations)
    sections = {name: kind.index_path for name, kind in renderer.types.items()}
    if reuse is None:
        return renderer.pages(), renderer.tooltips()
    pages = renderer.pages(reuse.pages(), reuse.sections(sections))
    reuse.done(pages, {e.id: entry_path(e) for e in graph.entries.values()}, citations.records, list(sections.values()))
    return pages, renderer.tooltips()


__all__ = ["Renderer", "render_site", "entry_path"]
