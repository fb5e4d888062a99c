"""A big file of labelled pairs read again by the groups of pairs that changed, with the full read's result.

People keep all their cards in one file too (thousands of `Question : ...` / `Answer : ...`
pairs). An edit of one answer changed the file's bytes, so the whole file was read again:
a third of a one-answer rebuild at 10k notes. Here such a file is cut into groups of
consecutive pairs; each group's reading is kept by the caller (`GroupStore`) under the
group's text, and only the groups whose text changed are read again.

Why the notes, findings, coverage and language counts are exactly the full read's:
- Only a *plain labelled file* is read this way; `plain_labelled` tests the whole text with
  the very predicates the full read uses: the `labels` pattern is allowed and its question
  label opens the first line; no line can be a heading or a rule (so no title, no heading
  trail, no front matter); and `details`, `mdanki`, `obsidian` and `multiple-choice` find
  their syntax nowhere (their own `may_claim`, which is how they return at once in the full
  read). Then in the full read, only `labels` claims, and once every line is claimed the
  engine runs no later pattern.
- Groups start at question-label lines. Each is read by the `labels` pattern's own code
  (`read_pairs`, `pair_claims`) on a document of its lines alone, and the group is used only
  when it shows the full read would read it the same way: its first line is a pair's
  question (so the line layout starts there as at the file's top), it has no HTML comment
  (a comment ends a pair and sets the course link of the pairs after it), no line that
  could be a bold question where a pair may end (deciding that needs the file's block
  structure), it leaves no fence or comment open unless it is the last group (a group that
  does is merged with the next one), and its pairs claim every one of its lines. Then its
  pairs, their lines, labels and texts are the full read's, shifted by the group's first line.
- The file-wide inputs of a group's notes are part of what is kept with it: `uses_prefix`
  (most questions start `Deck - Subdeck - `), decided from every group's counts as the full
  read decides it from every pair, and the deck of the note before the group, which its
  first pair takes when it has no prefix. A group kept under other inputs is read again.
- Anything else (or any error): None, and the caller reads the whole file.

The edit build (`exporter.build.delta`) keeps a record per group: `assemble` gives the groups
without making the kept ones' notes, and `resync` finds, in a changed file, the groups kept
at its top and its bottom by their texts, so that group starts are looked for, and the line
conditions of `plain_labelled` tested, only in the text between them.
`tests/reading/test_chunked.py` compares this with the full read after thousands of random
edits of files that mix the syntax each condition is about.
"""

from __future__ import annotations

import dataclasses
import re
from zlib import crc32
from collections.abc import Callable
from functools import partial
from dataclasses import dataclass
from typing import Protocol

from exporter.diagnostics import Diagnostic, Diagnostics
from exporter.language import note_markers
from exporter.model import Note
from exporter.reading.claim import Coverage, Reading, new_note, report_unclosed
from exporter.reading.document import _HEADING_HINT, _RULE_HINT, Document, parse_document
from exporter.reading.layout import _behind_newline, any_line, line_matches, matching_lines
from exporter.reading.patterns import details, mdanki, multiple_choice, obsidian
from exporter.reading.patterns.bold_question import ASKING_BOLD, bold_question_line, may_ask_in_bold
from exporter.reading.patterns.labels import (
    LabelledPairs, Prefix, _Pair, labels_of, pair_claims, prefixed, read_pairs,
)
from exporter.reading.source import SourceFile

GROUPS_FROM = 200_000
"""Characters: a smaller file is read whole (a file of 500 notes in 0.02 s), as keeping its groups
costs a cold build about what an edit would save."""

GROUP_SPREAD = 64
"""About one question line in this many opens a group: a few hundred groups at 10k notes,
small enough that an edit re-reads little, few enough that their per-group costs stay small."""


_MAY_ASK_IN_BOLD = re.compile(r"\?[^\S\n]*(?:\*\*|__)[^\S\n]*$", re.MULTILINE)
"""Every line `bold_question.asked` takes for a question matches: its stripped text ends `?`, blanks, then
the closing marker (`\\s` and `str.strip` take the same blanks)."""


