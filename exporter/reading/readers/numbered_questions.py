"""Reader for numbered course questions: `### Qn. question` then `**Réponse :** answer`.

The format of the exam-preparation notes: a `# ` title naming the deck, numbered
topic headings (`## 1. Réseaux de neurones ...`, later `# 13. ...`), and under
them questions as `## Qn.` or `### Qn.` headings. A question may continue on the
lines below its heading until the `**Réponse :**` (or `**Réponse attendue :**`)
label; the answer runs until the next heading of the question's level or above.
`---` rules only separate questions and are never part of an answer.

Topics become the note's `section` and a tag, not subdecks: the file has about
seventy topics of two questions each, and as many subdecks would bury the deck
list in Anki while tags still let the user study one topic (a filtered deck).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar
from pathlib import PurePosixPath

from exporter.diagnostics import Diagnostics
from exporter.model import Note, NoteKind, SourceLocation
from exporter.reading.readers import SourceFile, register
from exporter.reading.readers.blocks import LineKind, has_text_line, scan_reporting, strip_blank_edges, tag_slug

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_QUESTION_HEADING = re.compile(r"^#{2,3}\s+Q\d+\.\s")
_QUESTION_TEXT = re.compile(r"^Q(\d+)\.\s+(.*)$")
_TOPIC_TEXT = re.compile(r"^\d+\.\s+(.*)$")
_ANSWER = re.compile(r"^\*\*\s*R[ée]ponse(?:\s+attendue)?\s*(?::\s*\*\*|\*\*\s*:)(.*)$")
_RULE = re.compile(r"^ {0,3}([-*_])(?:\s*\1){2,}\s*$")


@dataclass
class _Question:
    line: int
    """0-based index of the question's heading."""
    level: int
    topic: str
    question: list[str]
    answer: list[str] | None = None


@register
class NumberedQuestionsReader:
    name: ClassVar[str] = "numbered"

    def detect(self, source: SourceFile) -> float:
        return 0.9 if has_text_line(source.lines, _QUESTION_HEADING) else 0.0

    def read(self, source: SourceFile, diagnostics: Diagnostics) -> list[Note]:
        lines = source.lines
        layout = scan_reporting(source.path, lines, diagnostics)
        title: str | None = None
        topic = ""
        questions: list[_Question] = []
        current: _Question | None = None
        orphan_run = False
        for index, line in enumerate(lines):
            kind = layout.kinds[index]
            heading = _HEADING.match(line) if kind is LineKind.TEXT else None
            if heading:
                level, text = len(heading.group(1)), heading.group(2)
                asked = _QUESTION_TEXT.match(text) if level in (2, 3) else None
                if asked:
                    current = _Question(index, level, topic, [asked.group(2)])
                    questions.append(current)
                    orphan_run = False
                    continue
                if current is None or level <= current.level:
                    current = None
                    orphan_run = False
                    if level == 1 and title is None and not questions and not topic and not _TOPIC_TEXT.match(text):
                        title = text
                        continue
                    if level <= 2:
                        numbered = _TOPIC_TEXT.match(text)
                        topic = numbered.group(1) if numbered else ""
                        continue
            if kind is LineKind.COMMENT:
                continue
            if kind is LineKind.TEXT and _RULE.match(line):
                current = None  # a separator ends the answer: anything after it is not the answer
                orphan_run = False
                continue
            if current is None:
                if line.strip() and not orphan_run:
                    diagnostics.warning(source.path, index + 1, "orphan-text", "text outside any question; ignored")
                orphan_run = orphan_run or bool(line.strip())
                continue
            label = _ANSWER.match(line) if kind is LineKind.TEXT else None
            if current.answer is None and label:
                current.answer = [label.group(1)]
            elif current.answer is None:
                current.question.append(line)
            else:
                current.answer.append(line)
        deck = source.deck or title or _deck_from_path(source.path)
        return [_note(q, deck, source, diagnostics) for q in questions]


def _note(question: _Question, deck: str, source: SourceFile, diagnostics: Diagnostics) -> Note:
    answer: str | None = None
    if question.answer is None:
        diagnostics.warning(source.path, question.line + 1, "no-answer-line", "question has no '**Réponse :**' line")
    else:
        answer = strip_blank_edges([question.answer[0].lstrip(), *question.answer[1:]]) or None
    return Note(
        deck=deck,
        kind=NoteKind.QA,
        question=strip_blank_edges(question.question),
        answer=answer,
        source=SourceLocation(source.path, question.line + 1),
        tags=(tag_slug(question.topic),) if question.topic else (),
        context=question.topic or deck,
        section=question.topic,
        link=None,
    )


def _deck_from_path(path: str) -> str:
    return PurePosixPath(path).stem.replace("-", " ").replace("_", " ").strip().capitalize() or "Deck"
