"""Card HTML is cleaned by an allowlist; each dangerous kind removed is reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from exporter.diagnostics import Diagnostics
from exporter.reading.read import read_notes
from exporter.reading.source import SourceFile
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


def _markdown_only_markups() -> list[tuple[str, str]]:
    """(text, markup) as the render stage cleans it for every field, file and random text of
    tests/reading/test_parse_blocks.py that has no raw HTML, and whether display math was
    lifted from inside open markup."""
    from markdown_it.token import Token

    from exporter.reading.markdown import CODE_SLOTS_KEY, SPLIT_OPEN_KEY, markdown, walk
    from exporter.rendering.highlight_cloze import NEXT_NUMBER
    from tests.reading.test_parse_blocks import _files, _random_texts

    md = markdown()
    texts = [text for _, text in _files()] + _random_texts(3000)
    fields = [field for name, text in _files()
              for note in read_notes(SourceFile(name, Path(name), text), Diagnostics())[0]
              for field in (note.question, note.answer) if field]
    found = []
    for text in fields + texts:
        for cloze in (False, True):
            env: dict[str, object] = {NEXT_NUMBER: 1} if cloze else {}
            tokens: list[Token] = md.parse(text, env)
            if any(True for _ in walk(tokens, frozenset({"html_block", "html_inline"}))):
                continue
            env[CODE_SLOTS_KEY] = []
            markup = md.renderer.render(tokens, md.options, env)
            found.append((text, markup, bool(env.get(SPLIT_OPEN_KEY))))
    return [(text, markup) for text, markup, split_open in found if not split_open]


def test_markdown_markup_is_what_cleaning_it_would_give() -> None:
    """`clean_markdown` stands for nh3 over markup rendered from Markdown alone."""
    from exporter.rendering.sanitize import _MARKDOWN_VOCABULARY, clean_markdown

    markups = _markdown_only_markups()
    for text, markup in markups:
        assert clean_markdown(markup) == clean(markup), repr(text)
    shortcut = [markup for _, markup in markups if _MARKDOWN_VOCABULARY.fullmatch(markup)]
    assert len(shortcut) > len(markups) / 2
    assert any("<br />" in markup for markup in shortcut) and any("&quot;" in markup for markup in shortcut)


@pytest.mark.parametrize("text", ["**a $$x$$ b**", "[a $$x$$ b](https://example.org)", "> *a \\[x\\] b*"])
def test_display_math_lifted_from_open_markup_is_cleaned_whole(text: str, tmp_path: Path) -> None:
    """Such a paragraph closes tags it did not open: nh3 mends the tree, and the render stage lets it."""
    from exporter.reading.markdown import SPLIT_OPEN_KEY, markdown
    from exporter.rendering.sanitize import clean_markdown

    env: dict[str, object] = {}
    markup = markdown().render(text, env)
    assert env.get(SPLIT_OPEN_KEY) is True
    if "<a " not in markup:
        assert clean_markdown(markup) != clean(markup)  # the shortcut would be wrong here
    rendered, _ = render_one(text, tmp_path)
    assert rendered.question_html == clean(markup)


def test_markdown_markup_text_keeps_every_character_nh3_keeps() -> None:
    """Every character up to U+3000 and the BMP's last block (and noncharacters past it) in a paragraph."""
    from exporter.rendering.sanitize import clean_markdown

    code_points = [*range(0x3000), *range(0xE000, 0x10000), 0x1FFFE, 0x10FFFF, 0x1F600]
    for code_point in code_points:
        markup = f"<p>a{chr(code_point)}b</p>\n"
        assert clean_markdown(markup) == clean(markup), hex(code_point)
