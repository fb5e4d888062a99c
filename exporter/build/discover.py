"""Which files a build reads: a light module, so the no-op check imports nothing else."""

from __future__ import annotations

from pathlib import Path

from exporter.diagnostics import Diagnostics
from exporter.project import SOURCE_SUFFIXES, relative_path


def discover(paths: list[Path], root: Path, diagnostics: Diagnostics) -> list[Path]:
    """Source files under `paths`, sorted; hidden files and folders are skipped."""
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            for candidate in path.rglob("*"):
                hidden = any(part.startswith(".") for part in candidate.relative_to(path).parts)
                if candidate.is_file() and candidate.suffix.lower() in SOURCE_SUFFIXES and not hidden:
                    found.add(candidate)
        elif path.is_file():
            found.add(path)
        else:
            diagnostics.error(relative_path(path, root), 0, "not-found", "no such file or folder")
    return sorted(found, key=lambda p: relative_path(p, root))
