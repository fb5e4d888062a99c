"""The line scans every pattern relies on: `matching_lines` and `any_line` find the same lines as a
`match` on each line would, the first and the last line included (they scan behind a newline)."""

from __future__ import annotations

import re

import pytest

from exporter.reading.document import _HEADING_HINT, _RULE_HINT
from exporter.reading.layout import LineKind, any_line, line_matches, matching_lines, scan
from exporter.reading.patterns.bold_question import ASKING_BOLD
from exporter.reading.patterns.labels import ANSWER_WORDS, QUESTION_WORDS, _Labels, label_opening, label_pattern

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
    "**Q: bold around the whole label and question?**\n__A :__ yes\n  * Q 3 : item three\n\tQ: tab\n",
    "Élève : accented custom label\nÉLÈVE: upper\n[Q] : bracket label\n1st: digit label\n  ¿Pregunta: inverted mark",
]

CUSTOM = [
    label_pattern(QUESTION_WORDS + ("Élève", "[Q]", "1st", "¿Pregunta"), "Q", items=True),
    label_pattern(ANSWER_WORDS + ("élève", "straße"), "A"),
]


def _per_line(pattern: re.Pattern[str], text: str) -> list[int]:
    return [n for n, line in enumerate(text.split("\n")) if pattern.match(line)]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("pattern", PATTERNS + CUSTOM, ids=lambda p: p.pattern[:40])
def test_matching_lines_agrees_with_each_line(pattern: re.Pattern[str], text: str) -> None:
    expected = _per_line(pattern, text)
    assert matching_lines(pattern, text) == expected
    assert any_line(pattern, text) is bool(expected)


def test_matching_lines_gives_the_lines_of_labels() -> None:
    text = "Q: one?\nA: 1\n\nQ: two?\nA: 2"
    assert matching_lines(label_pattern(QUESTION_WORDS, "Q"), text) == [0, 3]
    assert matching_lines(label_pattern(ANSWER_WORDS, "A"), text) == [1, 4]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("pattern", PATTERNS + CUSTOM, ids=lambda p: p.pattern[:40])
def test_line_matches_give_the_groups_a_match_of_each_line_gives(pattern: re.Pattern[str], text: str) -> None:
    """Labels read the groups of the scan's matches instead of matching each label line again."""
    expected = {n: found.groups() for n, line in enumerate(text.split("\n")) if (found := pattern.match(line))}
    assert {n: found.groups() for n, found in line_matches(pattern, text).items()} == expected


def test_the_text_after_a_label_is_the_same_from_a_scan_and_from_the_line() -> None:
    labels = _Labels(label_pattern(QUESTION_WORDS, "Q", items=True), label_pattern(ANSWER_WORDS, "A"))
    text = "intro\n**Q: What is TCP?**\n**Q:** bold label only**\n__A :__ ordered delivery__\nQ: plain"
    for pattern in (labels.question, labels.answer):
        for number, found in line_matches(pattern, text).items():
            alone = pattern.match(text.split("\n")[number])
            assert alone is not None
            assert labels.text_after(found) == labels.text_after(alone)
    found = line_matches(labels.question, text)
    assert [labels.text_after(found[n]) for n in sorted(found)] == ["What is TCP?", " bold label only**", "plain"]


@pytest.mark.parametrize("words", [QUESTION_WORDS, ANSWER_WORDS, ("Élève", "[Q]", "1st", "¿Pregunta", "straße", "ǅemal")])
@pytest.mark.parametrize("text", TEXTS)
def test_the_opening_lookahead_changes_no_match(words: tuple[str, ...], text: str) -> None:
    """The lookahead only lets a scan give up sooner: without it the same lines match, with the same groups."""
    for letter, items in (("Q", True), ("A", False)):
        pattern = label_pattern(words, letter, items=items)
        opening = label_opening(words, letter)
        assert opening and opening in pattern.pattern
        bare = re.compile(pattern.pattern.replace(opening, "", 1), pattern.flags)
        lines = text.split("\n") + [w + " : x" for w in words] + [w.upper() + ": x" for w in words] \
            + [w.lower() + ": x" for w in words] + [f"- **{w}:** x" for w in words]
        for line in lines:
            with_lookahead, without = pattern.match(line), bare.match(line)
            assert (with_lookahead and with_lookahead.groups()) == (without and without.groups()), line


def test_an_empty_label_word_drops_the_lookahead() -> None:
    assert label_opening(("Question", ""), "Q") == ""
    assert label_pattern(("Question", ""), "Q").match(": empty word, colon first")


FENCED = [
    "text\n```python\ncode\n  ```\nafter",  # an indented closer closes
    "````\n```\nstill code\n`````\nafter",  # a shorter fence inside, a longer closer
    "~~~\n```\n~~~\nafter\n```\nunclosed backtick fence\nto the end",
    "<!-- a comment\n```\n-->\ntext\n```js\n<!-- not a comment -->\n```",
    "``` inline `code` is no fence\ntext\n```\ncode\n```",
    "```\ncode ``` not a closer\n```  \nafter",
]


def _kinds_line_by_line(lines: list[str]) -> list[LineKind]:
    """CommonMark's reading, one line at a time: the reference the candidate-line scan must agree with."""
    kinds: list[LineKind] = []
    fence: str | None = None
    comment = False
    for line in lines:
        stripped = line.strip()
        if fence is not None:
            kinds.append(LineKind.FENCE)
            if stripped and set(stripped) == {fence[0]} and len(stripped) >= len(fence) and not line[0].isalnum():
                fence = None
        elif comment:
            kinds.append(LineKind.COMMENT)
            comment = "-->" not in line
        elif stripped.startswith("<!--"):
            kinds.append(LineKind.COMMENT)
            comment = "-->" not in stripped[4:]
        elif (opened := re.match(r"^\s*(`{3,}|~{3,})(.*)$", line)) and not (
                opened.group(1)[0] == "`" and "`" in opened.group(2)):
            kinds.append(LineKind.FENCE)
            fence = opened.group(1)
        else:
            kinds.append(LineKind.TEXT)
    return kinds


@pytest.mark.parametrize("text", FENCED)
def test_fences_close_at_the_first_closing_line(text: str) -> None:
    """Closing fences are looked for among the candidate lines only: the same lines as a line-by-line reading."""
    lines = text.split("\n")
    assert list(scan(lines).kinds) == _kinds_line_by_line(lines)


def test_an_unclosed_fence_runs_to_the_end_and_is_listed() -> None:
    layout = scan(FENCED[2].split("\n"))
    assert layout.kinds[-1] is LineKind.FENCE
    assert layout.unclosed == ((4, "code fence"),)

