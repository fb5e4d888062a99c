"""The edit build: a rebuild that makes objects only for the notes of the files that changed.

After every full `.apkg` build, `record` keeps in `.cache/edit.sqlite`, per unit (a source file,
or one group of pairs of a big file read by groups, `reading.chunked`), what that unit gave
after identity: its parse-cache key (its bytes and settings), its findings,
hashes of its notes' question keys (the cross-file duplicate check) and fingerprints, its
GUIDs, its deck input parts (`manifest.note_part`) and its `.apkg` rows
(`writers.apkg.Row`); and for the whole build the lock's size and CRC-32. The next build
(`edit`) reads, checks, renders and identifies only the changed files' notes, locates their
old lock entries by bisection in the lock's bytes (`lock.SortedLock`), writes the lock by
splicing, and writes each changed deck from the kept rows.

Why that is the full build's result, not an approximation. `record` keeps a build only when
every live lock entry belongs to a note of a file read (nothing carried), every GUID and
fingerprint of the lock is unique and no question key is in two files; `edit` runs only when
no unchanged file has a note that packs an image or may look for one (its HTML depends on
files on disk). Then, with U the unchanged files and C the changed ones (a deleted file is one
of C), the full build's pairing gives every note of U its own entry by fingerprint (the only
entry with it), provided no new note of C has one of U's fingerprints and no question key of
C is one of U's (both checked): the rest of the pairing, the duplicate check and the
languages only ever see C's notes and the other entries, in the same relative order, which is
what `edit` runs them on. A U note keeps its GUID, time and entry (its fingerprint and line
are those of the entry). New GUIDs avoid U's (`resolve`'s `reserved`). Anything else
(options other than `--format apkg`, a lock that is not the one recorded, a file that cannot
be read, a deleted file that still exists out of reach, a backup to make, most notes in the
changed files) returns None, and the full build runs. tests/test_delta.py compares both
builds' outputs after random edits of multi-file projects.

The same holds with groups as the units (U the unchanged groups, C the changed ones): a group
is named by its place (its text, first line and the file-wide decisions it was read under,
`parse_cache.place_of`), so an unchanged group's notes are the full read's, lines included, and
its lock entries are the run of its lines in each subdeck. A file is kept by groups only when no
note of it was dropped as a duplicate, no question is in two of its groups and every finding
stands in a group's lines (the duplicate check and the findings then stay within a group); its
language, guessed over the whole file, must not change. tests/test_delta.py also edits a big
file read by groups at random against the full build.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import sqlite3
import zlib
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exporter.build.incremental import Outcome
from exporter.diagnostics import Diagnostic, Diagnostics, Level

if TYPE_CHECKING:
    from exporter.build.manifest import Manifest
    from exporter.build.parse_cache import FileRead, Groups, ParseCache
    from exporter.config import Config
    from exporter.reading.chunked import GroupRead, PlacedGroup
    from exporter.build.pipeline import Model
    from exporter.identity.lock import LockEntry
    from exporter.model import Note, RenderedNote
    from exporter.output.writers import WriteOptions
    from exporter.project import Project

STORE_NAME = "edit.sqlite"
_VERSION = 2
_LEVEL = 3
_SETTINGS_FILES = ("exporter.toml", "pyproject.toml")


def _pack(value: Any) -> bytes:
    return zlib.compress(marshal.dumps(value), _LEVEL)


def _unpack(data: bytes) -> Any:
    return marshal.loads(zlib.decompress(data))


class Store:
    """The per-file records and the build's state, in one SQLite file; any error turns it off."""

    def __init__(self, cache_dir: Path) -> None:
        self.connection: sqlite3.Connection | None = None
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            self.connection = sqlite3.connect(cache_dir / STORE_NAME, timeout=5)
            self.connection.execute("CREATE TABLE IF NOT EXISTS state (id INTEGER PRIMARY KEY, value BLOB)")
            self.connection.execute("CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, head BLOB, rows BLOB)")
        except (OSError, sqlite3.Error):
            self._fail()

    def _fail(self) -> None:
        if self.connection is not None:
            self.connection.close()
        self.connection = None

    def state(self) -> dict[str, Any] | None:
        if self.connection is None:
            return None
        try:
            row = self.connection.execute("SELECT value FROM state WHERE id = 1").fetchone()
            value = _unpack(row[0]) if row is not None else None
        except (sqlite3.Error, zlib.error, ValueError, EOFError, TypeError):
            return None
        return value if isinstance(value, dict) and value.get("version") == _VERSION else None

    def heads(self) -> dict[str, list[Any]]:
        """Every file's record but its rows."""
        if self.connection is None:
            return {}
        try:
            return {path: _unpack(head) for path, head in self.connection.execute("SELECT path, head FROM files")}
        except (sqlite3.Error, zlib.error, ValueError, EOFError, TypeError):
            return {}

    def rows(self, paths: list[str]) -> dict[str, dict[str, list[Any]]]:
        """The `.apkg` rows of those files, by top-level deck."""
        if self.connection is None or not paths:
            return {}
        found = {}
        marks = ",".join("?" * len(paths))
        for path, rows in self.connection.execute(f"SELECT path, rows FROM files WHERE path IN ({marks})", paths):
            found[path] = _unpack(rows)
        return found

    def forget(self) -> None:
        """Drop the state: the next build is a full one (called before a full build changes anything)."""
        if self.connection is None:
            return
        try:
            with self.connection:
                self.connection.execute("DELETE FROM state")
        except sqlite3.Error:
            self._fail()

    def save(self, state: dict[str, Any], files: dict[str, tuple[list[Any], dict[str, list[Any]]]],
             keep: set[str]) -> None:
        """Replace the records of `files`, drop those of files neither there nor in `keep`, set `state`."""
        if self.connection is None:
            return
        try:
            with self.connection:
                stored = {path for (path,) in self.connection.execute("SELECT path FROM files")}
                gone = [(path,) for path in stored - keep - set(files)]
                self.connection.executemany("DELETE FROM files WHERE path = ?", gone)
                self.connection.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?)",
                                            [(path, _pack(head), _pack(rows)) for path, (head, rows) in files.items()])
                self.connection.execute("INSERT OR REPLACE INTO state VALUES (1, ?)", (_pack(state),))
        except sqlite3.Error:
            self._fail()

    def close(self) -> None:
        self._fail()


