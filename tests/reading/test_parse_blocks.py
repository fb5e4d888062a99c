"""Leaving out the rules a text cannot trigger must never change its tokens.

`parse_blocks` parses a whole file without the block rules whose trigger it lacks;
every parse tries a block or inline rule only where a character it can start with
stands (`_DispatchingRuler`). On every real and synthetic file here and every field
of their notes, on traps made for each shortcut (blocks inside list items and
quotes), and on thousands of random texts made of Markdown's pieces, the tokens (and
the field's HTML and findings) equal those of markdown-it's own rule loops (and its
`normalize`, which the fast parser skips on a text without `\\r` or NUL) over the same
configuration. Each character a rule is dispatched on is needed: with any one
of them left out, some of these texts parse differently (so the comparison would
catch a wrong table).
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from markdown_it.token import Token

from bench.corpus import lesson_file, numbered_file, open_file, qa_file
from exporter.diagnostics import Diagnostics
from exporter.reading.document import parse_document
from exporter.reading import field_blocks as field_blocks_module
from exporter.reading import markdown as markdown_module
from exporter.reading.markdown import markdown, parse_blocks
from exporter.reading.mathdetect import DISPLAY_INLINE
from exporter.reading.read import read_notes
from exporter.reading.source import SourceFile
from exporter.rendering.highlight_cloze import NEXT_NUMBER

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted([*ROOT.glob("sources/*.md"), *ROOT.glob("tests/corpus/*.md"), *ROOT.glob("tests/reading/fixtures/*/*.md")])
TRAPS = {
    "indented code after a paragraph": "Text\n\n    code line\n\n```\n    in fence\n```\n",
    "indented fence opener is code": "Intro\n\n    ```\n    not a fence\n    ```\n",
    "list item opening with code": "-     code in a list item\n\n```\n    fenced\n```\n",
    "list item opening with code, nothing else indented": "-     code in a list item\n",
    "code in a blockquote": ">     quoted code\n\n```\n    fenced\n```\n",
    "fence in an html block": "<div>\n```\n</div>\n\n    code after the div\n```\n",
    "indented closer inside a fence": "```\n    ```\nstill code\n```\n",
    "setext under text": "Title\n---\n\ntext\n\n---\n",
    "rule after a blank line": "text\n\n---\n\nmore\n",
    "rule in a list item": "- ***\n",
    "rule in a nested list item": "1. - ___\n",
    "rule in a blockquote": "> ***\n",
    "spaced rule": "text\n\n- - -\n",
    "setext in a nested list item": "- a\n  - b\n    ---\n",
    "setext in a blockquote": "> foo\n> ===\n",
    "list after a quote marker": ">- item\n",
    "ordered list in a quote": "> 3) item\n",
    "empty list item": "-\n  text\n",
    "tables with each delimiter row start": "a | b\n--- | ---\n1 | 2\n\nc | d\n:-- | --:\n\n| e |\n|---|\n",
    "table and reference": "| a | b |\n|---|---|\n| 1 | 2 |\n\n[x]: https://example.org\n",
    "math block": "$$\nx^2\n$$\n\n\\[\ny\n\\]\n",
    "tab indented code": "\tcode\n",
    "ordered lists from every digit": "\n\n".join(f"{d}. item\n{d}) item" for d in "0123456789") + "\n",
    "a list item interrupting a paragraph": "text\n0. zero\n\ntext\n1. one\n",
    "autolinks": "see <https://example.org> and <me@example.org>\n",
    "a flood of links": "[" * 1001 + "x](y)\n",
    "a flood of images": "![" * 1001 + "x](y)\n",
    "inline math after a price": "it costs 5 $ and $x$ and 6 $\n",
    "one line with trailing blanks": "Étude de $x$ \t ",
    "one line with emphasis and a break": "word *a* **b**  ",
    "one line ending in a newline": "word\n",
    "an underline far below": "a\n\nb\n\n- c\n  ---\n",
}
PIECES = ("- ", "* ", "+ ", "1. ", "2) ", "> ", ">", "    ", "  ", " ", "\t", "***", "---", "___", "===", "- - -",
          "# ", "#", "```", "~~~", "$$", "$", "\\[", "\\]", "\\(", "\\)", "\\", "|", "|---|", "[a]: /u", "[", "]",
          "(", ")", "![x](y)", "<div>", "</div>", "<b>", "<", "&amp;", "&", "`", "*", "_", "**", "==", "!", ":",
          "\n", "\n", "\n\n", "text", "word", "x^2", "{", "}", "5 ", "1.", "\r", "\0", "$$x$$", "\\$", "&#36;")


def _shape(tokens: list[Token]) -> list[tuple[object, ...]]:
    return [(t.type, t.tag, t.map, t.level, t.content, t.markup, t.info, t.nesting) for t in tokens]


def _reference() -> Any:
    """The same configuration parsed by markdown-it's own rule loops."""
    return markdown_module._configured(dispatch=False)


