"""The one intermediate model every reader produces and every writer consumes.

Readers fill `Note` with Markdown as written; the render stage adds HTML once
(`RenderedNote`), so no writer ever parses Markdown again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class NoteKind(str, Enum):
    """What a note was made from; writers style and word the back by it."""

    QA = "qa"  # an explicit question with its answer
    OPEN = "open"  # a question with no answer written yet
    SECTION = "section"  # a lesson section: heading on the front, content on the back
    TABLE_ROW = "row"  # one row of a table: first cell on the front
    CHECKLIST = "checklist"  # a checklist: its title on the front, the items on the back
    CLOZE = "cloze"  # text with `{{cN::...}}` deletions (question) and an Extra (answer): a card per N
    REVERSED = "reversed"  # a pair studied both ways: one card question -> answer, one answer -> question

    @property
    def note_type(self) -> str:
        """The family of Anki note type a note of this kind is written with: `basic`, `reversed` or `cloze`.

        Anki cannot change a note's type on import (it skips the note as conflicting), so a
        note keeps its GUID only within one family.
        """
        return {"cloze": "cloze", "reversed": "reversed"}.get(self.value, "basic")


@dataclass(frozen=True, order=True)
class SourceLocation:
    """Where a note or a finding comes from: path relative to the project, 1-based line."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Note:
    """One card-to-be, exactly as the source wrote it."""

    deck: str
    """Hierarchical deck name in Anki's form, `A::B`."""
    kind: NoteKind
    question: str
    """Markdown as written (junk already stripped, mojibake already repaired); a cloze note's text."""
    answer: str | None
    """Markdown as written; None when the source gives no answer; a cloze note's Extra ("" for none)."""
    source: SourceLocation
    tags: tuple[str, ...] = ()
    context: str = ""
    """Plain text shown above the question: document title, section trail."""
    section: str = ""
    """The topic heading the note sits under, for grouping on printed sheets."""
    link: str | None = None
    """A URL the source gives for the notes under it (a course page)."""
    answer_line: int = 0
    """1-based source line where the answer's text starts; 0 when there is no answer."""
    guid: str = ""
    """Stable Anki GUID; filled by `identity.resolve` (from the lock, else from deck and question)."""
    modified: int = 0
    """Seconds since the epoch of the note's last visible change (from the lock file); 0 = unknown."""

    @property
    def top_deck(self) -> str:
        return self.deck.split("::", 1)[0]


@dataclass(frozen=True)
class MediaFile:
    """A file packed into the deck: `name` is what fields reference."""

    name: str
    path: str
    """Absolute path on disk, already checked to lie inside the source tree."""


@dataclass(frozen=True)
class RenderedNote:
    """A note with its fields rendered to sanitised HTML, ready for any writer."""

    note: Note
    question_html: str
    answer_html: str
    context_html: str
    source_html: str
    media: tuple[MediaFile, ...] = ()
    language: str = "en"
    """The language of the tool's own words for this note (its file's, set or guessed)."""


@dataclass
class Deck:
    """A top-level deck and everything in it, the unit each writer outputs."""

    name: str
    notes: list[RenderedNote] = field(default_factory=list)
    removed: list[RenderedNote] = field(default_factory=list)
    """Notes whose question left the sources, tagged for deletion: only the Anki writer emits them."""

    @property
    def source_paths(self) -> list[str]:
        return sorted({rn.note.source.path for rn in self.notes})
