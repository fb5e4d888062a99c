"""Unchanged files come from the parse cache; what they give is exactly what reading gives."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from exporter.build import pipeline as build
from exporter.build.pipeline import collect
from exporter.serialize import model_to_json

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    shutil.copytree(PROJECT / "sources", tmp_path / "sources", ignore=shutil.ignore_patterns("exporter.lock"))
    return tmp_path


def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the readers are run on from now on."""
    seen: list[str] = []
    real = build.read_source_covered

    def spy(source, diagnostics, groups=None):  # type: ignore[no-untyped-def]
        seen.append(source.path)
        return real(source, diagnostics, groups)

    monkeypatch.setattr(build, "read_source_covered", spy)
    return seen


def test_cached_files_give_exactly_what_reading_gives(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = project / "dist" / ".cache"
    uncached = model_to_json(collect([project / "sources"], project, use_lock=False))
    first = model_to_json(collect([project / "sources"], project, use_lock=False, cache_dir=cache))
    seen = reads(monkeypatch)
    second = model_to_json(collect([project / "sources"], project, use_lock=False, cache_dir=cache))
    assert seen == []
    assert first == uncached and second == uncached


def test_an_edited_file_is_the_only_one_read_again(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = project / "dist" / ".cache"
    collect([project / "sources"], project, use_lock=False, cache_dir=cache)
    quiz = project / "sources" / "deep-learning-quiz-qa.md"
    quiz.write_bytes(quiz.read_bytes().replace(b"What is a loss function?", b"What is a cost function?"))
    seen = reads(monkeypatch)
    model = collect([project / "sources"], project, use_lock=False, cache_dir=cache)
    assert seen == ["sources/deep-learning-quiz-qa.md"]
    assert "What is a cost function?" in [rn.note.question for rn in model.notes]


def test_changed_settings_are_never_served_from_the_cache(project: Path) -> None:
    cache = project / "dist" / ".cache"
    collect([project / "sources"], project, use_lock=False, cache_dir=cache)
    (project / "exporter.toml").write_text('[[sources]]\npath = "sources/lesson-*.md"\ndeck = "Transfert"\n')
    model = collect([project / "sources"], project, use_lock=False, cache_dir=cache)
    assert {rn.note.deck for rn in model.notes if rn.note.source.path.startswith("sources/lesson")} == {"Transfert"}


def test_a_cached_note_comes_back_as_the_note_itself() -> None:
    """Notes are decoded without their `__init__` (a tenth of reading a cached file): the same notes all the same."""
    from exporter.build.parse_cache import note_from_row, note_to_row
    from exporter.model import Note, NoteKind, SourceLocation

    notes = [Note("A::B", NoteKind.QA, "Q?", "A.", SourceLocation("x.md", 3), ("t", "u"), "B", "B", "https://x", 4,
                  "guid", 12),
             Note("A", NoteKind.OPEN, "Q?", None, SourceLocation("x.md", 9))]
    for note in notes:
        again = note_from_row(note_to_row(note))
        assert again == note and hash(again) == hash(note) and repr(again) == repr(note)
        with pytest.raises(dataclasses.FrozenInstanceError):
            again.deck = "other"  # type: ignore[misc]
    moved = note_from_row(note_to_row(notes[0]), 10)
    assert moved == dataclasses.replace(notes[0], source=SourceLocation("x.md", 13), answer_line=14)
    assert note_from_row(note_to_row(notes[1]), 10).answer_line == 0  # no answer line stays none
