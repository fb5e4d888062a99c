"""The claim engine: patterns claim line ranges of a parsed file; what is left is context or reported.

Claims never overlap: the engine keeps one mask of claimed lines, marks each
claim as soon as a pattern yields it and refuses (as a bug) a claim over lines
already taken. After every pattern has run, each text block with unclaimed
lines that is not a heading naming claimed notes gives `not on any card
[unused]`, so nothing is dropped silently, and the share of the file's text
lines that ended on cards is returned for `exporter check`'s summary.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from exporter.diagnostics import Diagnostics
from exporter.model import Note, NoteKind, SourceLocation
from exporter.reading.document import Block, Document
from exporter.reading.front_matter import front_matter_end
from exporter.reading.inline import tag_slug
from exporter.reading.source import ReadOptions

if TYPE_CHECKING:
    from exporter.reading.patterns import Pattern

_NUMBER = re.compile(r"^\d+\s*[.)]\s+")
_PLACEHOLDERS = frozenset(
    {"", "todo", "tbd", "tba", "...", "…", "?", "??", "answer here", "your answer here", "answer", "a compléter",
     "à compléter", "a completer", "réponse ici", "reponse ici", "à faire", "xxx", "-", "—"}
)
_LONGEST_PLACEHOLDER = 40
"""Longer answers are never placeholders (and skip the markup stripping)."""
_PLACEHOLDER_MARKUP = re.compile(r"[*_`>#\[\]()]")


@dataclass(frozen=True)
class Claim:
    """Lines a pattern read (0-based, end excluded) and the notes they make, in order."""

    ranges: tuple[tuple[int, int], ...]
    notes: tuple[Note, ...] = ()

    @classmethod
    def of(cls, start: int, end: int, *notes: Note) -> Claim:
        return cls(((start, end),), tuple(notes))

    @property
    def start(self) -> int:
        return min(self.ranges)[0]  # the smallest (start, end) pair has the smallest start


@dataclass(frozen=True)
class Coverage:
    """How much of a file's text ended on cards: non-blank lines outside comments and rules."""

    on_cards: int = 0
    text: int = 0

    def __add__(self, other: Coverage) -> Coverage:
        return Coverage(self.on_cards + other.on_cards, self.text + other.text)

    @property
    def share(self) -> float:
        return self.on_cards / self.text if self.text else 1.0


