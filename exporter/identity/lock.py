"""The lock file: each note's GUID and content fingerprint, kept beside the sources.

It is what lets a reworded note keep its Anki identity across rebuilds, so it is
human-readable JSON in a stable order (clean diffs when committed) and is only
ever replaced atomically: an interrupted write leaves the previous lock intact.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field, fields
from pathlib import Path

LOCK_NAME = "exporter.lock"
LOCK_VERSION = 1


class LockError(Exception):
    """The lock exists but cannot be used (unreadable, not our format)."""


@dataclass(frozen=True, order=True)
class LockEntry:
    """What the previous build knew about one note."""

    deck: str
    source: str
    """Path of the source file, relative to the project root."""
    line: int
    question: str
    """The question as written: the main key for similarity matching, and what a summary shows."""
    answer_start: str
    """The first words of the normalised answer, enough to tell near-identical questions apart."""
    fingerprint: str
    """Hash of everything about the note that reaches an output."""
    guid: str
    modified: int
    """Seconds since the epoch of the note's last content change."""


@dataclass
class Lock:
    entries: list[LockEntry] = field(default_factory=list)

    def to_json(self) -> str:
        """`json.dumps(..., indent=1, sort_keys=True)` of the entries, laid out by hand.

        With `indent` the json module falls back to its pure-Python encoder, which took
        a quarter of a cached 10k-note build; the entries are flat, so each value goes
        through the C encoder and the layout is written here, byte for byte the same.
        """
        encode = json.JSONEncoder(ensure_ascii=False).encode
        names = sorted(f.name for f in fields(LockEntry))
        keys = [f"   {encode(name)}: " for name in names]
        blocks = [
            "  {\n" + ",\n".join(key + encode(getattr(entry, name)) for key, name in zip(keys, names)) + "\n  }"
            for entry in sorted(self.entries)
        ]
        notes = "[\n" + ",\n".join(blocks) + "\n ]" if blocks else "[]"
        return '{\n "notes": ' + notes + ',\n "version": ' + encode(LOCK_VERSION) + "\n}\n"



def lock_path_for(paths: list[Path], root: Path) -> Path:
    """The lock beside the sources: in the folder that holds every given path."""
    folders = [str((p if p.is_dir() else p.parent).resolve()) for p in paths] or [str(root.resolve())]
    return Path(os.path.commonpath(folders)) / LOCK_NAME


def read_lock(path: Path) -> Lock | None:
    """The lock at `path`, None when there is none yet; raises LockError when it is unusable."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise LockError(f"cannot read lock file: {exc}") from exc
    try:
        data = json.loads(text)
        if data.get("version") != LOCK_VERSION:
            raise LockError(f"lock file version {data.get('version')!r} is not {LOCK_VERSION}")
        return Lock([LockEntry(**entry) for entry in data["notes"]])
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise LockError(f"lock file is not valid: {exc}") from exc


def write_lock(path: Path, lock: Lock) -> None:
    """Replace the lock atomically: write a temporary file beside it, fsync, rename over.

    Raises OSError (read-only folder, full disk); the old lock is then untouched.
    """
    data = lock.to_json().encode("utf-8")
    try:
        if path.read_bytes() == data:
            return  # unchanged: keep the file's mtime, so a no-op build touches nothing
    except OSError:
        pass
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, file_mode(path))
        os.replace(tmp_name, path)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


def file_mode(path: Path) -> int:
    """The mode the file has, or an ordinary new file's (mkstemp's 0600 would hide it from others)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