@dataclass(frozen=True)
class GroupRead:
    """One group's reading, its lines counted from the group's first line (0-based there)."""

    notes_at: Callable[[int], list[Note]]
    """Its notes, their lines counted from the file's 0-based line given, where the group starts
    (a function: a kept group's notes are made once, at their place, from what was kept)."""
    last_deck: str
    """The deck of its last note: the next group's first pair takes it when it has no prefix."""
    unclosed: list[Diagnostic]
    """`unclosed` warnings (only the file's last group may have any)."""
    warnings: list[Diagnostic]
    """The `labels` pattern's findings, in pair order."""
    text_lines: int
    """Its lines of text, all on cards: its share of the file's coverage."""
    markers: tuple[int, int]
    """`language.marker_counts` of its notes' questions and answers (counts add up)."""
    pairs: int
    prefixed: int
    """How many of its pairs start `Deck - Subdeck - `: what `uses_prefix` is decided from."""
    first_prefixed: bool
    use_prefix: bool
    """The file's decision its notes were made under."""
    carried: str | None
    """The deck of the note before it, when its first pair took it (no prefix, `use_prefix`), else None."""
    count: int
    """How many notes it gives."""


@dataclass(frozen=True)
class PlacedGroup:
    """A group where the file has it: its key in the store, its first line (0-based), its reading, and the
    length of its text (groups follow each other, a newline between two)."""

    key: str
    line: int
    read: GroupRead
    length: int


@dataclass(frozen=True)
class Assembly:
    """A plain labelled file as its groups: what the full read gives, each group's notes made only when asked."""

    groups: list[PlacedGroup]
    use_prefix: bool
    findings: list[Diagnostic]
    """The `unclosed` warnings, then the `labels` pattern's findings, at the file's lines."""
    coverage: Coverage
    markers: tuple[int, int]

    def notes(self) -> list[Note]:
        """Every note, in the file's order (carrying no configured tags yet)."""
        return [note for group in self.groups for note in group.read.notes_at(group.line)]


class GroupStore(Protocol):
    """Where groups' readings are kept between builds, by a key naming the file's settings and the group's text."""

    def key(self, text: str) -> str:
        ...

    def groups(self, keys: list[str]) -> dict[str, GroupRead]:
        ...

    def keep(self, key: str, group: GroupRead) -> None:
        ...

    def assembled(self, groups: list[PlacedGroup], use_prefix: bool) -> None:
        """The file was read from these groups under this `uses_prefix` decision: the store may keep
        their list for the next build of the same bytes."""
        ...


def plain_labelled(source: SourceFile, parts: list[str] | None = None) -> bool:
    """True when the full read of `source` is the `labels` pattern's alone (see the module's docstring).

    Every test but the first line's looks at one line at a time: with `parts` (whole lines of the text),
    only those are tested, the caller knowing the other lines passed in a file read before.
    """
    text = source.text
    if not source.options.allows(LabelledPairs.name) or len(text) < GROUPS_FROM:
        return False
    if labels_of(source.options).question.match(text) is None:
        return False  # the first line is not a question: it would be left to later patterns
    return not any(_other_syntax(part) for part in (parts if parts is not None else [text]))


def _other_syntax(text: str) -> bool:
    """True when a line of `text` may be a heading, a rule, or syntax of a pattern other than `labels`."""
    return (any_line(_HEADING_HINT, text) or any_line(_RULE_HINT, text) or details.may_claim(text)
            or mdanki.may_claim(text) or obsidian.may_claim(text) or multiple_choice.may_claim(text))


def group_starts(source: SourceFile, begin: int = 0, end: int | None = None) -> list[int]:
    """Offsets in the text where groups start: 0 and the question lines whose text hashes to a multiple of `GROUP_SPREAD`
    (with `begin` and `end`, line starts, only those in [begin, end)).

    The choice depends on the line's own text only, so an edit elsewhere moves no group's start.
    """
    spread = GROUP_SPREAD
    text = source.text
    stop = len(text) if end is None else end - 1
    # A label pattern reads to the end of its line (`(.*)$`), so each match is a newline and the whole
    # question line. From 1 at the top: the first line has no newline before it.
    found = _behind_newline(labels_of(source.options).question).finditer(text, max(begin - 1, 1))
    starts = [0] if begin == 0 else []
    for match in found:
        if match.start() >= stop:
            break
        if crc32(match.group().encode()) % spread == 0:
            starts.append(match.start() + 1)
    return starts