@dataclass
class Reading:
    """What a pattern sees: the parsed file, its options, findings, and which lines are taken."""

    doc: Document
    options: ReadOptions
    diagnostics: Diagnostics
    claimed: bytearray = field(init=False)
    claims: list[Claim] = field(default_factory=list)
    _contexts: dict[tuple[int, ...], tuple[str, str, tuple[str, ...]]] = field(default_factory=dict)
    """`context_of` by the first lines of the headings that name the note."""

    def __post_init__(self) -> None:
        self.claimed = bytearray(len(self.doc.lines) + 1)

    def free(self, start: int, end: int) -> bool:
        """True when no line in [start, end) is claimed yet."""
        return self.claimed.find(1, start, end) < 0

    def next_claimed(self, start: int, end: int) -> int:
        """The first claimed line in [start, end), or `end`."""
        found = self.claimed.find(1, start, end)
        return end if found < 0 else found

    def add(self, claim: Claim) -> None:
        for start, end in claim.ranges:
            if not self.free(start, end):
                raise ValueError(f"claim of lines {start + 1}-{end} overlaps an earlier claim")
            self.claimed[start:end] = b"\x01" * (end - start)
        self.claims.append(claim)

    @cached_property
    def text_mask(self) -> bytes:
        """1 for each line that is text to account for: not blank, not an HTML comment, a rule or front matter."""
        mask = bytearray(map(bool, map(str.strip, self.doc.lines)))  # no Python loop: 3 ms, not 8, for 115k lines
        mask.append(0)
        metadata = front_matter_end(self.doc.lines)
        mask[:metadata] = bytes(metadata)
        for comment in self.doc.layout.comments:
            mask[comment.start : comment.end + 1] = bytes(comment.end + 1 - comment.start)
        for block in self.doc.outline if self.doc.may_have_rules else ():
            if block.type == "hr":
                mask[block.start : block.end] = bytes(block.end - block.start)
        return bytes(mask)

    def explicit_share(self) -> float:
        """Share of the text lines claimed so far: tells a lesson from a question file."""
        text = self.text_mask.count(1)
        return _and(self.text_mask, self.claimed).count(1) / text if text else 0.0

    def context(self, line: int) -> tuple[str, str, tuple[str, ...]]:
        """(context, section, tags) for a note at 0-based `line`, from the headings above it.

        The trail leaves out the file's title (it names the deck) and authors'
        numbers (`## 3. Optimisation` is the topic `Optimisation`); the section is
        the outermost heading, what printed sheets group by and the note's tag.
        """
        if not self.doc.may_have_headings:
            return self.context_of(())  # no heading anywhere: known without tokenising the file
        trail = self.doc.trail(line)
        if trail and trail[-1].start == line:
            trail = trail[:-1]  # a note made from a heading: the heading is its question, not its context
        return self.context_of(trail)

    def context_of(self, headings: Iterable[Block]) -> tuple[str, str, tuple[str, ...]]:
        """(context, section, tags) of a note under `headings`, outermost first.

        Kept by the lines of the headings that name it: every note of a section asks the same.
        """
        title, claimed = self.doc.title, self.claimed
        named = [h for h in headings if h is not title and not claimed[h.start]]  # a claimed heading is in an answer
        key = tuple(h.start for h in named)
        found = self._contexts.get(key)
        if found is None:
            names = [_NUMBER.sub("", self.doc.heading_name(h)) for h in named]
            section = names[0] if names else ""
            tag = tag_slug(section)
            found = self._contexts[key] = (" > ".join(names) or self.doc.deck, section, (tag,) if tag else ())
        return found

    def note(
        self,
        kind: NoteKind,
        question: str,
        answer: str | None,
        line: int,
        answer_line: int | None = None,
        *,
        deck: str | None = None,
        context: tuple[str, str, tuple[str, ...]] | None = None,
        link: str | None = None,
    ) -> Note:
        """A note at 0-based `line`; a placeholder answer ("TODO", "Answer here", "…", empty) makes it open."""
        trail, section, tags = context if context is not None else self.context(line)
        if kind is NoteKind.QA and is_placeholder(answer):
            kind, answer = NoteKind.OPEN, None
        return new_note(deck or self.doc.deck, kind, question, answer, self.doc.path, line + 1, tags, trail, section,
                        link, answer_line + 1 if answer is not None and answer_line is not None else 0)


def new_note(deck: str, kind: NoteKind, question: str, answer: str | None, path: str, line: int,
             tags: tuple[str, ...], context: str, section: str, link: str | None, answer_line: int,
             guid: str = "", modified: int = 0) -> Note:
    """`Note(deck, kind, question, answer, SourceLocation(path, line), tags, context, section, link, answer_line,
    guid, modified)`, made without the frozen dataclasses' `__init__`.

    Their `__init__` sets each field through `object.__setattr__`: 3 µs a note, every note of
    every file read. The object is the same (`tests/reading/test_notes.py` compares).
    """
    if not _PLAIN:
        return Note(deck, kind, question, answer, SourceLocation(path, line), tags, context, section, link,
                    answer_line, guid, modified)
    where = _new(SourceLocation)
    where.__dict__.update(path=path, line=line)
    note = _new(Note)
    note.__dict__.update(zip(_NOTE_FIELDS, (deck, kind, question, answer, where, tags, context, section, link,
                                            answer_line, guid, modified)))
    return note


_NOTE_FIELDS = tuple(field.name for field in dataclasses.fields(Note))
_PLAIN = not any(hasattr(made, "__post_init__") or hasattr(made, "__slots__") for made in (Note, SourceLocation)) \
    and tuple(field.name for field in dataclasses.fields(SourceLocation)) == ("path", "line") \
    and _NOTE_FIELDS == ("deck", "kind", "question", "answer", "source", "tags", "context", "section", "link",
                         "answer_line", "guid", "modified")
"""Both classes are plain frozen dataclasses with these fields: `__init__` only sets them (else it is called)."""
_new = object.__new__


