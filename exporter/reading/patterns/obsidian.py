"""Obsidian spaced-repetition plugin cards (st3v3nmw/obsidian-spaced-repetition).

Syntax read, as the plugin reads it (its defaults):

    Kenya::Nairobi                    one card, front::back, on one line
    chat:::cat                        two cards, one each way (a reversed note)
    Front, one or more lines          a multi-line card: the lines touching a line
    ?                                 that holds only `?`; `??` makes it reversed.
    Back, up to the next blank line   Code blocks and `$$` formulas belong to the
                                      card whole, blank lines and all. A `?` between
                                      blank lines joins the paragraph above to the
                                      block below, as the plugin's later versions do.
    The ==mitochondria== is ...       a cloze card: each highlight one deletion
    <!--SR:!2024-05-01,3,250-->       scheduling data the plugin writes: ignored
    #flashcards/biology/cells         the deck, `biology::cells`, for the cards after it
                                      (before the first tag: the file's first tag)

A file is read this way when it is tagged `#flashcards` (the plugin's default tag), in
its text or in its YAML front matter (`tags: [flashcards/biology]`, as Obsidian lets one
tag a note), or holds the plugin's scheduling comments, since `word::word` and `==x==` mean other
things elsewhere (C++ names, Anki deck paths, plain highlights). A `?` or `??` line is
unambiguous and is read in any file. Cards wrapped in an HTML comment are ignored,
as the plugin ignores them. Headings are never part of a card.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import ClassVar

from exporter.model import NoteKind
from exporter.reading.claim import Claim, Reading
from exporter.reading.front_matter import front_matter_end
from exporter.reading.patterns.lines import Card, LineView, claims, strip_item_marker, view_of

NAME = "obsidian"
TAG = re.compile(r"(?<![\w#])#flashcards((?:/[^\s#/]+)*)/?(?![\w/-])", re.IGNORECASE)
SCHEDULE = re.compile(r"(?<!\s)\s*+<!--SR:[^<>]*-->\s*+")
r"""`(?<!\s)` and `[^<>]`: a search starts once per run of spaces, and an unclosed `<!--SR:`
is not scanned to the end of the text from each copy (both were quadratic)."""
_SEPARATORS = {"?": NoteKind.QA, "??": NoteKind.REVERSED}
_INLINE = re.compile(r"(?<!:)(:{2,3})(?!:)")
_CLOZE_MARKER = re.compile(r"\{\{c\d+::")
_HIGHLIGHT = re.compile(r"(?<!=)==(?=[^\s=])(?:[^=]|=(?!=))*?(?<=[^\s=])==(?!=)")
_ONLY_TAGS = re.compile(r"^\s*(?:#[^\s#]+\s*)+$")
_SEPARATOR_LINE = re.compile(r"\n[ \t]*\?\??[ \t]*\r?\n")
"""Without it, the tag or a scheduling comment, a file has no Obsidian card (a quick test, not the reading)."""


@dataclass(frozen=True)
class _Deck:
    """Where each tag line sets the deck of the cards after it."""

    changes: tuple[tuple[int, str], ...]

    def at(self, line: int) -> str | None:
        current = self.changes[0][1] if self.changes else None
        for number, deck in self.changes:
            if number <= line:
                current = deck
        return current


class ObsidianCards:
    """The Obsidian spaced-repetition plugin's cards (see the module docstring); tag lines are syntax."""

    name: ClassVar[str] = NAME

    def claim(self, reading: Reading) -> Iterator[Claim]:
        if not may_claim(reading.doc.source.text):
            return
        view = view_of(reading.doc)
        yield from claims(reading, find_cards(view), tag_lines(view))


def may_claim(text: str) -> bool:
    """False without the `flashcards` tag, a scheduling comment or a `?`/`??` separator line:
    then this pattern claims nothing (a quick test, not the reading)."""
    return "flashcards" in text.lower() or "<!--SR:" in text or _SEPARATOR_LINE.search(f"\n{text}\n") is not None


def tag_lines(view: LineView) -> list[tuple[int, int]]:
    """Lines holding only tags, one of them `#flashcards`: they name decks, they are no text to learn."""
    return [(n, n + 1) for n in range(len(view.lines)) if _is_tag_line(view, n) and TAG.search(view.lines[n])]


def is_obsidian_file(view: LineView) -> bool:
    """Tagged `#flashcards` (in the text or the front matter) or carrying the plugin's scheduling comments."""
    return front_matter_deck(view.lines) is not None or any(
        TAG.search(view.prose(n)) or "<!--SR:" in view.lines[n] for n in range(front_matter_end(view.lines), len(view.lines)))


def front_matter_deck(lines: Sequence[str]) -> str | None:
    """The deck a `flashcards` tag of the front matter names ("" for the bare tag), None without one.

    Obsidian reads a note's tags from its YAML front matter too (`tags: [a, b]`, `tags: a, b`
    or a `- a` list, `#` optional), and so does the plugin: a file tagged only there is an
    Obsidian file all the same.
    """
    end = front_matter_end(lines)
    if not end or "flashcards" not in "".join(lines[1 : end - 1]).lower():
        return None
    import yaml  # only for the files that may need it

    try:
        metadata = yaml.safe_load("\n".join(lines[1 : end - 1]))
    except yaml.YAMLError:
        return None
    if not isinstance(metadata, dict):
        return None
    tags = metadata.get("tags", metadata.get("tag"))
    if isinstance(tags, str):
        tags = re.split(r"[,\s]+", tags)
    if not isinstance(tags, list):
        return None
    for tag in tags:
        match = TAG.fullmatch("#" + str(tag).strip().lstrip("#")) if isinstance(tag, str) else None
        if match:
            return "::".join(part for part in match.group(1).split("/") if part)
    return None