@dataclass
class _Open:
    """A group read up to the file-wide decision: its pairs, waiting for `uses_prefix`."""

    reading: Reading
    pairs: list[_Pair]
    prefixes: list[Prefix]


def _open(source: SourceFile, text: str) -> _Open | None:
    """The group's pairs, None when the group breaks a condition (see the module's docstring)."""
    # `plain_labelled` found no line of the file that can be a heading or a rule: none of the group's can be.
    doc = parse_document(dataclasses.replace(source, text=text), flat=True)
    reading = Reading(doc, source.options, Diagnostics())
    found = read_pairs(reading)
    if found is None or found[0][0].line != 0 or doc.layout.comments or _asks_in_bold(doc, found[0]):
        return None
    return _Open(reading, *found)


def _asks_in_bold(doc: Document, pairs: list[_Pair]) -> bool:
    """True when a line where a pair may end could be a bold question (deciding needs the file's blocks)."""
    text = doc.source.text
    if _MAY_ASK_IN_BOLD.search(text) is None:
        return False  # no line ends with `?` and a closing `**`/`__`: none is a bold question (`asked`)
    labels = labels_of(doc.source.options)
    questions = {pair.line for pair in pairs}
    ends = line_matches(labels.answer, text).keys() | line_matches(labels.question, text).keys()
    if may_ask_in_bold(text):
        ends |= set(matching_lines(ASKING_BOLD, text))
    return any(bold_question_line(doc, line) for line in ends if line not in questions)


def _finish(group: _Open, use_prefix: bool, carried: str | None) -> GroupRead | None:
    """The group's notes under the file's decision and the deck before it; None unless they claim every line."""
    reading = group.reading
    diagnostics = reading.diagnostics
    report_unclosed(reading.doc, diagnostics)
    unclosed = list(diagnostics.items)
    for claim in pair_claims(reading, group.pairs, group.prefixes, use_prefix, carried):
        reading.add(claim)
    if reading.claimed.find(0, 0, len(reading.doc.lines)) >= 0:
        return None
    notes = [note for claim in sorted(reading.claims, key=lambda c: c.start) for note in claim.notes]
    first_prefixed = group.prefixes[0] is not None
    return GroupRead(partial(_shifted, notes), notes[-1].deck, unclosed, diagnostics.items[len(unclosed):],
                     reading.text_mask.count(1), note_markers(notes), len(group.pairs), prefixed(group.prefixes), first_prefixed,
                     use_prefix, carried if use_prefix and not first_prefixed else None, len(notes))


def read_by_groups(source: SourceFile, store: GroupStore) -> tuple[list[Note], list[Diagnostic], Coverage,
                                                                   tuple[int, int]] | None:
    """The notes, findings, coverage and language counts of a plain labelled file, None for any other file.

    Notes carry no configured tags yet (the caller adds them, as after a full read).
    """
    assembly = assemble(source, store)
    if assembly is None:
        return None
    return assembly.notes(), assembly.findings, assembly.coverage, assembly.markers


