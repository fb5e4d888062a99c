"""Which engine draws PDF math on this machine: a light module, asked on every build."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path


def find_mathjax(project_root: Path | None) -> Path | None:
    """The node_modules folder holding mathjax-full, if Node can use it."""
    if shutil.which("node") is None:
        return None
    candidates = [Path(__file__).resolve().parents[2] / "node_modules"]
    if project_root is not None:
        candidates.insert(0, project_root.resolve() / "node_modules")
    for folder in candidates:
        if (folder / "mathjax-full" / "js" / "mathjax.js").is_file():
            return folder
    return None


def resolved_engine(engine: str, project_root: Path | None) -> str:
    """`engine`, with "auto" made concrete: MathJax when Node has mathjax-full, else ziamath."""
    if engine != "auto":
        return engine
    return "mathjax" if find_mathjax(project_root) is not None else "ziamath"


MATHJAX_SECONDS = 300.0
"""MathJax's time for a whole build, all decks together; formulas after it go to ziamath."""
_DEADLINE_VARIABLE = "EXPORTER_MATHJAX_DEADLINE"


def start_budget(seconds: float = MATHJAX_SECONDS) -> None:
    """Start the build's MathJax clock; kept in the environment so forked writer processes share it."""
    os.environ[_DEADLINE_VARIABLE] = repr(time.time() + seconds)


def time_left() -> float:
    """Seconds MathJax may still run in this build (the clock starts at the first call if not started)."""
    try:
        deadline = float(os.environ[_DEADLINE_VARIABLE])
    except (KeyError, ValueError):
        start_budget()
        deadline = float(os.environ[_DEADLINE_VARIABLE])
    # Never more than a whole budget: a deadline set under another clock (a clock changed
    # since, a test's fake time) must not become a timeout too large for the OS to wait on.
    left = deadline - time.time()
    return left if left <= MATHJAX_SECONDS else MATHJAX_SECONDS  # NaN compares false: a whole budget too
