"""The rendered fields of each source file's notes, kept across builds so an edit re-renders only what changed.

Rendering (markdown-it, the TeX check, Pygments, nh3) is most of a cold build: about
0.5 ms a note, seconds for a degree's worth of notes. A note's question and answer HTML
and its render findings depend only on its text, its kind, its source path, where its
fields start relative to its question line, its file's language and the renderer's code
and libraries: `field_key` hashes them. Findings are stored with lines relative to the
note's question line, so a note that only moved down its file is still a hit. Notes with
images are never stored: their output depends on files on disk.

One entry per source file (and language), `FileFields`, holds the fields of all its notes
with their keys: an unchanged file costs one lookup, not one per note (a lookup per note
was a seventh of a one-note rebuild at 10k notes), and one file of 10k notes compresses
to a tenth of what its notes took one by one. When the file's bytes are the ones its entry
was made from (its parse-cache key), notes are found by their place in the file without
hashing them; otherwise by `field_key`, so only the notes that changed are rendered.

Stored with `exporter.build.cache.BuildCache`, in `render.sqlite`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from exporter.build.cache import BuildCache
from exporter.diagnostics import Diagnostic, Level
from exporter.model import Note

CACHE_NAME = "render.sqlite"
_INDEX = "group entries"
_LIBRARIES = ("markdown_it", "mdit_py_plugins", "nh3", "pygments", "pylatexenc")


@dataclass(frozen=True)
class CachedFields:
    question_html: str
    answer_html: str
    findings: tuple[tuple[int, str, str, str], ...]
    """(line relative to the question line, level, code, message) of each render finding."""

    def diagnostics(self, path: str, line: int) -> list[Diagnostic]:
        return [Diagnostic(path, line + rel, Level(level), code, message) for rel, level, code, message in self.findings]


@lru_cache(maxsize=1)
def renderer_version() -> str:
    """The toolkit's code and the installed files of the libraries that shape the HTML.

    Each library by its package file's path, size and modification time rather than by
    `importlib.metadata`'s version: that lookup (and its import) was a fiftieth of a
    one-note rebuild, and installing another version rewrites the file anyway.
    """
    from exporter.build.manifest import toolkit_fingerprint

    parts = [toolkit_fingerprint()]
    for name in _LIBRARIES:
        try:
            spec = importlib.util.find_spec(name)
            origin = spec.origin if spec is not None else None
            stat = os.stat(origin) if origin else None
        except (ImportError, ValueError, OSError):
            stat = None
        parts.append(f"{name}={origin}:{stat.st_size}:{stat.st_mtime_ns}" if stat is not None else f"{name}=?")
    return "\n".join(parts)


@lru_cache(maxsize=1)
def _versioned() -> "hashlib._Hash":
    """A hash already fed the renderer version, copied for each key instead of re-encoding it."""
    return hashlib.sha256(renderer_version().encode("utf-8") + b"\x00")


def _hashed(parts: list[object]) -> str:
    """The hash of `parts` and the renderer version; 128 bits, as many as tell any two notes apart."""
    digest = _versioned().copy()
    digest.update(_ENCODE(parts).encode("utf-8"))
    return digest.hexdigest()[:32]


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode
"""One encoder for every key: `json.dumps` with options builds a new one per call."""


def field_key(path: str, kind: str, question: str, answer: str | None, question_line: int,
              answer_line: int | None, base: int, language: str) -> str:
    """The key of what a note's rendered fields depend on (see `render._place`), with the renderer version.

    Laid out by hand, each text after its length so no two notes give the same bytes:
    a JSON text per note was a third of hashing the notes of an edited 10k-note file.
    """
    digest = _versioned().copy()
    answer_text = "" if answer is None else answer
    digest.update(f"{len(path)}:{path}{kind}\x00{len(question)}:{question}{-1 if answer is None else len(answer_text)}:"
                  f"{answer_text}{question_line}\x00{answer_line}\x00{base}\x00{language}"
                  .encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]


def _fields(value: object) -> CachedFields | None:
    """`value` as cached fields, or None when it has another shape (damage, an older toolkit)."""
    if not (type(value) is list and len(value) == 3):
        return None
    question, answer, findings = value
    if not (type(question) is str and type(answer) is str and type(findings) is list):
        return None
    if not findings:  # most notes: nothing more to check
        return CachedFields(question, answer, ())
    try:
        checked = tuple((rel, Level(level).value, code, message) for rel, level, code, message in findings)
    except (TypeError, ValueError):
        return None
    if not all(isinstance(rel, int) and isinstance(code, str) and isinstance(message, str)
               for rel, _, code, message in checked):
        return None
    return CachedFields(question, answer, checked)


Hashes = tuple[str, str]
"""A note's identity fingerprint and output-input digest (see `exporter.build.pipeline`)."""


