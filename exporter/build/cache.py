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


def _discard(path: Path) -> bool:
    """Delete a damaged cache file; False when it cannot be deleted either."""
    try:
        path.unlink(missing_ok=True)
        return True
    except OSError:
        return False


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
        except OSError:
            return
        path = cache_dir / filename
        for attempt in range(2):
            try:
                connection = sqlite3.connect(path, timeout=5)
                connection.execute("CREATE TABLE IF NOT EXISTS fields (key TEXT PRIMARY KEY, value TEXT, generation INTEGER)")
                row = connection.execute("SELECT MAX(generation) FROM fields").fetchone()
                self.generation = (row[0] if isinstance(row[0], int) else 0) + 1
                self.connection = connection
                return
            except sqlite3.DatabaseError:
                # Not a database (truncated, overwritten): it only held cached values, start afresh.
                if attempt == 0 and not _discard(path):
                    return
            except (OSError, sqlite3.Error):
                return

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
        try:
            value = json.loads(row[0])
        except (TypeError, ValueError, RecursionError):
            return None  # a corrupt entry is a miss; `put_value` replaces it
        self.used.append(key)
        return value

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
