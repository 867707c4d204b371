"""Work spread over forked worker processes, one per core: what a build from nothing does in bulk
(citeproc-py's references, the entry pages) while a single process would leave cores idle.

A build's output never depends on it: ``fork_map`` answers None wherever it cannot run (no fork,
one core, a process with threads, any failure), and the caller then does the same work itself.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import math
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

log = logging.getLogger(f"mkdocs.plugins.{__name__}")

#: Chunks of work a worker takes, one after another, on average.
CHUNKS = 32

T = TypeVar("T")
R = TypeVar("R")
S = TypeVar("S")


def cores() -> int:
    """The cores this process may run on: in a container limited to fewer than the machine has (a CI
    runner, ``docker --cpuset-cpus``), ``os.cpu_count()`` would start workers that only wait."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether ``fork_map`` would fork: on Linux, with two cores or more, from a process with one thread."""
    return sys.platform == "linux" and cores() >= 2 and threading.active_count() == 1


def fork_map(function: Callable[[T], R], items: Sequence[T], what: str) -> list[R] | None:
    """``[function(item) for item in items]``, computed by forked worker processes, one per core;
    None (so the caller computes it itself, the same results) where forking is not safe or not
    possible, or if anything goes wrong. ``what`` names the work in the debug log.

    Fork, not spawn: a worker starts with everything this process has made (a parsed style, a
    linked graph, compiled templates) and imports nothing. ``function`` and the items are sent
    by reference to what the fork copied, so they should be small (an index, a key); the results
    come back pickled. Only from a process with one thread: a fork copies the locks other threads
    may hold (a ``mkdocs serve`` rebuild has its server's threads).
    """
    if not can_fork():
        return None
    processes = cores()
    try:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()  # else a worker's copy of what is buffered would be written again
        _give_back_freed_memory()
        # This process's objects kept out of the collector: a collection in a worker would touch,
        # and so copy, every page of the heap it shares with this process.
        gc.freeze()
        try:
            with multiprocessing.get_context("fork").Pool(processes) as pool:
                # Many small chunks a worker: the last to finish ends at most a small chunk after the
                # others. (With four a worker, one worked alone for 1-2 s at the end of MkDocs'
                # 14 s of Markdown, N = 2,000: prerender.py.)
                return pool.map(function, items, chunksize=math.ceil(len(items) / (processes * CHUNKS)))
        finally:
            gc.unfreeze()
    except Exception as error:  # noqa: BLE001 - the caller does it itself: the same output, only slower
        log.debug("knowledgebase: %s in worker processes failed (%s); done in this one", what, error)
        return None


def _give_back_freed_memory() -> None:
    """Return to the system the memory this process has freed but its allocator keeps (glibc's
    ``malloc_trim``): a forked worker starts with every page of its parent's heap, the free ones
    too, and counts them as its own. Before forking MkDocs' page builders (prebuild.py) at
    N = 2,000 this took the build's peak from 171-180 MiB to 163-169 MiB. Where there is no such
    call (another C library), nothing is done."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


#: What the workers of a ``fork_over`` share, and the function they call: found in the copy of
#: this process each worker starts with, never sent to it.
_shared: tuple[Any, Callable[[Any, int], Any]] | None = None


def fork_over(shared: S, function: Callable[[S, int], R], count: int, what: str) -> list[R] | None:
    """``[function(shared, index) for index in range(count)]``, computed by forked worker processes
    as ``fork_map`` computes it (None where it cannot be). ``shared`` (the pages of a site, a
    renderer and its jobs) is what every worker finds in its copy of this process: only the
    indices are sent, and the results come back pickled."""
    global _shared
    _shared = (shared, function)
    try:
        return fork_map(_call, range(count), what)
    finally:
        _shared = None


def _call(index: int) -> Any:
    assert _shared is not None, "called only in a worker forked by fork_over"
    shared, function = _shared
    return function(shared, index)


#: A log record as a worker keeps it: (logger name, level, message).
Record = tuple[str, int, str]


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[Record] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


@contextmanager
def logs_kept() -> Iterator[list[Record]]:
    """What is logged meanwhile, kept instead of printed: a worker's console is not the build's, and
    ``--strict`` counts warnings only in the build's own process, which logs them again (``replay``)."""
    kept = _Kept()
    loggers = [logging.getLogger(), logging.getLogger("mkdocs")]
    handlers = [(logger, logger.handlers[:]) for logger in loggers]
    for logger in loggers:
        logger.handlers[:] = [kept]
    try:
        yield kept.records
    finally:
        for logger, before in handlers:
            logger.handlers[:] = before


def replay(records: list[Record]) -> None:
    """Log, in this process, what a worker logged (``logs_kept``), in the same order."""
    for name, level, message in records:
        logging.getLogger(name).log(level, "%s", message)


__all__ = ["Record", "can_fork", "cores", "fork_map", "fork_over", "logs_kept", "replay"]