def request_key(root: Path, paths: list[Path], request: dict[str, Any]) -> str:
    """What, besides the sources and the lock, a build's result depends on: the options, the paths
    asked for, the settings files and the toolkit."""
    from exporter.build.manifest import toolkit_fingerprint

    digest = hashlib.sha256(toolkit_fingerprint().encode())
    digest.update(json.dumps([request, [str(p.resolve()) for p in paths]], sort_keys=True, default=str).encode())
    for name in _SETTINGS_FILES:
        try:
            digest.update(b"\x00" + (root / name).read_bytes())
        except OSError:
            digest.update(b"\x01")
    return digest.hexdigest()


def _question_hash(note: Note) -> str:
    """A short hash of the note's key in the duplicate check (`checks.question_key`)."""
    from exporter.identity.checks import question_key

    return hashlib.blake2b("\x1f".join(question_key(note)).encode("utf-8", "surrogatepass"),
                           digest_size=8).hexdigest()


def _may_pack(note: Note) -> bool:
    """True when rendering the note may have looked for an image on disk (`rendering.media`): its HTML
    depends on files that can change while its source does not, so its file is always built again."""
    for text in (note.question, note.answer or ""):
        if "![" in text or "<img" in text.casefold():
            return True
    return False


def _lock_state(cache_dir: Path) -> tuple[int, int] | None:
    """The size and CRC-32 of the lock the last build wrote (`lock.LockState`)."""
    from exporter.identity.resolve import LOCK_STATE_NAME

    try:
        size, crc, _ = (cache_dir / LOCK_STATE_NAME).read_text(encoding="utf-8").split(" ", 2)
        return int(size), int(crc)
    except (OSError, ValueError, UnicodeDecodeError):
        return None


# Fields of a unit's head, in order.
(_REL, _LANGUAGE, _MEDIA, _PARSE_KEYS, _RENDER_KEYS, _FINDINGS, _QUESTIONS, _FPS, _GUIDS, _DECKS, _TOPS,
 _GROUP) = range(12)
# Fields of one top-level deck in a head: notes, first note's line, input parts.
_COUNT, _FIRST_LINE, _PARTS = range(3)


@dataclass
class _Unit:
    """What the records are kept by: a whole file, or one group of pairs of a big file read by groups
    (`reading.chunked`), so that an edit of one answer there rebuilds one group's notes."""

    id: str
    """The file's path; for a group, the path, NUL and the group's place (`parse_cache.place_of`)."""
    rel: str
    key: str
    """The file's parse-cache key."""
    notes: list[Note]
    """Its notes as read, before the checks."""
    group: PlacedGroup | None = None
    place: str = ""
    names: tuple[str, ...] = ()
    """For a file read by groups but kept whole, its groups' keys (their cache entries are kept alive)."""


def _group_unit_id(rel: str, place: str) -> str:
    return f"{rel}\0{place}"


# Fields of a group's record in a head (its key, first line, `parse_cache.group_fields`, notes, text length).
_GROUP_KEY, _GROUP_FIELDS, _GROUP_COUNT, _GROUP_LENGTH = 0, slice(2, -2), -2, -1


def _group_meta(group: PlacedGroup) -> list[Any]:
    """What `chunked.assemble` needs of a kept group, without its notes (`_KeptGroups`)."""
    from exporter.build.parse_cache import group_fields

    return [group.key, group.line, *group_fields(group.read), group.read.count, group.length]


class _MissingGroup(Exception):
    """A kept group's notes are no longer in the parse cache."""


