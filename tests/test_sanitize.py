"""Card HTML is cleaned by an allowlist; each dangerous kind removed is reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from exporter.rendering.sanitize import clean
from tests.rendering import render_one


def test_script_is_removed_with_its_content(tmp_path: Path) -> None:
    rendered, findings = render_one("Texte\n\n<script>alert('x')</script>\n\nfin", tmp_path, line=3)
    assert rendered.question_html == "<p>Texte</p>\n\n<p>fin</p>\n"
    assert findings == ["5 warning unsafe-html"]


@pytest.mark.parametrize(
    ("markup", "kept"),
    [
        ('<iframe src="https://evil.example"></iframe>ok', "ok"),
        ('<b onclick="steal()">gras</b>', "<b>gras</b>"),
        ('<img src="x.png" onerror="steal()">', '<span class="missing-media">image not found: x.png</span>'),
        ('<a href="javascript:alert(1)">lien</a>', "<a>lien</a>"),
        ('<a href=" JaVa\tScript:alert(1)">lien</a>', "<a>lien</a>"),
    ],
)
def test_dangerous_markup_is_removed_and_reported(markup: str, kept: str, tmp_path: Path) -> None:
    rendered, findings = render_one(f"<div>{markup}</div>", tmp_path)
    assert rendered.question_html == f"<div>{kept}</div>"
    assert findings.count("1 warning unsafe-html") == 1


@pytest.mark.parametrize("text", ["[clic](javascript:alert(1))", "<javascript:alert(1)>"])
def test_markdown_javascript_link_loses_its_url(text: str, tmp_path: Path) -> None:
    rendered, findings = render_one(text, tmp_path)
    assert "javascript" not in rendered.question_html.split(">", 2)[1]
    assert "href" not in rendered.question_html
    assert findings == ["1 warning unsafe-html"]


def test_seed_markup_survives(tmp_path: Path) -> None:
    text = (
        '<p align="center">gauche</p>\n\n'
        "<details><summary>Voir</summary>x<sup>2</sup> H<sub>2</sub>O<br><hr></details>\n\n"
        '[site](https://example.com) <a href="mailto:a@b.fr">mail</a>'
    )
    rendered, findings = render_one(text, tmp_path)
    assert rendered.question_html == (
        '<p align="center">gauche</p>\n'
        "<details><summary>Voir</summary>x<sup>2</sup> H<sub>2</sub>O<br><hr></details>\n"
        '<p><a href="https://example.com">site</a> <a href="mailto:a@b.fr">mail</a></p>\n'
    )
    assert findings == []


def test_table_alignment_survives(tmp_path: Path) -> None:
    rendered, _ = render_one("| a | b |\n|:-:|--:|\n| 1 | 2 |", tmp_path)
    assert '<th style="text-align:center">a</th>' in rendered.question_html
    assert '<td style="text-align:right">2</td>' in rendered.question_html


def test_unknown_tags_are_dropped_but_their_text_kept(tmp_path: Path) -> None:
    rendered, findings = render_one("<center><font color=red>titre</font></center>", tmp_path)
    assert rendered.question_html == "titre"
    assert findings == []


def test_relative_links_keep_their_text_but_lose_the_href() -> None:
    # The lesson links to files of the course repository it was copied from.
    markup = '<p><a href="TrainingTricks.md">TrainingTricks.md</a> and <a href="lab/README.md">Devoir</a></p>'
    assert clean(markup) == "<p><a>TrainingTricks.md</a> and <a>Devoir</a></p>"


def test_web_and_mail_links_are_kept() -> None:
    markup = '<p><a href="https://www.robots.ox.ac.uk/~vgg/data/pets/">pets</a> <a href="mailto:prof@univ.fr">prof</a></p>'
    assert clean(markup) == markup


def test_highlighted_code_is_what_cleaning_it_would_give() -> None:
    """`as_cleaned` stands for nh3 over the highlighter's markup: compared on random code."""
    import random

    from exporter.rendering.highlight import highlight_code
    from exporter.rendering.sanitize import as_cleaned

    rng = random.Random(5)
    pieces = [*"abc <>&\"' \t\n\xa0é{}()#=;/\\`$*_-", "&amp;", "&lt;", "<script>", "</pre>", "\u2028", "\x00",
              "\x01", "\x0c", "\ufeff", "\x7f", "\x85", "\U0001F600", "&#39;", "\ufffe", "\u200b"]
    languages = ["python", "js", "bash", "c", None, "html", "json", "text", "latex", "sql", "nosuchlanguage"]
    for _ in range(3000):
        code = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40))) + "\n"
        highlighted = highlight_code(code, rng.choice(languages))
        assert as_cleaned(highlighted) == clean(highlighted), code


@pytest.mark.parametrize(
    "text",
    [
        "Intro\n\n```python\nx = '<b>' & \"y\"\n```\n\nafter",
        "- item\n\n  ```js\n  let a = 1 < 2;\n  ```\n- next `code`",
        "> quoted\n>\n> ```\n> plain <code> 'q'\n> ```",
        "```python\nfirst = 1\n```\n\n```bash\necho \"second\" \xa0done\n```",
        "    indented code <x>\n\ntext",
        "| a | b |\n|---|---|\n| `x` | y |\n\n```c\nint main() { return 0; }\n```",
        "<b>bold\n\n```python\ncode = 1\n```\n\nafter",
    ],
)
def test_fields_with_code_render_as_if_cleaned_whole(tmp_path: Path, text: str) -> None:
    """Code left out of the cleaning and put back gives the HTML cleaning everything gives."""
    from exporter.reading.markdown import markdown

    md = markdown()
    rendered, _ = render_one(text, tmp_path)
    assert rendered.question_html == clean(md.render(text))
