"""The open-list pattern: `**N. Title**` question lists without answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from exporter.diagnostics import Diagnostic, Level
from exporter.model import Note, NoteKind, SourceLocation
from exporter.reading.inline import tag_slug
from tests.reading.support import read_file, without_lines

FIXTURES = Path(__file__).parent / "fixtures" / "open-list"
ROOT = Path(__file__).parents[2]
REAL = "sources/transfer-learning-open-questions.md"


def read(name: str, deck: str | None = None) -> tuple[list[Note], list[Diagnostic]]:
    notes, findings = read_file(FIXTURES / name, f"notes/{name}", deck=deck)
    return without_lines(notes), [d for d in findings if d.code != "unused"]


def open_note(deck: str, question: str, line: int, path: str, section: str = "", link: str | None = None) -> Note:
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
    notes, _ = read_file(FIXTURES / "with-answers.md", only="open-list")
    assert notes == []


@pytest.mark.parametrize(
    "path",
    [
        "sources/deep-learning-quiz-qa.md",
        "sources/deep-learning-questions-de-cours.md",
        "sources/lesson-transfer-learning.md",
        "sources/workshop-phase2-performance.md",
    ],
)
def test_the_pattern_claims_nothing_in_the_other_sources(path: str) -> None:
    assert read_file(ROOT / path, only="open-list")[0] == []


def test_real_question_list() -> None:
    notes, findings = read_file(ROOT / REAL)
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
    assert [d.code for d in findings] == ["junk"]
