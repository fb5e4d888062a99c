"""The open-questions reader: `**N. Title**` question lists without answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from exporter.diagnostics import Diagnostic, Diagnostics, Level
from exporter.model import Note, NoteKind, SourceLocation
from exporter.reading.readers import SourceFile, detect_reader, load_readers
from exporter.reading.text import decode

FIXTURES = Path(__file__).parent / "fixtures" / "open-questions"
ROOT = Path(__file__).parents[2]
REAL = "sources/transfer-learning-open-questions.md"


def source_of(path: Path, rel: str, deck: str | None = None) -> SourceFile:
    return SourceFile(rel, path.resolve(), decode(path.read_bytes()).text, deck)


def read(name: str, deck: str | None = None) -> tuple[list[Note], list[Diagnostic]]:
    diagnostics = Diagnostics()
    source = source_of(FIXTURES / name, f"notes/{name}", deck)
    notes = load_readers()["open-questions"].read(source, diagnostics)
    return notes, diagnostics.sorted()


def open_note(deck: str, question: str, line: int, path: str, section: str = "", link: str | None = None) -> Note:
    from exporter.reading.readers.structure import tag_slug

    return Note(
        deck=deck,
        kind=NoteKind.OPEN,
        question=question,
        answer=None,
        source=SourceLocation(path, line),
        tags=(tag_slug(section),) if section else (),
        context=f"{deck} > {section}" if section else deck,
        section=section,
        link=link,
    )


def test_sections_become_tags_and_the_gdocs_line_links_every_note() -> None:
    notes, diagnostics = read("sections-and-link.md")
    deck, path, link = "Sections And Link", "notes/sections-and-link.md", "https://docs.google.com/document/d/abc/edit"
    assert notes == [
        open_note(deck, "**Les modèles**\n\nPourquoi utiliser un modèle *pré-entraîné* ?", 5, path,
                  "Comprendre les bases", link),
        open_note(deck, "**La taille des images**\n\nQue se passe-t-il avec des images plus grandes ?", 9, path,
                  "Comprendre les bases", link),
        open_note(deck, "**Le transfert**\n\nQuels sont les deux avantages ?", 15, path,
                  "Lier à des idées pratiques", link),
    ]
    assert notes[2].tags == ("lier-a-des-idees-pratiques",)
    assert diagnostics == []


def test_title_directly_followed_by_text_and_space_only_lines() -> None:
    notes, diagnostics = read("title-and-text-adjacent.md")
    deck, path = "Title And Text Adjacent", "notes/title-and-text-adjacent.md"
    assert notes == [
        open_note(deck, "**Spécialisation**\n\nPourquoi geler les poids ?", 3, path, "Bases"),
        open_note(deck, "**Taux**\n\nPourquoi un petit taux ?", 6, path, "Bases"),
        open_note(deck, "**Validation**\n\nPourquoi un jeu de validation ?", 9, path, "Bases"),
    ]
    assert diagnostics == []


def test_stray_closing_bold_at_the_end_is_removed_and_reported() -> None:
    notes, diagnostics = read("stray-closing-bold.md")
    assert notes[2].question == "**Variété**\n\nPourquoi des données variées ?"
    assert diagnostics == [
        Diagnostic("notes/stray-closing-bold.md", 11, Level.INFO, "junk",
                   "removed a stray `**` at the end of the question")
    ]


def test_configured_deck_wins_over_the_file_name() -> None:
    notes, _ = read("sections-and-link.md", deck="Transfert")
    assert {n.deck for n in notes} == {"Transfert"}
    assert notes[0].context == "Transfert > Comprendre les bases"


def test_a_file_that_gives_answers_is_not_an_open_question_list() -> None:
    source = source_of(FIXTURES / "with-answers.md", "with-answers.md")
    assert load_readers()["open-questions"].detect(source) == 0


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (REAL, 0.8),
        ("sources/deep-learning-quiz-qa.md", 0.0),
        ("sources/deep-learning-questions-de-cours.md", 0.0),
        ("sources/lesson-transfer-learning.md", 0.0),
        ("sources/workshop-phase2-performance.md", 0.0),
    ],
)
def test_detection_on_the_real_sources(path: str, expected: float) -> None:
    source = source_of(ROOT / path, path)
    assert load_readers()["open-questions"].detect(source) == expected


def test_real_question_list() -> None:
    diagnostics = Diagnostics()
    source = source_of(ROOT / REAL, REAL)
    assert detect_reader(source) is load_readers()["open-questions"]
    notes = load_readers()["open-questions"].read(source, diagnostics)
    assert len(notes) == 12
    assert {n.kind for n in notes} == {NoteKind.OPEN}
    assert {n.answer for n in notes} == {None}
    assert {n.deck for n in notes} == {"Transfer Learning Open Questions"}
    assert {n.link for n in notes} == {
        "https://docs.google.com/document/d/1yOTLO0u2nwuLYNvJmuL-niVyeo9wDdCBkpRWCHFW4Zc/edit?usp=sharing"
    }
    assert [n.source.line for n in notes] == [5, 9, 13, 19, 22, 27, 32, 36, 43, 47, 53, 57]
    assert [n.section for n in notes].count("Analyser les résultats") == 2
    assert notes[3].question == (
        "**La spécialisation**\n\nPourquoi commence-t-on par utiliser le modèle pré-entraîné tel quel "
        "(avec ses paramètres fixes) avant de l’entraîner davantage (et donc de le modifier)\u202f?"
    )
    assert notes[11].question == (
        "**Variété des données**\n\n"
        "Pourquoi est-il important d’avoir des données variées dans votre jeu d’entraînement\u202f?"
    )
    assert notes[8].tags == ("lier-a-des-idees-pratiques",)
    assert notes[8].context == "Transfer Learning Open Questions > Lier à des idées pratiques"
    assert [d.code for d in diagnostics.sorted()] == ["junk"]
