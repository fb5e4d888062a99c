"""A decoded source file and the per-file reading options that settings give it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from exporter.model import Note


@dataclass(frozen=True)
class ReadOptions:
    """How one file is read, from `exporter.toml` (see `exporter.config`)."""

    only: str | None = None
    """The one pattern to use (the `reader` setting); None lets every pattern try."""
    off: tuple[str, ...] = ()
    """Patterns turned off for this file (`patterns_off`)."""
    question_labels: tuple[str, ...] = ()
    """Extra words that open a question (`question = "Frage"`), added to the built-in ones."""
    answer_labels: tuple[str, ...] = ()
    """Extra words that open an answer (`answer = "Antwort"`)."""

    def allows(self, name: str) -> bool:
        return name not in self.off and (self.only is None or self.only == name)


@dataclass(frozen=True)
class SourceFile:
    """A decoded source: text with LF newlines, mojibake already repaired."""

    path: str
    """Path relative to the project root, as messages and provenance show it."""
    abs_path: Path
    text: str
    deck: str | None = None
    """Deck name forced by configuration; None lets the file decide."""
    tags: tuple[str, ...] = ()
    """Extra tags from configuration, added to every note."""
    options: ReadOptions = field(default_factory=ReadOptions)

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


def with_tags(note: Note, extra: tuple[str, ...]) -> Note:
    """`note` with the tags its file's settings add (`tags = [...]`), after its own."""
    return dataclasses.replace(note, tags=note.tags + tuple(t for t in extra if t not in note.tags))