def _full_blocks(text: str) -> list[Token]:
    md = _reference()
    tokens: list[Token] = []
    md.block.parse(text.replace("\0", "\ufffd"), md, {}, tokens)
    return tokens


def _parsed(md: Any, text: str, cloze: bool) -> tuple[list[Any], dict[str, Any], str]:
    """Tokens (children, attributes and meta included), the env the parse left, and the HTML."""
    env: dict[str, Any] = {NEXT_NUMBER: 1} if cloze else {}
    tokens = md.parse(text, env)
    found = dict(env)
    return [t.as_dict() for t in tokens], found, md.renderer.render(tokens, md.options, env)


def _files() -> list[tuple[str, str]]:
    texts = [(p.relative_to(ROOT).as_posix(), p.read_text(encoding="utf-8")) for p in FILES]
    texts += [("bench qa", qa_file(0, 40)), ("bench numbered", numbered_file(0, 40, 1)),
              ("bench open", open_file(0, 40, 1)), ("bench lesson", lesson_file(0, 40, 1))]
    return texts + list(TRAPS.items())


def _random_texts(count: int) -> list[str]:
    rng = random.Random(12)
    return ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 40))) for _ in range(count)]


@pytest.mark.parametrize(("name", "text"), _files(), ids=[name for name, _ in _files()])
def test_the_block_shortcuts_give_the_full_parsers_tokens(name: str, text: str) -> None:
    text = text.replace("\r\n", "\n")
    doc = parse_document(SourceFile(name, Path(name), text))
    blocks = [token for block in doc.blocks for token in block.tokens]
    assert _shape(blocks) == _shape(_full_blocks(text))


@pytest.mark.parametrize(("name", "text"), _files(), ids=[name for name, _ in _files()])
def test_every_field_parses_as_with_the_full_parser(name: str, text: str) -> None:
    text = text.replace("\r\n", "\n")
    notes, _ = read_notes(SourceFile(name, Path(name), text), Diagnostics())
    fields = [field for note in notes for field in (note.question, note.answer) if field]
    assert fields or name in TRAPS
    reference = _reference()
    for field in [*fields, text]:
        for cloze in (False, True):
            assert _parsed(markdown(), field, cloze) == _parsed(reference, field, cloze)


def test_random_markdown_parses_as_with_the_full_parser() -> None:
    reference = _reference()
    for text in _random_texts(3000):
        assert _shape(parse_blocks(text)) == _shape(_full_blocks(text)), repr(text)
        for cloze in (False, True):
            assert _parsed(markdown(), text, cloze) == _parsed(reference, text, cloze), repr(text)


def test_the_math_rules_pass_over_only_tokens_with_nothing_to_find() -> None:
    """`_find_unclosed_math` and `_lift_display_math` skip inline tokens on a cheap test of their text:
    every token skipped has no unclosed math line and no display math child."""
    skipped_with_dollar = 0

    def check(state: Any) -> None:
        nonlocal skipped_with_dollar
        for token in state.tokens:
            if token.type != "inline":
                continue
            if not markdown_module._may_hold_unclosed_math(token):
                assert list(markdown_module._unclosed_math_lines(token)) == [], token.content
                skipped_with_dollar += "$" in token.content
            displayed = any(child.type == DISPLAY_INLINE for child in token.children or ())
            assert markdown_module._holds_display_math(token) == displayed, token.content

    md = markdown_module._configured()
    md.core.ruler.after("line_numbers", "check", check)
    texts = [text for _, text in _files()] + _random_texts(3000)
    fields = [field for name, text in _files() for note in read_notes(SourceFile(name, Path(name), text), Diagnostics())[0]
              for field in (note.question, note.answer) if field]
    for text in texts + fields:
        md.parse(text, {})
    assert skipped_with_dollar > 100


def _dispatch_table() -> list[tuple[str, str, str]]:
    return [(table, rule, key)
            for table in ("_BLOCK_STARTS", "_INLINE_STARTS")
            for rule, keys in getattr(markdown_module, table).items() for key in keys]


@pytest.mark.parametrize(("table", "rule", "key"), _dispatch_table(),
                         ids=[f"{rule} {key!r}" for _, rule, key in _dispatch_table()])