class _KeptGroups:
    """The `chunked.GroupStore` of one file in an edit build: the groups the last build recorded are served
    from their records (no note made, no parse-cache entry decoded); the others from the parse cache."""

    def __init__(self, inner: Groups, recorded: dict[str, list[Any]]) -> None:
        self.inner = inner
        self.recorded = recorded
        self.served: list[str] = []

    def key(self, text: str) -> str:
        return self.inner.key(text)

    def groups(self, keys: list[str]) -> dict[str, GroupRead]:
        from exporter.build.parse_cache import group_from_fields

        found: dict[str, GroupRead] = {}
        missing = []
        for key in keys:
            meta = self.recorded.get(key)
            group = group_from_fields(meta[_GROUP_FIELDS], partial(self._notes_at, key), meta[_GROUP_COUNT]) \
                if meta is not None else None
            if group is None:
                missing.append(key)
                continue
            found[key] = group
            self.served.append(key)
        found.update(self.inner.groups(missing))
        return found

    def _notes_at(self, key: str, lines: int) -> list[Note]:
        group = self.inner.groups([key]).get(key)
        if group is None:
            raise _MissingGroup(key)
        return group.notes_at(lines)

    def keep(self, key: str, group: GroupRead) -> None:
        self.inner.keep(key, group)

    def assembled(self, groups: list[PlacedGroup], use_prefix: bool) -> None:
        self.inner.assembled(groups, use_prefix)


def _touch_keys(unit: _Unit, language: str) -> tuple[list[str], list[str]]:
    """The parse-cache and render-cache keys a unit's reading and rendering are kept under: an edit
    build marks them used, so they outlive builds that do not read its file."""
    from exporter.rendering.render_cache import file_entry_key, group_entry_key

    if unit.group is not None:
        return [unit.group.key], [group_entry_key(unit.rel, unit.group.key, language),
                                  file_entry_key(unit.rel, language)]
    return [unit.key, *unit.names], [file_entry_key(unit.rel, language),
                                     *(group_entry_key(unit.rel, name, language) for name in unit.names)]


def _unit_record(unit: _Unit, language: str, questions: list[str], finals: list[RenderedNote],
                 entries: list[Any], digests: list[str], findings: list[Diagnostic]
                 ) -> tuple[list[Any], dict[str, list[Any]]]:
    """A unit's head and rows from its notes as read, as built (with identity) and their lock entries."""
    from exporter.build.manifest import LIVE_MARK, note_part
    from exporter.build.parse_cache import finding_rows
    from exporter.output.writers.apkg import note_row

    parse_keys, render_keys = _touch_keys(unit, language)
    tops: dict[str, list[Any]] = {}
    rows: dict[str, list[Any]] = {}
    decks: dict[str, list[Any]] = {}
    for final, digest, entry in zip(finals, digests, entries):
        note = final.note
        top = tops.get(note.top_deck)
        if top is None:
            top = tops[note.top_deck] = [0, note.source.line, []]
            rows[note.top_deck] = []
        top[_COUNT] += 1
        top[_PARTS].append(note_part(LIVE_MARK, digest, note))
        rows[note.top_deck].append(note_row(final))
        span = decks.setdefault(note.deck, [note.deck, entry.line, entry.line])
        span[1], span[2] = min(span[1], entry.line), max(span[2], entry.line)
    for top in tops.values():
        top[_PARTS] = "".join(top[_PARTS])
    media = any(final.media or _may_pack(final.note) for final in finals)
    head = [unit.rel, language, media, parse_keys, render_keys, finding_rows(findings), " ".join(questions),
            " ".join(e.fingerprint for e in entries), " ".join(e.guid for e in entries),
            [decks[name] for name in sorted(decks)], [[name, *values] for name, values in tops.items()],
            _group_meta(unit.group) if unit.group is not None else None]
    return head, rows


def _file_units(rel: str, key: str, read: FileRead) -> list[_Unit]:
    """A file read whole as its units: one per group when it was read by groups, else itself."""
    if read.placed is None or read.groups is None or len(read.placed) != len(read.groups):
        return [_Unit(rel, rel, key, read.notes, names=tuple(name for _, name, _ in read.groups or []))]
    units = []
    at = 0
    for group, (place, _, count) in zip(read.placed, read.groups):
        units.append(_Unit(_group_unit_id(rel, place), rel, key, read.notes[at : at + count], group, place))
        at += count
    return units


def _records(units: list[_Unit], starts: list[int] | None, language: str, hashes: dict[int, str],
             finals: list[RenderedNote], entries: list[Any], digests: list[str], findings: list[Diagnostic],
             only: set[str] | None = None) -> dict[str, tuple[list[Any], dict[str, list[Any]]]] | None:
    """The records of one file's units (`starts`: where each group unit's lines start, 1-based; None for
    the one unit of a whole file) from the file's notes after identity, for the units in `only` (default:
    all; then `finals` and `findings` are those units' own). None when a group unit cannot be kept on its
    own: its first note does not stand on its first line, a note of it was dropped as a duplicate, or a
    finding stands outside the groups recorded."""
    if starts is None:  # one unit: the whole file
        (unit,) = units
        return {unit.id: _unit_record(unit, language, [hashes[id(n)] for n in unit.notes], finals, entries,
                                      digests, findings)}
    ids = [unit.id for unit in units]
    chosen = [unit for unit in units if only is None or unit.id in only]
    if any(not unit.notes or unit.notes[0].source.line != starts[ids.index(unit.id)] for unit in chosen):
        return None
    finals_of: dict[str, list[int]] = {unit.id: [] for unit in chosen}
    findings_of: dict[str, list[Diagnostic]] = {unit.id: [] for unit in chosen}
    for j, final in enumerate(finals):
        at = bisect_right(starts, final.note.source.line) - 1
        if at < 0 or ids[at] not in finals_of:
            return None
        finals_of[ids[at]].append(j)
    for finding in findings:
        at = bisect_right(starts, finding.line) - 1
        if at < 0 or ids[at] not in findings_of:
            return None
        findings_of[ids[at]].append(finding)
    records = {}
    for unit in chosen:
        indices = finals_of[unit.id]
        if len(indices) != len(unit.notes):
            return None  # a duplicate dropped: its twin may be in another group
        records[unit.id] = _unit_record(unit, language, [hashes[id(n)] for n in unit.notes],
                                        [finals[j] for j in indices], [entries[j] for j in indices],
                                        [digests[j] for j in indices], findings_of[unit.id])
    return records


