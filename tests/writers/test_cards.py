"""Where a face's content ends in its cell, read from WeasyPrint's boxes: where an empty block after it would start."""

from __future__ import annotations

import pytest

from exporter.output.writers.cards import face_ends

FACES = [
    "<p>one short line</p>",
    "<p>a paragraph</p><p>and another, whose bottom margin counts</p>",
    "<ul><li>nested<ul><li>deeper<p>with a paragraph</p></li></ul></li></ul>",
    "<h4>heading</h4><ol><li>one</li><li>two</li></ol>",
    "<div class='highlight'><pre>code\nlines</pre></div>",
    "<p>text with a <strong>bold</strong> word that wraps over several lines of this narrow cell, "
    "on and on, and on</p><blockquote>quoted</blockquote>",
    '<div style="float: right; width: 5mm; height: 30mm"></div><p>beside a tall float, which pushes nothing down</p>',
    "",
]


def page_with(marker: bool) -> str:
    end = '<div id="end-{}" style="padding-top: 0.01px"></div>'
    cells = "".join(
        f'<div style="float: left; width: 60mm; height: 45mm; padding: 4mm">'
        f'<section class="face back" id="b{n}"><div class="card-head">{n}</div>{face}'
        f'{end.format(f"b{n}") if marker else ""}</section></div>'
        for n, face in enumerate(FACES, start=1))
    return (f"<html><head><style>@page {{ size: A4; margin: 10mm }} html {{ font: 10pt 'DejaVu Sans' }}"
            f"p, ul, ol {{ margin: 0 0 1.5mm }}</style></head><body>{cells}</body></html>")


def test_a_faces_end_is_where_a_block_after_it_would_start() -> None:
    from weasyprint import HTML

    marked = HTML(string=page_with(True)).render().pages
    bare = HTML(string=page_with(False)).render().pages
    assert len(marked) == len(bare) == 1
    ends = face_ends(bare[0])
    assert set(ends) == {f"b{n}" for n in range(1, len(FACES) + 1)}
    for face, end in ends.items():
        assert end == pytest.approx(marked[0].anchors[f"end-{face}"][1], abs=1e-6), face
