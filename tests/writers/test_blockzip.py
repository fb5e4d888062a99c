"""The `.apkg` zip written by hand (`exporter/output/writers/blockzip.py`): `zipfile`'s bytes for a small
collection, a valid archive for a big one, and a rebuild that copies the unchanged blocks of the last one."""

from __future__ import annotations

import io
import random
import zipfile
import zlib
from pathlib import Path

import pytest

from exporter.output.writers import blockzip

DATE = (1980, 1, 1, 0, 0, 0)


def _zipfile_bytes(entries: list[tuple[str, bytes]]) -> bytes:
    """What the writer wrote with `zipfile` until 2026-11 (`apkg._zip_entry`)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compresslevel=6)
    return out.getvalue()


def _collection(size: int, seed: int = 0) -> bytes:
    """Bytes that compress like a database of notes: repeated HTML with numbers in it."""
    rng = random.Random(seed)
    rows = []
    total = 0
    while total < size:
        n = rng.randrange(10**6)
        rows.append(f"<p>What does the gradient of note {n} do?</p>\x1f<div>{n * 7} step {n % 97}</div>".encode())
        total += len(rows[-1])
    return b"".join(rows)[:size]


def _written(entries: list[tuple[str, bytes]], previous: Path | None = None) -> bytes:
    out = io.BytesIO()
    blockzip.write_archive(out, entries, previous)
    return out.getvalue()


def test_a_small_deck_is_the_very_zip_zipfile_writes() -> None:
    entries = [("collection.anki2", _collection(300_000)), ("media", b'{"0": "pic.png"}'), ("0", bytes(range(256)))]
    assert _written(entries) == _zipfile_bytes(entries)


def test_a_big_collection_is_one_valid_deflate_stream() -> None:
    data = _collection(3 * blockzip.BLOCK + 12345)
    written = _written([("collection.anki2", data), ("media", b"{}")])
    with zipfile.ZipFile(io.BytesIO(written)) as archive:
        assert archive.testzip() is None
        assert archive.read("collection.anki2") == data and archive.read("media") == b"{}"
        assert archive.comment.startswith(b"exporter blocks 1 1048576 6\n")
    # and as zlib inflates it, in one piece
    offset = 30 + len("collection.anki2")
    assert zlib.decompressobj(-15).decompress(written[offset:]).startswith(data[:1000])


def test_a_rebuild_copies_the_blocks_whose_bytes_did_not_change(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    data = bytearray(_collection(5 * blockzip.BLOCK + 777))
    before = tmp_path / "deck.apkg"
    before.write_bytes(_written([("collection.anki2", bytes(data)), ("media", b"{}")]))
    data[2 * blockzip.BLOCK + 10 : 2 * blockzip.BLOCK + 14] = b"EDIT"
    compressed: list[int] = []
    real = blockzip._compressed

    def counted(block: memoryview, last: bool) -> bytes:
        compressed.append(len(block))
        return real(block, last)

    monkeypatch.setattr(blockzip, "_compressed", counted)
    again = _written([("collection.anki2", bytes(data)), ("media", b"{}")], before)
    monkeypatch.setattr(blockzip, "_compressed", real)
    # the edited block and the media map: nothing else (the last block, unchanged, still ends the stream)
    assert compressed == [blockzip.BLOCK, 2]
    assert again == _written([("collection.anki2", bytes(data)), ("media", b"{}")])
    with zipfile.ZipFile(io.BytesIO(again)) as archive:
        assert archive.read("collection.anki2") == bytes(data)


@pytest.mark.parametrize("damage", ["truncate", "flip", "not a zip", "other entry"])
def test_a_damaged_previous_archive_costs_time_never_a_wrong_deck(tmp_path: Path, damage: str) -> None:
    data = _collection(3 * blockzip.BLOCK + 5)
    before = tmp_path / "deck.apkg"
    first = _written([("collection.anki2", data), ("media", b"{}")])
    if damage == "truncate":
        before.write_bytes(first[: len(first) // 2])
    elif damage == "flip":  # a compressed byte of the first block changed: its CRC no longer holds
        before.write_bytes(first[:100] + bytes([first[100] ^ 0xFF]) + first[101:])
    elif damage == "not a zip":
        before.write_bytes(b"hello")
    else:
        before.write_bytes(_written([("other.db", data), ("media", b"{}")]))
    again = _written([("collection.anki2", data), ("media", b"{}")], before)
    assert again == first
