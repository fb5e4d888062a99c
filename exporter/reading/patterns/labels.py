"""Labelled pairs: a question label, the question, an answer label, the answer.

    **Q:** What does TCP guarantee?
    **A:** Ordered, reliable delivery.

    Question : Deep Learning - Gradient Descent - What is a loss function?
    Answer   : A function that measures how bad the predictions are

Labels, bold or not, with any spacing around the colon (`Q:`, `**Q :**`,
`**Question:**`, `**Q**:`, `Question 3 :`), alone on their line or followed
by text: Question/Answer, Q/A, Question/Réponse, Frage/Antwort,
Pregunta/Respuesta, Domanda/Risposta, Pergunta/Resposta, plus the words set
by `question = ...`/`answer = ...` in the settings. CommonMark merges such
lines into one paragraph, so this pattern reads lines, not blocks.

A question runs until its answer label (so it may hold lists, math or code);
the answer runs until the next question label, an HTML comment, a rule, a
heading of the same or a higher level than the one the question sits under,
a heading that introduces the next questions (a heading directly followed
by a question label), a heading that asks one level below that section, or a bold line that asks
(`### What is UDP?` after a pair under `## Transport`). Deeper headings, and
any heading when the question sits under none, are parts of the answer
(`#### Example`, `### Solution`). A question without an answer label, or with a
placeholder answer, is an open question.

When most questions of a file start with `Deck - Subdeck - ` (the quiz
convention), the note goes to deck `Deck::Subdeck` (a configured deck replaces
`Deck`) and the subdeck is its context and tag; a question without the prefix
in such a file is reported and put in the previous question's deck. A comment
holding only a URL (`<!-- https://... -->`) is the course page of the
questions under it, until the next comment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

from exporter.model import NoteKind
from exporter.reading.claim import Claim, Reading, first_text_line, lines_text
from exporter.reading.inline import tag_slug
from exporter.model import Note
from exporter.reading.document import Block
from exporter.reading.source import ReadOptions
from exporter.reading.layout import Comment, LineKind, any_line, line_matches, matching_lines
from exporter.reading.patterns.bold_question import ASKING_BOLD, may_ask_in_bold, opens_bold_question

QUESTION_WORDS = ("Question", "Frage", "Pregunta", "Domanda", "Pergunta")
ANSWER_WORDS = ("Answer", "Réponse", "Reponse", "Antwort", "Respuesta", "Risposta", "Resposta")
_INLINE_ANSWER = re.compile(
    r"(?<=\?)[ \t]+(?:\*\*|__)?(?:A|(?i:answer|r[ée]ponse|antwort|respuesta|risposta|resposta))[ \t]*"
    r"(?:(?:\*\*|__)[ \t]*:|:[ \t]*(?:\*\*|__)?)[ \t]*(?=\S)"
)
"""`Q: Capital of Peru? A: Lima`: an answer label on the question's own line, after its `?`."""
_DECK_SEPARATOR = re.compile(r"(?<!\s)\s++-\s+")
"""Starts only where a run of spaces starts (the leftmost match would anyway): linear on long runs."""
_URL = re.compile(r"^https?://\S+$")
_MAX_DECK_NAME = 60


HEADING_LABEL = re.compile(r"^(?:[\w-]+[ \t]+)?(?:Q|Question|Frage|Pregunta|Domanda|Pergunta)[ \t]*:[ \t]+",
                           re.IGNORECASE)
"""`## Q: What is X?`, `### Follow-up Q: ...`: a question label written in a heading, dropped from the card."""


def label_pattern(words: tuple[str, ...], letter: str, items: bool = False) -> re.Pattern[str]:
    """A line opening with one of `words` (any case) or the capital `letter`, as a label.

    `Q:`, `**Question 3 :**`, numbered `Q1.`/`A1.` (`**Q3.**`); with `items`, also
    after a bullet (`- Q: ...` over an indented `A: ...`). Answers never take a bullet:
    `- A: ...` is far more often an option of a multiple-choice question.

    Groups: 1 the bold marker opening the label, if any; 2 the text after the label.
    Linear: every quantifier is followed by a different character class.
    The pattern opens with a lookahead for the characters a label line can start with
    (indent, bullet, bold marker, a word's first letter): a scan of a big file for
    labels then gives up at once on most lines (15 ms instead of 22 ms on 115k lines).
    """
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    bullet = r"(?:[-*+][ \t]++)?" if items else ""  # possessive: the label may open with spaces too
    return re.compile(
        rf"^{label_opening(words, letter)} {{0,3}}{bullet}(\*\*|__)?[ \t]*(?:(?i:{alternatives})|{letter})"
        rf"(?:[ \t]*\d+[ \t]*\.[ \t]*(?:\*\*|__)?(?=[ \t])|(?:[ \t]+\d+)?[ \t]*"
        rf"(?:(?:\*\*|__)[ \t]*:|:[ \t]*(?:\*\*|__)?))(.*)$",
        re.MULTILINE,  # `match` on one line is unaffected; `search` on a whole text finds any line
    )


