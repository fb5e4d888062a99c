"""Values kept across builds in the output folder's `.cache`: one SQLite file per kind.

Each build is a generation; entries neither written nor used by one of the last
`KEEP_BUILDS` builds are pruned, so old edits do not pile up. Any database error
turns the cache off for the build, never fails it: a cache only saves time.

Values are JSON compressed with zlib: rendered HTML and parsed notes shrink about
eightfold, which keeps the cache beside the outputs smaller than the sources
(uncompressed it was seven times their size), and decompressing costs less than
reading the extra bytes would.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path
from typing import Any

KEEP_BUILDS = 3
SCHEMA_VERSION = 2
"""Version 2: keys as 32 raw bytes, zlib-compressed values, no rowid (each key stored once).
A file of another version is emptied and reused."""


_BATCH = 500
"""Keys per lookup query: one query per note was a fifth of a one-note rebuild."""


def _raw(key: str) -> bytes:
    """A hex digest key as its bytes: half the size on disk and in the index."""
    return bytes.fromhex(key)


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
            connection = sqlite3.connect(cache_dir / filename, timeout=5)
            if connection.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                with connection:
                    connection.execute("DROP TABLE IF EXISTS fields")
                connection.execute("PRAGMA auto_vacuum = FULL")  # pruned entries give their space back
                connection.execute("VACUUM")
                connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            connection.execute("CREATE TABLE IF NOT EXISTS fields (key BLOB PRIMARY KEY, value BLOB, generation INTEGER) "
                               "WITHOUT ROWID")
            row = connection.execute("SELECT MAX(generation) FROM fields").fetchone()
            self.generation = (row[0] or 0) + 1
            self.connection = connection
        except (OSError, sqlite3.Error):
            self.connection = None

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
                        found[raw[stored_key]] = json.loads(zlib.decompress(data))
                    except (zlib.error, TypeError, ValueError):
                        continue  # damaged: rebuilt and replaced like a miss
                    self.used.append(stored_key)
        except sqlite3.Error:
            self.connection = None
            return {}
        return found

    def put_value(self, key: str, value: Any) -> None:
        if self.connection is not None:
            self.new.append((_raw(key), zlib.compress(json.dumps(value, ensure_ascii=False).encode("utf-8"), 6)))

    def close(self) -> None:
        """Store this build's new entries, mark the used ones, drop the stale ones."""
        connection, self.connection = self.connection, None
        if connection is None:
            return
        try:
            with connection:
                generation = self.generation
                connection.executemany("INSERT OR REPLACE INTO fields VALUES (?, ?, ?)",
                                       [(key, value, generation) for key, value in self.new])
                connection.executemany("UPDATE fields SET generation = ? WHERE key = ?",
                                       [(generation, key) for key in self.used])
                connection.execute("DELETE FROM fields WHERE generation <= ?", (generation - KEEP_BUILDS,))
        except sqlite3.Error:
            pass
        finally:
            connection.close()
