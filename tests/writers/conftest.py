"""Hand-built rendered decks for writer tests: no reader, no renderer involved."""

from __future__ import annotations

import base64
import dataclasses
from pathlib import Path
from typing import Callable

import pytest

from exporter.model import Deck, MediaFile, Note, NoteKind, RenderedNote, SourceLocation

# A 1x1 PNG: real image bytes so Anki's media import has a genuine file to take.
PNG_BYTES = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def rendered_note(
    deck: str,
    question_html: str,
    answer_html: str,
    *,
    guid: str,
    kind: NoteKind = NoteKind.QA,
    tags: tuple[str, ...] = (),
    context_html: str = "",
    source: SourceLocation = SourceLocation("notes.md", 1),
    modified: int = 0,
    media: tuple[MediaFile, ...] = (),
) -> RenderedNote:
    """A RenderedNote whose Markdown fields are unused placeholders: writers read only the HTML."""
    note = Note(
        deck=deck,
        kind=kind,
        question=f"question {guid}",
        answer=None if kind is NoteKind.OPEN else f"answer {guid}",
        source=source,
        tags=tags,
        guid=guid,
        modified=modified,
    )
    return RenderedNote(
        note=note,
        question_html=question_html,
        answer_html=answer_html,
        context_html=context_html,
        source_html=f'<a href="#">{source}</a>',
        media=media,
    )


def with_answer(deck: Deck, guid: str, answer_html: str, modified: int) -> Deck:
    """A copy of `deck` where the note `guid` has a new answer and modification time."""
    notes = []
    for rendered in deck.notes:
        if rendered.note.guid == guid:
            note = dataclasses.replace(rendered.note, modified=modified)
            rendered = dataclasses.replace(rendered, note=note, answer_html=answer_html)
        notes.append(rendered)
    return Deck(deck.name, notes)


@pytest.fixture
def image(tmp_path: Path) -> MediaFile:
    path = tmp_path / "media" / "diagram.png"
    path.parent.mkdir()
    path.write_bytes(PNG_BYTES)
    return MediaFile("diagram.png", str(path))


@pytest.fixture
def sample_deck(image: MediaFile) -> Deck:
    """Subdecks, inline and display math, highlighted code, an image (used twice) and an open question."""
    return Deck(
        "Maths",
        [
            rendered_note(
                "Maths::Algebra",
                '<p>When is <span class="math inline">\\(x_1 < y\\)</span> true?</p>',
                '<p>Always when</p>\n<div class="math display">\\[\\sum_{i=1}^{n} x_i \\le \\frac{a}{b}\\]</div>',
                guid="g-math",
                tags=("algebra", "linear maps"),
                context_html="Cours 1 › Inégalités",
                source=SourceLocation("algebra.md", 12),
                modified=1_750_000_000,
            ),
            rendered_note(
                "Maths::Code",
                "<p>What does <code>f</code> return?</p>",
                '<div class="highlight"><pre><span></span><span class="k">def</span> '
                '<span class="nf">f</span><span class="p">():</span>\n'
                '    <span class="k">return</span> <span class="mi">42</span>\n</pre></div>',
                guid="g-code",
                tags=("python",),
                source=SourceLocation("code.md", 3),
            ),
            rendered_note(
                "Maths::Algebra::Figures",
                '<p>Name this shape:</p>\n<p><img src="diagram.png" alt="shape"></p>',
                "<p>A single pixel.</p>",
                guid="g-image",
                media=(image,),
                source=SourceLocation("algebra.md", 30),
            ),
            rendered_note(
                "Maths",
                "<p>Why is the sky blue?</p>",
                '<p class="no-answer">No answer yet.</p>',
                guid="g-open",
                kind=NoteKind.OPEN,
                source=SourceLocation("open.md", 5),
            ),
            rendered_note(
                "Maths::Algebra::Figures",
                '<p>Same picture again: <img src="diagram.png" alt="again"></p>',
                "<p>Still one pixel.</p>",
                guid="g-image-2",
                media=(image,),
                source=SourceLocation("algebra.md", 40),
            ),
        ],
    )


@pytest.fixture(name="make_note")
def make_note_fixture() -> Callable[..., RenderedNote]:
    """`rendered_note` as a fixture, so tests need not import from a conftest."""
    return rendered_note


@pytest.fixture(name="change_answer")
def change_answer_fixture() -> Callable[[Deck, str, str, int], Deck]:
    """`with_answer` as a fixture."""
    return with_answer
