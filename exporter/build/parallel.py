"""Worker processes for the slow, independent jobs of a build (rendering notes, laying out sheets)."""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor


def cores() -> int:
    return os.cpu_count() or 1


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of `workers` processes; forked on Linux, so they start with the parent's imports."""
    context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    return ProcessPoolExecutor(max_workers=workers, mp_context=context)
