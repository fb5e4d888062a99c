"""Highlighting through `exporter.rendering.lexing` gives Pygments' own tokens and HTML.

The faster lexers skip the rules that cannot start with the character at hand; a
mistake there would change which rule wins and so the tokens. They are compared with
Pygments' own lexers on the package's sources and documents, in many languages
(a lexer given text of another language still has to agree, on every odd path), and
the HTML of every code block of the shipped notes and test corpus is compared whole.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from pygments import highlight
from pygments.lexers import get_lexer_by_name

from exporter.reading.markdown import markdown
from exporter.rendering.highlight import _formatter, highlight_code
from exporter.rendering.lexing import faster

ROOT = Path(__file__).resolve().parents[1]
TEXTS = sorted([*ROOT.glob("exporter/**/*.py"), *ROOT.glob("tests/*.py"), *ROOT.glob("bench/*.py"),
                *ROOT.glob("templates/**/*.*"), *ROOT.glob("exporter/output/*.js"), *ROOT.glob("sources/*.md"),
                *ROOT.glob("tests/corpus/*.md"), ROOT / "README.md", ROOT / "Makefile", ROOT / "pyproject.toml"])
LANGUAGES = ("python", "bash", "javascript", "typescript", "c", "cpp", "java", "csharp", "go", "rust", "kotlin",
             "scala", "sql", "html", "css", "json", "yaml", "toml", "ini", "xml", "latex", "r", "matlab", "julia",
             "haskell", "ocaml", "ruby", "php", "lua", "perl", "swift", "diff", "docker", "make", "markdown",
             "console", "pycon")


def _code_blocks() -> list[tuple[str, str]]:
    blocks = []
    for path in sorted([*ROOT.glob("sources/*.md"), *ROOT.glob("tests/corpus/*.md")]):
        for token in markdown().parse(path.read_text(encoding="utf-8"), {}):
            if token.type == "fence" and token.info.split():
                blocks.append((token.info.split()[0], token.content))
    return blocks


def _sample(count: int) -> list[str]:
    texts = [path.read_text(encoding="utf-8") for path in TEXTS if path.is_file()]
    return random.Random(3).sample(texts, min(count, len(texts)))


def test_python_tokens_equal_pygments_on_every_source_here() -> None:
    plain = get_lexer_by_name("python")
    fast = faster(plain)
    assert type(fast) is not type(plain)  # the test would otherwise compare Pygments with itself
    for path in TEXTS:
        if path.suffix == ".py":
            text = path.read_text(encoding="utf-8")
            assert list(fast.get_tokens(text)) == list(plain.get_tokens(text)), path


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_tokens_equal_pygments_in_many_languages(language: str) -> None:
    plain = get_lexer_by_name(language)
    fast = faster(plain)
    for text in _sample(12):
        assert list(fast.get_tokens(text)) == list(plain.get_tokens(text))


def test_every_code_block_of_the_notes_is_highlighted_as_pygments_does() -> None:
    blocks = _code_blocks()
    assert len(blocks) > 5
    for language, code in blocks:
        try:
            lexer = get_lexer_by_name(language)
        except Exception:
            continue
        assert highlight_code(code, language) == highlight(code, lexer, _formatter()), (language, code)


def test_code_in_many_languages_is_highlighted_as_pygments_does() -> None:
    """`highlight_code` writes the formatter's lines without its wrappers: the same HTML, lines that
    open, close or carry a span across a newline, empty lines and blanks at either end included."""
    rng = random.Random(8)
    texts = _sample(12)
    for language in LANGUAGES:
        lexer = get_lexer_by_name(language)
        for text in texts:
            start = rng.randrange(len(text))
            code = text[start : start + rng.randint(0, 600)]
            assert highlight_code(code, language) == highlight(code, lexer, _formatter()), (language, code)


def test_a_lexer_with_its_own_loop_is_left_as_it_is() -> None:
    from pygments.lexers import PythonConsoleLexer

    console = PythonConsoleLexer()
    assert faster(console) is console


def test_the_lexers_of_the_languages_notes_name_are_loaded_ahead() -> None:
    """`load_ahead` (run before render workers fork) loads each fenced language's lexer once, so a worker
    highlighting that language finds it loaded; text without fences loads nothing."""
    from exporter.rendering.highlight import _lexer, load_ahead

    _lexer.cache_clear()
    load_ahead(["A question?", "Plain text, no code."])
    assert _lexer.cache_info().currsize == 0
    load_ahead(["Intro\n\n```python\nx = 1\n```\n", "  ~~~ bash\nls\n~~~", "```\nno language\n```"])
    assert _lexer.cache_info().currsize == 2
    hits = _lexer.cache_info().hits
    highlight_code("y = 2\n", "python")
    highlight_code("echo hi\n", "bash")
    assert _lexer.cache_info().hits == hits + 2
