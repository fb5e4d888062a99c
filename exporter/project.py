"""The project: which folder paths are relative to, where the settings and the one lock live.

Found from the paths a command is given, never from the folder it is run in, so that
`exporter build sources` in the project, `exporter build project/sources` from its parent
and `exporter build /abs/project/sources` from `/` all give the same card text, the same
messages and use the same lock. The rules, in order:

1. Settings: the nearest folder, from the given paths upward, that holds `exporter.toml`
   or a `pyproject.toml` with a `[tool.exporter]` table (as git, MkDocs and ruff look for
   theirs) is the root. The lock is the `exporter.lock` found on the way up from the
   given paths to the root (the topmost one if several), else a new one beside the settings.
2. No settings: the topmost `exporter.lock` on the way up from the given paths is the
   project's lock, and the root is the folder holding the lock's folder (the shipped
   layout: `sources/exporter.lock`, card paths `sources/...`).
3. Neither: the lock goes in the folder holding every given path (the notes folder), and
   the root is its parent: the common parent of the paths given. The next build then finds
   that lock by rule 2, so the root does not move.

The upward search for a lock stops at a version-control root (a folder holding `.git` or
`.hg`), so a stray lock above the repository is never taken for this project's. Building a
sub-folder (`exporter build sources/sub`) finds the same lock by rule 1 or 2: one lock per
project, whatever is built.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

LOCK_NAME = "exporter.lock"
SETTINGS_NAMES = ("exporter.toml", "pyproject.toml")
_VCS_MARKERS = (".git", ".hg")
SOURCE_SUFFIXES = (".md", ".markdown", ".txt")
"""What a source file is named like; `exporter.build.discover` finds these."""


@dataclass(frozen=True)
class Project:
    """Where a build's paths are measured from; every stage takes its root from here."""

    root: Path
    """Absolute, symlinks resolved. Card text, messages, the lock's paths and media confinement are relative to it."""
    lock_path: Path
    """The project's one lock file (it may not exist yet)."""
    settings: Path | None = None
    """The file holding the settings (`exporter.toml` or `pyproject.toml`), None without one."""
    ignored_locks: tuple[Path, ...] = field(default_factory=tuple)
    """Other `exporter.lock` files met on the way up (left by older versions): reported, never read."""

    def relative(self, path: Path) -> str:
        """`path` relative to the root (see `relative_path`)."""
        return relative_path(path, self.root)


def relative_path(path: Path, root: Path) -> str:
    """`path` relative to `root`, POSIX style; a path outside `root` keeps only its name.

    Tried as written first, then with symlinks resolved. A path of the build machine
    must never reach a card or a message the user shares, so an outside path is not
    printed whole.
    """
    absolute = Path(os.path.abspath(path))
    base = Path(os.path.abspath(root))
    for candidate, folder in ((absolute, base), (_resolved(absolute), _resolved(base))):
        try:
            return candidate.relative_to(folder).as_posix()
        except ValueError:
            continue
    return absolute.name


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path


def has_settings(folder: Path) -> Path | None:
    """The settings file of `folder`: `exporter.toml`, or `pyproject.toml` with `[tool.exporter]`."""
    toml = folder / "exporter.toml"
    if toml.is_file():
        return toml
    pyproject = folder / "pyproject.toml"
    if not pyproject.is_file():
        return None
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        # A broken pyproject.toml that mentions us is still our settings: config reports the error.
        try:
            return pyproject if "[tool.exporter" in pyproject.read_text(encoding="utf-8", errors="replace") else None
        except OSError:
            return None
    tool = data.get("tool")
    return pyproject if isinstance(tool, dict) and "exporter" in tool else None


def anchor_of(paths: list[Path]) -> Path:
    """The deepest folder holding every given path (a folder given counts as itself)."""
    folders = []
    for path in paths or [Path("sources")]:
        absolute = _resolved(Path(os.path.abspath(path)))
        # A missing path counts as a folder unless it names a file: the build reports it, and
        # its message must stay relative to where the user pointed, not climb to `/`.
        is_file = absolute.is_file() or (not absolute.exists() and absolute.suffix.lower() in SOURCE_SUFFIXES)
        folders.append(str(absolute.parent if is_file else absolute))
    return Path(os.path.commonpath(folders))


def _upward(start: Path) -> list[Path]:
    return [start, *start.parents]


def project_at(root: Path, paths: list[Path]) -> Project:
    """The project when the caller names the root itself (tests, tools): the lock is found as by rule 1."""
    absolute = _resolved(Path(os.path.abspath(root)))
    anchor = anchor_of(paths) if paths else absolute
    upward = _upward(anchor)
    between = upward[: upward.index(absolute) + 1] if anchor.is_relative_to(absolute) else []
    locks = [f / LOCK_NAME for f in between if (f / LOCK_NAME).is_file()]
    lock = locks[-1] if locks else absolute / LOCK_NAME
    return Project(absolute, lock, has_settings(absolute), tuple(p for p in locks if p != lock))


def find_project(paths: list[Path]) -> Project:
    """The project the given paths belong to (see the module docstring for the rules)."""
    anchor = anchor_of(paths)
    folders = _upward(anchor)
    for folder in folders:
        settings = has_settings(folder)
        if settings is not None:
            between = folders[: folders.index(folder) + 1]
            locks = [f / LOCK_NAME for f in between if (f / LOCK_NAME).is_file()]
            lock = locks[-1] if locks else folder / LOCK_NAME
            return Project(folder, lock, settings, tuple(p for p in locks if p != lock))
    locks = []
    for folder in folders:
        if (folder / LOCK_NAME).is_file():
            locks.append(folder / LOCK_NAME)
        if any((folder / marker).exists() for marker in _VCS_MARKERS):
            break
    if locks:
        lock = locks[-1]
        return Project(lock.parent.parent, lock, None, tuple(locks[:-1]))
    return Project(anchor.parent, anchor / LOCK_NAME, None)
