"""Per-source settings (reader, deck, extra tags) from `exporter.toml` or `[tool.exporter]`, through the pipeline."""

from __future__ import annotations

from pathlib import Path

from exporter.build.pipeline import collect
from exporter.model import NoteKind

QUESTIONS = """### Bases

**1. Un**

Première ?

**2. Deux**

Deuxième ?

**3. Trois**

Troisième ?
"""

LESSON = """# Ma leçon

## Partie

Du contenu.
"""


def project(tmp_path: Path, settings: dict[str, str]) -> Path:
    """A project with two sources and the given settings files."""
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "open-questions.md").write_text(QUESTIONS, encoding="utf-8")
    (tmp_path / "notes" / "lesson-one.md").write_text(LESSON, encoding="utf-8")
    for name, text in settings.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def notes_by_file(root: Path) -> dict[str, list[tuple[str, str, tuple[str, ...]]]]:
    model = collect([root / "notes"], root)
    found: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {}
    for rendered in model.notes:
        note = rendered.note
        found.setdefault(note.source.path, []).append((note.deck, note.kind.value, note.tags))
    return found


def diagnostics_of(root: Path) -> list[tuple[str, int, str, str]]:
    return [(d.path, d.line, d.level.value, d.code) for d in collect([root / "notes"], root).diagnostics.sorted()
            if d.code == "config"]


def test_without_settings_each_file_is_detected_and_named_by_itself(tmp_path: Path) -> None:
    root = project(tmp_path, {})
    assert notes_by_file(root) == {
        "notes/lesson-one.md": [("Ma leçon", "section", ("partie",))],
        "notes/open-questions.md": [("Open Questions", "open", ("bases",))] * 3,
    }


def test_exporter_toml_forces_deck_and_adds_tags(tmp_path: Path) -> None:
    root = project(tmp_path, {"exporter.toml": """
[[sources]]
path = "notes/lesson-*.md"
deck = "Transfert"
tags = ["lesson", "partie"]
"""})
    assert notes_by_file(root)["notes/lesson-one.md"] == [("Transfert", "section", ("partie", "lesson"))]
    assert notes_by_file(root)["notes/open-questions.md"][0] == ("Open Questions", "open", ("bases",))


def test_pyproject_tool_exporter_forces_the_reader(tmp_path: Path) -> None:
    root = project(tmp_path, {"pyproject.toml": """
[project]
name = "my-notes"

[[tool.exporter.sources]]
path = "notes/open-questions.md"
reader = "document"
"""})
    model = collect([root / "notes"], root)
    forced = [rn.note for rn in model.notes if rn.note.source.path == "notes/open-questions.md"]
    assert [(n.kind, n.question, n.answer) for n in forced] == [
        (NoteKind.SECTION, "1. Un", "Première ?"),
        (NoteKind.SECTION, "2. Deux", "Deuxième ?"),
        (NoteKind.SECTION, "3. Trois", "Troisième ?"),
    ]


def test_exporter_toml_is_preferred_over_pyproject(tmp_path: Path) -> None:
    root = project(tmp_path, {
        "exporter.toml": '[[sources]]\npath = "notes/*"\ndeck = "From exporter.toml"\n',
        "pyproject.toml": '[[tool.exporter.sources]]\npath = "notes/*"\ndeck = "From pyproject"\n',
    })
    assert {deck for notes in notes_by_file(root).values() for deck, _, _ in notes} == {"From exporter.toml"}


def test_later_entries_win_and_tags_accumulate(tmp_path: Path) -> None:
    root = project(tmp_path, {"exporter.toml": """
[[sources]]
path = "notes/*.md"
deck = "Tout"
tags = ["m2"]

[[sources]]
path = "./notes/lesson-*.md"
deck = "Leçons"
tags = ["lesson"]
"""})
    found = notes_by_file(root)
    assert found["notes/lesson-one.md"] == [("Leçons", "section", ("partie", "m2", "lesson"))]
    assert found["notes/open-questions.md"][0] == ("Tout", "open", ("bases", "m2"))


def test_an_unknown_reader_is_an_error_and_the_file_gives_nothing(tmp_path: Path) -> None:
    root = project(tmp_path, {"exporter.toml": '[[sources]]\npath = "notes/lesson-one.md"\nreader = "pdf"\n'})
    assert "notes/lesson-one.md" not in notes_by_file(root)
    assert diagnostics_of(root) == [("notes/lesson-one.md", 0, "error", "config")]