def test_each_dispatched_character_is_needed(table: str, rule: str, key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    starts = dict(getattr(markdown_module, table))
    starts[rule] = tuple(other for other in starts[rule] if other != key)
    monkeypatch.setattr(markdown_module, table, starts)
    _assert_some_text_parses_differently(f"{rule} at {key!r}")


@pytest.mark.parametrize("start", markdown_module._TABLE_DELIMITER_STARTS)
def test_each_start_of_a_delimiter_row_is_needed(start: str, monkeypatch: pytest.MonkeyPatch) -> None:
    starts = tuple(other for other in markdown_module._TABLE_DELIMITER_STARTS if other != start)
    monkeypatch.setattr(markdown_module, "_TABLE_DELIMITER_STARTS", starts)
    _assert_some_text_parses_differently(f"a delimiter row starting with {start!r}")


def _assert_some_text_parses_differently(needed: str) -> None:
    broken = markdown_module._configured()
    reference = _reference()
    texts = [*TRAPS.values(), *_random_texts(3000), *(text for _, text in _files())]  # the quick finds first
    assert any(_parsed(broken, text, cloze) != _parsed(reference, text, cloze)
               for text in texts for cloze in (False, True)), f"nothing needs {needed}"


def test_rules_are_called_only_where_they_can_start() -> None:
    calls: list[str] = []
    md = markdown_module._configured()
    for rule in md.block.ruler.__rules__:
        rule.fn = _counting(rule.fn, rule.name, calls)
    md.block.ruler.__cache__ = None
    md.parse("A paragraph\nof prose\n\n- a list\n\n<b>raw HTML, which field_blocks leaves to the parser</b>\n", {})
    assert "hr" in calls and "list" in calls  # at the `-`
    assert calls.count("heading") == calls.count("fence") == calls.count("blockquote") == 0


def _counting(function: Any, name: str, calls: list[str]) -> Any:
    def counted(*args: Any) -> Any:
        calls.append(name)
        return function(*args)

    return counted


def test_the_block_state_has_markdown_its_line_tables() -> None:
    """`_BlockState` sets the attributes of markdown-it's StateBlock, in its order, to the same values."""
    from markdown_it.rules_block import StateBlock

    md = markdown()
    rng = random.Random(3)
    pieces = (" ", "\t", "\n", "a", "  ", "\t\t", "x\t", " \t ", "    b", "\n\n")
    texts = [text for _, text in _files()] + ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
                                            for _ in range(20000)]
    for text in texts:
        ours, theirs = vars(markdown_module._BlockState(text, md, {}, [])), vars(StateBlock(text, md, {}, []))
        assert list(ours.items()) == list(theirs.items()), repr(text)


def test_lines_of_text_and_math_parse_as_with_the_full_parser() -> None:
    """The tokens made for a line of plain text, `$...$` math, code spans and `**strong**` (`_plain_line`) are
    markdown-it's, on random lines around every case where a `$` does not open math (digits, amounts,
    backslashes), backtick runs (longer runs, unclosed spans, spaces inside) and `*` runs (other lengths,
    `**` inside words, before a space, unclosed) and line breaks (soft, hard, with blanks around), with the
    characters that stop the text rule among them."""
    reference = _reference()
    plain = markdown_module._plain_line(markdown())
    rng = random.Random(1)
    pieces = ("a", "b", " ", "\t", "$", "1", "²", "٣", "\\", ",", ".", "x_1", "(", ")", "é", "5 ", "*", "$$", "{", "}",
              "\xa0", "\u2028", "\n", "`", "``", " `", "` ", "**", "***", "**a**", " **b1** ", "_", "é**", "**x",
              *":-#%~>]![=@^+<&", "\n ", "\n  ", "  \n", " \n", "\t\n", "$x$")
    made = 0
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 14)))
        made += plain(text.strip()) is not None
        for cloze in (False, True):
            assert _parsed(markdown(), text, cloze) == _parsed(reference, text, cloze), repr(text)
    assert made > 1000



_TEXT_LINES = ("text", "word **b** and $x$", "é accent", "(paren)", "**bold** x", "*em* x", "_u_", "+x", "-x", "-:",
               "1x", "12) no", "$x$ first", "\\(x\\) first", "`code` first", "``two``", "~x", "!img", "text  ",
               "  indented text", "    deep", " \t mixed", "\u00a0nbsp", "__init__")
_ODD_LINES = (
    "_", "** x", "**", "+", "a | b", "=x", "[link](u)", "[a]: /u", "#tag", "# h", "> q", "<b>x</b>", "<div>", ":-:",
    "\ttab text", "- ", "-", "1.", "-\ta", "- - -", "* * *", "- $$x$$", "- ```", "- # h", "- > q", "  - nested",
    "    - deep", "   1. three", "- a | b", "- *", "- 1. x", "-     five", "2) b", "* c", "\\[x\\]", "$$x", "  $$",
    "$$ $$", "a $$ b", "```a`b", "  ```", "    ```", "``", "\t```", " ```", "~~~~", "---", "===", "***", "___", "",
    " ", "\t", "$$x$$ y", "x^2", "-x^2", "\\]  ", " \\]",
)