def _file_records(rel: str, key: str, read: FileRead, language: str, hashes: dict[int, str],
                  finals: list[RenderedNote], entries: list[Any], digests: list[str], findings: list[Diagnostic]
                  ) -> tuple[list[str], dict[str, tuple[list[Any], dict[str, list[Any]]]]]:
    """A file read whole: its units' ids in order and their records, by groups when it can be kept so."""
    units = _file_units(rel, key, read)
    records = None
    if units[0].group is not None:
        starts = [unit.group.line + 1 for unit in units if unit.group is not None]
        records = _records(units, starts, language, hashes, finals, entries, digests, findings)
    if records is None or _in_two_files((question, unit.id) for unit in units
                                        for question in records[unit.id][0][_QUESTIONS].split()):
        units = [_Unit(rel, rel, key, read.notes, names=tuple(name for _, name, _ in read.groups or []))]
        records = _records(units, None, language, hashes, finals, entries, digests, findings)
        assert records is not None
    return [unit.id for unit in units], records


def record(cache_dir: Path, root: Path, paths: list[Path], request: dict[str, Any], model: Model) -> None:
    """Keep what each file of a full build gave, when the build is one `edit` can start from."""
    store = Store(cache_dir)
    try:
        _record(store, cache_dir, root, paths, request, model)
    except Exception:  # the next build is then a full one
        if os.environ.get("EXPORTER_DEBUG"):
            raise
        store.forget()
    finally:
        store.close()


def _record(store: Store, cache_dir: Path, root: Path, paths: list[Path], request: dict[str, Any], model: Model
            ) -> None:
    from exporter.build.manifest import note_digest

    if model.identity is None:
        store.forget()
        return
    hashes = {rel: [_question_hash(note) for note in read.notes] for rel, (_, read) in model.reads.items()}
    kept = _recordable(model, cache_dir, hashes)
    if kept is None:
        store.forget()
        return
    lock_size, lock_crc = kept
    by_file: dict[str, list[int]] = {rel: [] for rel in model.reads}
    for j, final in enumerate(model.identity.notes):
        by_file[final.note.source.path].append(j)
    findings: dict[str, list[Diagnostic]] = {rel: [] for rel in model.reads}
    for finding in model.diagnostics.items[model.source_findings[0] : model.source_findings[1]]:
        findings[finding.path].append(finding)
    entries = model.identity.lock.entries
    files: dict[str, tuple[list[Any], dict[str, list[Any]]]] = {}
    layout = []
    for rel, (key, read) in model.reads.items():
        assert key is not None
        finals = [model.identity.notes[j] for j in by_file[rel]]
        digests = []
        for final in finals:
            known = model.digests.get(id(final))
            digests.append(known[1] if known is not None and known[0] is final else note_digest(final))
        ids, records = _file_records(rel, key, read, model.languages.get(rel, ""),
                                     dict(zip(map(id, read.notes), hashes[rel])), finals,
                                     [entries[j] for j in by_file[rel]], digests, findings[rel])
        files.update(records)
        layout.append([rel, key, ids])
    if 2 * max((sum(top[1] for top in head[_TOPS]) for head, _ in files.values()), default=0) \
            > len(model.identity.notes):
        store.forget()  # one unit holds most notes: its edits would be full builds anyway (`edit`)
        return
    state = {"version": _VERSION, "request": request_key(root, paths, request), "lock": [lock_size, lock_crc],
             "files": layout}
    store.save(state, files, set())


def _entries_fit(entries: list[LockEntry], notes: list[RenderedNote]) -> bool:
    """Each note's entry is its own (same source and deck), every GUID and fingerprint is unique, and
    every number is one the next build reads without a warning: what `edit` assumes of a lock."""
    from exporter.identity.lock import MAX_LINE, MAX_TIME

    return (all(entry.source == final.note.source.path and entry.deck == final.note.deck
                for entry, final in zip(entries, notes))
            and len({e.guid for e in entries}) == len(entries) and len({e.fingerprint for e in entries}) == len(entries)
            and all(0 <= e.line <= MAX_LINE and 0 <= e.modified <= MAX_TIME and 0 <= e.removed <= MAX_TIME
                    for e in entries))