def test_bad_settings_are_all_reported(tmp_path: Path) -> None:
    root = project(tmp_path, {"exporter.toml": """
[[sources]]
deck = "No path"

[[sources]]
path = "notes/*.md"
tags = "lesson"
colour = "red"

[[sources]]
path = "notes/*.md"
deck = 3
reader = ["document"]
"""})
    model = collect([root / "notes"], root)
    messages = [d.message for d in model.diagnostics.sorted() if d.code == "config"]
    assert messages == [
        "sources entry 1 needs a 'path' glob",
        "sources entry 2: 'tags' must be a list of strings",
        "sources entry 2: unknown keys ['colour']",
        "sources entry 3: 'deck' must be a string",
        "sources entry 3: 'reader' must be a string",
    ]
    assert {rn.note.kind for rn in model.notes} == {NoteKind.SECTION, NoteKind.OPEN}


def test_a_settings_file_that_is_not_toml_is_an_error_not_a_crash(tmp_path: Path) -> None:
    root = project(tmp_path, {"exporter.toml": "[[sources]\npath = \n"})
    model = collect([root / "notes"], root)
    assert [(d.path, d.level.value, d.code) for d in model.diagnostics.sorted() if d.code == "config"] == [
        ("exporter.toml", "error", "config")
    ]
    assert len(model.notes) == 4


def test_an_entry_that_matches_no_file_is_reported(tmp_path: Path) -> None:
    root = project(tmp_path, {"exporter.toml": """
[[sources]]
path = "notes/lesons-*.md"
deck = "Transfert"
"""})
    assert ("exporter.toml", 0, "warning", "config") in diagnostics_of(root)
    assert notes_by_file(root)["notes/lesson-one.md"][0][0] == "Ma leçon"


GERMAN = """# Chemie

Aufgabe: Was ist ein Katalysator?
Lösung: Ein Stoff, der eine Reaktion beschleunigt.

**Was ist ein Enzym?**

Ein biologischer Katalysator.
"""


def _german(tmp_path: Path, settings: str) -> list[tuple[str, str | None]]:
    (tmp_path / "notes").mkdir(exist_ok=True)
    (tmp_path / "notes" / "chemie.md").write_text(GERMAN, encoding="utf-8")
    (tmp_path / "exporter.toml").write_text(settings, encoding="utf-8")
    model = collect([tmp_path / "notes"], tmp_path, use_lock=False)
    assert [d for d in model.diagnostics.sorted() if d.code == "config"] == []
    return [(r.note.question, r.note.answer) for r in model.notes]


def test_labels_of_your_own_and_a_pattern_turned_off(tmp_path: Path) -> None:
    assert _german(tmp_path, '[[sources]]\npath = "notes/*.md"\nquestion = "Aufgabe"\nanswer = ["Lösung"]\n'
                   'patterns_off = ["bold-question"]\n') == [
        ("Was ist ein Katalysator?", "Ein Stoff, der eine Reaktion beschleunigt."),
        # not a bold question any more: in this lesson-sized file, a bold pseudo-heading's section card
        ("Was ist ein Enzym?", "Ein biologischer Katalysator."),
    ]


def test_without_settings_the_custom_labels_are_lesson_text_and_the_bold_question_is_a_card(tmp_path: Path) -> None:
    assert _german(tmp_path, "") == [
        ("Chemie", "Aufgabe: Was ist ein Katalysator?\nLösung: Ein Stoff, der eine Reaktion beschleunigt."),
        ("Was ist ein Enzym?", "Ein biologischer Katalysator."),
    ]


def test_old_reader_names_mean_the_pattern_that_replaced_them(tmp_path: Path) -> None:
    root = project(tmp_path, {"exporter.toml": '[[sources]]\npath = "notes/open-questions.md"\nreader = "document"\n'})
    model = collect([root / "notes"], root, use_lock=False)
    kinds = {r.note.kind for r in model.notes if r.note.source.path == "notes/open-questions.md"}
    assert kinds == {NoteKind.SECTION}


def test_an_unknown_pattern_to_turn_off_is_an_error(tmp_path: Path) -> None:
    root = project(tmp_path, {"exporter.toml": '[[sources]]\npath = "notes/*.md"\npatterns_off = ["bold"]\n'})
    model = collect([root / "notes"], root, use_lock=False)
    assert [(d.code, d.message) for d in model.diagnostics.sorted() if d.level.value == "error"] == [
        ("config", "sources entry 1: unknown pattern 'bold' (known: front-matter, details, mdanki, obsidian, multiple-choice, "
                   "labels, question-headings, bold-question, open-list, anki-cloze, terms, sections)")
    ]
