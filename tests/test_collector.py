"""`mkdocs serve` rebuilds with Python's garbage collector paused, and collects once idle
(serve/collector.py): what a rebuild lets go of is freed, after the edited page is shown."""

from __future__ import annotations

import gc
import time
import weakref

import pytest

from kbtest import wait_for
from knowledgebase.serve.collector import IdleCollection


class Node:
    """Half of a reference cycle: freed only by the collector."""

    def __init__(self) -> None:
        self.other: Node | None = None


def cyclic_garbage() -> weakref.ref:
    a, b = Node(), Node()
    a.other, b.other = b, a
    return weakref.ref(a)


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


def test_a_rebuild_runs_without_the_collector_which_frees_its_garbage_once_idle(collector_on):
    collection = IdleCollection(idle=0.2)
    collection.building()
    assert not gc.isenabled()
    garbage = cyclic_garbage()
    for _ in range(100_000):  # allocations that would set off collections
        Node()
    assert garbage() is not None  # not collected while building
    collection.built()
    time.sleep(0.05)
    assert garbage() is not None and not gc.isenabled()  # not yet: the page is shown first
    assert wait_for(lambda: garbage() is None, timeout=10)
    assert gc.isenabled()
    collection.stop()
    assert gc.isenabled()


def test_a_rebuild_that_starts_before_the_server_is_idle_puts_the_collection_off(collector_on):
    collection = IdleCollection(idle=0.3)
    collection.building()
    garbage = cyclic_garbage()
    collection.built()
    collection.building()  # the next edit, 0.3 s not over
    time.sleep(0.6)
    assert garbage() is not None and not gc.isenabled()
    collection.built()
    assert wait_for(lambda: garbage() is None, timeout=10)
    collection.stop()


def test_the_server_stopping_leaves_the_collector_as_it_was():
    was = gc.isenabled()
    try:
        for before in (True, False):
            (gc.enable if before else gc.disable)()
            collection = IdleCollection(idle=0.05)
            collection.building()
            collection.built()
            time.sleep(0.2)
            collection.stop()
            assert gc.isenabled() == before
    finally:
        (gc.enable if was else gc.disable)()
