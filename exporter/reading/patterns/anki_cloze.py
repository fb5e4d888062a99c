"""Anki cloze deletions written in the notes: `{{c1::answer}}`, `{{c2::answer::hint}}`.

Syntax read:

    The capital of {{c1::France}} is {{c2::Paris::city}}.      one note, two cards
    $$E = {{c1::mc^2}}$$                                     deletions inside math too
    Extra: founded by the Parisii                            optional, the note's Extra

A cloze note is a run of touching lines (a paragraph with its formulas and code, a
list) holding a deletion; a blank line or a heading ends it. A list whose items each
restart the numbering (every item a `c1`) is one note per item, since each item is a
fact of its own; a list numbered across its items is one note. A line starting with
`Extra:` and the lines after it are the Extra, shown on the back. Deletions in code
spans (`` `{{c1::x}}` ``) are examples of the syntax, not deletions. A code block or
formula with deletions keeps the sentence that introduces it (`... a host:`) above it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from exporter.model import NoteKind
from exporter.reading.claim import Claim, Reading
from exporter.reading.patterns.lines import Card, LineView, claims, item_text, list_items, view_of
from exporter.rendering.cloze import numbers

NAME = "anki-cloze"
_MARKER = re.compile(r"\{\{c\d+::")
_EXTRA = re.compile(r"^\s*(?:\*\*|__)?Extra\s*:\s*(?:\*\*|__)?\s*", re.IGNORECASE)


class AnkiCloze:
    """Cloze notes written with Anki's own `{{c1::...}}` syntax (see the module docstring)."""

    name: ClassVar[str] = NAME

    def claim(self, reading: Reading) -> Iterator[Claim]:
        if _MARKER.search(reading.doc.source.text) is None:
            return
        yield from claims(reading, find_cards(view_of(reading.doc)))


def has_cloze(view: LineView, first: int, end: int) -> bool:
    """A deletion in lines `first` to `end`, outside code spans."""
    return any(_MARKER.search(view.prose(n) if n not in view.verbatim else view.lines[n]) for n in range(first, end))


def starts_cloze_paragraph(view: LineView, number: int) -> bool:
    """Line `number` opens a paragraph (after a blank line) that holds a deletion: a cloze note of its own.

    The answer of a bold-line question and the explanation after multiple-choice options
    stop there, so a standalone `The capital of France is {{c1::Paris}}.` after them stays
    its own note instead of becoming part of their back.
    """
    if number == 0 or view.is_blank(number) or not view.is_blank(number - 1):
        return False
    end = number
    while end < len(view.lines) and not view.is_blank(end) and view.heading(end) is None:
        end += 1
    return has_cloze(view, number, end)


def find_cards(view: LineView) -> list[Card]:
    """Every cloze note of the file, in source order."""
    cards: list[Card] = []
    previous: tuple[int, int] | None = None
    for first, end in view.groups():
        if has_cloze(view, first, end):
            if previous is not None and _leads_in(view, previous, first, end):
                first = previous[0]
            cards.extend(_notes(view, first, end))
        previous = (first, end)
    return cards


def _leads_in(view: LineView, previous: tuple[int, int], first: int, end: int) -> bool:
    """A code block or formula alone, right after a paragraph ending with `:` that introduces it."""
    alone = all(n in view.verbatim for n in range(first, end))
    intro = view.lines[previous[1] - 1].rstrip()
    between = all(view.is_blank(n) for n in range(previous[1], first))
    return alone and between and intro.endswith(":") and not has_cloze(view, *previous) \
        and all(view.heading(n) is None for n in range(*previous))


def _notes(view: LineView, first: int, end: int) -> list[Card]:
    items = list_items(view, first, end)
    if len(items) > 1 and _numbering_restarts(view, items):
        return [_note(view, start, stop, item=True) for start, stop in items if has_cloze(view, start, stop)]
    return [_note(view, first, end)]


def _note(view: LineView, first: int, end: int, item: bool = False) -> Card:
    """The note of lines `first` to `end`; a list item's own text without its bullet."""
    extra_at = next((n for n in range(first + 1, end) if n not in view.verbatim and _EXTRA.match(view.lines[n])), None)
    text_end = end if extra_at is None else extra_at
    text = item_text(view, first, text_end) if item else view.text(first, text_end)
    extra = "" if extra_at is None else (_EXTRA.sub("", view.lines[extra_at], count=1) + "\n"
                                         + view.text(extra_at + 1, end)).strip("\n")
    return Card(first, end, NoteKind.CLOZE, text, extra, first, extra_at)


def _numbering_restarts(view: LineView, items: list[tuple[int, int]]) -> bool:
    seen: set[int] = set()
    for start, stop in items:
        found = set(numbers("\n".join(view.lines[start:stop])))
        if found & seen:
            return True
        seen |= found
    return False
