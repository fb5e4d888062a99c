"""Reading a fixture file the way the build does, for the pattern tests."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from exporter.diagnostics import Diagnostic, Diagnostics
from exporter.model import Note
from exporter.reading.read import read_notes
from exporter.reading.source import ReadOptions, SourceFile
from exporter.reading.text import decode

ROOT = Path(__file__).resolve().parents[2]


def source_of(path: Path, rel: str | None = None, deck: str | None = None,
              options: ReadOptions | None = None) -> SourceFile:
    text = decode(path.read_bytes()).text
    rel = rel if rel is not None else path.resolve().relative_to(ROOT).as_posix()
    return SourceFile(rel, path.resolve(), text, deck, (), options or ReadOptions())


def read_file(path: Path, rel: str | None = None, deck: str | None = None, only: str | None = None,
              options: ReadOptions | None = None) -> tuple[list[Note], list[Diagnostic]]:
    """The notes and findings of one file: every pattern, or `only` that one."""
    diagnostics = Diagnostics()
    chosen = options or ReadOptions(only=only)
    notes, _ = read_notes(source_of(path, rel, deck, chosen), diagnostics)
    return notes, diagnostics.sorted()


def without_lines(notes: list[Note]) -> list[Note]:
    """Notes with `answer_line` zeroed, for tests that assert the other fields."""
    return [dataclasses.replace(n, answer_line=0) for n in notes]
