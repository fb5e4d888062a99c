"""Values kept across builds in the output folder's `.cache`: one SQLite file per kind.

Each build is a generation; entries neither written nor used by one of the last
`KEEP_BUILDS` builds are pruned, so old edits do not pile up. Any database error
turns the cache off for the build, never fails it: a cache only saves time.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

KEEP_BUILDS = 3


class BuildCache:
    """JSON values by key; lookups during one build, writes batched into `close`."""

    def __init__(self, cache_dir: Path | None, filename: str) -> None:
        self.connection: sqlite3.Connection | None = None
        self.used: list[str] = []
        self.new: list[tuple[str, str]] = []
        self.generation = 0
        if cache_dir is None:
            return
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(cache_dir / filename, timeout=5)
            connection.execute("CREATE TABLE IF NOT EXISTS fields (key TEXT PRIMARY KEY, value TEXT, generation INTEGER)")
            row = connection.execute("SELECT MAX(generation) FROM fields").fetchone()
            self.generation = (row[0] or 0) + 1
            self.connection = connection
        except (OSError, sqlite3.Error):
            self.connection = None

    def get_value(self, key: str) -> Any | None:
        if self.connection is None:
            return None
        try:
            row = self.connection.execute("SELECT value FROM fields WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error:
            self.connection = None
            return None
        if row is None:
            return None
        self.used.append(key)
        return json.loads(row[0])

    def put_value(self, key: str, value: Any) -> None:
        if self.connection is not None:
            self.new.append((key, json.dumps(value, ensure_ascii=False)))

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
