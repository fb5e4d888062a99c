"""The `.cache` store itself: values come back as JSON would give them, damage is a miss."""

from __future__ import annotations

import sqlite3
import zlib
from pathlib import Path

from exporter.build.cache import BuildCache

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


def test_values_come_back_with_json_types(tmp_path: Path) -> None:
    """Readers check JSON's types (lists, not tuples): a render finding kept as a tuple must not become a miss."""
    value = ["file.md", [("1", 2, "warning", "naïve \ud83d\ude00 text")], None, {"k": 1.5}, True]
    assert _stored(tmp_path, value) == ["file.md", [["1", 2, "warning", "naïve \ud83d\ude00 text"]], None,
                                        {"k": 1.5}, True]


def test_a_damaged_value_is_a_miss_not_a_crash(tmp_path: Path) -> None:
    assert _stored(tmp_path, ["x"]) == ["x"]
    connection = sqlite3.connect(tmp_path / "test.sqlite")
    with connection:
        connection.execute("UPDATE fields SET value = ?", (zlib.compress(b"\xff\x00garbage"),))
    connection.close()
    cache = BuildCache(tmp_path, "test.sqlite")
    assert cache.get_value(KEY) is None
    cache.close()
