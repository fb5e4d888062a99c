"""Whole-model checks: findings that need more than one note or one file to see."""

from __future__ import annotations

from exporter.diagnostics import Diagnostics
from exporter.model import Note, NoteKind

_STRUCTURAL = frozenset({NoteKind.SECTION, NoteKind.TABLE_ROW, NoteKind.CHECKLIST})


def question_key(note: Note) -> tuple[str, str, str]:
    """What makes two notes the same question: deck and question text, and for a note named
    by a heading (a section, a table row) also its trail, so equal sub-headings under
    different parents ("Solution", "Instructions") are never compared."""
    context = note.context if note.kind in _STRUCTURAL else ""
    # `str.split` and the regex `\s+` agree on what whitespace is: runs collapsed, ends stripped, faster.
    return note.deck, context, " ".join(note.question.split()).casefold()


def drop_duplicates(notes: list[Note], diagnostics: Diagnostics) -> list[Note]:
    """Merge only exact duplicates (same deck, question and answer); keep, and report, different answers."""
    seen: dict[tuple[str, str, str], list[Note]] = {}
    kept = []
    for note in notes:
        key = question_key(note)
        twins = seen.get(key)
        if twins is None:  # the common case: a question seen once
            seen[key] = [note]
            kept.append(note)
            continue
        answer = (note.answer or "").strip()
        same = next((t for t in twins if (t.answer or "").strip() == answer), None)
        if same is not None:
            diagnostics.warning(
                note.source.path, note.source.line, "duplicate",
                f"duplicate question, first at {same.source} (same answer); built once",
            )
            continue
        if twins:
            diagnostics.warning(
                note.source.path, note.source.line, "duplicate",
                f"same question as {twins[0].source} with a different answer; both kept",
            )
        twins.append(note)
        kept.append(note)
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
