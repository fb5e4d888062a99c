"""The JSON form of the model that `exporter dump` prints: a contract other tools rely on."""

from __future__ import annotations

from typing import Any

from exporter.build.pipeline import Model
from exporter.model import RenderedNote


def note_to_json(rendered: RenderedNote) -> dict[str, Any]:
    note = rendered.note
    return {
        "guid": note.guid,
        "deck": note.deck,
        "kind": note.kind.value,
        "question": note.question,
        "answer": note.answer,
        "question_html": rendered.question_html,
        "answer_html": rendered.answer_html,
        "context": note.context,
        "section": note.section,
        "link": note.link,
        "tags": list(note.tags),
        "source": {"path": note.source.path, "line": note.source.line},
        "answer_line": note.answer_line,
        "media": [m.name for m in rendered.media],
    }


def model_to_json(model: Model) -> dict[str, Any]:
    return {
        "notes": [note_to_json(n) for n in model.notes],
        "diagnostics": [d.to_json() for d in model.diagnostics.sorted()],
    }
