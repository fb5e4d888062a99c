"""Render every note's Markdown to sanitised HTML once; all writers share the result.

PLACEHOLDER: plain markdown-it rendering until exporter/markdown.py (math, code,
media, sanitising) lands.
"""

from __future__ import annotations

import html
from pathlib import Path

from exporter.diagnostics import Diagnostics
from exporter.model import Note, RenderedNote


def render_notes(notes: list[Note], project_root: Path, diagnostics: Diagnostics) -> list[RenderedNote]:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True}).enable("table")
    rendered = []
    for note in notes:
        source = html.escape(str(note.source))
        rendered.append(
            RenderedNote(
                note=note,
                question_html=md.render(note.question),
                answer_html=md.render(note.answer) if note.answer else "",
                context_html=html.escape(note.context),
                source_html=source,
            )
        )
    return rendered
