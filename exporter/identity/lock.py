"""The lock file: each note's GUID and content fingerprint, kept with the sources.

It is what lets a reworded note keep its Anki identity (and so its review history)
across rebuilds, so it is the user's data, treated like a source:
- human-readable JSON in a stable order, for clean diffs when committed;
- read leniently: an entry of the wrong shape (a hand edit, a bad merge) is reported with
  what is wrong and skipped, every good entry is kept; a file that is not a lock at all
  raises `LockError`, and the build stops rather than derive fresh GUIDs;
- replaced atomically (temporary file, fsync, rename, fsync of the folder): a `kill -9`
  at any moment leaves the old lock or the new one, whole;
- never replaced by one that knows fewer GUIDs without a backup beside it
  (`exporter.lock.bak`), whatever the reason: skipped entries, `--reset-lock`, expired
  removed notes.

Version 2 adds the removed notes (see `exporter.identity.resolve`) and fingerprints of
what Anki shows instead of the Markdown; a version 1 lock is read as is and rewritten as
version 2 by the next build.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
import zlib
from dataclasses import dataclass, field, fields
from functools import lru_cache
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

from exporter.project import LOCK_NAME

LOCK_VERSION = 2
READABLE_VERSIONS = (1, 2)
BACKUP_SUFFIX = ".bak"
MAX_TIME = 2**32
"""Largest modification time accepted (year 2106): later than any real clock, so a typo or garbage."""
MAX_LINE = 10**9
MAX_DEPTH = 64
"""Deeper JSON than this is no lock entry; it is cut off before parsing, which would recurse."""

__all__ = ["LOCK_NAME", "Lock", "LockEntry", "LockError", "LockRead", "LockState", "LockText", "read_lock",
           "write_lock", "save_lock"]


class LockError(Exception):
    """The lock exists but is not a lock at all (unreadable, not JSON, not our format)."""


@dataclass(frozen=True, order=True)
class LockEntry:
    """What the previous build knew about one note."""

    deck: str
    source: str
    """Path of the source file, relative to the project root."""
    line: int
    """Where the question stood: for messages only, never on a card."""
    question: str
    """The question as written: the main key for similarity matching, and what a summary shows."""
    answer_start: str
    """The first words of the normalised answer, enough to tell near-identical questions apart."""
    fingerprint: str
    """Hash of what Anki shows of the note (see `resolve.fingerprint`)."""
    guid: str
    modified: int
    """Seconds since the epoch of the note's last visible change: Anki's "update if newer" compares it."""
    kind: str = "qa"
    """`NoteKind.value`: a removed note must be emitted with its own note type, since Anki skips
    (as "conflicting") a note whose GUID it has under another type. Version 1 locks lack it."""
    removed: int = 0
    """0 for a note in the sources; else when its question left them (epoch seconds)."""


_STRINGS = ("deck", "source", "question", "answer_start", "fingerprint", "guid", "kind")
_INTEGERS = {"line": MAX_LINE, "modified": MAX_TIME, "removed": MAX_TIME}
_OPTIONAL = {"removed", "kind"}
_KNOWN = {f.name for f in fields(LockEntry)}


@dataclass
class LockText:
    """Where each entry read from a lock file `Lock.to_json` wrote stands in that file's text.

    Entries are known by `id()`; `entries` holds them, so an id stays theirs while this lives.
    Entry `i`'s text is `data[starts[i]:ends[i]]` of the file's bytes, and consecutive entries
    of one section are separated by what `to_json` puts between them: a run of unchanged
    entries still in the same order is copied as one slice (a view, not a copy). The bytes are
    read again when the lock is written (`load`), not kept through the build: 47 MB at 100k notes.
    """

    path: Path
    size: int
    crc: int
    entries: list[LockEntry]
    index: dict[int, int]
    """`id()` of an entry -> its place in `entries`."""
    starts: list[int]
    ends: list[int]

    def load(self) -> bytes | None:
        """The bytes the offsets are of; None when the file changed since it was read (then nothing is reused)."""
        try:
            data = self.path.read_bytes()
        except OSError:
            return None
        if len(data) != self.size or zlib.crc32(data) != self.crc:
            return None
        return data


@dataclass
class Lock:
    entries: list[LockEntry] = field(default_factory=list)
    """Notes in the sources and removed notes still emitted, in any order."""
    known: LockText | None = field(default=None, compare=False, repr=False)
    """The texts of entries read from a lock this toolkit wrote (see `LockState`): an entry found
    there is written with its text, not encoded again, so writing costs what changed."""
    state: LockState | None = field(default=None, compare=False, repr=False)
    """Where to record the bytes this lock is written as, so that the next build can reuse them."""

    @property
    def guids(self) -> set[str]:
        return {e.guid for e in self.entries}

    def to_json(self) -> str:
        """`json.dumps(..., indent=1, sort_keys=True)` of the entries, laid out by hand (see `to_bytes`)."""
        return self.to_bytes().decode("utf-8")

    def to_bytes(self) -> bytes:
        """`to_json` in UTF-8, what the lock file holds.

        With `indent` the json module falls back to its pure-Python encoder, which took
        a quarter of a cached 10k-note build; the entries are flat, so each value goes
        through the C encoder and the layout is written here, byte for byte the same.
        (Encoding whole entries with a newline item separator was measured slower: the
        C encoder then sorts every entry's keys.) Notes in the sources are under "notes",
        removed ones under "removed".
        """
        ordered = sorted(self.entries, key=_sort_key)
        data = self.known.load() if self.known is not None else None
        known = (self.known, memoryview(data)) if self.known is not None and data is not None else None
        live = _entries_json([e for e in ordered if not e.removed], with_removed=False, known=known)
        gone = _entries_json([e for e in ordered if e.removed], with_removed=True, known=known)
        # One join of all the pieces: a 100k-note lock is 50 MB, each extra concatenation as much again.
        return b"".join([_HEAD.encode(), *live, _MIDDLE.encode(), *gone, _tail().encode()])


_sort_key = attrgetter("deck", "source", "line", "question", "answer_start", "fingerprint", "guid", "modified",
                       "kind", "removed")
"""The dataclass order (`order=True`: the fields in declaration order), computed once per entry instead of per
comparison, in C (tests/test_lock.py checks it names every field in order)."""


_SEPARATOR = "\x00"
_ENCODE_FLAT = json.JSONEncoder(ensure_ascii=False, separators=(_SEPARATOR, ": ")).encode
"""Encodes a flat list with a raw NUL between items: JSON escapes a NUL inside a string
(`\\u0000`), so a raw one can only be a separator and splitting on it gives each value's text."""
_NAMES = sorted(f.name for f in fields(LockEntry))


@lru_cache(maxsize=2)
def _layout(with_removed: bool) -> tuple[list[str], str]:
    """The keys an entry of the live (or removed) section holds, and the template of its text."""
    names = [name for name in _NAMES if with_removed or name != "removed"]
    return names, "  {\n" + ",\n".join(f"   {json.dumps(name)}: %s" for name in names) + "\n  }"


def _entries_json(entries: list[LockEntry], with_removed: bool, known: tuple[LockText, memoryview] | None = None
                  ) -> list[bytes | memoryview]:
    """The pieces of text of the entries as `json.dumps(entries, indent=1, sort_keys=True)` lays them
    out inside the lock.

    Every value of every entry goes through the C encoder in one call per `_CHUNK` entries
    (one call per value was most of writing a 10k-note lock), then into a template of the
    entry's layout. Entries found in `known` (with the text of the lock they were read from) are
    not encoded: their text is copied from that lock, runs of them in their old order as one slice.
    """
    if not entries:
        return [b"[]"]
    names, template = _layout(with_removed)
    pieces: list[bytes | memoryview] = [b"[\n"]
    if known is None or not known[0].index:
        for first in range(0, len(entries), _CHUNK):
            if first:
                pieces.append(b",\n")
            pieces.append(",\n".join(_encoded(entries[first : first + _CHUNK], names, template)).encode("utf-8"))
    else:  # not joined here: the pieces are joined once, in `to_bytes`, not twice (47 MB each at 100k notes)
        for number, piece in enumerate(_spliced(entries, *known, names, template)):
            if number:
                pieces.append(b",\n")
            pieces.append(piece)
    pieces.append(b"\n ]")
    return pieces


def _encoded(entries: list[LockEntry], names: list[str], template: str) -> list[str]:
    """Each entry's text, its values encoded by one call of the C encoder."""
    width = len(names)
    values = [value for entry in entries for value in attrgetter(*names)(entry)]
    texts = _ENCODE_FLAT(values)[1:-1].split(_SEPARATOR) if values else []
    return [template % tuple(texts[start : start + width]) for start in range(0, len(texts), width)]


def _spliced(entries: list[LockEntry], known: LockText, data: memoryview, names: list[str], template: str
             ) -> list[bytes | memoryview]:
    """The bytes of `entries` (one section's, in order) to join with `,\\n`: views of `data`, the lock
    `known` was read from, for runs of known entries in their old order; the others encoded."""
    out: list[bytes | memoryview] = []
    fresh: list[tuple[int, LockEntry]] = []  # (place in out, entry)
    index, starts, ends = known.index, known.starts, known.ends
    first = last = -1
    for entry in entries:
        i = index.get(id(entry), -1)
        if i >= 0 and last >= 0 and i == last + 1:
            # The run goes on: what lies between two entries of a section is ",\n". Both were read
            # from this section: an entry whose `removed` changed is a new object, never known.
            last = i
            continue
        if last >= 0:
            out.append(data[starts[first] : ends[last]])
        first = last = i
        if i < 0:
            fresh.append((len(out), entry))
            out.append(b"")
    if last >= 0:
        out.append(data[starts[first] : ends[last]])
    for start in range(0, len(fresh), _CHUNK):
        batch = fresh[start : start + _CHUNK]
        for (place, _), encoded in zip(batch, _encoded([entry for _, entry in batch], names, template)):
            out[place] = encoded.encode("utf-8")
    return out


_HEAD = '{\n "notes": '
_MIDDLE = ',\n "removed": '
_ENTRY_SEPARATOR = b"\n  },\n  {"
"""Between two entries' texts: JSON escapes newlines inside strings, so a raw one is layout (and
no byte of a multi-byte UTF-8 character is ASCII)."""


def _tail() -> str:
    return f',\n "version": {LOCK_VERSION}\n}}\n'


def encode_entries(entries: list[LockEntry], removed: bool) -> list[bytes]:
    """Each entry's text as `Lock.to_bytes` lays it out in the section of live (or `removed`) notes."""
    names, template = _layout(removed)
    return [text.encode("utf-8") for start in range(0, len(entries), _CHUNK)
            for text in _encoded(entries[start : start + _CHUNK], names, template)]


class SortedLock:
    """A lock `Lock.to_bytes` wrote, seen as its bytes: entries found by bisection, never all parsed.

    Live entries are sorted by `_sort_key`, deck and source first, so the entries of one source in one
    deck are one run, found in about 26 probes of one entry each at 100k entries. An edit build
    (`exporter.build.delta`) takes out the runs of the files that changed and puts their new entries
    in their places, copying the bytes of every other entry.
    """

    def __init__(self, data: bytes) -> None:
        self.data = data
        head = (_HEAD + "[").encode()
        if not data.startswith(head) or not data.endswith(_tail().encode()):
            raise ValueError("not a lock this toolkit wrote")
        middle = _MIDDLE.encode()
        if data.startswith(b"[]" + middle, len(_HEAD)):
            self.first = self.end = len(_HEAD) + 1  # no live entry
            self.removed_at = len(_HEAD) + 2 + len(middle)
        else:
            self.first = len(_HEAD) + 2
            end = data.find(b"\n ]" + middle, self.first)
            if end < 0 or not data.startswith(b"\n  {\n", self.first - 1):
                raise ValueError("not a lock this toolkit wrote")
            self.end = end
            self.removed_at = end + 3 + len(middle)

    def removed_text(self) -> str:
        """The text of the removed notes' section."""
        return self.data[self.removed_at : len(self.data) - len(_tail())].decode("utf-8")

    def next_start(self, at: int) -> int:
        """Where the first live entry at or after byte `at` starts; `end` when none does."""
        if at <= self.first:
            return self.first if self.first < self.end else self.end
        found = self.data.find(b"\n  {\n", at - 1, self.end)
        return found + 1 if found >= 0 else self.end

    def entry_end(self, start: int) -> int:
        """Where the entry starting at `start` ends (after its closing brace)."""
        return self.data.index(b"\n  }", start, self.end + 1) + 4

    def entry(self, start: int) -> dict[str, Any]:
        value = json.loads(self.data[start : self.entry_end(start)])
        if not isinstance(value, dict):
            raise ValueError("not a lock entry")
        return value

    def lower_bound(self, deck: str, source: str, line: int = -1) -> int:
        """The start of the first live entry whose (deck, source, line) is not below these; `end` when none is."""
        target = (deck, source, line)
        lo, hi = self.first, self.end
        while lo < hi:
            mid = (lo + hi) // 2
            start = self.next_start(mid)
            if start >= hi:
                hi = mid
                continue
            value = self.entry(start)
            if (value["deck"], value["source"], value["line"]) < target:
                lo = start + 1
            else:
                hi = start
        return self.next_start(lo)

    def run(self, deck: str, source: str, first: int = -1, last: int = MAX_LINE
            ) -> tuple[int, int, list[dict[str, Any]]]:
        """The run of live entries of `source` in `deck` whose lines are in [`first`, `last`]: where it starts,
        where the next entry starts (or `end` + 2), and its entries' values."""
        start = at = self.lower_bound(deck, source, first)
        values = []
        while at < self.end:
            value = self.entry(at)
            if (value["deck"], value["source"]) != (deck, source) or value["line"] > last:
                break
            values.append(value)
            at = self.entry_end(at) + 2
        return start, min(at, self.end + 2), values

    def spliced(self, cut: list[tuple[int, int]], added: list[tuple[int, LockEntry]],
                removed: list[LockEntry]) -> bytes:
        """The lock with the live entries of the runs `cut` ((start, next start) each) taken out, the
        live entries `added` put at their places (where each would start in the old bytes), and the
        removed notes' section made of `removed`: the bytes `Lock.to_bytes` gives for that lock."""
        data = memoryview(self.data)
        items: list[tuple[int, int, Any]] = []
        kept_from = self.first
        bounds = sorted(cut)
        stops = sorted({at for at, _ in added})
        for start, stop in [*bounds, (self.end + 2, self.end + 2)]:
            # The kept entries in [kept_from, start), split where new entries go in.
            pieces = [kept_from, *(at for at in stops if kept_from < at < start), start]
            for a, b in zip(pieces, pieces[1:]):
                if a < b and a < self.end:
                    items.append((a, 1, data[a : b - 2]))
            kept_from = max(kept_from, stop)
        ordered = sorted(added, key=lambda pair: (pair[0], _sort_key(pair[1])))
        for (at, _), text in zip(ordered, encode_entries([entry for _, entry in ordered], removed=False)):
            items.append((at, 0, text))
        items.sort(key=lambda item: (item[0], item[1]))
        live: list[bytes | memoryview] = [b"[]"]
        if items:
            live = [b"[\n"]
            for number, (_, _, text) in enumerate(items):
                if number:
                    live.append(b",\n")
                live.append(text)
            live.append(b"\n ]")
        gone = _entries_json(sorted(removed, key=_sort_key), with_removed=True)
        return b"".join([_HEAD.encode(), *live, _MIDDLE.encode(), *gone, _tail().encode()])


def known_texts(path: Path, crc: int, data: bytes, read: LockRead) -> LockText | None:
    """Where each entry stands in `data`, a lock `Lock.to_bytes` wrote whose entries `read` holds;
    None when its sections do not hold as many entries as were read (then nothing is reused).

    Only the separators are looked for (JSON escapes newlines inside strings, so a raw one is
    layout): no copy of the bytes is made.
    """
    tail, middle = _tail().encode(), _MIDDLE.encode()
    if not (data.startswith(_HEAD.encode()) and data.endswith(tail)):
        return None
    starts: list[int] = []
    ends: list[int] = []
    at = len(_HEAD)
    for closing in (middle, tail):
        if data.startswith(b"[]" + closing, at):
            at += 2 + len(closing)
            continue
        if not data.startswith(b"[\n", at):
            return None
        end_of_section = data.find(b"\n ]" + closing, at)
        if end_of_section < 0:
            return None
        begin = at + 2
        while True:
            starts.append(begin)
            stop = data.find(_ENTRY_SEPARATOR, begin, end_of_section)
            if stop < 0:
                ends.append(end_of_section)
                break
            ends.append(stop + 4)  # after "\n  }"
            begin = stop + 6  # at "  {"
        at = end_of_section + 3 + len(closing)
    entries = read.lock.entries
    if at != len(data) or len(starts) != len(entries):
        return None
    return LockText(path, len(data), crc, list(entries), {id(entry): i for i, entry in enumerate(entries)},
                    starts, ends)


@dataclass(frozen=True)
class LockState:
    """A small file in the build cache naming the bytes of the lock the last build wrote.

    When the lock still holds those bytes (same size and CRC-32, same toolkit), its text is
    `Lock.to_json`'s own layout, so the text of each unchanged entry can be written again as
    is (`LockText`): a lock of 100k entries is 47 MB of JSON, and a one-answer edit changes
    one of them. Any other lock (edited by hand, merged, written by another version) is
    encoded whole, as before.
    """

    path: Path

    def _expected(self, size: int, crc: int) -> str:
        from exporter.build.manifest import toolkit_fingerprint

        return f"{size} {crc} {toolkit_fingerprint()}\n"

    def _recorded(self) -> str | None:
        try:
            return self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def matches(self, size: int, crc: int) -> bool:
        """True when the bytes of this size and CRC-32 are the ones last recorded: a lock in
        `Lock.to_json`'s own layout."""
        return self._recorded() == self._expected(size, crc)

    def record(self, data: bytes) -> None:
        """Remember `data` as the lock's bytes; a cache that cannot be written only costs time."""
        expected = self._expected(len(data), zlib.crc32(data))
        if self._recorded() == expected:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            tmp.write_text(expected, encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:
            pass

    def forget(self) -> None:
        try:
            self.path.unlink(missing_ok=True)
        except OSError:
            pass


_CHUNK = 2000
"""Entries encoded per call: the values' texts of a whole 100k-note lock at once were 80 MB more at the peak."""


@dataclass
class LockRead:
    """A lock as read: its good entries, and what was wrong with the others."""

    lock: Lock
    version: int
    problems: list[tuple[int, str]] = field(default_factory=list)
    """(line or 0, message) per skipped entry or ignored value."""


class _Invalid:
    """A JSON value no lock field can hold (NaN, a 400-digit number, a too-deep value); named in messages."""

    def __init__(self, what: str) -> None:
        self.what = what


def _parse_int(text: str) -> int | _Invalid:
    # Python refuses to parse integers of over 4,300 digits (and the whole document with them).
    return int(text) if len(text) <= 30 else _Invalid(f"a {len(text)}-digit number")


def _parse_float(text: str) -> float | _Invalid:
    value = float(text)
    return value if math.isfinite(value) else _Invalid(f"the number {text[:20]}")


def _parse_constant(text: str) -> _Invalid:
    return _Invalid(text)  # NaN, Infinity, -Infinity: not JSON, though Python accepts them


_TOO_DEEP = "\x00exporter-too-deep"
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def _cut_deep(text: str) -> str:
    """`text` with every value nested deeper than `MAX_DEPTH` replaced by a marker object.

    The json module parses by recursion and gives up (RecursionError) on deep nesting;
    cutting first keeps the document, so the entries around a too-deep value survive.
    Linear: strings and brackets are found by one regular expression.
    """
    out: list[str] = []
    depth = 0
    cut_from = -1
    done = 0
    for token in _TOKENS.finditer(text):
        char = token.group(0)
        if char in "[{":
            depth += 1
            if depth == MAX_DEPTH + 1 and cut_from < 0:
                cut_from = token.start()
        elif char in "]}":
            if depth == MAX_DEPTH + 1 and cut_from >= 0:
                out.append(text[done:cut_from])
                out.append('{"' + _TOO_DEEP.replace("\x00", "\\u0000") + '": 0}')
                done = token.end()
                cut_from = -1
            depth -= 1
    if cut_from >= 0:  # never closed: the JSON error names the place
        return text
    out.append(text[done:])
    return "".join(out)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any] | _Invalid:
    if len(pairs) == 1 and pairs[0][0] == _TOO_DEEP:
        return _Invalid(f"a value nested more than {MAX_DEPTH} deep")
    return dict(pairs)


def _describe(value: object) -> str:
    if isinstance(value, _Invalid):
        return value.what
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return "text"
    if isinstance(value, int):
        return f"the number {value}"
    if isinstance(value, float):
        return f"the number {value:g}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


_GUID = re.compile(r"\S{1,64}\Z")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_LIVE_KEYS = frozenset(_KNOWN - {"removed"})


def _outside(source: str) -> bool:
    """True for a path that is absolute (POSIX or Windows) or climbs out with `..`: no lock writes one."""
    return source[:1] in ("/", "\\") or source[1:2] == ":" or "/../" in f"/{source}/"


_ORDER = tuple(f.name for f in fields(LockEntry))
_LIVE_ORDER = _ORDER[:-1]
_PLAIN_TYPES = tuple(int if name in _INTEGERS else str for name in _LIVE_ORDER)


_LIVE_VALUES = itemgetter(*_LIVE_ORDER)


def _plain_entries(raws: list[object]) -> list[LockEntry] | None:
    """The entries of well-formed live `raws` (what every build writes), checked in one pass;
    None as soon as one is not (`_entry_problem` then says what is wrong, entry by entry).

    The common case: a 10k-note lock read on every build. Entries are filled through
    `__dict__` in field order (as `__init__` would, which costs a `setattr` per field): they
    are new and no one else holds them yet. A source path is checked once per file.
    """
    entries: list[LockEntry] = []
    append = entries.append
    inside: set[str] = set()
    new = object.__new__
    for raw in raws:
        if type(raw) is not dict or raw.keys() != _LIVE_KEYS:
            return None
        values = _LIVE_VALUES(raw)
        if tuple(map(type, values)) != _PLAIN_TYPES:
            return None
        fields_ = dict(zip(_ORDER, values))
        line, modified, source = fields_["line"], fields_["modified"], fields_["source"]
        if not (0 <= line <= MAX_LINE and 0 <= modified <= MAX_TIME) or not _GUID.match(fields_["guid"]):
            return None
        if source not in inside:
            if _outside(source):
                return None
            inside.add(source)
        fields_["removed"] = 0
        entry = new(LockEntry)
        object.__setattr__(entry, "__dict__", fields_)
        append(entry)
    return entries


def _plain_entry(raw: object) -> LockEntry | None:
    """`_plain_entries` of one entry."""
    found = _plain_entries([raw])
    return found[0] if found else None


def _entry_problem(raw: object, removed_section: bool, plain_ok: bool = True) -> tuple[LockEntry | None, list[str]]:
    """The entry `raw` describes, or None, with what is wrong with it.

    `plain_ok` allows the one-pass check; it is off when the text escapes a lone surrogate
    (`\\ud800`), a string no UTF-8 file can hold, which only the full check finds.
    """
    if not removed_section and plain_ok:
        plain = _plain_entry(raw)
        if plain is not None:
            return plain, []
    if not isinstance(raw, dict):
        return None, [f"an entry must be an object, found {_describe(raw)}"]
    problems: list[str] = []
    values: dict[str, Any] = {}
    for name in _STRINGS:
        if name not in raw and name in _OPTIONAL:
            continue
        value = raw.get(name)
        if not isinstance(value, str):
            problems.append(f"'{name}' must be text, found {_describe(value) if name in raw else 'nothing'}")
        elif (lone := _SURROGATE.search(value)) is not None:
            problems.append(f"'{name}' holds a lone surrogate (\\u{ord(lone[0]):04x}), not text")
        else:
            values[name] = value
    for name, limit in _INTEGERS.items():
        if name not in raw and name in _OPTIONAL:
            continue
        value = raw.get(name)
        if isinstance(value, bool) or not isinstance(value, int):
            found = _describe(value) if name in raw else "nothing"
            problems.append(f"'{name}' must be a whole number, found {found}")
        elif not 0 <= value <= limit:
            problems.append(f"'{name}' must be between 0 and {limit}, found {value}")
        else:
            values[name] = value
    if not problems:
        if not _GUID.match(values["guid"]):
            problems.append(f"'guid' must be 1 to 64 characters without spaces, found {values['guid'][:70]!r}")
        source = values["source"]
        if _outside(source):
            problems.append(f"'source' must be a path inside the project, found {source[:80]!r}")
        if removed_section and not values.get("removed"):
            problems.append("a removed note needs 'removed', the time it left the sources")
    unknown = sorted(str(k)[:40] for k in raw if k not in _KNOWN)
    if problems:
        return None, problems
    if not removed_section:
        values["removed"] = 0
    return LockEntry(**values), [f"unknown key '{k}' ignored" for k in unknown]


def _line_of(text: str, raw: object) -> int:
    """The line of the entry's GUID in `text` (how an editor finds it), else 0."""
    guid = raw.get("guid") if isinstance(raw, dict) else None
    if not isinstance(guid, str):
        return 0
    at = text.find(f'"guid": {json.dumps(guid, ensure_ascii=False)}')
    return text.count("\n", 0, at) + 1 if at >= 0 else 0


def parse_lock(text: str) -> LockRead:
    """A lock from its text; raises LockError when it is not a lock at all."""
    try:
        try:
            data = json.JSONDecoder(parse_float=_parse_float, parse_constant=_parse_constant).decode(text)
        except json.JSONDecodeError:
            raise
        except (RecursionError, ValueError):
            # Too deep for the recursive parser, or an integer of thousands of digits, which
            # Python refuses to convert: parse again with both cut down to something reportable.
            careful = json.JSONDecoder(parse_int=_parse_int, parse_float=_parse_float,
                                       parse_constant=_parse_constant, object_pairs_hook=_object)
            data = careful.decode(_cut_deep(text))
    except json.JSONDecodeError as exc:
        hint = "; it looks like an unresolved merge conflict" if "<<<<<<<" in text else ""
        raise LockError(f"not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg}){hint}") from exc
    except (RecursionError, ValueError) as exc:
        raise LockError(f"not a lock: {exc}") from exc
    if not isinstance(data, dict):
        raise LockError(f"not a lock: the file must hold an object, found {_describe(data)}")
    version = data.get("version")
    if isinstance(version, bool) or version not in READABLE_VERSIONS:
        raise LockError(f"lock version {_describe(version) if 'version' in data else 'missing'} is not one this "
                        f"exporter reads ({', '.join(map(str, READABLE_VERSIONS))}): written by a newer exporter?")
    if not isinstance(data.get("notes"), list):
        raise LockError(f"not a lock: 'notes' must be a list, found {_describe(data.get('notes'))}")
    result = LockRead(Lock(), version)
    plain_ok = _ESCAPED_SURROGATE.search(text) is None
    sections: list[tuple[str, object]] = [("notes", data["notes"]), ("removed", data.get("removed", []))]
    for section, raws in sections:
        if not isinstance(raws, list):
            result.problems.append((0, f"'{section}' must be a list, found {_describe(raws)}; ignored"))
            continue
        plain = _plain_entries(raws) if section == "notes" and plain_ok else None
        if plain is not None:  # every entry well formed: nothing to report
            result.lock.entries.extend(plain)
            continue
        for number, raw in enumerate(raws, start=1):
            entry, problems = _entry_problem(raw, section == "removed", plain_ok)
            if entry is not None:
                result.lock.entries.append(entry)
            if problems:
                what = "; ".join(problems)
                verdict = "" if entry is not None else "; entry skipped"
                result.problems.append((_line_of(text, raw), f"{section} entry {number}: {what}{verdict}"))
    return result


def read_lock(path: Path, state: LockState | None = None) -> LockRead | None:
    """The lock at `path`, None when there is none yet; raises LockError when it is not a lock.

    With `state`, the lock read remembers each entry's text when the file is the one a build
    recorded there, and the lock written from it records its bytes there (see `LockState`).
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise LockError(f"cannot read the lock: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LockError(f"not UTF-8 text (byte {exc.start}): not a lock") from exc
    read = parse_lock(text)
    if state is not None:
        read.lock.state = state
        crc = zlib.crc32(data)
        if not read.problems and state.matches(len(data), crc):
            read.lock.known = known_texts(path, crc, data, read)
    return read


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + BACKUP_SUFFIX)


def save_lock(path: Path, lock: Lock, backup: bool) -> Path | None:
    """Write `lock` to `path`; with `backup`, first keep the current file as `exporter.lock.bak`.

    Returns the backup's path when one was made. The backup is a hard link to the old
    file (a copy where links are not supported), placed by rename: nothing is copied
    twice, and the lock itself is never absent.
    """
    made = None
    if backup and path.exists() and not _same_bytes(path, lock.to_bytes()):
        made = backup_path(path)
        tmp = made.with_name(f".{made.name}.{os.getpid()}.tmp")
        try:
            tmp.unlink(missing_ok=True)
            try:
                os.link(path, tmp)
            except OSError:
                tmp.write_bytes(path.read_bytes())
            os.replace(tmp, made)
        finally:
            tmp.unlink(missing_ok=True)
    write_lock(path, lock)
    return made


def _same_bytes(path: Path, data: bytes) -> bool:
    """True when the file holds exactly `data`; read a megabyte at a time, not beside it whole."""
    step = 1 << 20
    try:
        with path.open("rb") as handle:
            if os.fstat(handle.fileno()).st_size != len(data):
                return False
            for start in range(0, len(data), step):
                if handle.read(step) != data[start : start + step]:
                    return False
            return handle.read(1) == b""
    except OSError:
        return False


def write_lock(path: Path, lock: Lock) -> None:
    """Replace the lock atomically: write a temporary file beside it, fsync, rename over, fsync the folder.

    Raises OSError (read-only folder, full disk); the old lock is then untouched.
    Temporary files left by a killed build (their process is gone) are removed first.
    """
    write_lock_bytes(path, lock.to_bytes(), lock.state)


def write_lock_bytes(path: Path, data: bytes, state: LockState | None) -> None:
    """`write_lock` of a lock's bytes, recorded in `state`."""
    if _same_bytes(path, data):
        if state is not None:
            state.record(data)
        return  # unchanged: keep the file's mtime, so a no-op build touches nothing
    if state is not None:
        state.forget()  # until the new bytes are in place
    remove_stale_temporaries(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, file_mode(path))
        os.replace(tmp_name, path)
        _sync_folder(path.parent)
        if state is not None:
            state.record(data)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (a crash of the machine, not only of the process)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_stale_temporaries(path: Path) -> None:
    """Delete `.exporter.lock.<pid>.*.tmp` files whose writing process no longer runs."""
    try:
        candidates = list(path.parent.glob(f".{path.name}.*.tmp"))
    except OSError:
        return
    for candidate in candidates:
        parts = candidate.name[len(path.name) + 2:].split(".")
        if not parts or not parts[0].isdigit() or _alive(int(parts[0])):
            continue
        try:
            candidate.unlink()
        except OSError:
            pass


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True


def file_mode(path: Path) -> int:
    """The mode the file has, or an ordinary new file's (mkstemp's 0600 would hide it from others)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
