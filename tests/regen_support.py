"""A tiny reader and writer for the regeneration tests, so they run without the real formats.

The reader takes `## question` headings with the answer below; the writer dumps each
note's GUID, modification time and HTML as text. Both are installed with monkeypatch,
so the real registries are restored after each test.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest

from exporter.diagnostics import Diagnostics
from exporter.model import Deck, Note, NoteKind, SourceLocation
from exporter.reading.readers import READERS, SourceFile, load_readers
from exporter.output.writers import WRITERS, WriteOptions, atomic_output, load_writers

SETTINGS = '[[sources]]\npath = "sources/*"\nreader = "test-headings"\n'


class HeadingReader:
    name: ClassVar[str] = "test-headings"

    def detect(self, source: SourceFile) -> float:
        return 0.0

    def read(self, source: SourceFile, diagnostics: Diagnostics) -> list[Note]:
        deck = source.deck or Path(source.path).stem.replace("-", " ").title()
        notes: list[Note] = []
        question: tuple[str, int] | None = None
        answer: list[str] = []
        for number, line in enumerate(source.lines + ["## "], start=1):
            if line.startswith("## "):
                if question is not None:
                    text = "\n".join(answer).strip()
                    notes.append(Note(deck, NoteKind.QA, question[0], text, SourceLocation(source.path, question[1])))
                question, answer = (line[3:].strip(), number), []
            elif line.startswith("!! "):
                diagnostics.error(source.path, number, "test-error", line[3:])
            elif question is not None:
                answer.append(line)
        return [n for n in notes if n.question]


class TextWriter:
    name: ClassVar[str] = "html"
    extension: ClassVar[str] = "txt"

    def write(self, deck: Deck, target: Path, options: WriteOptions) -> list[Diagnostic]:
        lines = [f"{rn.note.guid} {rn.note.modified} {rn.question_html.strip()} | {rn.answer_html.strip()}"
                 for rn in deck.notes]
        with atomic_output(target) as tmp:
            tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return []


def install(monkeypatch: pytest.MonkeyPatch) -> None:
    load_readers()
    load_writers()
    monkeypatch.setitem(READERS, HeadingReader.name, HeadingReader())
    monkeypatch.setitem(WRITERS, TextWriter.name, TextWriter())


def make_project(root: Path, files: dict[str, str]) -> None:
    (root / "sources").mkdir(parents=True, exist_ok=True)
    (root / "exporter.toml").write_text(SETTINGS, encoding="utf-8")
    for name, text in files.items():
        (root / "sources" / name).write_text(text, encoding="utf-8")
