"""The quick tests that let a pattern or the junk filter skip a file say no only where the full reading finds nothing.

Each one is a single search of the whole text (a few ms on a 3 MB file, where the
substring tests they replaced took up to 15 ms); these tests hold them to the syntax
the full reading accepts.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from exporter.diagnostics import Diagnostics
from exporter.model import NoteKind
from exporter.reading.junk import Removal, strip_junk
from exporter.reading.layout import any_line
from exporter.reading.patterns.bold_question import ASKING_BOLD, asked, may_ask_in_bold
from exporter.reading.patterns.terms import _GLOSSARY_WORDS, GLOSSARY
from exporter.reading.read import read_notes
from exporter.reading.source import ReadOptions, SourceFile


@pytest.mark.parametrize("line", ["**What is X?**", "**What is X? **", "__Why?__", "**Why?\t**", "**2. Why?**  "])
def test_every_bold_question_passes_the_quick_test(line: str) -> None:
    assert asked(line) is not None
    assert may_ask_in_bold(f"intro\n\n{line}\n\nanswer")


@pytest.mark.parametrize("text", ["What? no bold", "**bold** then a question?", "? x ** far apart", ""])
def test_a_text_without_a_question_mark_before_a_closing_marker_asks_nothing_in_bold(text: str) -> None:
    assert not may_ask_in_bold(text)
    assert not any_line(ASKING_BOLD, text)


@pytest.mark.parametrize("heading", ["Glossary", "Key Terms", "KEY CONCEPTS", "Vocabulaire", "Définitions",
                                     "Mots-clés", "Begriffe", "Lexique", "Terminologie", "Notions clés", "Wortschatz",
                                     "Terms", "The term", "Transformers", "Determinism", "Modèles"])
def test_the_glossary_lookahead_changes_no_match(heading: str) -> None:
    assert bool(GLOSSARY.search(heading)) is bool(re.search(_GLOSSARY_WORDS, heading, re.IGNORECASE))


def test_junk_after_code_that_says_return_is_still_removed() -> None:
    """`turn` alone no longer opens the slow search: `return` in code is not junk, `turn0search1` still is."""
    text = "```python\nreturn w - lr * g\n```\nLe texte citeturn0search1 fin.\nD \ue200turn0news4\ue201"
    cleaned, removals = strip_junk(text)
    assert cleaned == "```python\nreturn w - lr * g\n```\nLe texte fin.\nD"
    assert removals == [Removal(4, "citeturn0search1"), Removal(5, "\ue200turn0news4\ue201")]


def test_code_that_says_return_holds_no_junk() -> None:
    text = "```python\ndef f():\n    return 1  # cite the paper\n```"
    assert strip_junk(text) == (text, [])


def _read(text: str, only: str) -> list[tuple[NoteKind, str, str | None]]:
    source = SourceFile("notes.md", Path("notes.md"), text, options=ReadOptions(only=only))
    notes, _ = read_notes(source, Diagnostics())
    return [(n.kind, n.question, n.answer) for n in notes]


def test_details_in_capitals_are_still_read() -> None:
    text = "What is TCP?\n\n<DETAILS>\n<SUMMARY>Answer</SUMMARY>\n\nOrdered delivery.\n\n</DETAILS>\n"
    assert _read(text, "details") == [(NoteKind.QA, "What is TCP?", "Ordered delivery.")]


@pytest.mark.parametrize("box", ["[x]", "[X]"])
def test_a_multiple_choice_question_is_found_whatever_its_checked_box(box: str) -> None:
    text = f"# Quiz\n\nWhich port does HTTPS use?\n\n- [ ] 80\n- {box} 443\n"
    assert _read(text, "multiple-choice") == [
        (NoteKind.QA, "Which port does HTTPS use?\n\n- [ ] 80\n- [ ] 443", "- 443")]


def test_the_setext_headings_found_from_their_underlines_are_the_regex_matches() -> None:
    """`terms._setext_texts` gives `_SETEXT_TEXT.findall`'s list, underlines in a row and empty lines included."""
    import random

    from exporter.reading.patterns.terms import _SETEXT_TEXT, _setext_texts

    rng = random.Random(8)
    pieces = ("---", "===", "--", "-", "=", "   ---", "    ---", "--- ", "--- x", "text", "Glossary", "", "", " ")
    found = 0
    for _ in range(3000):
        text = "\n" + "\n".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))) + rng.choice(("", "\n"))
        assert _setext_texts(text) == _SETEXT_TEXT.findall(text), text
        found += len(_SETEXT_TEXT.findall(text))
    assert found > 1000


def test_the_term_table_lookahead_changes_no_match() -> None:
    """The term-table trigger with its first-character lookahead finds what it found without it."""
    import random

    from exporter.reading.patterns.terms import _TRIGGERS

    with_lookahead = _TRIGGERS[1]
    without = re.compile(with_lookahead.pattern.replace("(?=[|* _twmcaqfpd])", ""), with_lookahead.flags)
    assert without.pattern != with_lookahead.pattern
    rng = random.Random(9)
    pieces = ("| Term | Definition |", "Terms | Meaning", "**Mots** | sens", "_Questions_ | x", "TERM | y |", "Word|x",
              "Concept | def", "Acronyms | x", "Fragen | x", "Preguntas | y", "Domande | z", "perguntas|w", "ﬆ", "ſ",
              "K", "text | x", "|Term|", "* Term | x", "  Term | x", "", "x")
    hits = 0
    for _ in range(3000):
        text = "\n" + "\n".join(rng.choice(pieces) for _ in range(rng.randint(0, 8))) + "\n"
        assert bool(with_lookahead.search(text)) == bool(without.search(text)), text
        hits += bool(without.search(text))
    assert hits > 300
