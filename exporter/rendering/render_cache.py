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


def note_key(parts: list[object]) -> str:
    data = json.dumps([renderer_version(), *parts], ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


class RenderCache(BuildCache):
    """The rendered fields of notes, by `note_key`."""

    def __init__(self, cache_dir: Path | None) -> None:
        super().__init__(cache_dir, CACHE_NAME)

    def get(self, key: str) -> CachedFields | None:
        return self.get_many([key]).get(key)

    def get_many(self, keys: list[str]) -> dict[str, CachedFields]:
        """The cached fields of every key that has them."""
        return {
            key: CachedFields(question_html, answer_html, tuple(tuple(f) for f in findings))
            for key, (question_html, answer_html, findings) in self.get_values(keys).items()
        }

    def put(self, key: str, fields: CachedFields) -> None:
        self.put_value(key, [fields.question_html, fields.answer_html, fields.findings])
