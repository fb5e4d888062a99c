"""The one configured MarkdownIt: CommonMark with tables, raw HTML and Pygments code."""

from __future__ import annotations

from pathlib import Path

from exporter.reading.markdown import markdown
from tests.rendering import render_one


def test_one_parser_is_shared() -> None:
    assert markdown() is markdown()


def test_fence_is_highlighted_with_pygments(tmp_path: Path) -> None:
    rendered, _ = render_one("```python\nx = 1\n```", tmp_path)
    assert rendered.question_html == (
        '<div class="highlight"><pre><span></span><span class="n">x</span> '
        '<span class="o">=</span> <span class="mi">1</span>\n</pre></div>\n'
    )


def test_fence_info_after_the_language_is_ignored(tmp_path: Path) -> None:
    rendered, _ = render_one("```python title=a.py\nx\n```", tmp_path)
    assert '<span class="n">x</span>' in rendered.question_html


def test_unknown_language_and_indented_code_come_out_plain_and_escaped(tmp_path: Path) -> None:
    rendered, _ = render_one("```nosuchlang\na < b\n```\n\n    c & d", tmp_path)
    assert rendered.question_html == (
        '<div class="highlight"><pre><code>a &lt; b\n</code></pre></div>\n'
        '<div class="highlight"><pre><code>c &amp; d\n</code></pre></div>\n'
    )


def test_question_marker_inside_a_fence_is_code(tmp_path: Path) -> None:
    rendered, _ = render_one("```\nQuestion : pas une question\n```", tmp_path)
    assert "Question : pas une question" in rendered.question_html
    assert rendered.question_html.startswith('<div class="highlight">')


def test_inline_code_and_emphasis(tmp_path: Path) -> None:
    rendered, _ = render_one("Le `model.fit()` est **important** et *rapide*.", tmp_path)
    assert rendered.question_html == (
        "<p>Le <code>model.fit()</code> est <strong>important</strong> et <em>rapide</em>.</p>\n"
    )


def test_hard_breaks_and_rules(tmp_path: Path) -> None:
    rendered, _ = render_one("**Réponse :**  \nUn texte\n\n---\n", tmp_path)
    assert rendered.question_html == "<p><strong>Réponse :</strong><br>\nUn texte</p>\n<hr>\n"


def test_raw_html_comment_is_dropped(tmp_path: Path) -> None:
    rendered, _ = render_one("<!-- https://example.com/cours -->\nTexte", tmp_path)
    assert rendered.question_html == "\n<p>Texte</p>\n"
