"""The `.apkg` zip, its collection compressed in blocks, so that a rebuild recompresses only what changed.

A deck of 100k notes holds a 100 MB collection; compressing it (zlib level 6) was 0.7 s of
every rebuild, a third of a one-answer edit. An edit changes a page or two of the database
(`apkg.collection_bytes` writes the same rows in the same order, so the other pages come out
the same bytes), so the collection is compressed in blocks of `BLOCK` bytes, each by a fresh
compressor ending in a full flush (the last one finishes the stream): a block's compressed
bytes depend on its own bytes alone, and the blocks of the previous `.apkg` whose bytes did
not change are copied from it. Their table (a digest of each block's bytes, the length and
CRC-32 of its compressed bytes) is the archive's comment, which zip readers ignore.

The result is one valid deflate stream (every reader inflates it as one). A collection of
one block (under 1 MiB: the shipped decks) is compressed in one piece and has no table: the
very bytes `zipfile` writes, which tests/writers/test_blockzip.py compares. The archive is
written here rather than by `zipfile`, which cannot take compressed bytes; the layout is
`zipfile`'s, field for field.
"""

from __future__ import annotations

import hashlib
import mmap
import struct
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO, Union

Data = Union[bytes, mmap.mmap]
"""An entry's bytes, or a file's mapped: both are read through the buffer protocol."""

BLOCK = 1 << 20
"""Bytes of collection per block: on a 116 MB collection, 0.8% more compressed bytes than one stream
(64 KiB blocks: 13%), and an edit recompresses two of 111 blocks."""

LEVEL = 6
"""zlib's default level: on a 10k-note collection, 4.7% larger than level 9 in half the time
(32 ms against 69 ms); level 3 would be 8% larger again for half of the rest. Decks travel to
phones, so size still counts; and a rebuild compresses only the blocks that changed."""

_TABLE = f"exporter blocks 1 {BLOCK} {LEVEL}\n".encode()
"""The table's first line: blocks made with another size or level are never copied."""
_MAX_COMMENT = 0xFFFF
_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_VERSION = 20  # what `zipfile` writes for a deflated entry: "version needed to extract" 2.0
_UNIX = 3
_DEFLATED = 8
_MODE = 0o644 << 16
_DOS_DATE = 1 << 5 | 1  # 1980-01-01, 00:00:00: entries carry no real time, so the bytes are the same each build
_LIMIT = 0x7FFFFFFF
"""Above this, sizes and offsets need zip64: `write_archive` refuses (a deck of gigabytes)."""


def _digest(block: memoryview) -> bytes:
    return hashlib.sha256(block).digest()[:16]


def _compressed(block: memoryview, last: bool) -> bytes:
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return compressor.compress(block) + compressor.flush(zlib.Z_FINISH if last else zlib.Z_FULL_FLUSH)


class _Previous:
    """The blocks of the `.apkg` a rebuild replaces, by index: (digest, compressed length, CRC-32, offset)."""

    def __init__(self, path: Path, first_entry: str) -> None:
        self.blocks: list[tuple[bytes, int, int, int]] = []
        self.file: BinaryIO | None = None
        try:
            self.file = path.open("rb")
            self._read(first_entry)
        except (OSError, ValueError, struct.error):
            self.close()
            self.blocks = []

    def _read(self, first_entry: str) -> None:
        assert self.file is not None
        size = self.file.seek(0, 2)
        tail_size = min(size, _END.size + _MAX_COMMENT)
        self.file.seek(size - tail_size)
        tail = self.file.read(tail_size)
        at = tail.rfind(b"PK\x05\x06")
        if at < 0:
            return
        comment = tail[at + _END.size :]
        if _END.unpack_from(tail, at)[7] != len(comment) or not comment.startswith(_TABLE):
            return
        self.file.seek(0)
        head = self.file.read(_LOCAL.size + len(first_entry))
        if head[:4] != b"PK\x03\x04" or head[_LOCAL.size :] != first_entry.encode():
            return
        offset = len(head)
        for line in comment[len(_TABLE) :].decode("ascii").split():
            digest, length, crc = line.split(":")
            self.blocks.append((bytes.fromhex(digest), int(length, 16), int(crc, 16), offset))
            offset += int(length, 16)

    def reuse(self, index: int, digest: bytes, last: bool) -> bytes | None:
        """Block `index`'s compressed bytes when its bytes are `digest` and it ended the same way."""
        if self.file is None or index >= len(self.blocks) or (index == len(self.blocks) - 1) != last:
            return None
        old_digest, length, crc, offset = self.blocks[index]
        if old_digest != digest:
            return None
        self.file.seek(offset)
        data = self.file.read(length)
        return data if len(data) == length and zlib.crc32(data) == crc else None

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


def compress_blocks(data: Data, previous: Path | None = None, first_entry: str = "") -> tuple[list[bytes], bytes]:
    """`data` deflated (raw), in pieces, and the table of its blocks (empty for one block); blocks of
    `previous` (an archive this module wrote, whose first entry is `first_entry`) are reused where
    their bytes match."""
    view = memoryview(data)
    if len(data) <= BLOCK:
        return [_compressed(view, True)], b""
    old = _Previous(previous, first_entry) if previous is not None else None
    pieces: list[bytes] = []
    lines = []
    starts = range(0, len(data), BLOCK)
    try:
        for index, start in enumerate(starts):
            block = view[start : start + BLOCK]
            last = index == len(starts) - 1
            digest = _digest(block)
            piece = old.reuse(index, digest, last) if old is not None else None
            if piece is None:
                piece = _compressed(block, last)
            pieces.append(piece)
            lines.append(f"{digest.hex()}:{len(piece):x}:{zlib.crc32(piece):x}")
    finally:
        if old is not None:
            old.close()
    table = _TABLE + "\n".join(lines).encode("ascii")
    return pieces, table if len(table) <= _MAX_COMMENT else b""


def write_archive(out: BinaryIO, entries: Iterable[tuple[str, Data]], previous: Path | None = None) -> None:
    """Write a zip of `entries` (name, bytes), each deflated, the first one by blocks (see the module's
    docstring), with `zipfile`'s layout, fixed dates and mode 644."""
    central = []
    offset = 0
    comment = b""
    for number, (name, data) in enumerate(entries):
        if number == 0:
            pieces, comment = compress_blocks(data, previous, name)
        else:
            pieces = [_compressed(memoryview(data), True)]
        encoded = name.encode("utf-8")
        flags = 0 if encoded.isascii() else 0x800
        compressed_size = sum(len(piece) for piece in pieces)
        if max(len(data), compressed_size, offset) > _LIMIT:
            raise OSError(27, "the deck is too large for a zip without zip64")  # EFBIG
        crc = zlib.crc32(data)
        out.write(_LOCAL.pack(b"PK\x03\x04", _VERSION, 0, flags, _DEFLATED, 0, _DOS_DATE, crc, compressed_size,
                              len(data), len(encoded), 0) + encoded)
        for piece in pieces:
            out.write(piece)
        central.append(_CENTRAL.pack(b"PK\x01\x02", _VERSION, _UNIX, _VERSION, 0, flags, _DEFLATED, 0, _DOS_DATE,
                                     crc, compressed_size, len(data), len(encoded), 0, 0, 0, 0, _MODE, offset)
                       + encoded)
        offset += _LOCAL.size + len(encoded) + compressed_size
    directory = b"".join(central)
    out.write(directory)
    out.write(_END.pack(b"PK\x05\x06", 0, 0, len(central), len(central), len(directory), offset, len(comment))
              + comment)
