"""Readers turn one source file into notes; each format is one registered reader.

A reader is a small class with a `name`, a `detect` score and a `read` method.
Detection asks every registered reader and takes the highest score, so a new
format only needs its module listed in `_READER_MODULES`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Protocol, TypeVar

from exporter.diagnostics import Diagnostics
from exporter.model import Note


@dataclass(frozen=True)
class SourceFile:
    """A decoded source: text with LF newlines, mojibake already repaired."""

    path: str
    """Path relative to the project root, as messages and provenance show it."""
    abs_path: Path
    text: str
    deck: str | None = None
    """Deck name forced by configuration; None lets the reader decide."""
    tags: tuple[str, ...] = ()
    """Extra tags from configuration, added to every note."""

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


class Reader(Protocol):
    name: ClassVar[str]

    def detect(self, source: SourceFile) -> float:
        """How sure this reader is that the file is its format, 0 (no) to 1 (certain)."""
        ...

    def read(self, source: SourceFile, diagnostics: Diagnostics) -> list[Note]:
        """All notes of the file, in source order; problems go to `diagnostics`."""
        ...


_READER_MODULES = (
    "exporter.reading.readers.qa_blocks",
    "exporter.reading.readers.numbered_questions",
    "exporter.reading.readers.open_questions",
    "exporter.reading.readers.document",
)

READERS: dict[str, Reader] = {}


ReaderClass = TypeVar("ReaderClass", bound=type[Reader])


def register(cls: ReaderClass) -> ReaderClass:
    """Class decorator: add a reader to the registry under its `name`."""
    READERS[cls.name] = cls()
    return cls


def load_readers() -> dict[str, Reader]:
    for module in _READER_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:  # a reader that exists but fails to import is a bug
                raise
    return READERS


def detect_reader(source: SourceFile) -> Reader | None:
    """The reader with the highest positive score, or None when no reader knows the file."""
    best: tuple[float, Reader] | None = None
    for reader in load_readers().values():
        score = reader.detect(source)
        if score > 0 and (best is None or score > best[0]):
            best = (score, reader)
    return best[1] if best else None
