"""Reader for `Question : Deck - Subdeck - text` / `Answer : ...` blocks.

The format of the quiz notes: each question starts on a line `Question :`, its
first words name the deck and subdeck (`Deep Learning - Gradient Descent - ...`),
and it runs until its `Answer :` line, so a question may hold lists, math or
code. The answer runs until the next question or the next HTML comment. HTML
comments are never questions (the file opens with a commented-out template),
and a comment holding only a URL is the course page of the notes under it,
until the next comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar
from pathlib import PurePosixPath

from exporter.diagnostics import Diagnostics
from exporter.model import Note, NoteKind, SourceLocation
from exporter.reading.readers import SourceFile, register
from exporter.reading.readers.blocks import Layout, LineKind, has_text_line, scan_reporting, strip_blank_edges, tag_slug

_QUESTION = re.compile(r"^Question\s*:(.*)$")
_ANSWER = re.compile(r"^Answer\s*:(.*)$")
_DECK_SEPARATOR = re.compile(r"\s+-\s+")
_URL = re.compile(r"^https?://\S+$")


@dataclass
class _Block:
    """A question being read: its lines so far, and its answer's once the label is seen."""

    line: int
    """0-based index of the `Question :` line."""
    link: str | None
    question: list[str]
    answer: list[str] | None = None


@register
class QaBlocksReader:
    name: ClassVar[str] = "qa-blocks"

    def detect(self, source: SourceFile) -> float:
        return 0.9 if has_text_line(source.lines, _QUESTION) else 0.0

    def read(self, source: SourceFile, diagnostics: Diagnostics) -> list[Note]:
        lines = source.lines
        layout = scan_reporting(source.path, lines, diagnostics)
        blocks = _blocks(lines, layout, source, diagnostics)
        notes = []
        previous_deck: str | None = None
        for block in blocks:
            note = _note(block, source, previous_deck, diagnostics)
            previous_deck = note.deck
            notes.append(note)
        return notes


def _blocks(lines: list[str], layout: Layout, source: SourceFile, diagnostics: Diagnostics) -> list[_Block]:
    """Cut the file into question blocks; comments end a block and set or clear the link."""
    blocks: list[_Block] = []
    current: _Block | None = None
    link: str | None = None
    in_orphan_run = False
    for index, line in enumerate(lines):
        kind = layout.kinds[index]
        if kind is LineKind.COMMENT:
            comment = layout.comment_at(index)
            if comment is not None:
                current = None
                link = comment.body if _URL.match(comment.body) else None
                in_orphan_run = False
            continue
        question = _QUESTION.match(line) if kind is LineKind.TEXT else None
        answer = _ANSWER.match(line) if kind is LineKind.TEXT else None
        if question:
            current = _Block(index, link, [question.group(1)])
            blocks.append(current)
        elif current is None:
            if line.strip() and not in_orphan_run:
                diagnostics.warning(source.path, index + 1, "orphan-text", "text outside any question block; ignored")
            in_orphan_run = in_orphan_run or bool(line.strip())
            continue
        elif current.answer is None and answer:
            current.answer = [answer.group(1)]
        elif current.answer is None:
            current.question.append(line)
        else:
            current.answer.append(line)
        in_orphan_run = False
    return blocks


def _note(block: _Block, source: SourceFile, previous_deck: str | None, diagnostics: Diagnostics) -> Note:
    first, *rest = block.question
    parts = _DECK_SEPARATOR.split(first.lstrip(), maxsplit=2)
    if len(parts) == 3:
        subdeck = parts[1]
        deck = f"{source.deck or parts[0]}::{subdeck}"
        first = parts[2]
    else:
        deck = previous_deck or source.deck or _deck_from_path(source.path)
        subdeck = deck.rsplit("::", 1)[-1]
        diagnostics.warning(
            source.path,
            block.line + 1,
            "no-deck",
            f"question does not start with 'Deck - Subdeck - '; put in deck {deck!r}",
        )
    question = strip_blank_edges([first.lstrip(), *rest])
    answer: str | None = None
    if block.answer is None:
        diagnostics.warning(source.path, block.line + 1, "no-answer-line", "question has no 'Answer :' line")
    else:
        answer = strip_blank_edges([block.answer[0].lstrip(), *block.answer[1:]]) or None
    return Note(
        deck=deck,
        kind=NoteKind.QA,
        question=question,
        answer=answer,
        source=SourceLocation(source.path, block.line + 1),
        tags=(tag_slug(subdeck),),
        context=subdeck,
        section=subdeck,
        link=block.link,
    )


def _deck_from_path(path: str) -> str:
    return PurePosixPath(path).stem.replace("-", " ").replace("_", " ").strip().capitalize() or "Deck"
