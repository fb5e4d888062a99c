"""Project settings from `exporter.toml` or `[tool.exporter]` in `pyproject.toml`, validated once.

    [tool.exporter]
    [[tool.exporter.sources]]
    path = "sources/lesson-*.md"   # a glob relative to the project root
    reader = "document"            # force a reader instead of auto-detection
    deck = "Transfer learning"     # force the deck name
    tags = ["lesson"]              # extra tags on every note of the matching files
    language = "fr"                # the tool's own labels (en, fr); guessed from the notes if unset

`language` may also be set once at the top level for every source.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from exporter.diagnostics import Diagnostics
from exporter.language import LANGUAGES


@dataclass(frozen=True)
class SourceSettings:
    pattern: str
    reader: str | None = None
    deck: str | None = None
    tags: tuple[str, ...] = ()
    language: str | None = None
    """The language of the tool's own labels for these notes; None = guessed from their text."""


@dataclass(frozen=True)
class Config:
    path: str | None = None
    """The file the settings came from, relative to the project root."""
    sources: tuple[SourceSettings, ...] = field(default_factory=tuple)
    language: str | None = None
    """The top-level `language`: every source's default."""

    def for_source(self, relative_path: str) -> SourceSettings:
        """The merged settings of every entry whose glob matches; later entries win."""
        reader = deck = None
        language = self.language
        tags: list[str] = []
        for entry in self.sources:
            if fnmatch.fnmatch(relative_path, _normalise(entry.pattern)):
                reader = entry.reader or reader
                deck = entry.deck or deck
                language = entry.language or language
                tags.extend(t for t in entry.tags if t not in tags)
        return SourceSettings(relative_path, reader, deck, tuple(tags), language)

    def unmatched(self, relative_paths: list[str]) -> list[SourceSettings]:
        """The entries whose glob matches none of `relative_paths`: most likely a typo."""
        return [e for e in self.sources
                if not any(fnmatch.fnmatch(path, _normalise(e.pattern)) for path in relative_paths)]


def _normalise(pattern: str) -> str:
    """`./sources/*.md` and `sources/*.md` mean the same files: paths are compared relative to the root."""
    while pattern.startswith("./"):
        pattern = pattern[2:]
    return pattern


def load_config(root: Path, diagnostics: Diagnostics) -> Config:
    """Read `exporter.toml`, else `[tool.exporter]` of `pyproject.toml`; bad entries become errors."""
    candidates = [(root / "exporter.toml", ()), (root / "pyproject.toml", ("tool", "exporter"))]
    for path, keys in candidates:
        if not path.is_file():
            continue
        rel = path.name
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            diagnostics.error(rel, 0, "config", f"cannot read settings: {exc}")
            return Config()
        for key in keys:
            data = data.get(key, {}) if isinstance(data, dict) else {}
        if not data:
            continue
        return Config(rel, tuple(_parse_sources(data, rel, diagnostics)),
                      _language(data.get("language"), rel, "'language'", diagnostics))
    return Config()


def _parse_sources(data: dict[str, object], rel: str, diagnostics: Diagnostics) -> list[SourceSettings]:
    entries = data.get("sources", [])
    if not isinstance(entries, list):
        diagnostics.error(rel, 0, "config", "'sources' must be a list of tables")
        return []
    parsed = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            diagnostics.error(rel, 0, "config", f"sources entry {number} needs a 'path' glob")
            continue
        unknown = set(entry) - {"path", "reader", "deck", "tags", "language"}
        if unknown:
            diagnostics.error(rel, 0, "config", f"sources entry {number}: unknown keys {sorted(unknown)}")
        tags = entry.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            diagnostics.error(rel, 0, "config", f"sources entry {number}: 'tags' must be a list of strings")
            tags = []
        text: dict[str, str | None] = {}
        for key in ("deck", "reader"):
            value = entry.get(key)
            if value is not None and not isinstance(value, str):
                diagnostics.error(rel, 0, "config", f"sources entry {number}: '{key}' must be a string")
                value = None
            text[key] = value
        language = _language(entry.get("language"), rel, f"sources entry {number}: 'language'", diagnostics)
        parsed.append(SourceSettings(entry["path"], text["reader"], text["deck"], tuple(tags), language))
    return parsed


def _language(value: object, rel: str, what: str, diagnostics: Diagnostics) -> str | None:
    """A supported language code, or None (guess from the text) after an error for anything else."""
    if value is None:
        return None
    if not isinstance(value, str) or value.lower() not in LANGUAGES:
        diagnostics.error(rel, 0, "config", f"{what} must be one of {', '.join(LANGUAGES)}, not {value!r}")
        return None
    return value.lower()
