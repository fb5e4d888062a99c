"""The edit build: a rebuild that makes objects only for the notes of the files that changed.

After every full `.apkg` build, `record` keeps in `.cache/edit.sqlite`, per source file, what
that file gave after identity: its parse-cache key (its bytes and settings), its findings,
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
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import sqlite3
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exporter.build.incremental import Outcome
from exporter.diagnostics import Diagnostic, Diagnostics, Level

if TYPE_CHECKING:
    from exporter.build.manifest import Manifest
    from exporter.build.pipeline import Model
    from exporter.identity.lock import LockEntry
    from exporter.model import Note, RenderedNote
    from exporter.output.writers import WriteOptions
    from exporter.project import Project

STORE_NAME = "edit.sqlite"
_VERSION = 1
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


# Fields of a file's head, in order.
_KEY, _LANGUAGE, _MEDIA, _PARSE_KEYS, _RENDER_KEYS, _FINDINGS, _QUESTIONS, _FPS, _GUIDS, _DECKS, _TOPS = range(11)
# Fields of one top-level deck in a head: notes, first note's line, input parts.
_COUNT, _FIRST_LINE, _PARTS = range(3)


def _touch_keys(rel: str, key: str, language: str, groups: list[tuple[str, str, int]] | None
                ) -> tuple[list[str], list[str]]:
    """The parse-cache and render-cache keys a file's reading and rendering are kept under: an edit
    build marks them used, so they outlive builds that do not read the file."""
    from exporter.rendering.render_cache import file_entry_key

    names = [name for _, name, _ in groups or []]
    return [key, *names], [file_entry_key(rel, language), *(file_entry_key(f"{rel}\0{name}", language)
                                                            for name in names)]


def _file_record(rel: str, key: str, language: str, groups: list[tuple[str, str, int]] | None,
                 questions: list[str], finals: list[RenderedNote], entries: list[Any], digests: list[str],
                 findings: list[Diagnostic]) -> tuple[list[Any], dict[str, list[Any]]]:
    """A file's head and rows from its notes as read, as built (with identity) and their lock entries."""
    from exporter.build.manifest import LIVE_MARK, note_part
    from exporter.output.writers.apkg import note_row

    parse_keys, render_keys = _touch_keys(rel, key, language, groups)
    tops: dict[str, list[Any]] = {}
    rows: dict[str, list[Any]] = {}
    for final, digest in zip(finals, digests):
        note = final.note
        top = tops.get(note.top_deck)
        if top is None:
            top = tops[note.top_deck] = [0, note.source.line, []]
            rows[note.top_deck] = []
        top[_COUNT] += 1
        top[_PARTS].append(note_part(LIVE_MARK, digest, note))
        rows[note.top_deck].append(note_row(final))
    for top in tops.values():
        top[_PARTS] = "".join(top[_PARTS])
    media = any(final.media or _may_pack(final.note) for final in finals)
    head = [key, language, media, parse_keys, render_keys,
            [[d.path, d.line, d.level.value, d.code, d.message] for d in findings],
            " ".join(questions), " ".join(e.fingerprint for e in entries),
            " ".join(e.guid for e in entries), sorted({final.note.deck for final in finals}),
            [[name, *values] for name, values in tops.items()]]
    return head, rows


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

    if model.identity is None or 2 * max((len(read.notes) for _, read in model.reads.values()), default=0) \
            > len(model.identity.notes):
        store.forget()  # one file holds most notes: its edits would be full builds anyway (`edit`)
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
    files = {}
    for rel, (key, read) in model.reads.items():
        assert key is not None
        finals = [model.identity.notes[j] for j in by_file[rel]]
        digests = []
        for final in finals:
            known = model.digests.get(id(final))
            digests.append(known[1] if known is not None and known[0] is final else note_digest(final))
        files[rel] = _file_record(rel, key, model.languages.get(rel, ""), read.groups, hashes[rel], finals,
                                  [entries[j] for j in by_file[rel]], digests, findings[rel])
    state = {"version": _VERSION, "request": request_key(root, paths, request), "lock": [lock_size, lock_crc],
             "files": list(model.reads)}
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
    from exporter.build.parse_cache import ParseCache, file_key
    from exporter.build.pipeline import _hashes, languages_of, read_files, render_removed
    from exporter.config import load_config
    from exporter.identity.checks import run_checks
    from exporter.identity.lock import LockState, SortedLock, parse_lock, write_lock_bytes
    from exporter.identity.resolve import LOCK_STATE_NAME, resolve
    from exporter.model import Deck, SourceLocation
    from exporter.output.writers.apkg import media_files, note_row, write_rows
    from exporter.project import relative_path
    from exporter.rendering.render import render_and_hash
    from exporter.rendering.render_cache import CACHE_NAME as RENDER_CACHE

    state = store.state()
    root = project.root
    if state is None or state["request"] != request_key(root, paths, request):
        return None
    data = project.lock_path.read_bytes()
    if [len(data), zlib.crc32(data)] != state["lock"] or _lock_state(cache_dir) != (len(data), zlib.crc32(data)):
        return None
    heads = store.heads()
    diagnostics = Diagnostics()
    config = load_config(root, diagnostics)
    files = discover(paths, root, diagnostics)
    rels = [relative_path(p, root) for p in files]
    for unmatched in config.unmatched(rels):
        diagnostics.warning(config.path or "", 0, "config",
                            f"sources entry {unmatched.pattern!r} matches none of the files read")
    toolkit = toolkit_fingerprint()
    changed: list[Path] = []
    for path, rel in zip(files, rels):
        head = heads.get(rel)
        if head is None or head[_KEY] != file_key(toolkit, rel, path.read_bytes(), config.for_source(rel)):
            changed.append(path)
    changed_rels = {relative_path(p, root) for p in changed}
    unchanged = [rel for rel in rels if rel not in changed_rels]
    deleted = [rel for rel in state["files"] if rel not in set(rels)]
    if any((root / rel).exists() for rel in deleted) or any(heads[rel][_MEDIA] for rel in unchanged):
        return None
    if set(heads) != set(state["files"]):
        return None
    sizes = {rel: sum(top[1] for top in head[_TOPS]) for rel, head in heads.items()}
    if 2 * sum(sizes.get(rel, 0) for rel in changed_rels) > sum(sizes.values()):
        return None  # most notes changed files: nothing to save over the full build

    # Reading, checks, languages and rendering of the changed files only.
    first_finding = len(diagnostics.items)
    cache = ParseCache(cache_dir)
    try:
        read, _, markers, origins, reads = read_files(changed, root, config, diagnostics, cache)
        cache.used.extend(bytes.fromhex(k) for rel in unchanged for k in heads[rel][_PARSE_KEYS])
    finally:
        cache.close()
    if any(key is None for key, _ in reads.values()):
        return None
    questions = set(" ".join(heads[rel][_QUESTIONS] for rel in unchanged).split())
    read_hashes = {id(note): _question_hash(note) for note in read}
    if not questions.isdisjoint(read_hashes.values()):
        return None
    notes = run_checks(read, diagnostics)
    languages = languages_of(notes, config, markers, read)
    rendered, hashes = render_and_hash(notes, root, diagnostics, cache_dir, None, languages=languages,
                                       origins=origins, hasher=_hashes)
    fingerprints = [h[0] if h is not None else None for h in hashes]
    known = set(" ".join(heads[rel][_FPS] for rel in unchanged).split())
    if any(fp is None or fp in known for fp in fingerprints):
        return None

    # Identity: the old entries of the changed and deleted files, and the removed notes.
    lock = SortedLock(data)
    cut: list[tuple[int, int]] = []
    runs: dict[tuple[str, str], int] = {}
    old_values: list[tuple[int, dict[str, Any]]] = []
    for rel in [*sorted(changed_rels), *deleted]:
        for deck in heads[rel][_DECKS] if rel in heads else []:
            start, stop, values = lock.run(deck, rel)
            runs[(deck, rel)] = start
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
    for path in changed:
        times[relative_path(path, root)] = int(path.stat().st_mtime)
    reserved = _Reserved([heads[rel] for rel in unchanged])
    resolution = resolve(rendered, old.lock, times, None, now, fingerprints=fingerprints, reserved=reserved)
    if not old.lock.guids <= resolution.lock.guids:
        return None  # the full build keeps a backup of the lock: let it
    removed = render_removed(resolution.emitted_removed, root)

    # The lock: the changed files' runs replaced by their new entries, every other entry's bytes kept.
    added: list[tuple[int, Any]] = []
    for entry in resolution.lock.entries:
        if entry.removed:
            continue
        at = runs.get((entry.deck, entry.source))
        if at is None:
            at = lock.lower_bound(entry.deck, entry.source)
        added.append((at if at < lock.end else lock.end + 2, entry))
    lock_bytes = lock.spliced(cut, added, [e for e in resolution.lock.entries if e.removed])
    lock_state = LockState(cache_dir / LOCK_STATE_NAME)
    lock_message = None
    try:
        write_lock_bytes(project.lock_path, lock_bytes, lock_state)
    except OSError as exc:
        lock_message = (f"warning: cannot write {project.relative(project.lock_path)}: {exc.strerror or exc}; "
                        "note identities not saved")

    # Decks: each file's part, in file order; the changed files' from their notes.
    by_file: dict[str, list[int]] = {rel: [] for rel in changed_rels}
    for j, final in enumerate(resolution.notes):
        by_file[final.note.source.path].append(j)
    records: dict[str, tuple[list[Any], dict[str, list[Any]]]] = {}
    fresh_rows: dict[str, dict[str, list[Any]]] = {}
    findings_of: dict[str, list[Diagnostic]] = {rel: [] for rel in changed_rels}
    strays = False
    for finding in diagnostics.items[first_finding:]:
        if finding.path in findings_of:
            findings_of[finding.path].append(finding)
        else:
            strays = True
    for rel, (read_key, file_read) in reads.items():
        assert read_key is not None
        finals = [resolution.notes[j] for j in by_file[rel]]
        digests = [hashes[j][1] for j in by_file[rel]]  # type: ignore[index]
        entries = [resolution.lock.entries[j] for j in by_file[rel]]
        records[rel] = _file_record(rel, read_key, languages.get(rel, ""), file_read.groups,
                                    [read_hashes[id(note)] for note in file_read.notes], finals, entries, digests,
                                    findings_of[rel])
        fresh_rows[rel] = records[rel][1]
    tops: dict[str, dict[str, Any]] = {}
    for rel in rels:
        head = records[rel][0] if rel in records else heads[rel]
        for name, count, first_line, parts in head[_TOPS]:
            deck = tops.setdefault(name, {"count": 0, "first": SourceLocation(rel, first_line), "parts": [],
                                          "files": [], "removed": []})
            deck["count"] += count
            deck["parts"].append(parts)
            deck["files"].append(rel)
    for gone in removed:
        tops.setdefault(gone.note.top_deck, {"count": 0, "first": None, "parts": [], "files": [],
                                             "removed": []})["removed"].append(gone)
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
        recorded = manifest.outputs.get(target.name)
        if recorded is not None and recorded.inputs == inputs and recorded.matches(target):
            outcome.unchanged.append(target)
            result.echoes.append(f"unchanged {target}")
            continue
        jobs.append((name, target, inputs))
    for name, target, inputs in jobs:
        deck = tops[name]
        stored = store.rows([rel for rel in deck["files"] if rel not in fresh_rows])
        rows = [row for rel in deck["files"]
                for row in (fresh_rows[rel] if rel in fresh_rows else stored[rel]).get(name, [])]
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
    for rel in unchanged:
        diagnostics.items.extend(Diagnostic(path, line, Level(level), code, message)
                                 for path, line, level, code, message in heads[rel][_FINDINGS])
    result.diagnostics = diagnostics.sorted()
    result.report = resolution.report()
    result.lock_message = lock_message
    result.media = media

    # Keep the unchanged files' render entries alive, and the records for the next build when they
    # still meet what this build assumed of the last one.
    touch(cache_dir, RENDER_CACHE, [k for rel in unchanged for k in heads[rel][_RENDER_KEYS]])
    written = _lock_state(cache_dir)
    if (lock_message is None and written is not None and not strays
            and not _in_two_files((read_hashes[id(note)], note.source.path) for note in read)
            and _entries_fit(resolution.lock.entries, resolution.notes)):
        state = {**state, "lock": list(written), "files": rels}
        store.save(state, records, set(unchanged))
    else:
        store.forget()
    return result
