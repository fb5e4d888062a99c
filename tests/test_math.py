"""Math is found before Markdown touches it and comes out in Anki's MathJax delimiters."""

from __future__ import annotations

from pathlib import Path

import pytest

from exporter.diagnostics import Diagnostics
from exporter.reading.mathdetect import tex_problem
from exporter.rendering.render import render_notes
from tests.rendering import note, render_one


def test_dollar_math_with_spaces_keeps_its_tex(tmp_path: Path) -> None:
    rendered, findings = render_one(r"Gradient $ \frac{\partial L}{\partial w} $ ici", tmp_path)
    assert rendered.question_html == (
        '<p>Gradient <span class="math inline">\\(\\frac{\\partial L}{\\partial w}\\)</span> ici</p>\n'
    )
    assert findings == []


def test_underscores_backslashes_braces_and_less_than_survive(tmp_path: Path) -> None:
    rendered, _ = render_one(r"$a_1 < b_{2} \cdot c_3 \& d$", tmp_path)
    assert rendered.question_html == '<p><span class="math inline">\\(a_1 &lt; b_{2} \\cdot c_3 \\&amp; d\\)</span></p>\n'


def test_bracket_inline_math(tmp_path: Path) -> None:
    rendered, _ = render_one(r"ReLU : \( f(x)=\max(0,x) \) ; simple", tmp_path)
    assert rendered.question_html == '<p>ReLU : <span class="math inline">\\(f(x)=\\max(0,x)\\)</span> ; simple</p>\n'


def test_bracket_display_over_three_lines_interrupts_the_paragraph(tmp_path: Path) -> None:
    text = "Mathématiquement :  \n\\[\ny = f\\left(\\sum_i w_i x_i + b\\right)\n\\]  \nLe perceptron."
    rendered, _ = render_one(text, tmp_path)
    assert rendered.question_html == (
        "<p>Mathématiquement :</p>\n"
        '<div class="math display">\\[y = f\\left(\\sum_i w_i x_i + b\\right)\\]</div>\n'
        "<p>Le perceptron.</p>\n"
    )


def test_display_dollars_inside_a_paragraph_are_lifted_out_of_it(tmp_path: Path) -> None:
    rendered, _ = render_one("avant $$x^2$$ après", tmp_path)
    assert rendered.question_html == '<p>avant</p>\n<div class="math display">\\[x^2\\]</div>\n<p>après</p>\n'


def test_display_math_in_a_list_item(tmp_path: Path) -> None:
    text = "* Sortie :\n  $$\n  y = 0.731\n  $$\n* suite"
    rendered, _ = render_one(text, tmp_path)
    assert rendered.question_html == (
        '<ul>\n<li>Sortie :<div class="math display">\\[y = 0.731\\]</div>\n</li>\n<li>suite</li>\n</ul>\n'
    )


@pytest.mark.parametrize("text", ["Un abonnement coûte $5 or $10.", "entre $5 et $10 par mois", "Prix : 10$ ou 20$", "Prix : 5 $ et 6 $ par mois"])
def test_prices_stay_text(text: str, tmp_path: Path) -> None:
    rendered, findings = render_one(text, tmp_path)
    assert "math" not in rendered.question_html
    assert "$" in rendered.question_html
    assert findings == []


def test_code_is_never_math(tmp_path: Path) -> None:
    rendered, findings = render_one("`$x_1$` et\n\n```\n$y_2$ \\(z\\)\n```", tmp_path)
    assert "math" not in rendered.question_html
    assert "<code>$x_1$</code>" in rendered.question_html
    assert "$y_2$ \\(z\\)" in rendered.question_html
    assert findings == []


def test_escaped_dollar_is_a_dollar(tmp_path: Path) -> None:
    rendered, findings = render_one(r"Le symbole \$x_1 n'ouvre rien", tmp_path)
    assert rendered.question_html == "<p>Le symbole $x_1 n'ouvre rien</p>\n"
    assert findings == []


def test_broken_tex_is_reported_at_its_line(tmp_path: Path) -> None:
    rendered, findings = render_one("Titre\n\nligne trois $\\frac{1}{2$ fin", tmp_path, line=10)
    assert findings == ["12 warning math"]
    assert '<span class="math inline">\\(\\frac{1}{2\\)</span>' in rendered.question_html


def test_unclosed_dollar_that_looks_like_math_is_reported(tmp_path: Path) -> None:
    _, findings = render_one("Première ligne\nEntrée $x_1 = 2 sans fin", tmp_path, line=4)
    assert findings == ["5 warning unclosed-math"]


def test_findings_in_an_answer_point_at_the_answer_line(tmp_path: Path) -> None:
    # The reader says where the answer starts (`Answer : début` on line 3); rendering counts from there.
    diagnostics = Diagnostics()
    render_notes([note("Q ?", "début\n\nsuite $\\left( x$", answer_line=3)], tmp_path, diagnostics)
    assert [(d.line, d.code) for d in diagnostics.sorted()] == [(5, "math")]


@pytest.mark.parametrize(
    ("tex", "problem"),
    [
        (r"\frac{1}{2", "Unexpected end of stream, was expecting '}'"),
        (r"a}", "Unexpected mismatching closing brace: '}'"),
        (r"\begin{pmatrix} a \end{matrix}", "Unexpected mismatching closing environment: 'matrix', was expecting 'pmatrix'"),
        (r"\left( x", "1 \\left but 0 \\right"),
        (r"x^", "'^' with nothing after it"),
    ],
)
def test_tex_problems(tex: str, problem: str) -> None:
    assert tex_problem(tex) == problem


@pytest.mark.parametrize("tex", [r"y_{\text{réel}} = 1", r"\left( \frac{1}{2} \right)^2", r"a < b", r"\begin{aligned} a &= b \end{aligned}"])
def test_good_tex_has_no_problem(tex: str) -> None:
    assert tex_problem(tex) is None


def test_a_formula_cleaned_after_weasyprint_is_loaded_is_still_an_svg_a_browser_draws() -> None:
    """WeasyPrint's import re-registers ElementTree's "" prefix; formulas must not become `<ns0:svg>`."""
    import xml.etree.ElementTree as ElementTree

    from exporter.output.svgclean import clean_svg

    ElementTree.register_namespace("", "")  # what weasyprint.pdf.metadata does when it is first imported

    cleaned = clean_svg('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="1ex">'
                        '<g fill="currentColor"><path d="M0 0L10 10"/></g></svg>')
    assert cleaned == ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" width="1ex">'
                       '<g fill="currentColor"><path d="M0 0L10 10"></path></g></svg>')
