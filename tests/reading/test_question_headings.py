"""Question headings on the course convention (`### Qn.` / `**Réponse :**`), one trap per fixture."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import pytest

from exporter.build.pipeline import collect
from exporter.diagnostics import Diagnostic
from exporter.model import Note, NoteKind, SourceLocation
from tests.reading.support import read_file, without_lines

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "reading" / "fixtures" / "question-headings"
COURSE = ROOT / "sources" / "deep-learning-questions-de-cours.md"
DECK = "Deep Learning – Questions"


def read(name: str, deck: str | None = None) -> tuple[list[Note], list[Diagnostic]]:
    notes, findings = read_file(FIXTURES / name, deck=deck)
    return without_lines(notes), [d for d in findings if d.code != "unused"]


def note(name: str, line: int, question: str, answer: str | None, topic: str = "", tag: str = "") -> Note:
    return Note(
        deck=DECK,
        kind=NoteKind.QA,
        question=question,
        answer=answer,
        source=SourceLocation(f"tests/reading/fixtures/question-headings/{name}", line),
        tags=(tag,) if tag else (),
        context=topic or DECK,
        section=topic,
    )


def test_second_and_third_level_headings_both_open_a_question() -> None:
    notes, diagnostics = read("heading-levels.md")
    assert notes == [
        note("heading-levels.md", 5, "Third-level question?", "Answer one.", "Bases", "bases"),
        # `## Q2.` is a sibling of `## 1. Bases`, not under it: no topic.
        note("heading-levels.md", 9, "Second-level question?", "Answer two."),
    ]
    assert diagnostics == []


def test_reponse_attendue_is_an_answer_label() -> None:
    notes, _ = read("reponse-attendue.md")
    assert notes == [
        note(
            "reponse-attendue.md",
            3,
            "Discutez les limites actuelles du deep learning.",
            "- manque d’explicabilité,\n- coûts énergétiques.",
        )
    ]


def test_a_question_runs_on_until_the_answer_label() -> None:
    notes, _ = read("multiline-question.md")
    assert notes == [
        note(
            "multiline-question.md",
            3,
            "Expliquez comment choisir une architecture en fonction :\n- du type de données,\n- de la tâche.",
            "Analyse du type de données → choix de l’architecture.",
        )
    ]


def test_the_closing_fin_heading_gives_nothing() -> None:
    notes, diagnostics = read("fin-heading.md")
    assert notes == [
        note("fin-heading.md", 3, "Résumez la philosophie du deep learning.", "- apprentissage de représentations.")
    ]
    assert diagnostics == []


def test_rules_separate_questions_and_are_never_part_of_an_answer() -> None:
    notes, diagnostics = read("separators.md")
    assert notes == [
        note("separators.md", 5, "Premier ?", "Un."),
        note("separators.md", 12, "Second ?", "Deux."),
    ]
    assert diagnostics == []


def test_topics_become_section_tag_and_context_and_the_title_names_the_deck() -> None:
    notes, _ = read("topics.md")
    deck = "Deep Learning – Questions de cours (M2 MIAGE IDA)"
    path = "tests/reading/fixtures/question-headings/topics.md"
    assert notes == [
        Note(
            deck=deck,
            kind=NoteKind.QA,
            question="Définissez un perceptron.",
            answer="Un neurone artificiel.",
            source=SourceLocation(path, 7),
            tags=("reseaux-de-neurones-artificiels-ann-perceptron",),
            context="Réseaux de neurones artificiels (ANN / Perceptron)",
            section="Réseaux de neurones artificiels (ANN / Perceptron)",
        ),
        Note(
            deck=deck,
            kind=NoteKind.QA,
            question="Pourquoi le prétraitement est-il crucial ?",
            answer="Parce que.",
            source=SourceLocation(path, 15),
            tags=("donnees-pretraitement-et-representation",),
            context="Données, prétraitement et représentation",
            section="Données, prétraitement et représentation",
        ),
    ]


def test_text_on_the_label_line_belongs_to_the_answer() -> None:
    notes, _ = read("answer-on-label-line.md")
    assert [n.answer for n in notes] == [
        "Arrêter l’entraînement quand la validation se dégrade.  \nUne régularisation implicite."
    ]


def test_missing_answers_make_open_questions() -> None:
    notes, diagnostics = read("missing-answer.md")
    assert notes == [
        dataclasses.replace(note("missing-answer.md", 3, "Sans réponse ?", None), kind=NoteKind.OPEN),
        dataclasses.replace(note("missing-answer.md", 7, "Réponse vide ?", None), kind=NoteKind.OPEN),
        note("missing-answer.md", 12, "Avec réponse ?", "Oui."),
    ]
    assert [(d.line, d.code) for d in diagnostics] == [(3, "no-answer-line")]


def test_question_headings_inside_code_are_code() -> None:
    notes, _ = read("code-fence.md")
    answer = "```markdown\n### Q2. Not a question, this is code\n**Réponse :** still code\n```\nFin."
    assert notes == [note("code-fence.md", 3, "Quel format ?", answer)]


def test_without_a_title_the_deck_comes_from_the_file_name_or_the_config() -> None:
    assert [n.deck for n in read("no-title.md")[0]] == ["No Title"]
    assert [n.deck for n in read("no-title.md", deck="Révisions")[0]] == ["Révisions"]


def test_a_configured_deck_overrides_the_title() -> None:
    assert {n.deck for n in read("topics.md", deck="Révisions")[0]} == {"Révisions"}


@pytest.mark.parametrize(
    "name",
    [  # not the quiz: its answers hold asking headings, which only its labels claim first
        "lesson-transfer-learning.md",
        "transfer-learning-open-questions.md",
        "workshop-phase2-performance.md",
    ],
)
def test_the_pattern_claims_nothing_in_the_other_sources(name: str) -> None:
    assert read_file(ROOT / "sources" / name, only="question-headings")[0] == []


def test_the_real_course_file_through_the_build() -> None:
    model = collect([COURSE], ROOT)
    notes = [r.note for r in model.notes]
    assert len(notes) == 153
    assert {n.deck for n in notes} == {"Deep Learning – Questions de cours (M2 MIAGE IDA)"}
    assert [n.source.line for n in notes][:3] == [7, 18, 25]
    assert len(Counter(n.section for n in notes)) == 71
    assert all(n.answer for n in notes)
    assert not any("oaicite" in (n.answer or "") or "---" in (n.answer or "") for n in notes)
    assert not any("FIN" in (n.answer or "") for n in notes)
    junk = [(d.line, d.code) for d in model.diagnostics.sorted() if d.code == "junk"]
    assert junk == [(100, "junk"), (165, "junk"), (232, "junk")]
    q10 = next(n for n in notes if n.source.line == 92)
    assert q10.answer is not None and q10.answer.endswith("- une forte réduction du nombre de paramètres.")
