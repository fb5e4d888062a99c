"""One source file to notes: parse it once, let every card pattern claim its part, report the rest."""

from __future__ import annotations

from exporter.diagnostics import Diagnostics
from exporter.model import Note
from exporter.reading.claim import Coverage, read_document
from exporter.reading.document import parse_document
from exporter.reading import patterns
from exporter.reading.source import SourceFile


def read_notes(source: SourceFile, diagnostics: Diagnostics) -> tuple[list[Note], Coverage]:
    """All notes of `source` in source order, and how much of its text is on them."""
    return read_document(parse_document(source), patterns.PATTERNS, diagnostics)
