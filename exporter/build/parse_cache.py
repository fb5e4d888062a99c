"""The notes each source file gave, kept across builds so an edit re-reads only what changed.

Reading a file (decoding, mojibake repair, junk removal, detection, the reader itself)
depends only on its bytes, its path, its settings and the toolkit's code: that is the
key. In a tree of hundreds of files, reading the unchanged ones was most of a rebuild.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from exporter.build.cache import BuildCache
from exporter.config import SourceSettings
from exporter.diagnostics import Diagnostic, Level
from exporter.model import Note, NoteKind
from exporter.reading.chunked import GroupRead, PlacedGroup
from exporter.reading.claim import Coverage, new_note
from exporter.reading.source import with_tags

CACHE_NAME = "read.sqlite"
_BY_GROUPS = "by groups"
"""First item of the entry of a file read by groups: the list of its groups, not its notes."""


def file_key(toolkit: str, relative_path: str, data: bytes, settings: SourceSettings) -> str:
    digest = _reading_of(toolkit, relative_path, settings)
    digest.update(data)
    return digest.hexdigest()


def _reading_of(toolkit: str, relative_path: str, settings: SourceSettings) -> hashlib._Hash:
    """A digest fed with everything but the text that reading a file depends on."""
    digest = hashlib.sha256(toolkit.encode())
    digest.update(json.dumps([relative_path, settings.reader, settings.deck, list(settings.tags),
                              list(settings.patterns_off), list(settings.question_labels),
                              list(settings.answer_labels)]).encode())
    return digest


_KINDS = {kind.value: kind for kind in NoteKind}
_OPTIONAL_TEXT = (str, type(None))


def note_to_row(note: Note) -> list[object]:
    """The note as a flat JSON-ready list, fields in declaration order (`Note`'s)."""
    return [note.deck, note.kind.value, note.question, note.answer, note.source.path, note.source.line,
            list(note.tags), note.context, note.section, note.link, note.answer_line, note.guid, note.modified]


def note_from_row(row: list[object], lines: int = 0) -> Note:
    """The note `note_to_row` stored, `lines` further down its file; TypeError when `row` has another shape.

    Checked field by field with `type()`: a stored file of 500 notes is decoded on every
    build, and a JSON round trip per note to check it was most of that.
    """
    (deck, kind, question, answer, path, line, tags, context, section, link, answer_line, guid,
     modified) = row
    if not (type(deck) is str and type(question) is str and type(path) is str and type(context) is str
            and type(section) is str and type(guid) is str and type(answer) in _OPTIONAL_TEXT
            and type(link) in _OPTIONAL_TEXT and type(line) is int and type(answer_line) is int
            and type(modified) is int and type(tags) is list and all(type(tag) is str for tag in tags)
            and type(kind) is str and kind in _KINDS):
        raise TypeError("cached note of the wrong shape")
    if lines:
        line += lines
        answer_line = answer_line + lines if answer_line else 0
    # Made without the dataclasses' `__init__` (most of decoding a cached note, every note of every
    # file on every build); the same object (`tests/test_parse_cache.py` compares).
    return new_note(deck, _KINDS[kind], question, answer, path, line, tuple(tags), context,  # type: ignore[arg-type]
                    section, link, answer_line, guid, modified)  # type: ignore[arg-type]


def _finding(path: object, line: object, level: object, code: object, message: object) -> Diagnostic:
    if not (isinstance(path, str) and isinstance(line, int) and isinstance(code, str) and isinstance(message, str)):
        raise TypeError("cached finding of the wrong shape")
    return Diagnostic(path, line, Level(level), code, message)


@dataclass(frozen=True)
class FileRead:
    """What reading one file gave: its notes, its findings, its coverage, its language evidence."""

    notes: list[Note]
    findings: list[Diagnostic]
    coverage: Coverage
    markers: tuple[int, int]
    """`language.marker_counts` of its notes' questions and answers: its language without reading them again."""
    groups: list[tuple[str, str, int]] | None = None
    """For a file read by groups of pairs: each group's place (its key, where it starts, the decisions it was
    read under, hashed), its name (its key), and its number of notes. The render cache keeps an entry per
    group, so an edit finds the other groups' notes by place and writes one group's entry again."""
    placed: list[PlacedGroup] | None = None
    """For a file read by groups, the groups themselves (in memory only: what the edit build keeps of each)."""


class ParseCache(BuildCache):
    """Notes and reading findings of source files, by `file_key`."""

    def __init__(self, cache_dir: Path | None) -> None:
        super().__init__(cache_dir, CACHE_NAME)

    def get(self, key: str, groups: Groups | None = None, tags: tuple[str, ...] = ()) -> FileRead | None:
        """The reading kept under `key`; for a file read by groups, made again from `groups` (its
        configured `tags` added to its notes, as after a read)."""
        value = self.get_value(key)
        if value is None:
            return None
        if type(value) is list and value and value[0] == _BY_GROUPS:
            return groups.read(value, tags) if groups is not None else None
        try:
            rows, findings, (on_cards, text), (french, english) = value
            if not all(type(count) is int for count in (on_cards, text, french, english)):
                return None
            return FileRead([note_from_row(row) for row in rows], findings_from_rows(findings),
                            Coverage(on_cards, text), (french, english))
        except (TypeError, ValueError, KeyError, AttributeError):
            return None  # an entry of another shape (older toolkit, damage): read the file again

    def groups_of(self, toolkit: str, relative_path: str, settings: SourceSettings) -> Groups:
        """Where the groups of pairs of one file (`exporter.reading.chunked`) are kept."""
        digest = _reading_of(toolkit, relative_path, settings)
        digest.update(b"\0group\0")
        return Groups(self, digest)

    def put_groups(self, key: str, groups: Groups, findings: list[Diagnostic], coverage: Coverage,
                   markers: tuple[int, int]) -> None:
        """Keep the list of groups the file was read from (`groups.layout`), with its findings, coverage and
        counts: its notes are in the groups' entries already."""
        assert groups.layout is not None
        self.put_value(key, [_BY_GROUPS, *groups.layout, finding_rows(findings), [coverage.on_cards, coverage.text],
                             list(markers)])

    def put(self, key: str, read: FileRead) -> None:
        self.put_value(key, [[note_to_row(n) for n in read.notes], finding_rows(read.findings),
                             [read.coverage.on_cards, read.coverage.text], list(read.markers)])


class Groups:
    """The `chunked.GroupStore` of one file: its groups' readings by their text, in the parse cache.

    Only groups read again are written: an edit of one answer stores one group, not the file's
    thousands of notes.
    """

    def __init__(self, cache: ParseCache, digest: hashlib._Hash) -> None:
        self.cache = cache
        self.digest = digest
        self.layout: list[object] | None = None
        """What `assembled` was told, as the parse cache keeps it: keys, lines, use_prefix, carried decks, lengths."""
        self.places: list[tuple[str, str, int]] | None = None
        """`FileRead.groups` of the file read by groups."""
        self.placed: list[PlacedGroup] | None = None

    def assembled(self, groups: list[PlacedGroup], use_prefix: bool) -> None:
        keys = [group.key for group in groups]
        lines = [group.line for group in groups]
        carried = [group.read.carried for group in groups]
        self.layout = [keys, lines, int(use_prefix), carried, [group.length for group in groups]]
        self.places = _places(keys, lines, int(use_prefix), carried, [group.read.count for group in groups])
        self.placed = groups

    def read(self, value: list[Any], tags: tuple[str, ...]) -> FileRead | None:
        """The file's reading from its list of groups, None when one is missing or was kept under other inputs."""
        try:
            _, keys, lines, use_prefix, carried, lengths, findings, coverage, markers = value
            on_cards, text = coverage
            french, english = markers
            if not (type(keys) is list and type(lines) is list and type(carried) is list and type(lengths) is list
                    and len(keys) == len(lines) == len(carried) == len(lengths) and type(findings) is list
                    and all(type(n) is int for n in (use_prefix, on_cards, text, french, english))):
                return None
            found = self.groups(keys)
            notes: list[Note] = []
            placed: list[PlacedGroup] = []
            for key, line, inherited, length in zip(keys, lines, carried, lengths):
                group = found.get(key)
                if group is None or group.use_prefix != bool(use_prefix) or group.carried != inherited \
                        or type(line) is not int or type(length) is not int:
                    return None
                notes.extend(group.notes_at(line))
                placed.append(PlacedGroup(key, line, group, length))
            if tags:
                notes = [with_tags(note, tags) for note in notes]
            return FileRead(notes, findings_from_rows(findings), Coverage(on_cards, text), (french, english),
                            _places(keys, lines, use_prefix, carried, [group.read.count for group in placed]),
                            placed)
        except (TypeError, ValueError, KeyError, AttributeError):
            return None

    def key(self, text: str) -> str:
        digest = self.digest.copy()
        digest.update(text.encode())
        return digest.hexdigest()

    def groups(self, keys: list[str]) -> dict[str, GroupRead]:
        found: dict[str, GroupRead] = {}
        for key, value in self.cache.get_values(keys).items():
            rows = value[0] if type(value) is list and value else None
            group = group_from_fields(value[1:], partial(_notes_at, rows), len(rows)) if type(rows) is list else None
            if group is not None:  # else another shape (older toolkit, damage): read the group again
                found[key] = group
        return found

    def keep(self, key: str, group: GroupRead) -> None:
        self.cache.put_value(key, [[note_to_row(n) for n in group.notes_at(0)], *group_fields(group)])


def group_fields(group: GroupRead) -> list[Any]:
    """A group's reading but its notes, as plain values: as the parse cache keeps it, and the edit build's
    records (`exporter.build.delta`)."""
    return [group.last_deck, finding_rows(group.unclosed), finding_rows(group.warnings), group.text_lines,
            *group.markers, group.pairs, group.prefixed, int(group.first_prefixed), int(group.use_prefix),
            group.carried]


def group_from_fields(fields: list[Any], notes_at: Callable[[int], list[Note]], count: int) -> GroupRead | None:
    """The group `group_fields` gave, its notes made by `notes_at`; None for values of another shape."""
    try:
        (last_deck, unclosed, warnings, text_lines, french, english, pairs, prefixed, first_prefixed, use_prefix,
         carried) = fields
        if not (all(type(n) is int for n in (text_lines, french, english, pairs, prefixed, first_prefixed,
                                             use_prefix)) and type(carried) in _OPTIONAL_TEXT
                and type(last_deck) is str):
            return None
        return GroupRead(notes_at, last_deck, findings_from_rows(unclosed), findings_from_rows(warnings), text_lines,
                         (french, english), pairs, prefixed, bool(first_prefixed), bool(use_prefix), carried, count)
    except (TypeError, ValueError, KeyError, AttributeError):
        return None


def _places(keys: list[str], lines: list[int], use_prefix: int, carried: list[str | None],
            counts: list[int]) -> list[tuple[str, str, int]]:
    """Each group's (place, name, number of notes)."""
    return [(place_of(key, line, use_prefix, inherited), key, count)
            for key, line, inherited, count in zip(keys, lines, carried, counts)]


def place_of(key: str, line: int, use_prefix: int, carried: str | None) -> str:
    """A group's place: it names the group's notes exactly (the group's text and settings in its key,
    where it starts, the decisions it was read under)."""
    return hashlib.sha256(f"{key}\0{line}\0{use_prefix}\0{carried}".encode()).hexdigest()[:32]


def _notes_at(rows: list[list[object]], lines: int) -> list[Note]:
    """A kept group's notes, `lines` down the file (a damaged row raises TypeError or ValueError)."""
    return [note_from_row(row, lines) for row in rows]


def finding_rows(findings: list[Diagnostic]) -> list[list[Any]]:
    """Findings as plain values (`findings_from_rows` reads them back)."""
    return [[d.path, d.line, d.level.value, d.code, d.message] for d in findings]


def findings_from_rows(rows: list[Any]) -> list[Diagnostic]:
    """The findings `finding_rows` gave; TypeError or ValueError for values of another shape."""
    return [_finding(*row) for row in rows]
