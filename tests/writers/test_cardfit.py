"""Which faces are laid out straight in their cell: only those that cannot need a second card."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pypdf
import pytest

from exporter.model import Deck
from exporter.output.cardfit import surely_fits
from exporter.output.sheets import SheetItem
from exporter.output.writers import WriteOptions
from exporter.output.writers.pdf import PdfWriter
from tests.writers.sample_deck import rendered

CARD = (90.0, 62.0)


def item(question: str, answer: str, is_open: bool = False) -> SheetItem:
    return SheetItem(1, "q1", "qa", question, answer, "Deck › Topic", "sources/a.md:1", is_open)


def test_a_short_question_and_answer_fit() -> None:
    face = item("<p>What is a tensor?</p>", "<p>An array with any number of axes.</p>")
    assert surely_fits(face, True, CARD, 5) and surely_fits(face, False, CARD, 5)


def test_a_long_answer_images_tables_code_and_formulas_are_left_to_card_pages() -> None:
    essay = "<p>" + " ".join(["word"] * 120) + "</p>"
    assert not surely_fits(item("<p>Q?</p>", essay), False, CARD, 5)
    for body in ('<p><img src="a.png"></p>', "<table><tr><td>a</td></tr></table>",
                 '<div class="highlight"><pre>x = 1</pre></div>', '<span class="math inline"><svg></svg></span>'):
        assert not surely_fits(item("<p>Q?</p>", body), False, CARD, 5), body


def test_an_open_questions_writing_lines_fit_a_card_but_not_a_tiny_one() -> None:
    face = item("<p>Discuss.</p>", "", is_open=True)
    assert surely_fits(face, False, CARD, 5)
    assert not surely_fits(face, False, (90.0, 30.0), 5)


def test_an_answer_of_seven_lines_fits_where_a_character_count_said_no() -> None:
    """About sixty words of plain text take seven lines of a 90x62 mm card: they go in its cell."""
    answer = "<p>" + " ".join(["the gradient flows back through every layer"] * 8) + ".</p>"
    assert surely_fits(item("<p>Why?</p>", answer), False, CARD, 5)


def shapes(n: int) -> list[str]:
    """Answers of `n` words in the shapes study notes take: prose, wide capitals, lists, code, bold, emoji."""
    words = [f"apprentissage{i}" if i % 5 == 0 else "mot" for i in range(n)]
    return [
        "<p>" + " ".join(words) + "</p>",
        "<p>" + " ".join(["WWMW"] * n) + "</p>",
        "<ul>" + "".join(f"<li><strong>Terme {i}</strong> : une définition</li>" for i in range(n // 4 + 1)) + "</ul>",
        "<p>" + " ".join(f"<code>x_{i}[:, 0]</code>" for i in range(n // 2 + 1)) + "</p>",
        "<p>Avant</p><p>" + "<br>".join(["ligne"] * (n // 3 + 1)) + "</p><p>Après 🚀 ✅</p>",
    ]


def test_no_face_judged_to_fit_overflows_its_cell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The estimate is never optimistic: faces on both sides of its limit, laid out in their cells, all fit.

    A face judged to fit and found overflowing would cost the cards a second layout.
    """
    from exporter.output.writers import cards

    judged: list[bool] = []
    checks: list[set[str]] = []
    real_fits, real_overflowing = cards.surely_fits, cards._overflowing

    def spy_fits(*args: Any) -> bool:
        judged.append(real_fits(*args))
        return judged[-1]

    def spy_overflowing(*args: Any) -> set[str]:
        checks.append(real_overflowing(*args))
        return checks[-1]

    monkeypatch.setattr(cards, "surely_fits", spy_fits)
    monkeypatch.setattr(cards, "_overflowing", spy_overflowing)
    answers = [answer for n in range(8, 130, 6) for answer in shapes(n)]
    notes = [rendered(f"<p>Question {i} ?</p>", answer, line=i) for i, answer in enumerate(answers, 1)]
    target = tmp_path / "cards.pdf"
    PdfWriter().write(Deck("Limits", notes), target, WriteOptions(project_root=tmp_path, layout="cards"))
    backs = judged[1::2]
    assert sum(backs) > len(answers) // 3 and not all(backs)  # faces on both sides of the limit
    assert checks == [set()]
    text = "".join(page.extract_text() for page in pypdf.PdfReader(target).pages)
    assert all(f"Question {i} ?" in text for i in range(1, len(answers) + 1))
