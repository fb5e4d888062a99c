"""The output folder of one build: claimed for the build's duration, swept of a killed build's leftovers.

Two builds writing the same folder at once would interleave their manifests and caches,
and a build killed mid-write leaves its temporary files behind. An advisory lock on a
file in the folder (released by the kernel even on `kill -9`) serialises builds; once a
build holds it no other build is writing there, so every temporary file found is stale.
"""

from __future__ import annotations

import fcntl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

GUARD_NAME = ".build.lock"
_TEMP_FOLDERS = (".", ".cache/math")


class OutputFolderError(Exception):
    """The output folder cannot be used at all (read-only, a file in the way): nothing was written."""


@contextmanager
def claim(out_dir: Path, echo: Callable[[str], None]) -> Iterator[list[Path]]:
    """Hold the folder for the build; yields the stale temporary files that were removed."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        handle = open(out_dir / GUARD_NAME, "a")
    except OSError as exc:
        raise OutputFolderError(f"cannot write to output folder {out_dir}: {exc.strerror or exc}") from exc
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            echo(f"waiting for another build writing to {out_dir} ...")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield remove_stale_temps(out_dir)
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def remove_stale_temps(out_dir: Path) -> list[Path]:
    """Delete the temporary files a killed build left (atomic writes, cached formula SVGs)."""
    removed = []
    folders = [out_dir / name for name in _TEMP_FOLDERS]
    folders += [p for p in _children(out_dir) if p.is_dir() and p.name.endswith("-media")]
    for folder in folders:
        for path in _children(folder):
            if path.name.endswith(".tmp") and path.is_file() and not path.is_symlink():
                try:
                    path.unlink()
                    removed.append(path)
                except OSError:
                    pass
    return removed


def _children(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError:
        return []
