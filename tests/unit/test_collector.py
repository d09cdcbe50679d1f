"""The collector is set for serving once start-up is done (bot.collector)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from bot.collector import YOUNG_THRESHOLD, settle_after_start


@pytest.fixture
def collector_restored() -> Iterator[None]:
    threshold = gc.get_threshold()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


@pytest.mark.usefixtures("collector_restored")
def test_what_start_up_made_is_frozen_and_young_objects_collected_less_often() -> None:
    started_with: list[object] = []  # made before the bot settles; the collector tracks lists
    _, middle, oldest = gc.get_threshold()

    settle_after_start()

    assert gc.get_freeze_count() > 0
    assert not any(started_with is tracked for tracked in gc.get_objects(generation=2))
    assert gc.get_threshold() == (YOUNG_THRESHOLD, middle, oldest)


@pytest.mark.usefixtures("collector_restored")
def test_what_is_made_afterwards_is_still_collected() -> None:
    settle_after_start()

    class Cycle:
        me: object

    made = Cycle()
    made.me = made  # only the collector frees a cycle
    alive = weakref.ref(made)
    del made
    gc.collect()

    assert alive() is None