def _block_lines(rng: random.Random) -> list[str]:
    """The lines of one block of a shape `field_blocks` reads."""
    kind = rng.randrange(4)
    if kind == 0:
        return [rng.choice(_TEXT_LINES) for _ in range(rng.randint(1, 3))]
    if kind == 1:
        bullet = rng.choice(("- ", "* ", "+ ", "1. ", "1) ", "3. ", "-  ", "1.    "))
        return [(f"{n}{bullet[1:]}" if bullet[0].isdigit() and n > 1 else bullet) + rng.choice(_TEXT_LINES).lstrip()
                for n in range(1, rng.randint(2, 4))]
    if kind == 2:
        opener, closer = rng.choice((("$$", "$$"), ("\\[", "\\]"), ("$$ x", "y $$"), ("$$", "$$  ")))
        return [opener, *rng.choices(("x^2", "  \\frac{a}{b}", "a | b", "y"), k=rng.randint(0, 2)), closer]
    opener = rng.choice(("```", "```python", "~~~", "````", "``` a b "))
    body = rng.choices(("code", "  indented", "", "```", "~~~", "\tx", "    ```", "`x`"), k=rng.randint(0, 3))
    return [opener, *body, rng.choice((opener[:3], opener[:4], opener[:3] + "  ", "````", "~~~"))]


def _field_texts(count: int, seed: int) -> list[str]:
    """Texts of the shapes `field_blocks` reads, next to each other or apart, now and then with a line it leaves
    to the parser (or that turns a shape into another) in their midst."""
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        lines: list[str] = []
        for _ in range(rng.randint(1, 4)):
            lines += _block_lines(rng)
            lines += [""] * rng.choice((0, 1, 1, 1, 2))
        if rng.random() < 0.4:
            lines.insert(rng.randrange(len(lines) + 1), rng.choice(_ODD_LINES))
        texts.append("\n".join(lines) + rng.choice(("", "", "\n", "\n\n", " ")))
    return texts


FIELD_TRAPS = (
    "text\n===", "text\n---", "text\n-", "text\n0. zero", "text\n1. one", "text\n2. two", "text\n- item",
    "text\n* item", "text\n+ item", "text\n> quote", "text\n# heading", "text\n<div>", "text\n```", "text\n~~~",
    "text\n$$\nx\n$$", "text\n\\[\nx\n\\]", "text\n\ttab", "text\n    deep", "text\n[a]: /u", "a | b\n-|-",
    "a \\| b\n:-:", "$$a\\|b$$\n:-:", "```a\\|\n:-\n```", "- a\n---", "- a\n\n- b", "- a\n  b", "- a\nb",
    "- a\n\n  b", "- a\n\tb", "- a\n* b", "- a\n1. b", "1. a\n1) b", "3. a\n4. b", "- a\n-", "- a\n\n\nb",
    "```\ncode", "```\ncode\n  ```", "```\ncode\n    ```", "```\ncode\n\t```", "````\ncode\n```\n````",
    "$$\nx", "$$\nx\n\n$$", "$$\nx\n$$ y", "$$ $$", "\\[\nx\n\\] y", "- a\n$$\nx\n$$", "- a\n```\nc\n```",
    "-  a\n   b", "1.  a\n    b", "- a  \nb", "- **b**\n- *c*", "* **", "text\n\n0) zero",
    *(f"{digit}. item" for digit in "0123456789"),
)
"""Texts one line away from the shapes `field_blocks` reads (underlines, other lists, loose lists, lazy
lines, unclosed or indented closers, tables): each read as markdown-it reads it, or left to it."""


def test_fields_read_without_the_block_parser_have_its_tokens() -> None:
    """`field_blocks` makes markdown-it's tokens (children, env and HTML included) or leaves the text to it,
    on random texts of the shapes it reads mixed with every kind of line it leaves to the parser."""
    reference = _reference()
    read = 0
    for text in [*FIELD_TRAPS, *_field_texts(6000, 5)]:
        read += field_blocks_module.field_blocks(text) is not None
        for cloze in (False, True):
            assert _parsed(markdown(), text, cloze) == _parsed(reference, text, cloze), repr(text)
    assert read > 2000


@pytest.mark.parametrize("start", sorted(field_blocks_module._BLOCK_STARTS))
def test_each_block_start_of_field_blocks_is_needed(start: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """With any one character taken as unable to start a block, some text reads differently from markdown-it."""
    monkeypatch.setattr(field_blocks_module, "_BLOCK_STARTS", field_blocks_module._BLOCK_STARTS - {start})
    reference = _reference()
    assert any(_parsed(markdown(), text, False) != _parsed(reference, text, False)
               for text in [*FIELD_TRAPS, *_field_texts(6000, 5)]), f"nothing needs {start!r}"
