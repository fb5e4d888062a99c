"""Cloze deletions through the render stage: `==x==` numbering, math and code kept Anki-safe, printed forms."""

from __future__ import annotations

from pathlib import Path

import pytest

from exporter.model import NoteKind
from exporter.rendering import cloze
from exporter.rendering.highlight import highlight_code
from tests.rendering import render_one


def cloze_html(text: str, root: Path) -> tuple[str, list[str]]:
    rendered, findings = render_one(text, root, kind=NoteKind.CLOZE, answer=None)
    assert rendered.answer_html == ""  # no Extra: nothing, not "no answer yet"
    return rendered.question_html, findings


@pytest.mark.parametrize(
    ("markup", "numbers", "anki"),
    [
        ("{{c1::Paris}} and {{c2::France::country}}", [1, 2], "{{c1::Paris}} and {{c2::France::country}}"),
        (r"\(2^{ {{c1::10}} }\)", [1], r"\(2^{ {{c1::10}} }\)"),
        (r"\({{c1::\frac{a}{\sqrt{b}}}}\)", [1], r"\({{c1::\frac{a}{\sqrt{b} } }}\)"),
        (r"{{c3::\(\sqrt{\frac{1}{2}}\)}}", [3], r"{{c3::\(\sqrt{\frac{1}{2} }\)}}"),
        (r"\(\{ {{c1::a}} \}\)", [1], r"\(\{ {{c1::a}} \}\)"),
        ("{{c1::outer {{c2::inner}} end}}", [1, 2], "{{c1::outer {{c2::inner}} end}}"),
        ("a }} b {{c1::never closed", [], "a }} b {{c1::never closed"),
        ("{{c0::zero}} makes no card", [], "{{c0::zero}} makes no card"),
    ],
)
def test_numbers_and_anki_safe_text(markup: str, numbers: list[int], anki: str) -> None:
    assert cloze.numbers(markup) == numbers
    assert cloze.anki_text(markup) == anki
    assert cloze.anki_text(anki) == anki  # already safe text stays as it is


def test_hint_is_after_the_first_double_colon_as_in_anki() -> None:
    [piece] = cloze.parse("{{c1::x::y::z}}")
    assert isinstance(piece, cloze.Cloze)
    assert (piece.body, piece.hint) == (("x",), "y::z")


def test_printed_forms_mark_or_blank_each_deletion_in_html_and_in_tex() -> None:
    markup = r"{{c1::Paris}} is in {{c2::France::country}}: \(2^{ {{c3::10}} } = {{c4::1024::a power}}\)"
    assert cloze.shown(markup) == (
        r'<mark class="cloze">Paris</mark> is in <mark class="cloze">France</mark>: \(2^{ \boxed{10} } = \boxed{1024}\)'
    )
    assert cloze.blanked(markup) == (
        r'<span class="cloze-blank">[…]</span> is in <span class="cloze-blank">[country]</span>: '
        r"\(2^{ [\ldots] } = [\text{a power}]\)"
    )


def test_highlights_are_numbered_after_written_deletions(tmp_path: Path) -> None:
    html, findings = cloze_html("{{c2::Lyon}} lies where the ==Rhône== meets the ==Saône==.", tmp_path)
    assert html == "<p>{{c2::Lyon}} lies where the {{c3::Rhône}} meets the {{c4::Saône}}.</p>\n"
    assert findings == []


def test_highlights_hold_markdown_and_math_but_not_inside_code_or_math(tmp_path: Path) -> None:
    html, _ = cloze_html("==**bold** $x^2$== and `a==b==c` and $a ==b== c$ and a == b == c", tmp_path)
    assert html == (
        '<p>{{c1::<strong>bold</strong> <span class="math inline">\\(x^2\\)</span>}} and <code>a==b==c</code>'
        ' and <span class="math inline">\\(a ==b== c\\)</span> and a == b == c</p>\n'
    )


def test_other_notes_keep_highlight_marks_as_text(tmp_path: Path) -> None:
    rendered, _ = render_one("The ==mitochondria== is {{c1::here}}", tmp_path)
    assert rendered.question_html == "<p>The ==mitochondria== is {{c1::here}}</p>\n"


def test_deletion_in_math_gets_the_space_anki_needs(tmp_path: Path) -> None:
    html, findings = cloze_html(r"$$\sum_i {{c1::\frac{1}{2^{i}}}} = 1$$", tmp_path)
    assert html == '<div class="math display">\\[\\sum_i {{c1::\\frac{1}{2^{i} } }} = 1\\]</div>\n'
    assert findings == []


def test_a_cloze_note_without_deletion_is_reported(tmp_path: Path) -> None:
    _, findings = cloze_html("Nothing hidden here, `==not this==`.", tmp_path)
    assert findings == ["1 warning cloze"]


def test_deletion_in_highlighted_code_stays_whole_around_the_tokens(tmp_path: Path) -> None:
    html, findings = cloze_html("```python\n\ndef f(x):\n    return {{c1::x * 2}} if x else {}\n```", tmp_path)
    assert '{{c1::<span class="n">x</span> <span class="o">*</span> <span class="mi">2</span>}}' in html
    assert '<span class="p">{}</span>' in html  # the code's own braces are code
    assert cloze.numbers(html) == [1] and findings == []


def test_code_without_a_known_language_keeps_its_deletion(tmp_path: Path) -> None:
    html, _ = cloze_html("```\nSELECT {{c1::COUNT(*)}} FROM t;\n```", tmp_path)
    assert "<code>SELECT {{c1::COUNT(*)}} FROM t;\n</code>" in html


def test_highlighting_around_markers_gives_the_code_highlighting_alone() -> None:
    """Taking the markers out again gives exactly what highlighting the bare code gives."""
    code = "for i in range({{c1::10}}):\n    print({{c2::i ** 2::square}})\n"
    highlighted = cloze.highlight_keeping_clozes(code, lambda bare: highlight_code(bare, "python"))
    bare = code.replace("{{c1::", "").replace("{{c2::", "").replace("}}", "")
    stripped = highlighted.replace("{{c1::", "").replace("{{c2::", "").replace("}}", "")
    assert stripped == highlight_code(bare, "python")
    assert cloze.numbers(highlighted) == [1, 2]