def assemble(source: SourceFile, store: GroupStore, starts: list[int] | None = None,
             changed: str | None = None, known: dict[tuple[int, int], str] | None = None) -> Assembly | None:
    """A plain labelled file as its groups, each read again only when the store has no reading of its text
    under the file's decisions; None for any other file. No kept group's notes are made here: the edit
    build (`exporter.build.delta`) asks only the changed groups for theirs.

    The edit build also gives the groups' `starts`, the only lines that `plain_labelled` must test
    (`changed`) and the keys of the groups it found, by their bounds (`known`): it found every other
    group's text in the file it read before (`resync`).
    """
    if not plain_labelled(source, None if changed is None else [changed]):
        return None
    text = source.text
    starts = group_starts(source) if starts is None else starts
    bounds = [(start, end - 1) for start, end in zip(starts, starts[1:])] + [(starts[-1], len(text))]
    known = known or {}
    keys = [known.get(bound) or store.key(text[bound[0] : bound[1]]) for bound in bounds]
    kept = store.groups(keys)
    opened: dict[int, _Open] = {}
    index = 0
    while index < len(bounds):  # the groups' counts, merging a group that leaves a fence open with the next
        if keys[index] in kept:
            still_open = bool(kept[keys[index]].unclosed)
        else:
            start, end = bounds[index]
            found = _open(source, text[start:end])
            if found is None:
                return None
            opened[index] = found
            still_open = bool(found.reading.doc.layout.unclosed)
        if still_open and index + 1 < len(bounds):
            bounds[index : index + 2] = [(bounds[index][0], bounds[index + 1][1])]
            keys[index : index + 2] = [store.key(text[bounds[index][0] : bounds[index][1]])]
            opened.pop(index, None)
            opened.pop(index + 1, None)  # (never set yet: groups are opened in order)
            continue
        index += 1
    pairs = prefixes = 0
    for index, key in enumerate(keys):
        if index in opened:
            pairs += len(opened[index].pairs)
            prefixes += prefixed(opened[index].prefixes)
        else:
            pairs += kept[key].pairs
            prefixes += kept[key].prefixed
    use_prefix = prefixes * 2 >= pairs
    placed: list[PlacedGroup] = []
    unclosed: list[Diagnostic] = []
    warnings: list[Diagnostic] = []
    text_lines = french = english = 0
    carried: str | None = None
    line = 0
    previous_start = 0
    for index, key in enumerate(keys):
        start, end = bounds[index]
        line += text.count("\n", previous_start, start)
        previous_start = start
        group = kept.get(key)
        if group is None or group.use_prefix != use_prefix or (
                use_prefix and not group.first_prefixed and group.carried != carried):
            found = opened.pop(index, None) or _open(source, text[start:end])
            group = _finish(found, use_prefix, carried) if found is not None else None
            if group is None:
                return None
            store.keep(key, group)
        placed.append(PlacedGroup(key, line, group, end - start))
        unclosed.extend(_moved(group.unclosed, line))
        warnings.extend(_moved(group.warnings, line))
        text_lines += group.text_lines
        french += group.markers[0]
        english += group.markers[1]
        carried = group.last_deck
    store.assembled(placed, use_prefix)
    return Assembly(placed, use_prefix, unclosed + warnings, Coverage(text_lines, text_lines), (french, english))


def resync(source: SourceFile, store: GroupStore, before: list[tuple[str, int]]
           ) -> tuple[list[int], int, int, dict[tuple[int, int], str]] | None:
    """The group starts of a file whose groups were `before` ((key, length) each, in order), the
    span [begin, end) of its text outside the groups found unchanged at its top and at its bottom,
    and those groups' keys by their bounds.

    The groups kept at both ends are found by their keys (their texts hashed); group starts are
    looked for only between them, where the text changed: a start depends on its line's own text,
    so those of unchanged text are the ones found before. None when no group's text is found.
    """
    text = source.text
    size = len(text)
    known: dict[tuple[int, int], str] = {}
    top: list[int] = []
    begin = 0
    at = 0
    while at < len(before):
        key, length = before[at]
        stop = begin + length
        if stop > size or (stop < size and text[stop] != "\n") or store.key(text[begin:stop]) != key:
            break
        known[(begin, stop)] = key
        top.append(begin)
        begin = stop + 1
        at += 1
    bottom: list[int] = []
    end = size + 1
    last = len(before)
    while last > at:
        key, length = before[last - 1]
        start = end - 1 - length
        if start < begin or (start > 0 and text[start - 1] != "\n") or (last == 1 and start != 0) \
                or store.key(text[start:end - 1]) != key:
            break  # (the first group starts at the top whatever its first line: only there is it the same)
        known[(start, end - 1)] = key
        bottom.append(start)
        end = start
        last -= 1
    if not top and not bottom:
        return None
    if begin >= end:  # no changed text: every group found (a group gone between them leaves none)
        return top + bottom[::-1], end, end, known
    return top + group_starts(source, begin, end) + bottom[::-1], begin, end, known


def _shifted(notes: list[Note], lines: int) -> list[Note]:
    """The notes of a group whose first line is the file's 0-based line `lines`."""
    if not lines:
        return notes
    # Not `dataclasses.replace`: four times slower, for every note of a group read again.
    return [new_note(note.deck, note.kind, note.question, note.answer, note.source.path, note.source.line + lines,
                     note.tags, note.context, note.section, note.link,
                     note.answer_line + lines if note.answer_line else 0, note.guid, note.modified)
            for note in notes]


def _moved(findings: list[Diagnostic], lines: int) -> list[Diagnostic]:
    return [dataclasses.replace(finding, line=finding.line + lines) for finding in findings] if lines else findings
