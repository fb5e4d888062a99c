"""Whole-model checks: findings that need more than one note or one file to see."""

from __future__ import annotations

import re

from exporter.diagnostics import Diagnostics
from exporter.model import Note, NoteKind

_SPACE = re.compile(r"\s+")


def _question_key(note: Note) -> tuple[str, str]:
    return note.deck, _SPACE.sub(" ", note.question).strip().casefold()


def drop_duplicates(notes: list[Note], diagnostics: Diagnostics) -> list[Note]:
    """Keep the first of identical questions in a deck; report each later twin where it stands."""
    first_seen: dict[tuple[str, str], Note] = {}
    kept = []
    for note in notes:
        key = _question_key(note)
        twin = first_seen.get(key)
        if twin is None:
            first_seen[key] = note
            kept.append(note)
            continue
        same_answer = (twin.answer or "").strip() == (note.answer or "").strip()
        detail = "same answer" if same_answer else "different answer, only the first is kept"
        diagnostics.warning(
            note.source.path,
            note.source.line,
            "duplicate",
            f"duplicate question, first at {twin.source} ({detail}); built once",
        )
    return kept


def report_missing_answers(notes: list[Note], diagnostics: Diagnostics) -> None:
    for note in notes:
        if note.kind is NoteKind.CLOZE or (note.answer is not None and note.answer.strip()):
            continue  # a cloze note's answer is its deletions; its Extra may well be empty
        if note.kind is NoteKind.OPEN:
            diagnostics.info(note.source.path, note.source.line, "no-answer", "open question: no answer written yet")
        else:
            diagnostics.warning(note.source.path, note.source.line, "empty-answer", "question has an empty answer")


def run_checks(notes: list[Note], diagnostics: Diagnostics) -> list[Note]:
    """Every model check, in order; returns the notes that go on to rendering."""
    notes = drop_duplicates(notes, diagnostics)
    report_missing_answers(notes, diagnostics)
    return notes
