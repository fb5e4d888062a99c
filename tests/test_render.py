"""The render contract writers rely on, and golden HTML for representative notes.

Golden files change only on purpose: after a deliberate change, regenerate with
`EXPORTER_UPDATE_GOLDEN=1 pytest tests/test_render.py` and read the diff.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from exporter.diagnostics import Diagnostics
from exporter.model import NoteKind
from exporter.rendering.render import render_notes
from tests.rendering import note

GOLDEN = Path(__file__).parent / "golden"
ROOT = Path(__file__).parent.parent


@pytest.mark.parametrize("name", sorted(p.stem for p in GOLDEN.glob("*.md")))
def test_golden_html(name: str) -> None:
    source = GOLDEN / f"{name}.md"
    relative = source.relative_to(ROOT).as_posix()
    diagnostics = Diagnostics()
    [rendered] = render_notes([note(source.read_text(encoding="utf-8"), path=relative)], ROOT, diagnostics)
    expected = GOLDEN / f"{name}.html"
    if os.environ.get("EXPORTER_UPDATE_GOLDEN"):
        expected.write_text(rendered.question_html, encoding="utf-8")
    assert rendered.question_html == expected.read_text(encoding="utf-8")
    assert diagnostics.items == []


def test_golden_image_is_packed() -> None:
    source = GOLDEN / "image.md"
    [rendered] = render_notes(
        [note(source.read_text(encoding="utf-8"), path="tests/golden/image.md")], ROOT, Diagnostics()
    )
    [media] = rendered.media
    assert media.name == "5027616ad3-dot.png"
    assert Path(media.path) == (ROOT / "tests" / "fixtures" / "media" / "dot.png").resolve()


def test_open_question_in_english_says_no_answer_yet_in_english(tmp_path: Path) -> None:
    open_note = note("**1. Transfer**\n\nWhy are the first layers frozen and what is the point of that?", None,
                     kind=NoteKind.OPEN, line=12)
    [rendered] = render_notes([open_note], tmp_path, Diagnostics())
    assert rendered.answer_html == '<p class="no-answer">No answer written yet.</p>\n'
    assert rendered.language == "en"


def test_configured_language_wins_over_the_text(tmp_path: Path) -> None:
    open_note = note("**1. Transfer**\n\nWhy are the first layers frozen?", None, kind=NoteKind.OPEN, line=12)
    [rendered] = render_notes([open_note], tmp_path, Diagnostics(), languages={"notes/a.md": "fr"})
    assert rendered.answer_html == '<p class="no-answer">Pas encore de réponse rédigée.</p>\n'


def test_open_question_says_no_answer_yet(tmp_path: Path) -> None:
    open_note = note("**1. Transfert**\n\nPourquoi geler les couches ?", None, kind=NoteKind.OPEN, line=12)
    [rendered] = render_notes([open_note], tmp_path, Diagnostics())
    assert rendered.answer_html == '<p class="no-answer">Pas encore de réponse rédigée.</p>\n'  # a French note
    assert rendered.question_html == "<p><strong>1. Transfert</strong></p>\n<p>Pourquoi geler les couches ?</p>\n"
    assert rendered.source_html == "notes/a.md"  # no line: it moves with every edit above (see apkg.FIELDS)


def test_source_and_context_are_escaped(tmp_path: Path) -> None:
    linked = note("Q", path="notes/<a>.md", line=3, link="https://example.com/a?b=1&c=2", context="Cours <1> & TP")
    [rendered] = render_notes([linked], tmp_path, Diagnostics())
    assert rendered.source_html == (
        'notes/&lt;a&gt;.md · <a href="https://example.com/a?b=1&amp;c=2">https://example.com/a?b=1&amp;c=2</a>'
    )
    assert rendered.context_html == "Cours &lt;1&gt; &amp; TP"


def test_notes_come_back_in_order_with_their_note(tmp_path: Path) -> None:
    notes = [note(f"Q{i}", f"R{i}", line=i) for i in range(1, 4)]
    rendered = render_notes(notes, tmp_path, Diagnostics())
    assert [r.note for r in rendered] == notes
    assert [r.answer_html for r in rendered] == ["<p>R1</p>\n", "<p>R2</p>\n", "<p>R3</p>\n"]


def test_worker_processes_render_exactly_what_one_process_renders(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    notes = [
        note(f"Question {n} : que vaut $x_{n}$ ?", f"Réponse {n} :\n\n```python\nprint({n})\n```\n\n$$\\frac{{1}}{{{n}}}$$",
             line=n * 3)
        for n in range(1, 13)
    ]
    notes.append(note("Lien ?", "$\\frac{1}{$ et ![x](../../etc/passwd)", line=60))
    for some in (notes, notes[-3:]):  # fewer notes than batches: some batches are empty
        serial_findings, parallel_findings = Diagnostics(), Diagnostics()
        serial = render_notes(some, tmp_path, serial_findings, workers=1)
        parallel = render_notes(some, tmp_path, parallel_findings, workers=2)
        assert [(r.question_html, r.answer_html, r.media) for r in parallel] == [
            (r.question_html, r.answer_html, r.media) for r in serial
        ]
        assert parallel_findings.items == serial_findings.items
        assert {d.code for d in serial_findings.items} >= {"math", "forbidden-media"}


def test_source_names_the_section_unless_the_context_shows_it(tmp_path: Path) -> None:
    under = dataclasses.replace(note("Q"), section="Batch normalization", context="")
    shown = dataclasses.replace(note("Q"), section="Bases", context="Transfer Learning > Bases")
    sources = [r.source_html for r in render_notes([under, shown], tmp_path, Diagnostics())]
    assert sources == ["notes/a.md › Batch normalization", "notes/a.md"]
