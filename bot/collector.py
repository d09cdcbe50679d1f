"""The garbage collector, set for a server that runs for weeks.

What start-up made (modules, the catalogue, Bolt's and SQLAlchemy's tables, the Block Kit
templates) lives as long as the process, yet CPython's collector walks it again at every full
collection: under load one took about 0.2 s with the interpreter lock held. Frozen after
start-up, it is never walked again. An answer makes tens of thousands of short-lived objects,
nearly all freed by their reference counts; collecting the young generation every 700
allocations (CPython's default) walked the survivors several times an answer, so it waits for
10,000. Over 1,000 answers (bench/load.py, 50 x 20) the collector's time fell from 0.73 s to
0.07 s: about 0.7 ms of the 8-9 ms of CPU an answer cost (bench/README.md)."""

from __future__ import annotations

import gc

#: allocations (less deallocations) between collections of the youngest generation
YOUNG_THRESHOLD = 10_000


def settle_after_start() -> None:
    """Once, when start-up is done: what exists now is kept out of every later collection."""
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, oldest)
