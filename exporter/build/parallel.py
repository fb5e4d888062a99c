"""Worker processes for the slow, independent jobs of a build (rendering notes, laying out sheets)."""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager


def cores() -> int:
    return os.cpu_count() or 1


@contextmanager
def worker_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A pool of `workers` processes; forked on Linux, so they start with the parent's imports.

    The parent's objects are frozen out of the garbage collector while the pool lives: a
    forked worker's collections would otherwise write to every object's header and so copy
    the parent's whole heap (the notes of a 100k-note build) page by page into each worker.
    """
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            yield pool
    finally:
        gc.unfreeze()
