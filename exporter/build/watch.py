"""`exporter watch`: rebuild on save, say what changed, keep the last good outputs on errors.

Each rebuild runs the same incremental steps as `exporter build` (only changed outputs
are written, the lock is updated). A rebuild that brings new errors into a source writes
nothing: the outputs and the lock stay as the last good build left them, so a half-typed
note never reaches Anki. Errors a source already had when watching started do not block.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from exporter.build import incremental
from exporter.build.pipeline import collect
from exporter.diagnostics import Level
from exporter.project import LOCK_NAME, Project, relative_path
from exporter.build.manifest import read_manifest, write_manifest
from exporter.build.outfolder import OutputFolderError, claim
from exporter.model import NoteKind
from exporter.output.writers import WriteOptions, Writer

Echo = Callable[[str], None]


def is_source_change(path: str) -> bool:
    """Sources and the media beside them, not our own lock (or its backup), scratch files or hidden files."""
    candidate = Path(path)
    if candidate.name.startswith(LOCK_NAME) or candidate.suffix in ("", ".tmp"):
        return False  # editors' and sed's scratch files have no suffix
    return not any(part.startswith(".") for part in candidate.parts[-3:])


@dataclass
class Watcher:
    paths: list[Path]
    project: Project
    out_dir: Path
    formats: tuple[str, ...]
    writers: dict[str, Writer]
    options: WriteOptions
    echo: Echo
    use_lock: bool = True
    skip_open: bool = False
    reset_lock: bool = False
    """Only for the first build: it starts the new lock, the next ones keep it."""
    baseline: Counter[str] | None = field(default=None)
    """Errors per source at the last good build; more than these holds the outputs back."""

    def rebuild(self) -> bool:
        """One build, holding the output folder as `build` does; True when it was written."""
        try:
            with claim(self.out_dir, self.echo):
                return self._rebuild()
        except OutputFolderError as exc:
            self.echo(f"error: {exc}; nothing was written")
            return False

    def _rebuild(self) -> bool:
        model = collect(self.paths, self.project, self.use_lock, self.out_dir / ".cache", reset_lock=self.reset_lock)
        if self.skip_open:
            model.notes = [n for n in model.notes if n.note.kind is not NoteKind.OPEN]
        for diagnostic in model.diagnostics.sorted():
            if diagnostic.level is not Level.INFO:
                self.echo(diagnostic.format())
        if model.lock_error is not None:
            self.echo("the lock cannot be read: kept the last good outputs (fix it, or restart with --reset-lock)")
            return False
        self.reset_lock = False
        errors = Counter(d.path for d in set(model.diagnostics.items) if d.level is Level.ERROR)
        worse = sorted(p for p, n in errors.items() if self.baseline is not None and n > self.baseline[p])
        if worse:
            self.echo(f"errors in {', '.join(worse)}: kept the last good outputs")
            return False
        decks = model.decks()
        if not model.notes:
            self.echo("no notes found: kept the last good outputs")
            return False
        manifest = read_manifest(self.out_dir)
        outcome = incremental.write_changed(decks, self.formats, self.writers, self.out_dir, self.options,
                                            manifest, False, self.echo, digests=model.digests)
        for finding in outcome.findings:
            self.echo(finding.format())
        incremental.save_lock(model, self.echo)
        manifest.quick = {}  # the next `build` must compare for itself
        write_manifest(self.out_dir, manifest)
        report = model.identity.report() if model.identity is not None else []
        for line in report or ["no note changed"]:
            self.echo(line)
        self.baseline = errors
        return True

    def run(self, debounce_ms: int = 300, stop_event: threading.Event | None = None) -> None:
        """Build once, then again after each burst of saves until stopped (Ctrl-C or `stop_event`)."""
        from watchfiles import watch

        self.rebuild()
        self.echo(f"watching {', '.join(str(p) for p in self.paths)} (Ctrl-C to stop)")
        for changes in watch(*self.paths, watch_filter=lambda _change, path: is_source_change(path),
                             debounce=debounce_ms, stop_event=stop_event, raise_interrupt=False):
            names = sorted({relative_path(Path(path), self.project.root) for _change, path in changes})
            self.echo(f"changed: {', '.join(names)}")
            self.rebuild()