def find_cards(view: LineView) -> list[Card]:
    """Every Obsidian card of the file, in source order."""
    tagged = is_obsidian_file(view)
    decks = _decks(view)
    cards: list[Card] = []
    parts = [part for group in view.groups() for part in _outside_comments(view, *group)]
    index = 0
    while index < len(parts):
        first, end = parts[index]
        kind = _SEPARATORS.get(view.lines[first].strip()) if end == first + 1 else None
        if kind is not None and 0 < index and index + 1 < len(parts) and _cards_end(cards) <= parts[index - 1][0]:
            card = _spaced_card(view, parts[index - 1], parts[index + 1], kind, decks)
            if card is not None:
                cards.append(card)
                index += 2
                continue
        cards.extend(_group_cards(view, first, end, tagged, decks))
        index += 1
    return cards


def _cards_end(cards: list[Card]) -> int:
    return cards[-1].end if cards else 0


def _spaced_card(
    view: LineView, front: tuple[int, int], back: tuple[int, int], kind: NoteKind, decks: _Deck
) -> Card | None:
    """A `?` line alone between blank lines: the run of lines above is the front, the run below the back."""
    first = front[0]
    while first < front[1] and _is_tag_line(view, first):
        first += 1
    if first >= front[1] or any(view.heading(n) is not None for n in range(front[0], front[1])):
        return None
    question = view.text(first, front[1])
    answer = SCHEDULE.sub("\n", view.text(back[0], back[1])).strip("\n")
    if not question.strip() or not answer.strip():
        return None
    return Card(first, back[1], kind, question, answer, first, back[0], decks.at(first))


def _outside_comments(view: LineView, first: int, end: int) -> Iterator[tuple[int, int]]:
    """The parts of a run of lines outside HTML comments: a card wrapped in a comment is switched off."""
    start = first
    number = first
    while number < end:
        line = view.lines[number].lstrip()
        if line.startswith("<!--") and not line.startswith("<!--SR:"):
            if start < number:
                yield start, number
            while number < end and "-->" not in view.lines[number]:
                number += 1
            start = number + 1
        number += 1
    if start < end:
        yield start, end


def _decks(view: LineView) -> _Deck:
    tagged = front_matter_deck(view.lines)
    changes = [(0, tagged)] if tagged else []
    for number in range(front_matter_end(view.lines), len(view.lines)):  # the front matter's YAML read above
        match = TAG.search(view.prose(number))
        if match:
            path = [part for part in match.group(1).split("/") if part]
            changes.append((number, "::".join(path)))
    return _Deck(tuple((n, deck) for n, deck in changes if deck) or ())


def _group_cards(view: LineView, first: int, end: int, tagged: bool, decks: _Deck) -> list[Card]:
    """Cards of one run of touching lines: inline cards split it, each rest may be a `?` or cloze card."""
    cards: list[Card] = []
    segment_start = first
    number = first
    while number < end:
        inline = _inline_card(view, number, decks) if tagged else None
        if inline is None:
            number += 1
            continue
        cards.extend(_segment_card(view, segment_start, number, tagged, decks))
        after = number + 1
        if after < end and SCHEDULE.fullmatch(view.lines[after]):
            after += 1
        cards.append(inline if after == number + 1 else Card(number, after, inline.kind, inline.question, inline.answer,
                                                               number, number, inline.deck))
        segment_start = number = after
    cards.extend(_segment_card(view, segment_start, end, tagged, decks))
    return cards


def _inline_card(view: LineView, number: int, decks: _Deck) -> Card | None:
    prose = _CLOZE_MARKER.sub(lambda m: "x" * len(m.group(0)), view.prose(number))
    match = _INLINE.search(prose)
    if match is None:
        return None
    line = SCHEDULE.sub("", view.lines[number])
    front = strip_item_marker(line[: match.start()]).strip()
    back = line[match.end() :].strip()
    if not front or not back:
        return None
    kind = NoteKind.REVERSED if match.group(1) == ":::" else NoteKind.QA
    return Card(number, number + 1, kind, front, back, number, number, decks.at(number))


def _segment_card(view: LineView, first: int, end: int, tagged: bool, decks: _Deck) -> list[Card]:
    """A multi-line card around a `?`/`??` line, else a cloze card when the text highlights."""
    while first < end and _is_tag_line(view, first):
        first += 1
    if first >= end:
        return []
    for number in range(first, end):
        kind = _SEPARATORS.get(view.lines[number].strip()) if number not in view.verbatim else None
        if kind is None:
            continue
        front = view.text(first, number)
        back_end = end
        back = SCHEDULE.sub("\n", view.text(number + 1, back_end)).strip("\n")
        if not front.strip() or not back.strip():
            return []
        return [Card(first, end, kind, front, back, first, number + 1, decks.at(first))]
    if tagged and any(_HIGHLIGHT.search(view.prose(n)) for n in range(first, end)):
        text = SCHEDULE.sub("\n", view.text(first, end)).strip("\n")
        return [Card(first, end, NoteKind.CLOZE, text, "", first, None, decks.at(first))]
    return []


def _is_tag_line(view: LineView, number: int) -> bool:
    return number not in view.verbatim and bool(_ONLY_TAGS.match(view.lines[number]))
