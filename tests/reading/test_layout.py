"""The line scans every pattern relies on: `matching_lines` and `any_line` find the same lines as a
`match` on each line would, the first and the last line included (they scan behind a newline)."""

from __future__ import annotations

import re

import pytest

from exporter.reading.document import _HEADING_HINT, _RULE_HINT
from exporter.reading.layout import any_line, matching_lines
from exporter.reading.patterns.bold_question import ASKING_BOLD
from exporter.reading.patterns.labels import ANSWER_WORDS, QUESTION_WORDS, label_pattern

PATTERNS = [
    label_pattern(QUESTION_WORDS, "Q", items=True),
    label_pattern(ANSWER_WORDS, "A"),
    ASKING_BOLD,
    _HEADING_HINT,
    _RULE_HINT,
]

TEXTS = [
    "",
    "Q: first line asks?\nA: yes",
    "intro\n\n**Question 3 :** What is TCP?\n**Réponse :** ordered delivery\n- Q: item\n  A: x\n\n## Heading\n---\n",
    "# Title\n\n**Why?**\n***\ntext\n===\nQ: last line without newline",
    "\n\n\nA: after blank lines\n   Q: indented three\n    Q: indented four (code)\n",
    "- - -\n_ _ _\n-*-\n",
]


def _per_line(pattern: re.Pattern[str], text: str) -> list[int]:
    return [n for n, line in enumerate(text.split("\n")) if pattern.match(line)]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.pattern[:20])
def test_matching_lines_agrees_with_each_line(pattern: re.Pattern[str], text: str) -> None:
    expected = _per_line(pattern, text)
    assert matching_lines(pattern, text) == expected
    assert any_line(pattern, text) is bool(expected)


def test_matching_lines_gives_the_lines_of_labels() -> None:
    text = "Q: one?\nA: 1\n\nQ: two?\nA: 2"
    assert matching_lines(label_pattern(QUESTION_WORDS, "Q"), text) == [0, 3]
    assert matching_lines(label_pattern(ANSWER_WORDS, "A"), text) == [1, 4]
