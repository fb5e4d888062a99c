"""The `.cache` store itself: values come back as given, entries as hits, damage is a miss."""

from __future__ import annotations

import sqlite3
import zlib
from pathlib import Path

from exporter.build.cache import BuildCache
from exporter.build.parse_cache import FileRead, ParseCache
from exporter.diagnostics import Diagnostic, Level
from exporter.model import Note, NoteKind, SourceLocation
from exporter.reading.claim import Coverage
from exporter.rendering.render_cache import CachedFields, RenderCache

KEY = "ab" * 32


def _stored(folder: Path, value: object) -> object:
    cache = BuildCache(folder, "test.sqlite")
    cache.put_value(KEY, value)
    cache.close()
    again = BuildCache(folder, "test.sqlite")
    try:
        return again.get_value(KEY)
    finally:
        again.close()


def test_values_come_back_as_given(tmp_path: Path) -> None:
    value = ["file.md", [["1", 2, "warning", "naïve \ud83d\ude00 text"]], None, {"k": 1.5}, True]
    assert _stored(tmp_path, value) == value


class Html(str):
    """A `str` subclass, as markupsafe's Markup is."""


def test_a_str_subclass_comes_back_as_plain_text(tmp_path: Path) -> None:
    """`marshal` refuses `str` subclasses (Markup, enums): such a value is kept as JSON gives it."""
    stored = _stored(tmp_path, [Html("<b>x</b>"), [Level.WARNING]])
    assert stored == ["<b>x</b>", ["warning"]]
    assert type(stored[0]) is str


def test_render_cache_entries_with_findings_come_back_as_hits(tmp_path: Path) -> None:
    """Readers check JSON's types (lists, not tuples): a render finding kept as a tuple would be a miss."""
    fields = CachedFields("<p>q</p>", "<p>a</p>", ((1, "warning", "tex", "bad $x"),))
    cache = RenderCache(tmp_path)
    cache.put_file("cd" * 16, "file-key", [("ef" * 16, 0, fields, (("id", "out"), ["deck", ["tag"], None]))])
    cache.close()
    again = RenderCache(tmp_path)
    entry = again.get_files(["cd" * 16])["cd" * 16]
    again.close()
    assert entry.at("file-key", 0) == ("ef" * 16, fields, (("id", "out"), ["deck", ["tag"], None]))
    assert entry.get("ef" * 16) == (fields, (("id", "out"), ["deck", ["tag"], None]))


def test_parse_cache_entries_come_back_as_hits(tmp_path: Path) -> None:
    note = Note("Deck", NoteKind.QA, "Q?", "A.", SourceLocation("notes/a.md", 3), ("t1", "t2"), "ctx", "sec",
                None, 4, "guid-1", 7)
    read = FileRead([note], [Diagnostic("notes/a.md", 9, Level.WARNING, "code", "message")], Coverage(5, 6), (1, 2))
    cache = ParseCache(tmp_path)
    cache.put("ab" * 32, read)
    cache.close()
    again = ParseCache(tmp_path)
    assert again.get("ab" * 32) == read
    again.close()


def test_a_damaged_value_is_a_miss_not_a_crash(tmp_path: Path) -> None:
    assert _stored(tmp_path, ["x"]) == ["x"]
    connection = sqlite3.connect(tmp_path / "test.sqlite")
    with connection:
        connection.execute("UPDATE fields SET value = ?", (zlib.compress(b"\xff\x00garbage"),))
    connection.close()
    cache = BuildCache(tmp_path, "test.sqlite")
    assert cache.get_value(KEY) is None
    cache.close()
