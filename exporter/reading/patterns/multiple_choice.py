"""Multiple-choice questions: a question, perhaps code, then `- [ ]` / `- [x]` options.

Syntax read:

    ### Question 3                      a heading, or a line, asks; text and code blocks
    What does this print?              between it and the options belong to the question
    ```python
    print(len({1, 1, 2}))
    ```
    - [ ] 3
    - [x] 2                            the ticked options are the answer
    - [ ] an error
    **Explanation:** a set keeps...    text after the options, up to the next question,
                                       heading, rule or cloze paragraph,
                                       explains the answer

The front holds the question, its code and every option, all unticked; the back the
ticked options, then the explanation. Options with none ticked are a to-do list, not
a question, unless an answer line follows them (`Answer: B`, `Réponse : B`), which
then is the back. Where a question starts: after the heading, at the last line above
the options that asks (ends with `?`, or is numbered `3.`, `Q3`, `Question 3`), else at
the paragraph just above them. A heading that does not ask, right over the asking line
(`## Single Choice Question`), only labels the question and stays out of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from exporter.model import NoteKind
from exporter.reading.claim import Claim, Reading
from exporter.reading.patterns.anki_cloze import starts_cloze_paragraph
from exporter.reading.patterns.labels import HEADING_LABEL
from exporter.reading.patterns.lines import Card, LineView, claims, strip_item_marker, view_of

NAME = "multiple-choice"
_OPTION = re.compile(r"^(?P<indent>\s*)[-*+]\s+\[(?P<mark>[ xX])\]\s+(?P<text>.*)$")
_ASKS = re.compile(
    r"\?\s*+(?:\*\*|__)?\s*+$|^\s*+(?:\*\*|__)?\s*+(?:Q\s*+\d+|(?:Question|Frage|Pregunta|Domanda|Pergunta)\b)",
    re.IGNORECASE,
)
_NUMBERED = re.compile(r"^\s*+(?:\*\*|__)?\s*+\d++\s*+[.)]\s++\S")
"""`3. Complexity of ...`: asks as a paragraph, not as a heading (`## 1. Installation` is a step)."""
_ANSWER_LINE = re.compile(r"^\s*+(?:\*\*|__)?\s*+(?:answer|réponse|correct answer|bonne réponse|solution)s?\s*+:",
                          re.IGNORECASE)
_TRIGGER = re.compile(r"^[ \t]*[-*+][ \t]+\[[ xX]\]", re.MULTILINE)
_BOX = re.compile(r"\[[ xX]\]")
"""An option's box anywhere: one search (1 ms on a 3 MB file) where three `in` tests took 15 ms."""
_RULE = re.compile(r"^\s{0,3}(?:-{3,}|\*{3,}|_{3,})\s*$")


class MultipleChoice:
    """Multiple-choice questions with `- [ ]`/`- [x]` options (see the module docstring)."""

    name: ClassVar[str] = NAME

    def claim(self, reading: Reading) -> Iterator[Claim]:
        if not may_claim(reading.doc.source.text):
            return
        yield from claims(reading, find_cards(view_of(reading.doc)))


def may_claim(text: str) -> bool:
    """False when no line opens with an option box (`- [ ]`, `- [x]`): then this pattern claims nothing."""
    return _BOX.search(text) is not None and _TRIGGER.search(text) is not None


def find_cards(view: LineView) -> list[Card]:
    """Every multiple-choice question of the file, in source order."""
    lists = _option_lists(view)
    starts = [_question_start(view, first, lists[i - 1][1] if i else 0) for i, (first, _) in enumerate(lists)]
    cards: list[Card] = []
    for index, ((first, end), start) in enumerate(zip(lists, starts)):
        following = [s for s in starts[index + 1 :] if s is not None]
        limit = following[0] if following else len(view.lines)
        card = _card(view, first, end, start, limit) if start is not None else None
        if card is not None:
            cards.append(card)
    return cards