def _in_two_files(questions: Iterable[tuple[str, str]]) -> bool:
    """True when a question hash comes with two files ((hash, file) pairs): their duplicate checks depend
    on each other."""
    owner: dict[str, str] = {}
    return any(owner.setdefault(question, rel) != rel for question, rel in questions)


def _recordable(model: Model, cache_dir: Path, hashes: dict[str, list[str]]) -> tuple[int, int] | None:
    """The lock's size and CRC when the build meets what `edit` assumes (see the module's docstring)."""
    resolution = model.identity
    if resolution is None or model.lock_path is None or model.lock_error is not None:
        return None
    if any(key is None for key, _ in model.reads.values()):
        return None
    entries = resolution.lock.entries
    notes = resolution.notes
    if len(entries) != len(notes) + len(resolution.emitted_removed):  # nothing carried
        return None
    if not _entries_fit(entries, notes):
        return None
    if _in_two_files((question, rel) for rel, questions in hashes.items() for question in questions):
        return None
    start, stop = model.source_findings
    items = model.diagnostics.items
    if any(d.path not in model.reads for d in items[start:stop]) or any(d.code == "lock" for d in items[stop:]):
        return None  # a finding of no file's own, or the lock read with warnings
    return _lock_state(cache_dir)


@dataclass
class Edit:
    """What an edit build did: as `cli._build` reports a full build's."""

    diagnostics: list[Diagnostic]
    """Sorted, as `Diagnostics.sorted` gives them."""
    outcome: Outcome
    """The outputs written and kept, and what writing them found."""
    echoes: list[str] = field(default_factory=list)
    report: list[str] = field(default_factory=list)
    lock_message: str | None = None
    media: list[Any] = field(default_factory=list)


class _Reserved:
    """The GUIDs of the unchanged files' notes, gathered only when a new note needs a GUID."""

    def __init__(self, heads: list[list[Any]]) -> None:
        self.heads = heads
        self.guids: set[str] | None = None

    def __contains__(self, guid: object) -> bool:
        if self.guids is None:
            self.guids = set(" ".join(head[_GUIDS] for head in self.heads).split())
        return guid in self.guids


def edit(paths: list[Path], project: Project, request: dict[str, Any], cache_dir: Path, out_dir: Path,
         manifest: Manifest, options: WriteOptions, now: int | None = None) -> Edit | None:
    """Build only what changed since the recorded build; None when the full build must run."""
    if not (cache_dir / STORE_NAME).exists():
        return None  # nothing recorded (and nothing made here: the full build may need the room)
    store = Store(cache_dir)
    try:
        return _edit(store, paths, project, request, cache_dir, out_dir, manifest, options, now)
    except Exception:  # damaged records or a bug here cost the time of the full build, which runs instead
        if os.environ.get("EXPORTER_DEBUG"):
            raise
        store.forget()
        return None
    finally:
        store.close()


