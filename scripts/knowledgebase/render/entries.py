"""The entry pages a build renders: from nothing thousands, shared with worker processes (workers.py).

Rendering an entry page, and finding the glossary words in it (``Tooltips.used``), is most of
what a build from nothing does once the citations are made; with a worker on each core it takes
half as long. The pages are the same whoever renders them: a worker is a fork of the build, and
rendering changes nothing but the renderer's caches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from knowledgebase.model.entry import Entry
from knowledgebase.model.schema import EntryType
from knowledgebase.workers import fork_over

if TYPE_CHECKING:
    from knowledgebase.render.pages import Renderer


@dataclass(frozen=True)
class Job:
    """An entry page to render: its template, its path in the docs folder, its entry and type."""

    template: str
    path: str
    entry: Entry
    kind: EntryType


#: Fewer entry pages than this are rendered here: starting the workers would cost more than it saves.
PARALLEL_FROM = 200


def render_entries(renderer: Renderer, jobs: list[Job]) -> dict[str, str]:
    """Each job's page, by its path."""
    pages = {}
    # One page of each template first, here: the workers inherit it compiled, with what it cached.
    first = {job.template: job for job in reversed(jobs)}
    for job in first.values():
        pages[job.path] = renderer.entry_page(job)
    rest = [job for job in jobs if first[job.template] is not job]
    made = None
    if len(rest) >= PARALLEL_FROM:
        tooltips = renderer.tooltips()  # made here once, not in each worker
        made = fork_over((renderer, rest), _render_job, len(rest), "rendering the entry pages")
    if made is None:
        for job in rest:
            pages[job.path] = renderer.entry_page(job)
        return pages
    for job, (text, indices) in zip(rest, made, strict=True):
        pages[job.path] = text
        tooltips.found(text, indices)  # the workers also found the glossary words in their pages
    return pages


def _render_job(working: tuple[Renderer, list[Job]], index: int) -> tuple[str, list[int]]:
    """A worker's page, and the glossary definitions it needs (``Tooltips.indices``: as costly as rendering it)."""
    renderer, jobs = working
    text = renderer.entry_page(jobs[index])
    return text, renderer.tooltips().indices(text)


__all__ = ["Job", "PARALLEL_FROM", "render_entries"]
