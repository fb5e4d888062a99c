"""Question headings: a heading that asks owns everything under it, sub-headings included.

    ## 12. What does dropout do?          ### Q12. Définissez un perceptron.
    It switches off random units.         **Réponse :**
    ### Example                           Un neurone artificiel.
    ```python
    nn.Dropout(0.5)
    ```

A heading asks when it ends with `?` or is numbered as a question (`Q12.`,
`Question 12`), or is numbered `12.` in a file whose headings of that level
mostly ask (`## 3. Explain backpropagation` among `## 2. Why ...?`). Its answer
is everything down to the next heading of its level or higher, or a rule
(`---`): `### Solution`, `### Explanation`, `#### Code example` are parts of
the answer, not cards of their own; a generic `### Answer` (or `### Solution`)
right under the question only labels the answer and is dropped. A heading with question headings under it
is a topic, not a question: it names their section and tag (`## 1. Réseaux de
neurones` over `### Q1.`), its number dropped, unless an answer label sits
right under it (`## Q: ...?` then `**A:** ...` then `### Follow-up Q: ...?`):
then both are questions and the first one's answer stops at the second.

When the file writes answer labels (`**Réponse :**`, `**Answer:**`,
`Réponse attendue :`), the question runs on below its heading until the label,
and a question heading without one is reported and open. The author's
question number is dropped: decks and sheets number (or shuffle) by themselves.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from exporter.model import NoteKind
from exporter.reading.claim import Claim, Reading, first_text_line, lines_text
from exporter.reading.document import Block
from exporter.reading.layout import LineKind, matching_lines
from exporter.reading.patterns.labels import ANSWER_WORDS, HEADING_LABEL, label_pattern

_NUMBERED_QUESTION = re.compile(r"^(?:Q[ \t]*\d+|(?i:question)[ \t]+\d+)[ \t]*[.):]?[ \t]+")
_NUMBERED = re.compile(r"^\d+[ \t]*[.)][ \t]+")
_ANSWER_EXTRA = ("Réponse attendue", "Reponse attendue", "Expected answer")
_ANSWER_HEADING = re.compile(
    r"^ {0,3}#{1,6}[ \t]+[*_]*(?:answers?|solutions?|r[ée]ponses?|antwort|respuesta|risposta|resposta)[*_]*[ \t]*:?[ \t]*#*[ \t]*$",
    re.IGNORECASE,
)
"""`### Answer` right under a question heading: a label for what follows, not part of the answer."""


@dataclass
class _Question:
    heading: Block
    end: int
    """0-based line after the question's last line."""
    label: int | None = None
    """0-based line of its answer label, if any."""


class QuestionHeadings:
    name: ClassVar[str] = "question-headings"

    def claim(self, reading: Reading) -> Iterator[Claim]:
        doc = reading.doc
        if not doc.may_have_headings:
            return
        answer = label_pattern(ANSWER_WORDS + _ANSWER_EXTRA + reading.options.answer_labels, "A")
        kinds = doc.layout.kinds
        # The answer labels' lines, from one scan of the text: each question looks its first one up.
        labels = [i for i in matching_lines(answer, doc.source.text) if kinds[i] is LineKind.TEXT]
        headings = _question_headings(reading, labels)
        following = [h.start for h in headings[1:]] + [len(doc.lines)]
        questions = [_Question(h, min(_end(reading, h), after)) for h, after in zip(headings, following)]
        for question in questions:
            question.label = _first_between(labels, question.heading.end, question.end)
        labelled = any(q.label is not None for q in questions)
        for question in questions:
            heading = question.heading
            title = _NUMBERED.sub("", _NUMBERED_QUESTION.sub("", HEADING_LABEL.sub("", heading.content, count=1)))
            body_start = heading.end
            context = reading.context_of(doc.parents_of(heading))
            if question.label is not None:
                found = answer.match(doc.lines[question.label])
                assert found is not None
                asked = [title, *doc.lines[body_start : question.label]]
                rest = [found.group(2).lstrip(), *doc.lines[question.label + 1 : question.end]]
                text = lines_text(rest) or None
                line = first_text_line(rest, question.label)
            elif labelled:
                reading.diagnostics.warning(doc.path, heading.start + 1, "no-answer-line",
                                            "question has no answer label")
                asked, text, line = [title, *doc.lines[body_start : question.end]], None, None
            else:
                body_start = _after_answer_heading(doc.lines, body_start, question.end)
                body = doc.lines[body_start : question.end]
                if not lines_text(body) and question.end < len(doc.lines) and not reading.free(question.end, question.end + 1):
                    continue  # its text is another pattern's card (an Obsidian `?` card): the heading names it
                asked, text, line = [title], lines_text(body) or None, first_text_line(body, body_start)
            note = reading.note(NoteKind.QA, lines_text(asked), text, heading.start, line, context=context)
            yield Claim.of(heading.start, question.end, note)


def _after_answer_heading(lines: list[str], start: int, end: int) -> int:
    """The line after a leading `### Answer` heading of the lines `start` to `end`, else `start`."""
    first = next((i for i in range(start, end) if lines[i].strip()), end)
    return first + 1 if first < end and _ANSWER_HEADING.match(lines[first]) else start


def _first_between(lines: list[int], start: int, end: int) -> int | None:
    """The first of the sorted `lines` in [start, end), if any."""
    position = bisect.bisect_left(lines, start)
    return lines[position] if position < len(lines) and lines[position] < end else None


def _question_headings(reading: Reading, labels: list[int]) -> list[Block]:
    """The free headings that ask and have no asking heading under them, or an answer label of their own."""
    doc = reading.doc
    headings = [h for h in doc.headings if reading.free(h.start, h.end)]
    numbered_by_level: dict[int, list[bool]] = {}
    for heading in headings:
        if _NUMBERED.match(heading.content):
            numbered_by_level.setdefault(heading.level, []).append(_asks(heading.content))
    candidates = [h for h in headings if _is_candidate(h, numbered_by_level)]
    kept: list[Block] = []
    for position, heading in enumerate(candidates):
        following = candidates[position + 1] if position + 1 < len(candidates) else None
        if following is not None and following.level > heading.level and following.start < doc.section_end(heading) \
                and _first_between(labels, heading.end, following.start) is None:
            continue  # a topic over questions
        kept.append(heading)
    return kept


def _is_candidate(heading: Block, numbered_by_level: dict[int, list[bool]]) -> bool:
    text = HEADING_LABEL.sub("", heading.content, count=1)
    if _asks(text) or _NUMBERED_QUESTION.match(text):
        return True
    if _NUMBERED.match(text):
        asking = numbered_by_level.get(heading.level, [])
        return sum(asking) * 2 > len(asking)
    return False


def _asks(text: str) -> bool:
    return text.rstrip("*_ ").endswith("?")


def _end(reading: Reading, heading: Block) -> int:
    """The line after the question's answer: the next heading of its level or higher, a rule, a claim."""
    doc = reading.doc
    end = doc.section_end(heading)
    for block in doc.outline_after(heading.start):  # the first rule inside the section ends the answer
        if block.start >= end:
            break
        if block.type == "hr":
            end = block.start
            break
    return reading.next_claimed(heading.end, end)
