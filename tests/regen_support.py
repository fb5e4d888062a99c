"""A tiny card pattern and writer for the regeneration tests, so they run without the real formats.

The pattern takes `## question` headings with the answer below; the writer dumps each
note's GUID, modification time and HTML as text. Both are installed with monkeypatch,
so the real registries are restored after each test.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest

from collections.abc import Iterator

from exporter.diagnostics import Diagnostic
from exporter.model import Deck, NoteKind
from exporter.reading import patterns
from exporter.reading.claim import Claim, Reading
from exporter.output.writers import WRITERS, WriteOptions, atomic_output, load_writers

SETTINGS = '[[sources]]\npath = "sources/*"\nreader = "test-headings"\n'


class HeadingPattern:
    name: ClassVar[str] = "test-headings"

    def claim(self, reading: Reading) -> Iterator[Claim]:
        doc = reading.doc
        question: tuple[str, int] | None = None
        answer: list[str] = []
        for index, line in enumerate(doc.lines + ["## "]):
            if line.startswith("## "):
                if question is not None and question[0]:
                    text = "\n".join(answer).strip()
                    note = reading.note(NoteKind.QA, question[0], text, question[1], question[1] + 1,
                                        deck=doc.source.deck or Path(doc.path).stem.replace("-", " ").title(),
                                        context=("", "", ()))
                    yield Claim.of(question[1], index, note)
                question, answer = (line[3:].strip(), index), []
            elif line.startswith("!! "):
                reading.diagnostics.error(doc.path, index + 1, "test-error", line[3:])
            elif question is not None:
                answer.append(line)


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
    load_writers()
    monkeypatch.setattr(patterns, "PATTERNS", (*patterns.PATTERNS, HeadingPattern()))
    monkeypatch.setitem(WRITERS, TextWriter.name, TextWriter())


def make_project(root: Path, files: dict[str, str]) -> None:
    (root / "sources").mkdir(parents=True, exist_ok=True)
    (root / "exporter.toml").write_text(SETTINGS, encoding="utf-8")
    for name, text in files.items():
        (root / "sources" / name).write_text(text, encoding="utf-8")
