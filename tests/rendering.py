"""Shared helpers for the render-stage tests: one note in, its HTML and findings out."""

from __future__ import annotations

from pathlib import Path

from exporter.diagnostics import Diagnostics
from exporter.model import Note, NoteKind, RenderedNote, SourceLocation
from exporter.rendering.render import render_notes


def note(question: str, answer: str | None = "A", *, path: str = "notes/a.md", line: int = 1, **extra: object) -> Note:
    kind = extra.pop("kind", NoteKind.QA)
    return Note("Deck", kind, question, answer, SourceLocation(path, line), **extra)  # type: ignore[arg-type]


def render_one(text: str, root: Path, **kwargs: object) -> tuple[RenderedNote, list[str]]:
    """Render `text` as the question of one note; findings as `line code` strings."""
    diagnostics = Diagnostics()
    [rendered] = render_notes([note(text, **kwargs)], root, diagnostics)  # type: ignore[arg-type]
    return rendered, [f"{d.line} {d.level.value} {d.code}" for d in diagnostics.sorted()]