def _edit(store: Store, paths: list[Path], project: Project, request: dict[str, Any], cache_dir: Path,
          out_dir: Path, manifest: Manifest, options: WriteOptions, now: int | None) -> Edit | None:
    from exporter.build.cache import touch
    from exporter.build.discover import discover
    from exporter.build.incremental import options_key, stems_of
    from exporter.build.manifest import (
        REMOVED_MARK, inputs_of_parts, note_digest, note_part, record_for, toolkit_fingerprint,
    )
    from exporter.build.parse_cache import ParseCache, file_key, findings_from_rows
    from exporter.build.pipeline import _hashes, languages_of, read_files, render_removed
    from exporter.config import load_config
    from exporter.identity.checks import run_checks
    from exporter.identity.lock import LockState, SortedLock, parse_lock, write_lock_bytes
    from exporter.identity.resolve import LOCK_STATE_NAME, resolve
    from exporter.language import language_of
    from exporter.model import Deck, SourceLocation
    from exporter.output.writers.apkg import media_files, note_row, write_rows
    from exporter.project import relative_path
    from exporter.rendering.render import render_and_hash
    from exporter.rendering.render_cache import CACHE_NAME as RENDER_CACHE
    from exporter.rendering.render_cache import file_entry_key, group_entry_key

    state = store.state()
    root = project.root
    if state is None or state["request"] != request_key(root, paths, request):
        return None
    data = project.lock_path.read_bytes()
    lock_crc = zlib.crc32(data)
    if [len(data), lock_crc] != state["lock"] or _lock_state(cache_dir) != (len(data), lock_crc):
        return None
    heads = store.heads()
    recorded = {rel: (key, ids) for rel, key, ids in state["files"]}
    if set(heads) != {unit for _, ids in recorded.values() for unit in ids}:
        return None
    diagnostics = Diagnostics()
    config = load_config(root, diagnostics)
    files = discover(paths, root, diagnostics)
    rels = [relative_path(p, root) for p in files]
    for unmatched in config.unmatched(rels):
        diagnostics.warning(config.path or "", 0, "config",
                            f"sources entry {unmatched.pattern!r} matches none of the files read")
    toolkit = toolkit_fingerprint()

    # Which units changed: whole files whose bytes changed, or the groups of a big file that did.
    first_finding = len(diagnostics.items)
    cache = ParseCache(cache_dir)
    order: dict[str, list[str]] = {}
    keys: dict[str, str] = {}
    gone: list[str] = []  # recorded units no longer there
    whole: list[Path] = []  # changed files read whole
    regrouped: dict[str, _Regrouped] = {}
    try:
        for path, rel in zip(files, rels):
            content = path.read_bytes()
            key = keys[rel] = file_key(toolkit, rel, content, config.for_source(rel))
            old_key, old_ids = recorded.get(rel, ("", []))
            if key == old_key:
                order[rel] = old_ids
                cache.used.append(bytes.fromhex(key))
                continue
            found = None
            if old_ids and heads[old_ids[0]][_GROUP] is not None:
                found = _regroup(path, rel, content, key, root, config, cache, toolkit,
                                 [heads[unit][_GROUP] for unit in old_ids], set(old_ids))
            if found is None:
                whole.append(path)
                gone.extend(old_ids)
                continue
            regrouped[rel] = found
            order[rel] = [unit.id for unit in found.units]
            now_there = set(order[rel])
            gone.extend(unit for unit in old_ids if unit not in now_there)
        deleted = [rel for rel in recorded if rel not in set(rels)]
        gone.extend(unit for rel in deleted for unit in recorded[rel][1])
        if any((root / rel).exists() for rel in deleted):
            return None
        gone_set = set(gone)
        unchanged = [unit for ids in order.values() for unit in ids if unit in heads and unit not in gone_set]
        if any(heads[unit][_MEDIA] for unit in unchanged):
            return None
        sizes = {unit: sum(top[1] for top in head[_TOPS]) for unit, head in heads.items()}
        kept_notes = sum(sizes[unit] for unit in unchanged)
        if 2 * kept_notes < sum(sizes.values()):
            return None  # most notes changed: nothing to save over the full build

        # Reading, checks, languages and rendering of the changed units only.
        read: list[Note] = []
        markers: dict[str, tuple[int, int]] = {}
        origins: dict[int, Any] = {}
        reads: dict[str, tuple[str, FileRead]] = {}
        unit_of: dict[int, str] = {}
        for path, rel in zip(files, rels):
            if rel in regrouped:
                change = regrouped[rel]
                markers[rel] = change.markers
                for piece in change.units:
                    if piece.id in heads:
                        continue
                    assert piece.group is not None
                    read.extend(piece.notes)
                    for index, note in enumerate(piece.notes):
                        origins[id(note)] = (piece.place, index, piece.group.key)
                        unit_of[id(note)] = piece.id
                diagnostics.items.extend(change.findings)
            elif path in whole:
                notes, _, file_markers, file_origins, file_reads = read_files([path], root, config, diagnostics,
                                                                              cache)
                read.extend(notes)
                markers.update(file_markers)
                origins.update(file_origins)
                for note in notes:
                    unit_of[id(note)] = rel
                read_key, file_read = file_reads[rel]
                if read_key is None:
                    return None
                reads[rel] = (read_key, file_read)
        cache.used.extend(bytes.fromhex(k) for unit in unchanged for k in heads[unit][_PARSE_KEYS])
    except _MissingGroup:
        return None
    finally:
        cache.close()
    questions = set(" ".join(heads[unit][_QUESTIONS] for unit in unchanged).split())
    read_hashes = {id(note): _question_hash(note) for note in read}
    if not questions.isdisjoint(read_hashes.values()):
        return None
    notes = run_checks(read, diagnostics)
    languages = languages_of(notes, config, markers, read)
    for rel, change in regrouped.items():
        if rel not in languages:  # no note of a changed group left: the guess is over the kept groups'
            languages[rel] = config.for_source(rel).language or language_of(change.markers)
        if languages[rel] != heads[recorded[rel][1][0]][_LANGUAGE]:
            return None  # the file's language changed: every note of it renders again
    # A changed group's unchanged notes are in the entries of the groups it replaced; the file's index
    # lists every group's entry.
    look_in: dict[str, list[str]] = {}
    listing: dict[str, list[str]] = {}
    for rel, change in regrouped.items():
        language = languages[rel]
        look_in[file_entry_key(rel, language)] = [group_entry_key(rel, heads[unit][_GROUP][_GROUP_KEY], language)
                                                  for unit in recorded[rel][1] if unit in gone_set]
        listing[file_entry_key(rel, language)] = [group_entry_key(rel, unit.group.key, language)
                                                  for unit in change.units if unit.group is not None]
    rendered, hashes = render_and_hash(notes, root, diagnostics, cache_dir, None, languages=languages,
                                       origins=origins, hasher=_hashes, look_in=look_in, listing=listing)
    fingerprints = [h[0] if h is not None else None for h in hashes]
    known = set(" ".join(heads[unit][_FPS] for unit in unchanged).split())
    if any(fp is None or fp in known for fp in fingerprints):
        return None

    # Identity: the old entries of the units gone, and the removed notes.
    lock = SortedLock(data)
    cut: list[tuple[int, int]] = []
    old_values: list[tuple[int, dict[str, Any]]] = []
    for unit in gone:
        rel = heads[unit][_REL]
        whole_file = heads[unit][_GROUP] is None
        for deck, first, last in heads[unit][_DECKS]:
            start, stop, values = lock.run(deck, rel) if whole_file else lock.run(deck, rel, first, last)
            if values:
                cut.append((start, stop))
                old_values.extend((start + i, value) for i, value in enumerate(values))
    old_values.sort(key=lambda pair: pair[0])
    removed_text = lock.removed_text()
    text = f'{{"notes": {json.dumps([v for _, v in old_values], ensure_ascii=False)}, "removed": {removed_text}, ' \
           f'"version": 2}}'
    old = parse_lock(text)
    if old.problems or len(old.lock.entries) != len(old_values) + len(json.loads(removed_text)):
        return None
    in_scope = set(rels)
    if any(e.removed and e.source not in in_scope and (root / e.source).exists() for e in old.lock.entries):
        return None  # carried by the full build
    times = {}
    for rel in {*regrouped, *(relative_path(path, root) for path in whole)}:
        times[rel] = int((root / rel).stat().st_mtime)
    reserved = _Reserved([heads[unit] for unit in unchanged])
    resolution = resolve(rendered, old.lock, times, None, now, fingerprints=fingerprints, reserved=reserved)
    if not old.lock.guids <= resolution.lock.guids:
        return None  # the full build keeps a backup of the lock: let it
    removed = render_removed(resolution.emitted_removed, root)
    new_units = [unit_of[id(final_note)] for final_note in notes]

    # The records of the changed units.
    by_file: dict[str, list[int]] = {}
    for j, final in enumerate(resolution.notes):
        by_file.setdefault(final.note.source.path, []).append(j)
    findings_of: dict[str, list[Diagnostic]] = {}
    strays = False
    for finding in diagnostics.items[first_finding:]:
        if finding.path in reads or finding.path in regrouped:
            findings_of.setdefault(finding.path, []).append(finding)
        else:
            strays = True
    records: dict[str, tuple[list[Any], dict[str, list[Any]]]] = {}
    for rel in [*reads, *regrouped]:
        indices = by_file.get(rel, [])
        args = (languages.get(rel, ""), read_hashes, [resolution.notes[j] for j in indices],
                [resolution.lock.entries[j] for j in indices], [hashes[j][1] for j in indices],  # type: ignore[index]
                findings_of.get(rel, []))
        if rel in reads:
            read_key, file_read = reads[rel]
            order[rel], file_records = _file_records(rel, read_key, file_read, *args)
        else:
            change = regrouped[rel]
            kept_apart = _records(change.units, change.starts, *args,
                                  only={piece.id for piece in change.units if piece.id not in heads})
            if kept_apart is None:
                return None  # (nothing written yet)
            file_records = kept_apart
        records.update(file_records)

    # The lock: the gone units' entries replaced by the new ones, every other entry's bytes kept.
    added: list[tuple[int, Any]] = []
    places: dict[tuple[str, str, str], int] = {}
    for j, entry in enumerate(resolution.lock.entries):
        if entry.removed:
            continue
        if j >= len(new_units):
            return None  # (nothing written yet)
        unit = new_units[j]
        where = (entry.deck, entry.source, unit)
        at = places.get(where)
        if at is None:
            # A group's new entries go where its first one would: no kept entry stands among its lines.
            first = min(e.line for e, u in zip(resolution.lock.entries, new_units)
                        if (e.deck, e.source, u) == where) if unit != entry.source else -1
            at = places[where] = lock.lower_bound(entry.deck, entry.source, first)
        added.append((at if at < lock.end else lock.end + 2, entry))
    lock_bytes = lock.spliced(cut, added, [e for e in resolution.lock.entries if e.removed])
    lock_state = LockState(cache_dir / LOCK_STATE_NAME)
    lock_message = None
    try:
        write_lock_bytes(project.lock_path, lock_bytes, lock_state)
    except OSError as exc:
        lock_message = (f"warning: cannot write {project.relative(project.lock_path)}: {exc.strerror or exc}; "
                        "note identities not saved")

    # Each deck's parts, in the full build's order.
    ordered_units = [unit for rel in rels for unit in order[rel]]
    tops: dict[str, dict[str, Any]] = {}
    for unit in ordered_units:
        head = records[unit][0] if unit in records else heads[unit]
        for name, count, first_line, parts in head[_TOPS]:
            deck = tops.setdefault(name, {"count": 0, "first": SourceLocation(head[_REL], first_line), "parts": [],
                                          "units": [], "removed": []})
            deck["count"] += count
            deck["parts"].append(parts)
            deck["units"].append(unit)
    for gone_note in removed:
        tops.setdefault(gone_note.note.top_deck, {"count": 0, "first": None, "parts": [], "units": [],
                                                  "removed": []})["removed"].append(gone_note)
    if not tops:
        return None
    names = sorted(tops)
    stems, result_findings = stems_of(names, {n: tops[n]["first"] for n in names if tops[n]["first"] is not None})
    result = Edit([], Outcome(findings=result_findings))
    outcome = result.outcome
    option_key = options_key(options)
    media: list[Any] = [m for r in [*resolution.notes, *removed] for m in r.media]
    jobs: list[tuple[str, Path, str]] = []
    for name in names:
        deck = tops[name]
        target = out_dir / f"{stems[name]}.apkg"
        gone_parts = "".join(note_part(REMOVED_MARK, note_digest(r), r.note) for r in deck["removed"])
        inputs = inputs_of_parts(name, "apkg", option_key, "".join(deck["parts"]), gone_parts)
        kept_output = manifest.outputs.get(target.name)
        if kept_output is not None and kept_output.inputs == inputs and kept_output.matches(target):
            outcome.unchanged.append(target)
            result.echoes.append(f"unchanged {target}")
            continue
        jobs.append((name, target, inputs))
    for name, target, inputs in jobs:
        deck = tops[name]
        stored = store.rows([unit for unit in deck["units"] if unit not in records])
        rows = [row for unit in deck["units"]
                for row in (records[unit][1] if unit in records else stored[unit]).get(name, [])]
        rows.extend(note_row(r) for r in deck["removed"])
        in_deck = [r for r in [*resolution.notes, *deck["removed"]] if r.note.top_deck == name]
        try:
            write_rows(name, rows, media_files(Deck(name, in_deck)), target)
        except OSError as exc:
            outcome.failed.append(target)
            outcome.findings.append(Diagnostic(str(target), 0, Level.ERROR, "write-failed",
                                              f"not written ({exc.strerror or exc}); any previous version is kept"))
            continue
        try:
            manifest.outputs[target.name] = record_for(target, inputs)
        except OSError:
            manifest.outputs.pop(target.name, None)
        outcome.built.append(target)
        result.echoes.append(f"built {target} ({deck['count']} notes)")

    # What the build found, as the full build gathers it.
    for unit in unchanged:
        diagnostics.items.extend(findings_from_rows(heads[unit][_FINDINGS]))
    result.diagnostics = diagnostics.sorted()
    result.report = resolution.report()
    result.lock_message = lock_message
    result.media = media

    # Keep the unchanged units' render entries alive, and the records for the next build when they
    # still meet what this build assumed of the last one.
    touch(cache_dir, RENDER_CACHE, [k for unit in unchanged for k in heads[unit][_RENDER_KEYS]])
    written = _lock_state(cache_dir)
    if (lock_message is None and written is not None and not strays
            and not _in_two_files((read_hashes[id(note)], unit_of[id(note)]) for note in read)
            and _entries_fit(resolution.lock.entries, resolution.notes)):
        state = {**state, "lock": list(written), "files": [[rel, keys[rel], order[rel]] for rel in rels]}
        store.save(state, records, set(unchanged))
    else:
        store.forget()
    return result


