"""The notes each source file gave, kept across builds so an edit re-reads only what changed.

Reading a file (decoding, mojibake repair, junk removal, detection, the reader itself)
depends only on its bytes, its path, its settings and the toolkit's code: that is the
key. In a tree of hundreds of files, reading the unchanged ones was most of a rebuild.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import fields
from pathlib import Path

from exporter.build.cache import BuildCache
from exporter.config import SourceSettings
from exporter.diagnostics import Diagnostic, Level
from exporter.model import Note, NoteKind, SourceLocation
from exporter.reading.claim import Coverage

CACHE_NAME = "read.sqlite"


def file_key(toolkit: str, relative_path: str, data: bytes, settings: SourceSettings) -> str:
    digest = hashlib.sha256(toolkit.encode())
    digest.update(json.dumps([relative_path, settings.reader, settings.deck, list(settings.tags),
                              list(settings.patterns_off), list(settings.question_labels),
                              list(settings.answer_labels)]).encode())
    digest.update(data)
    return digest.hexdigest()


_NOTE_FIELDS = tuple(f.name for f in fields(Note))


def note_to_value(note: Note) -> dict[str, object]:
    """The note as JSON-ready values; one level deep by hand (`asdict` deep-copies, a tenth of reading)."""
    value: dict[str, object] = {name: getattr(note, name) for name in _NOTE_FIELDS}
    value["kind"] = note.kind.value
    value["source"] = {"path": note.source.path, "line": note.source.line}
    value["tags"] = list(note.tags)
    return value


def note_from_value(value: dict[str, object]) -> Note:
    fields = dict(value)
    source = fields.pop("source")
    kind = fields.pop("kind")
    tags = fields.pop("tags")
    assert isinstance(source, dict) and isinstance(kind, str) and isinstance(tags, (list, tuple))
    return Note(
        kind=NoteKind(kind),
        source=SourceLocation(source["path"], source["line"]),
        tags=tuple(tags),
        **fields,  # type: ignore[arg-type]
    )


class ParseCache(BuildCache):
    """Notes and reading findings of source files, by `file_key`."""

    def __init__(self, cache_dir: Path | None) -> None:
        super().__init__(cache_dir, CACHE_NAME)

    def get(self, key: str) -> tuple[list[Note], list[Diagnostic], Coverage] | None:
        value = self.get_value(key)
        if value is None:
            return None
        notes, findings, (on_cards, text) = value
        return ([note_from_value(n) for n in notes],
                [Diagnostic(path, line, Level(level), code, message) for path, line, level, code, message in findings],
                Coverage(on_cards, text))

    def put(self, key: str, notes: list[Note], findings: list[Diagnostic], coverage: Coverage) -> None:
        self.put_value(key, [[note_to_value(n) for n in notes],
                             [[d.path, d.line, d.level.value, d.code, d.message] for d in findings],
                             [coverage.on_cards, coverage.text]])
