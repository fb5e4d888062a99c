"""The rendered fields of each note, kept across builds so an edit re-renders only what changed.

Rendering (markdown-it, the TeX check, Pygments, nh3) is most of a cold build: about
0.5 ms a note, seconds for a degree's worth of notes. A note's question and answer HTML
and its render findings depend only on its text, its kind, its source path, where its
fields start relative to its question line, and the renderer's code and libraries; that
is the key. Findings are stored with lines relative to the note's question line, so a
note that only moved down its file is still a hit. Notes with images are never stored:
their output depends on files on disk.

One SQLite file in the output folder's `.cache`; entries unused for a few builds are
dropped. Any database error turns the cache off for the build, never fails it.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from exporter.diagnostics import Diagnostic, Level

CACHE_NAME = "render.sqlite"
KEEP_BUILDS = 3
"""Entries not used by one of the last builds are pruned: old edits do not pile up."""
_LIBRARIES = ("markdown-it-py", "mdit-py-plugins", "nh3", "Pygments", "pylatexenc")


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
    """The toolkit's code and the versions of the libraries that shape the HTML."""
    from importlib.metadata import PackageNotFoundError, version

    from exporter.manifest import toolkit_fingerprint

    parts = [toolkit_fingerprint()]
    for name in _LIBRARIES:
        try:
            parts.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name}=?")
    return "\n".join(parts)


def note_key(parts: list[object]) -> str:
    data = json.dumps([renderer_version(), *parts], ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


class RenderCache:
    """Lookups during one build; `close` stores the new entries and prunes the old ones."""

    def __init__(self, cache_dir: Path | None) -> None:
        self.connection: sqlite3.Connection | None = None
        self.used: list[str] = []
        self.new: list[tuple[str, str]] = []
        self.generation = 0
        if cache_dir is None:
            return
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(cache_dir / CACHE_NAME, timeout=5)
            connection.execute("CREATE TABLE IF NOT EXISTS fields (key TEXT PRIMARY KEY, value TEXT, generation INTEGER)")
            row = connection.execute("SELECT MAX(generation) FROM fields").fetchone()
            self.generation = (row[0] or 0) + 1
            self.connection = connection
        except (OSError, sqlite3.Error):
            self.connection = None

    def get(self, key: str) -> CachedFields | None:
        if self.connection is None:
            return None
        try:
            row = self.connection.execute("SELECT value FROM fields WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error:
            self.connection = None
            return None
        if row is None:
            return None
        question_html, answer_html, findings = json.loads(row[0])
        self.used.append(key)
        return CachedFields(question_html, answer_html, tuple(tuple(f) for f in findings))

    def put(self, key: str, fields: CachedFields) -> None:
        if self.connection is not None:
            self.new.append((key, json.dumps([fields.question_html, fields.answer_html, fields.findings],
                                             ensure_ascii=False)))

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
