"""The labelled-pairs pattern on the quiz convention (`Question : Deck - Sub - text`), one trap per fixture."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import pytest

from exporter.build.pipeline import collect
from exporter.diagnostics import Diagnostic, Diagnostics, Level
from exporter.model import Note, NoteKind, SourceLocation
from exporter.reading import patterns
from exporter.reading.claim import read_document
from exporter.reading.document import parse_document
from exporter.reading.source import SourceFile
from tests.reading.support import read_file, without_lines

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "reading" / "fixtures" / "labels"
QUIZ = ROOT / "sources" / "deep-learning-quiz-qa.md"
BASICS = "Deep Learning::Basics"


def read(name: str, deck: str | None = None) -> tuple[list[Note], list[Diagnostic]]:
    notes, findings = read_file(FIXTURES / name, deck=deck)
    return without_lines(notes), [d for d in findings if d.code != "unused"]


def basics(name: str, line: int, question: str, answer: str | None, link: str | None = None) -> Note:
    return Note(
        deck=BASICS,
        kind=NoteKind.QA,
        question=question,
        answer=answer,
        source=SourceLocation(f"tests/reading/fixtures/labels/{name}", line),
        tags=("basics",),
        context="Basics",
        section="Basics",
        link=link,
    )


def test_a_commented_out_template_gives_nothing() -> None:
    notes, diagnostics = read("comment-template.md")
    assert notes == [basics("comment-template.md", 10, "What is a tensor?", "A multi-dimensional array")]
    assert diagnostics == []


def test_question_inside_a_code_fence_is_code() -> None:
    notes, diagnostics = read("code-fence.md")
    answer = (
        "```text\n"
        "Question : Deck - Subdeck - a question inside code\n"
        "Answer   : stays code\n"
        "```\n"
        "\n"
        "That is all."
    )
    assert notes == [basics("code-fence.md", 1, "What does this file format look like?", answer)]
    assert diagnostics == []


def test_a_question_keeps_its_list_math_and_code_until_the_answer_line() -> None:
    notes, _ = read("rich-question.md")
    question = (
        "Which of the following :\n"
        "\n"
        "1. BatchNormalization\n"
        "1. ReLU\n"
        "\n"
        "with $ f(z) = \\frac{1}{1 + e^{-z}} $ and\n"
        "\n"
        "```python\n"
        'model.compile(loss="mse")\n'
        "```\n"
        "\n"
        "is an activation function?"
    )
    assert notes == [basics("rich-question.md", 1, question, "ReLU")]


def test_a_link_comment_applies_until_the_next_comment() -> None:
    notes, _ = read("link-comment.md")
    url = "https://example.org/course/quiz-1"
    assert notes == [
        basics("link-comment.md", 3, "First?", "One", url),
        basics("link-comment.md", 6, "Second?", "Two", url),
        basics("link-comment.md", 12, "Third?", "Three"),
    ]


def test_the_reader_keeps_both_twins_and_the_build_reports_the_second() -> None:
    notes, _ = read("duplicate.md")
    assert [n.source.line for n in notes] == [1, 4, 7]
    model = collect([FIXTURES / "duplicate.md"], ROOT)
    assert [r.note.source.line for r in model.notes] == [1, 4]
    duplicates = [d for d in model.diagnostics.sorted() if d.code == "duplicate"]
    assert [(d.path, d.line, d.level) for d in duplicates] == [
        ("tests/reading/fixtures/labels/duplicate.md", 7, Level.WARNING)
    ]
    assert "first at tests/reading/fixtures/labels/duplicate.md:1" in duplicates[0].message


def test_a_question_without_answer_text_is_an_open_question() -> None:
    notes, diagnostics = read("missing-answer.md")
    empty, unlabelled = (dataclasses.replace(basics("missing-answer.md", line, text, None), kind=NoteKind.OPEN)
                         for line, text in ((1, "Empty answer label?"), (4, "No answer label at all?")))
    assert notes == [empty, unlabelled, basics("missing-answer.md", 6, "Answered?", "Yes")]
    assert [(d.line, d.code) for d in diagnostics] == [(4, "no-answer-line")]


def test_an_answer_ends_at_the_next_html_comment() -> None:
    notes, diagnostics = read_file(FIXTURES / "answer-ends-at-comment.md")
    assert without_lines(notes) == [
        basics("answer-ends-at-comment.md", 1, "Where does an answer end?", "* At the next HTML comment")
    ]
    assert [(d.line, d.level, d.code, d.message) for d in diagnostics] == [
        (10, Level.INFO, "unused", "not on any card")
    ]


def test_deck_and_subdeck_come_from_the_first_two_parts_only() -> None:
    notes, _ = read("deck-prefix.md")
    assert notes == [
        Note(
            deck="Deep Learning::Neural networks with TensorFlow",
            kind=NoteKind.QA,
            question="What does Dense - the layer - do?",
            answer="Connects every input to every neuron",
            source=SourceLocation("tests/reading/fixtures/labels/deck-prefix.md", 1),
            tags=("neural-networks-with-tensorflow",),
            context="Neural networks with TensorFlow",
            section="Neural networks with TensorFlow",
        )
    ]


def test_a_configured_deck_replaces_the_top_deck_and_keeps_the_subdeck() -> None:
    notes, _ = read("deck-prefix.md", deck="Révisions")
    assert [n.deck for n in notes] == ["Révisions::Neural networks with TensorFlow"]


def test_a_file_without_deck_prefixes_uses_its_title_or_file_name() -> None:
    notes, diagnostics = read("no-deck-prefix.md")
    assert [(n.deck, n.question, n.answer) for n in notes] == [
        ("No Deck Prefix", "What is a loss function?", "A measure of prediction errors")
    ]
    assert diagnostics == []


def test_in_a_file_of_deck_prefixes_a_question_without_one_is_reported_and_kept_in_the_previous_deck() -> None:
    notes, diagnostics = read("one-without-prefix.md")
    assert [(n.deck, n.question, n.answer, n.context) for n in notes] == [
        ("Deep Learning::Basics", "First?", "One", "Basics"),
        ("Deep Learning::Basics", "Without a prefix?", "Two", "Basics"),
        ("Deep Learning::Optimisers", "Third?", "Three", "Optimisers"),
    ]
    assert [(d.line, d.code) for d in diagnostics] == [(4, "no-deck")]


@pytest.mark.parametrize(
    "name",
    [
        "deep-learning-questions-de-cours.md",
        "lesson-transfer-learning.md",
        "transfer-learning-open-questions.md",
        "workshop-phase2-performance.md",
    ],
)
def test_the_pattern_claims_nothing_in_the_other_sources(name: str) -> None:
    assert read_file(ROOT / "sources" / name, only="labels")[0] == []


def test_the_real_quiz_file() -> None:
    notes, findings = read_file(QUIZ)
    # 80 `Question :` lines, one of them in the commented-out template.
    assert len(notes) == 79
    assert findings == []
    assert {n.kind for n in notes} == {NoteKind.QA}
    assert Counter(n.deck for n in notes) == {
        "Deep Learning::Gradient Descent": 23,
        "Deep Learning::Neural networks": 19,
        "Deep Learning::Neural networks with TensorFlow": 13,
        "Deep Learning::Understand CNN": 8,
        "Deep Learning::CNN with TensorFlow": 16,
    }
    first = notes[0]
    assert (first.source.line, first.question, first.answer, first.link) == (
        45,
        "What is the goal of the gradient descent algorithm?",
        "To find the set of parameters that minimizes the loss function",
        "https://app.jedha.co/course/gradient-descent-course-ft/01-gradient-descent-quiz",
    )
    assert sum(1 for n in notes if n.link) == 39


def test_the_build_reports_the_quiz_duplicate_and_keeps_one() -> None:
    model = collect([QUIZ], ROOT)
    assert len(model.notes) == 78
    duplicates = [(d.line, d.message) for d in model.diagnostics.sorted() if d.code == "duplicate"]
    assert duplicates == [
        (458, "duplicate question, first at sources/deep-learning-quiz-qa.md:434 (same answer); built once")
    ]


def test_an_unclosed_comment_hides_the_rest_and_says_so() -> None:
    notes, diagnostics = read("unclosed-comment.md")
    assert notes == [basics("unclosed-comment.md", 1, "Kept?", "Yes")]
    assert [(d.line, d.code, d.message) for d in diagnostics] == [
        (4, "unclosed", "HTML comment is never closed; it runs to the end of the file")
    ]


def _plain_pairs(text: str) -> tuple[list[Note], bool]:
    """The notes of `text` as `quiz.md`, and whether reading it tokenised the file."""
    doc = parse_document(SourceFile("quiz.md", Path("quiz.md"), text))
    notes, _ = read_document(doc, patterns.PATTERNS, Diagnostics())
    return without_lines(notes), "blocks" in doc.__dict__


def test_pairs_under_no_heading_take_the_file_as_context_without_tokenising_it() -> None:
    """A big file of pairs with neither headings nor deck prefixes: each note's context is known without a block parse."""
    notes, tokenised = _plain_pairs("Q: What is TCP?\nA: Ordered delivery.\n\n- a list in the answer\n\nQ: UDP?\nA: Datagrams.\n")
    assert not tokenised
    assert [(n.question, n.answer, n.context, n.section, n.tags, n.deck) for n in notes] == [
        ("What is TCP?", "Ordered delivery.\n\n- a list in the answer", "Quiz", "", (), "Quiz"),
        ("UDP?", "Datagrams.", "Quiz", "", (), "Quiz"),
    ]


def test_pairs_under_a_heading_still_take_it_as_context() -> None:
    notes, tokenised = _plain_pairs("# Networks\n\n## Transport\n\nQ: What is TCP?\nA: Ordered delivery.\n")
    assert tokenised
    assert [(n.question, n.context, n.section, n.tags, n.deck) for n in notes] == [
        ("What is TCP?", "Transport", "Transport", ("transport",), "Networks"),
    ]