def label_opening(words: tuple[str, ...], letter: str) -> str:
    """A lookahead for the first character of a label line: indent, bullet, bold marker, or a label's first letter.

    Empty when a word is empty (a label could then open with anything).
    """
    if not all(words):
        return ""
    firsts = "".join(sorted({re.escape(w[0]) for w in words}))
    return rf"(?=[ \t*_+\-{re.escape(letter)}]|(?i:[{firsts}]))"


@dataclass
class _Pair:
    line: int
    """0-based line of the question label."""
    link: str | None
    level: int
    """Level of the heading the question sits under (0 at the top of the file)."""
    question: list[str]
    answer: list[str] | None = None
    answer_start: int = 0
    end: int = 0
    """0-based line after the pair's last line."""


@dataclass
class _Labels:
    question: re.Pattern[str]
    answer: re.Pattern[str]

    def text_after(self, found: re.Match[str]) -> str:
        """The text after a label, without the `**` that closes a label written `**Q: text**`.

        `found` may come from a scan of the whole text (`line_matches`): its positions are offsets there.
        """
        rest = found.group(2)
        bold = found.group(1)
        if bold and not found.string[found.start() : found.start(2)].rstrip().endswith(bold) \
                and rest.rstrip().endswith(bold):
            rest = rest.rstrip()[: -len(bold)]
        return rest


class LabelledPairs:
    name: ClassVar[str] = "labels"

    def claim(self, reading: Reading) -> Iterator[Claim]:
        found = read_pairs(reading)
        if found is None:
            return
        pairs, prefixes = found
        yield from pair_claims(reading, pairs, prefixes, uses_prefix(prefixes), None)


Prefix = tuple[str, str, str] | None
"""`_deck_prefix` of a question's first line."""


def labels_of(options: ReadOptions) -> _Labels:
    """The question and answer label patterns a file's settings ask for."""
    return _Labels(
        label_pattern(QUESTION_WORDS + options.question_labels, "Q", items=True),
        label_pattern(ANSWER_WORDS + options.answer_labels, "A"),
    )


def read_pairs(reading: Reading) -> tuple[list[_Pair], list[Prefix]] | None:
    """The file's pairs and their `Deck - Subdeck - ` prefixes, None when it has none.

    The first half of the pattern: what is decided for the whole file (`uses_prefix`)
    is counted from its result, so `exporter.reading.chunked` can read a big file by
    groups of pairs and take that decision from every group's counts.
    """
    labels = labels_of(reading.options)
    if not any_line(labels.question, reading.doc.source.text):
        return None  # no line of the file opens with a question label
    pairs = _pairs(reading, labels)
    if not pairs:
        return None
    return pairs, [_deck_prefix(p.question[0]) for p in pairs]  # split once: counted, then used


def uses_prefix(prefixes: list[Prefix]) -> bool:
    """The file's one decision: most of its questions start `Deck - Subdeck - ` (a tie counts as most)."""
    return prefixed(prefixes) * 2 >= len(prefixes)


def prefixed(prefixes: list[Prefix]) -> int:
    return sum(1 for p in prefixes if p is not None)


def pair_claims(
    reading: Reading, pairs: list[_Pair], prefixes: list[Prefix], use_prefix: bool, previous_deck: str | None
) -> Iterator[Claim]:
    """The second half: each pair's claim and note, given the file's `use_prefix` and the deck of
    the note before the first pair (None at the top of the file), which a pair without prefix takes."""
    for pair, prefix in zip(pairs, prefixes):
        note, previous_deck = _note(reading, pair, prefix if use_prefix else None, use_prefix, previous_deck)
        yield Claim.of(pair.line, pair.end, note)


