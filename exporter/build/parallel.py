"""Worker processes for the slow, independent jobs of a build (rendering notes, laying out sheets)."""

from __future__ import annotations

import gc
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

_PR_SET_PDEATHSIG = 1


def cores() -> int:
    return os.cpu_count() or 1


@contextmanager
def worker_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A pool of `workers` processes; forked on Linux, so they start with the parent's imports.

    The parent's objects are frozen out of the garbage collector while the pool lives: a
    forked worker's collections would otherwise write to every object's header and so copy
    the parent's whole heap (the notes of a 100k-note build) page by page into each worker.
    Each worker dies with the build: a `kill -9` of the build would otherwise leave
    them running for good (they wait on a queue nobody writes to any more).
    """
    import multiprocessing  # here: a build that renders a few notes never starts a pool
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=die_with_parent,
                                 initargs=(os.getpid(),)) as pool:
            yield pool
    finally:
        gc.unfreeze()


def die_with_parent(parent: int) -> None:
    """Ask Linux to SIGKILL this process when its parent dies; exit now if it already has."""
    if sys.platform == "linux":
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # no prctl: the pool's own broken-pipe checks remain
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
