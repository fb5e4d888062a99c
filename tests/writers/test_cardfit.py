"""Which faces are laid out straight in their cell: only those that cannot need a second card."""

from __future__ import annotations

from exporter.output.cardfit import surely_fits
from exporter.output.sheets import SheetItem

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