@dataclass
class _Regrouped:
    """A changed file read by groups: its units in order (kept ones by id only), the changed groups' findings,
    and the file's language counts."""

    units: list[_Unit]
    starts: list[int]
    findings: list[Diagnostic]
    markers: tuple[int, int]


def _regroup(path: Path, rel: str, content: bytes, key: str, root: Path, config: Config, cache: ParseCache,
             toolkit: str, before: list[list[Any]], old_ids: set[str]) -> _Regrouped | None:
    """The groups of a changed file that was read by groups (`before`: their records, in order), those the
    last build recorded not read again; None when it must be read whole (it no longer reads by groups, or
    it has findings of its own)."""
    from exporter.build.parse_cache import place_of
    from exporter.build.pipeline import load_source
    from exporter.reading.chunked import assemble, resync
    from exporter.reading.source import with_tags

    found = Diagnostics()
    source = load_source(path, root, config, found, content)
    if source is None or found.items:
        return None
    inner = cache.groups_of(toolkit, rel, config.for_source(rel))
    store = _KeptGroups(inner, {meta[_GROUP_KEY]: meta for meta in before})
    synced = resync(source, store, [(meta[_GROUP_KEY], meta[_GROUP_LENGTH]) for meta in before])
    if synced is None:
        assembly = assemble(source, store)
    else:
        starts, begin, end, known = synced
        assembly = assemble(source, store, starts, source.text[begin:end], known)
    if assembly is None:
        return None
    cache.used.extend(bytes.fromhex(name) for name in store.served)
    cache.put_groups(key, inner, assembly.findings, assembly.coverage, assembly.markers)
    units = []
    starts = []
    use_prefix = int(assembly.use_prefix)
    for group in assembly.groups:
        place = place_of(group.key, group.line, use_prefix, group.read.carried)
        unit = _Unit(_group_unit_id(rel, place), rel, key, [], group, place)
        if unit.id not in old_ids:
            unit.notes = group.read.notes_at(group.line)
            if source.tags:
                unit.notes = [with_tags(note, source.tags) for note in unit.notes]
        units.append(unit)
        starts.append(group.line + 1)
    # The changed groups' findings (the kept groups' are in their records).
    findings = [finding for finding in assembly.findings
                if (at := bisect_right(starts, finding.line) - 1) < 0 or units[at].id not in old_ids]
    return _Regrouped(units, starts, findings, assembly.markers)
