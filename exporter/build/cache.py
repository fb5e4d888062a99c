"""Values kept across builds in the output folder's `.cache`: one SQLite file per kind.

Each build is a generation; entries neither written nor used by one of the last
`KEEP_BUILDS` builds are pruned, so old edits do not pile up. Any database error
turns the cache off for the build, never fails it: a cache only saves time.

Values are JSON data (lists, never tuples: readers check JSON's types) stored with
`marshal` and compressed with zlib: rendered HTML and parsed notes shrink about sixfold,
which keeps the cache beside the outputs smaller than the sources (uncompressed it was
seven times their size), and decompressing costs less than reading the extra bytes would.
`marshal` decodes these lists of strings in 40% of the time `json.loads` took, which was
a twentieth of a one-answer rebuild at 10k notes (every unchanged file's entry is decoded).
"""

from __future__ import annotations

import json
import marshal
import sqlite3
import zlib
from pathlib import Path
from typing import Any

KEEP_BUILDS = 3
SCHEMA_VERSION = 4
"""Version 2: keys as 32 raw bytes, zlib-compressed values, no rowid (each key stored once).
Version 3: values in `marshal`'s format instead of JSON text.
Version 4: each key's generation in a table of its own (`uses`): SQLite rewrites a whole row to change
one column, and marking the entries a build used rewrote every value (a fifth of a one-answer edit of
a 100k-note file).
A file of another version is emptied and reused."""


_LEVEL = 3
"""zlib level: half the time of level 6 on a file of 10k notes, for a fifth more bytes."""

_BATCH = 500
"""Keys per lookup query: one query per note was a fifth of a one-note rebuild."""


def _raw(key: str) -> bytes:
    """A hex digest key as its bytes: half the size on disk and in the index."""
    return bytes.fromhex(key)


def _open(path: Path) -> sqlite3.Connection:
    """The cache database at `path`, emptied first when it has another schema version."""
    connection = sqlite3.connect(path, timeout=5)
    try:
        if connection.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            with connection:
                connection.execute("DROP TABLE IF EXISTS fields")
                connection.execute("DROP TABLE IF EXISTS uses")
            connection.execute("PRAGMA auto_vacuum = FULL")  # pruned entries give their space back
            connection.execute("VACUUM")
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute("CREATE TABLE IF NOT EXISTS fields (key BLOB PRIMARY KEY, value BLOB) WITHOUT ROWID")
        connection.execute("CREATE TABLE IF NOT EXISTS uses (key BLOB PRIMARY KEY, generation INTEGER) WITHOUT ROWID")
    except BaseException:
        connection.close()
        raise
    return connection


def _discard(path: Path) -> bool:
    """Delete a damaged cache file; False when it cannot be deleted either."""
    try:
        path.unlink(missing_ok=True)
        return True
    except OSError:
        return False


def touch(cache_dir: Path, filename: str, keys: list[str]) -> None:
    """Mark `keys` as used by the latest build without a generation of their own: an edit build
    (`exporter.build.delta`) keeps the entries of the files it did not read from being pruned."""
    if not keys:
        return
    try:
        connection = sqlite3.connect(cache_dir / filename, timeout=5)
    except sqlite3.Error:
        return
    try:
        with connection:
            row = connection.execute("SELECT MAX(generation) FROM uses").fetchone()
            if isinstance(row[0], int):
                connection.executemany("UPDATE uses SET generation = ? WHERE key = ?",
                                       [(row[0], _raw(key)) for key in keys])
    except sqlite3.Error:
        pass
    finally:
        connection.close()


class BuildCache:
    """JSON values by key; lookups during one build, writes batched into `close`."""

    def __init__(self, cache_dir: Path | None, filename: str) -> None:
        self.connection: sqlite3.Connection | None = None
        self.used: list[bytes] = []
        self.new: list[tuple[bytes, bytes]] = []
        self.generation = 0
        if cache_dir is None:
            return
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
        except OSError:
            return
        path = cache_dir / filename
        for attempt in range(2):
            try:
                self.connection = _open(path)
                row = self.connection.execute("SELECT MAX(generation) FROM uses").fetchone()
                self.generation = (row[0] if isinstance(row[0], int) else 0) + 1
                return
            except sqlite3.DatabaseError:
                # Not a database (truncated, overwritten): it only held cached values, start afresh.
                self.connection = None
                if attempt == 0 and not _discard(path):
                    return
            except (OSError, sqlite3.Error):
                self.connection = None
                return

    def get_value(self, key: str) -> Any | None:
        return self.get_values([key]).get(key)

    def get_values(self, keys: list[str]) -> dict[str, Any]:
        """The stored values of those `keys` that are stored, looked up a few hundred per query."""
        found: dict[str, Any] = {}
        if self.connection is None:
            return found
        raw = {_raw(key): key for key in keys}
        wanted = list(raw)
        try:
            for start in range(0, len(wanted), _BATCH):
                chunk = wanted[start : start + _BATCH]
                marks = ",".join("?" * len(chunk))
                for stored_key, data in self.connection.execute(
                    f"SELECT key, value FROM fields WHERE key IN ({marks})", chunk
                ):
                    try:
                        found[raw[stored_key]] = marshal.loads(zlib.decompress(data))
                    except (zlib.error, TypeError, ValueError, EOFError, RecursionError, KeyError):
                        continue  # damaged: rebuilt and replaced like a miss
                    self.used.append(stored_key)
        except sqlite3.Error:
            self.connection = None
            return {}
        return found

    def put_value(self, key: str, value: Any) -> None:
        """Keep `value`, which callers build of lists (not tuples), `str`, numbers, `None` and dicts.

        `marshal` keeps a tuple as a tuple, and readers check JSON's types: callers give lists
        (tests/test_build_cache.py checks each cache's entries come back as hits). A JSON round
        trip to turn tuples into lists was a tenth of a one-answer rebuild of a 10k-note file.
        Only a value `marshal` refuses (a `str` subclass) goes through JSON, which gives it plain.
        """
        if self.connection is not None:
            try:
                data = marshal.dumps(value)
            except ValueError:
                data = marshal.dumps(json.loads(json.dumps(value, ensure_ascii=False)))
            self.new.append((_raw(key), zlib.compress(data, _LEVEL)))

    def close(self) -> None:
        """Store this build's new entries, mark the used ones, drop the stale ones."""
        connection, self.connection = self.connection, None
        if connection is None:
            return
        try:
            with connection:
                generation = self.generation
                connection.executemany("INSERT OR REPLACE INTO fields VALUES (?, ?)", self.new)
                connection.executemany("INSERT OR REPLACE INTO uses VALUES (?, ?)",
                                       [(key, generation) for key in [*(key for key, _ in self.new), *self.used]])
                stale = generation - KEEP_BUILDS
                connection.execute("DELETE FROM fields WHERE key IN (SELECT key FROM uses WHERE generation <= ?)",
                                   (stale,))
                connection.execute("DELETE FROM uses WHERE generation <= ?", (stale,))
        except sqlite3.Error:
            pass
        finally:
            connection.close()