@dataclass
class FileFields:
    """The stored fields of one source file's notes, found by place in the file or by `field_key`."""

    file: str | None
    """The parse-cache key of the file's bytes these places are from (None: look up by key only)."""
    keys: list[str]
    places: list[int]
    """Each entry's index among the notes read from the file, -1 when unknown."""
    fields: list[CachedFields | None]
    """Each entry's fields; None when damaged (then a miss)."""
    hashes: list[tuple[Hashes, list[object]] | None]
    """What identity and the manifest hash of each note as rendered, with the note's fields `field_key`
    leaves out (`note_rest`): valid for a note found by its place, or by key with the same rest."""
    _by_key: dict[str, int] | None = None
    _by_place: dict[int, int] | None = None

    def at(self, file: str, place: int) -> tuple[str, CachedFields, tuple[Hashes, list[object]] | None] | None:
        """The key, fields and hashes of the note at `place` in the file whose parse-cache key is `file`."""
        if file != self.file:
            return None
        if self._by_place is None:
            self._by_place = {p: i for i, p in enumerate(self.places) if p >= 0}
        i = self._by_place.get(place)
        fields = self.fields[i] if i is not None else None
        return (self.keys[i], fields, self.hashes[i]) if i is not None and fields is not None else None

    def get(self, key: str) -> tuple[CachedFields, tuple[Hashes, list[object]] | None] | None:
        """The fields of the note whose `field_key` is `key`, and its hashes as stored."""
        if self._by_key is None:
            self._by_key = {k: i for i, k in enumerate(self.keys)}
        i = self._by_key.get(key)
        fields = self.fields[i] if i is not None else None
        return (fields, self.hashes[i]) if i is not None and fields is not None else None


def note_rest(note: Note) -> list[object]:
    """The fields of a note `field_key` leaves out, as JSON gives them back: what else its hashes depend on."""
    return [note.deck, list(note.tags), note.context, note.section, note.link, note.source.line, note.answer_line,
            note.guid, note.modified]


def _hashes(value: object) -> tuple[Hashes, list[object]] | None:
    if (type(value) is list and len(value) == 3 and type(value[0]) is str and type(value[1]) is str
            and type(value[2]) is list):
        return (value[0], value[1]), value[2]
    return None


def _file_fields(value: object) -> FileFields | None:
    if not (isinstance(value, list) and len(value) == 5):
        return None
    file, keys, places, entries, hashes = value
    if not (isinstance(file, (str, type(None))) and isinstance(keys, list) and isinstance(places, list)
            and isinstance(entries, list) and isinstance(hashes, list)
            and len(keys) == len(places) == len(entries) == len(hashes)
            and set(map(type, keys)) <= {str} and set(map(type, places)) <= {int}):
        return None
    return FileFields(file, keys, places, [_fields(entry) for entry in entries], [_hashes(h) for h in hashes])


def file_entry_key(path: str, language: str) -> str:
    """Where the fields of a source file's notes are kept: by path and language, not content,
    so an edited file finds its unchanged notes."""
    return _hashed(["file", path, language])


def group_entry_key(path: str, group: str, language: str) -> str:
    """Where the fields of one group's notes of a file read by groups (`reading.chunked`) are kept,
    the group named by its key."""
    return file_entry_key(f"{path}\0{group}", language)


class RenderCache(BuildCache):
    """The rendered fields of each source file's notes, by `file_entry_key`."""

    def __init__(self, cache_dir: Path | None) -> None:
        super().__init__(cache_dir, CACHE_NAME)

    def get_files(self, keys: list[str]) -> dict[str, FileFields]:
        """The stored entries of those `keys` that have one; an entry of another shape is a miss."""
        found = {}
        for key, value in self.get_values(keys).items():
            entry = _file_fields(value)
            if entry is not None:
                found[key] = entry
        return found

    def get_indexes(self, keys: list[str]) -> dict[str, list[str]]:
        """The group entries' keys kept under those file entry `keys` that hold a list of them (`put_index`)."""
        found = {}
        for key, value in self.get_values(keys).items():
            if type(value) is list and len(value) == 2 and value[0] == _INDEX and type(value[1]) is list \
                    and all(type(k) is str for k in value[1]):
                found[key] = value[1]
        return found

    def put_index(self, key: str, entry_keys: list[str]) -> None:
        """Keep, in a file's entry, the keys of its groups' entries (a big file read by groups of pairs has
        one entry per group): a build that reads the file whole, or a group new to the cache, finds the
        notes there by `field_key`."""
        self.put_value(key, [_INDEX, entry_keys])

    def put_file(self, key: str, file: str | None,
                 entries: list[tuple[str, int, CachedFields, tuple[Hashes, list[object]] | None]]) -> None:
        """Store a file's entry: (note key, place in the file, fields, (hashes, `note_rest`)) per note."""
        self.put_value(key, [file, [e[0] for e in entries], [e[1] for e in entries],
                             [[e[2].question_html, e[2].answer_html, [list(f) for f in e[2].findings]]
                              for e in entries],
                             [[*e[3][0], e[3][1]] if e[3] is not None else None for e in entries]])