def _pairs(reading: Reading, labels: _Labels) -> list[_Pair]:
    """Cut the free text into question/answer pairs; comments end a pair and set or clear the link."""
    doc = reading.doc
    kinds = doc.layout.kinds
    comments = {c.start: c for c in doc.layout.comments}
    structured = doc.may_have_headings or doc.may_have_rules
    starts = {b.start: b for b in doc.blocks if b.type in ("heading", "hr")} if structured else {}
    text = doc.source.text
    # Each label line's match, from one scan of the text: the loop below reads its groups, never re-matching.
    questions = line_matches(labels.question, text)
    answers = line_matches(labels.answer, text)
    events = sorted(
        questions.keys() | answers.keys() | set(comments)
        | set(starts) | set(_claimed_run_starts(reading.claimed))
        | set(matching_lines(ASKING_BOLD, text) if may_ask_in_bold(text) else ())
    )
    pairs: list[_Pair] = []
    current: _Pair | None = None
    link: str | None = None
    structure: list[Block] = []  # the headings outside any pair: what the questions sit under
    previous = -1
    lines, claimed, text_kind = doc.lines, reading.claimed, LineKind.TEXT  # locals: read twice per label line
    for index in events:
        if index >= len(lines):
            break
        if current is not None:  # the lines since the last event: no label, comment, heading or claim
            (current.question if current.answer is None else current.answer).extend(lines[previous + 1 : index])
        previous = index
        line = lines[index]
        kind = kinds[index]
        if not claimed[index] and kind is text_kind:
            asked = questions.get(index)
        else:
            asked = None
        if current is not None and (asked or _ends(reading, current, index, labels, comments, starts)):
            current.end = index
            current = None
        heading = starts.get(index)
        if current is None and heading is not None and heading.type == "heading":
            while structure and structure[-1].level >= heading.level:
                structure.pop()
            structure.append(heading)
        if kind is LineKind.COMMENT:
            if index in comments:
                body = comments[index].body
                link = body if _URL.match(body) else None
            continue
        if asked:
            asked_text = labels.text_after(asked)
            current = _Pair(index, link, structure[-1].level if structure else 0, [asked_text])
            mark = asked_text.find("?")  # an inline answer label follows a `?`: search from the first one
            inline = _INLINE_ANSWER.search(asked_text, mark + 1) if mark >= 0 else None
            if inline is not None:
                current.question, current.answer = [asked_text[: inline.start()]], [asked_text[inline.end() :]]
                current.answer_start = index
            pairs.append(current)
            continue
        if current is None:
            continue
        answered = answers.get(index) if kind is text_kind and current.answer is None else None
        if answered:
            current.answer = [labels.text_after(answered)]
            current.answer_start = index
        elif current.answer is None:
            current.question.append(line)
        else:
            current.answer.append(line)
    if current is not None:
        (current.question if current.answer is None else current.answer).extend(lines[previous + 1 :])
        current.end = len(lines)
    return pairs


def _claimed_run_starts(claimed: bytearray) -> list[int]:
    """The first line of each run of claimed lines: where a pair being read must stop."""
    found: list[int] = []
    position = claimed.find(1)
    while position >= 0:
        found.append(position)
        free = claimed.find(0, position)
        if free < 0:
            break
        position = claimed.find(1, free)
    return found


def _ends(
    reading: Reading, pair: _Pair, index: int, labels: _Labels, comments: dict[int, Comment], starts: dict[int, Block]
) -> bool:
    """True when line `index` ends the pair being read."""
    if reading.claimed[index] or index in comments or opens_bold_question(reading.doc, index):
        return True  # a bold line that asks (`**What is X?**`) is the next card, never part of an answer
    block = starts.get(index)
    if block is None:
        return False
    if block.type == "hr":
        return True
    if block.level <= pair.level:
        return True
    if block.level == pair.level + 1 and pair.level and block.content.rstrip("*_ ").endswith("?"):
        return True  # a question heading right under the pair's own section is the next card
    following = reading.doc.blocks[block.index + 1] if block.index + 1 < len(reading.doc.blocks) else None
    return following is not None and bool(labels.question.match(reading.doc.lines[following.start]))


def _deck_prefix(first: str) -> Prefix:
    """(deck, subdeck, question) when the question starts `Deck - Subdeck - `."""
    parts = _DECK_SEPARATOR.split(first.lstrip(), maxsplit=2)
    if len(parts) != 3:
        return None
    deck, subdeck, question = parts
    if len(deck) > _MAX_DECK_NAME or len(subdeck) > _MAX_DECK_NAME or "?" in deck or "?" in subdeck:
        return None
    return deck, subdeck, question


def _note(
    reading: Reading, pair: _Pair, prefix: Prefix, use_prefix: bool, previous_deck: str | None
) -> tuple[Note, str | None]:
    """The pair's note; `prefix` is `_deck_prefix` of its first line, used when the file `use_prefix`."""
    doc = reading.doc
    first, *rest = pair.question
    deck: str | None = None
    context = None
    if use_prefix:
        if prefix is not None:
            top, subdeck, first = prefix
            deck = f"{doc.source.deck or top}::{subdeck}"
        else:
            deck = previous_deck or doc.deck
            subdeck = deck.rsplit("::", 1)[-1]
            reading.diagnostics.warning(
                doc.path, pair.line + 1, "no-deck",
                f"question does not start with 'Deck - Subdeck - '; put in deck {deck!r}",
            )
        tag = tag_slug(subdeck)
        context = (subdeck, subdeck, (tag,) if tag else ())
    question = lines_text([first.lstrip(), *rest])
    answer: str | None = None
    answer_line = None
    if pair.answer is None:
        reading.diagnostics.warning(doc.path, pair.line + 1, "no-answer-line", "question has no answer label")
    else:
        body = [pair.answer[0].lstrip(), *pair.answer[1:]]
        answer = lines_text(body) or None
        answer_line = first_text_line(body, pair.answer_start)
    note = reading.note(NoteKind.QA, question, answer, pair.line, answer_line, deck=deck, context=context,
                        link=pair.link)
    return note, note.deck
