"""Progress of long builds: rich bars on a terminal, nothing elsewhere (logs keep their plain lines).

A build of thousands of notes takes seconds; on a terminal the user sees which stage
runs and how far it got. Piped or redirected output, and `--quiet`, get no bars, so
the `built X` / `unchanged X` lines stay the whole output. rich is imported only when
bars are shown.
"""

from __future__ import annotations

import sys
from typing import Any, Callable

Step = Callable[[str, int, int], None]
"""`step(stage, done, total)`: `done` of `total` items of `stage` are finished."""


class Bars:
    """One bar per stage; a stage's bar appears at its first step."""

    def __init__(self, enabled: bool) -> None:
        self.progress: Any = None
        self.tasks: dict[str, Any] = {}
        if enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(),
                                     TimeElapsedColumn(), transient=True)
            self.progress.start()

    def step(self, stage: str, done: int, total: int) -> None:
        if self.progress is None:
            return
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=total)
        self.progress.update(self.tasks[stage], completed=done, total=total)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None


def bars_for(quiet: bool) -> Bars:
    """Bars when stdout is a terminal and the user did not ask for quiet."""
    return Bars(enabled=not quiet and sys.stdout.isatty())
