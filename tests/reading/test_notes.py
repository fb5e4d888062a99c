"""Notes made by `claim.new_note` (without the frozen dataclass's `__init__`) are the notes `Note(...)` makes."""

from __future__ import annotations

import pickle

import pytest

from exporter.model import Note, NoteKind, SourceLocation
from exporter.reading import claim


def _both(*fields: object) -> tuple[Note, Note]:
    deck, kind, question, answer, path, line, tags, context, section, link, answer_line, guid, modified = fields
    made = claim.new_note(*fields)  # type: ignore[arg-type]
    expected = Note(deck, kind, question, answer, SourceLocation(path, line), tags, context,  # type: ignore[arg-type]
                    section, link, answer_line, guid, modified)  # type: ignore[arg-type]
    return made, expected


def test_a_note_made_without_init_is_the_same_note() -> None:
    assert claim._PLAIN  # the fast path is the one taken
    for fields in (("Deck::Sub", NoteKind.QA, "What?", "That.", "a.md", 3, ("sub",), "Sub", "Sub", None, 4, "", 0),
                   ("D", NoteKind.OPEN, "Why?", None, "b/c.md", 1, (), "", "", "https://x.org", 0, "g-1", 17)):
        made, expected = _both(*fields)
        assert made == expected and hash(made) == hash(expected) and repr(made) == repr(expected)
        assert type(made) is Note and type(made.source) is SourceLocation and made.source == expected.source
        assert made.__dict__ == expected.__dict__
        assert pickle.loads(pickle.dumps(made)) == expected


def test_without_the_fast_path_the_dataclass_makes_the_note(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(claim, "_PLAIN", False)
    made, expected = _both("D", NoteKind.QA, "Q", "A", "a.md", 2, (), "", "", None, 2, "", 0)
    assert made == expected
