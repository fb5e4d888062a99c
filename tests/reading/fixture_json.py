"""Fixture files and their expected notes: `<behaviour>.md` beside `<behaviour>.json`.

Run as a script (`python -m tests.reading.fixture_json PATH.md`) it prints what a
fixture gives now, as the JSON to review before committing it as expected.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from exporter.model import Note
from exporter.reading.source import ReadOptions
from tests.reading.support import read_file


def options_for(path: Path) -> ReadOptions:
    """`<behaviour>.options.json` next to a fixture sets its labels and patterns, as settings would."""
    extra = path.with_suffix(".options.json")
    if not extra.exists():
        return ReadOptions()
    data = json.loads(extra.read_text(encoding="utf-8"))
    return ReadOptions(data.get("reader"), tuple(data.get("patterns_off", [])), tuple(data.get("question", [])),
                       tuple(data.get("answer", [])))


def note_json(note: Note) -> dict[str, Any]:
    return {
        "kind": note.kind.value,
        "deck": note.deck,
        "question": note.question,
        "answer": note.answer,
        "line": note.source.line,
        "answer_line": note.answer_line,
        "context": note.context,
        "section": note.section,
        "tags": list(note.tags),
        **({"link": note.link} if note.link else {}),
    }


def actual(path: Path) -> dict[str, Any]:
    notes, findings = read_file(path, path.name, options=options_for(path))
    return {
        "notes": [note_json(n) for n in notes],
        "findings": [[d.line, d.level.value, d.code] for d in findings],
    }


if __name__ == "__main__":
    for name in sys.argv[1:]:
        print(json.dumps(actual(Path(name)), ensure_ascii=False, indent=2))
