"""The rendered fields of each note, kept across builds so an edit re-renders only what changed.

Rendering (markdown-it, the TeX check, Pygments, nh3) is most of a cold build: about
0.5 ms a note, seconds for a degree's worth of notes. A note's question and answer HTML
and its render findings depend only on its text, its kind, its source path, where its
fields start relative to its question line, and the renderer's code and libraries; that
is the key. Findings are stored with lines relative to the note's question line, so a
note that only moved down its file is still a hit. Notes with images are never stored:
their output depends on files on disk.

Stored with `exporter.build.cache.BuildCache`, in `render.sqlite`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from exporter.build.cache import BuildCache
from exporter.diagnostics import Diagnostic, Level

CACHE_NAME = "render.sqlite"
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

    from exporter.build.manifest import toolkit_fingerprint

    parts = [toolkit_fingerprint()]
    for name in _LIBRARIES:
        try:
            parts.append(f"{name}={version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name}=?")
    return "\n".join(parts)


@lru_cache(maxsize=1)
def _versioned() -> "hashlib._Hash":
    """A hash already fed the renderer version, copied for each key instead of re-encoding it."""
    return hashlib.sha256(renderer_version().encode("utf-8") + b"\x00")


def note_key(parts: list[object]) -> str:
    digest = _versioned().copy()
    digest.update(json.dumps(parts, ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


def _fields(value: object) -> CachedFields | None:
    """`value` as cached fields, or None when it has another shape (damage, an older toolkit)."""
    if not (isinstance(value, list) and len(value) == 3):
        return None
    question, answer, findings = value
    if not (isinstance(question, str) and isinstance(answer, str) and isinstance(findings, list)):
        return None
    try:
        checked = tuple((rel, Level(level).value, code, message) for rel, level, code, message in findings)
    except (TypeError, ValueError):
        return None
    if not all(isinstance(rel, int) and isinstance(code, str) and isinstance(message, str)
               for rel, _, code, message in checked):
        return None
    return CachedFields(question, answer, checked)


class RenderCache(BuildCache):
    """The rendered fields of notes, by `note_key`."""

    def __init__(self, cache_dir: Path | None) -> None:
        super().__init__(cache_dir, CACHE_NAME)

    def get(self, key: str) -> CachedFields | None:
        return self.get_many([key]).get(key)

    def get_many(self, keys: list[str]) -> dict[str, CachedFields]:
        """The cached fields of every key that has them; an entry of another shape is a miss."""
        found = {}
        for key, value in self.get_values(keys).items():
            fields = _fields(value)
            if fields is not None:
                found[key] = fields
        return found

    def put(self, key: str, fields: CachedFields) -> None:
        self.put_value(key, [fields.question_html, fields.answer_html, fields.findings])