def is_placeholder(answer: str | None) -> bool:
    """An answer still to write: nothing, or a placeholder word such as TODO, "Answer here", "…"."""
    if answer is None:
        return True
    if len(answer) > _LONGEST_PLACEHOLDER:
        return False
    bare = _PLACEHOLDER_MARKUP.sub("", answer).strip().rstrip(".:").strip().casefold()
    return bare in _PLACEHOLDERS or answer.strip() in ("...", "…")


def read_document(
    doc: Document, patterns: Sequence[Pattern], diagnostics: Diagnostics
) -> tuple[list[Note], Coverage]:
    """Run every allowed pattern over `doc`; the notes in source order and the file's coverage."""
    reading = Reading(doc, doc.source.options, diagnostics)
    report_unclosed(doc, diagnostics)
    for pattern in patterns:
        if reading.claimed.find(0, 0, len(doc.lines)) < 0:
            # Every line is on a card (a file of labelled pairs): later patterns could claim nothing, and
            # none reports on lines already claimed; their scans of a 10k-note file cost 0.07 s.
            break
        if reading.options.allows(pattern.name):
            for claim in pattern.claim(reading):
                reading.add(claim)
    claims = sorted(reading.claims, key=lambda c: c.start)
    notes = [note for claim in claims for note in claim.notes]
    if not notes:  # the caller reports the whole file once, not each of its blocks
        return notes, Coverage(0, reading.text_mask.count(1))
    return notes, _report_unused(reading)


def report_unclosed(doc: Document, diagnostics: Diagnostics) -> None:
    """A warning for each comment or fence that runs to the end of the file."""
    for index, what in doc.layout.unclosed:
        diagnostics.warning(doc.path, index + 1, "unclosed", f"{what} is never closed; it runs to the end of the file")


def _report_unused(reading: Reading) -> Coverage:
    """`not on any card` for each text block left out; the coverage of the file's text lines."""
    doc = reading.doc
    on_cards = _and(reading.text_mask, reading.claimed)
    if on_cards == reading.text_mask:  # every text line is on a card: no need to look at the blocks
        return Coverage(on_cards.count(1), reading.text_mask.count(1))
    used = bytearray(reading.claimed)
    for heading in _context_headings(doc, reading.claimed):
        used[heading.start : heading.end] = b"\x01" * (heading.end - heading.start)
    on_cards = _and(reading.text_mask, used)
    left = _xor(reading.text_mask, on_cards)
    if left.count(1):
        for block in doc.blocks:
            first = left.find(1, block.start, block.end)
            if first >= 0:
                reading.diagnostics.info(doc.path, first + 1, "unused", "not on any card")
    return Coverage(on_cards.count(1), reading.text_mask.count(1))


def _xor(a: bytes | bytearray, b: bytes | bytearray) -> bytes:
    """Bytewise XOR of two equally long 0/1 masks."""
    size = len(a)
    return (int.from_bytes(a, "little") ^ int.from_bytes(b, "little")).to_bytes(size, "little")


def _and(a: bytes | bytearray, b: bytes | bytearray) -> bytes:
    """Bytewise AND of two equally long 0/1 masks (as one big integer: no Python loop)."""
    size = len(a)
    return (int.from_bytes(a, "little") & int.from_bytes(b, "little")).to_bytes(size, "little")


def _is_comment(block: Block) -> bool:
    return block.type == "html_block" and block.content.lstrip().startswith("<!--")


def _context_headings(doc: Document, claimed: bytearray) -> list[Block]:
    """The headings with claimed lines in their section: they name those notes."""
    return [h for h in doc.headings if claimed.find(1, h.start, doc.section_end(h)) >= 0]


def lines_text(lines: Sequence[str]) -> str:
    """Join lines, dropping blank lines at both ends and trailing spaces at the very end."""
    if len(lines) == 1:  # most questions: the same text without the loops and the join
        return lines[0].rstrip()
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[start:end]).rstrip()


def first_text_line(lines: Sequence[str], first: int) -> int:
    """The 0-based line of the first non-blank line of `lines`, which start at line `first`."""
    for offset, line in enumerate(lines):
        if line.strip():
            return first + offset
    return first