def _option_lists(view: LineView) -> list[tuple[int, int]]:
    """(first, end) of each run of two or more option lines at one indentation."""
    found = []
    number = 0
    while number < len(view.lines):
        match = _OPTION.match(view.lines[number]) if number not in view.verbatim else None
        if match is None:
            number += 1
            continue
        stop = number + 1
        while stop < len(view.lines) and stop not in view.verbatim and (
            (m := _OPTION.match(view.lines[stop])) and m.group("indent") == match.group("indent")
        ):
            stop += 1
        if stop - number >= 2:
            found.append((number, stop))
        number = stop
    return found


def _card(view: LineView, first: int, end: int, start: int, limit: int) -> Card | None:
    options = [_OPTION.match(view.lines[n]) for n in range(first, end)]
    ticked = [m.group("text").strip() for m in options if m and m.group("mark") != " "]
    explanation_end = _explanation_end(view, end, limit)
    explanation = view.text(end, explanation_end).strip()
    if not ticked and not _ANSWER_LINE.match(explanation.split("\n", 1)[0] if explanation else ""):
        return None
    heading = view.heading(start)
    question_lines = view.text(start + 1 if heading else start, first).strip()
    title = HEADING_LABEL.sub("", heading[1], count=1) if heading else ""
    asked = "\n\n".join(part for part in (title, question_lines) if part)
    unticked = "\n".join(f"- [ ] {m.group('text').strip()}" for m in options if m)
    answer = "\n\n".join(part for part in ("\n".join(f"- {text}" for text in ticked), explanation) if part)
    first_ticked = next((n for n, m in zip(range(first, end), options) if m and m.group("mark") != " "),
                        next((n for n in range(end, explanation_end) if not view.is_blank(n)), end))
    return Card(start, explanation_end, NoteKind.QA, f"{asked}\n\n{unticked}", answer, start, first_ticked)


def _question_start(view: LineView, first: int, floor: int) -> int | None:
    """The line where the question of the options at `first` starts, or None when nothing asks."""
    above = [n for n in range(floor, first) if not view.is_blank(n)]
    heading_at = max((n for n in above if view.heading(n) is not None), default=None)
    if heading_at is not None:
        above = [n for n in above if n > heading_at]
    heading = view.heading(heading_at) if heading_at is not None else None
    if heading is not None and heading[0] == 1:
        heading_at, heading = None, None  # the file's title names the quiz, not one question
    asking = [n for n in above if n not in view.verbatim and _asks(view, n)]
    heading_asks = heading is not None and bool(_ASKS.search(heading[1]))
    label_only = not heading_asks and bool(asking) and asking[0] == above[0]
    if heading_at is not None and (asking or heading_asks) and _one_question_section(view, first) and not label_only:
        return heading_at  # quizdown style: a heading per question, code may come before the asking line
    if asking:
        start = asking[-1]
        while start - 1 >= floor and not view.is_blank(start - 1) and view.heading(start - 1) is None:
            start -= 1  # the question's paragraph from its first line
        return start
    return heading_at if heading_asks else None


def _one_question_section(view: LineView, first: int) -> bool:
    """The heading's section holds these options and no other: the heading introduces this question."""
    number = first
    while number < len(view.lines) and view.heading(number) is None:
        number += 1
    later = [n for n in range(first, number) if n not in view.verbatim and _OPTION.match(view.lines[n])
             and (n == 0 or not _OPTION.match(view.lines[n - 1]))]
    return len(later) == 1


def _asks(view: LineView, number: int) -> bool:
    line = view.lines[number]
    return bool(_ASKS.search(strip_item_marker(line)) or (not line.startswith((" ", "\t")) and _NUMBERED.match(line)))


def _explanation_end(view: LineView, end: int, limit: int) -> int:
    """Where the text after the options stops: the next heading, rule, question (`limit`) or cloze paragraph."""
    number = end
    last = end
    while number < limit:
        if view.heading(number) is not None or (number not in view.verbatim and _RULE.match(view.lines[number])) \
                or starts_cloze_paragraph(view, number):
            break
        if not view.is_blank(number):
            last = number + 1
        number += 1
    return last
