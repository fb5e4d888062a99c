"""Project settings from `exporter.toml` or `[tool.exporter]` in `pyproject.toml`, validated once.

    [tool.exporter]
    [[tool.exporter.sources]]
    path = "sources/lesson-*.md"   # a glob relative to the project root
    reader = "sections"            # read the files with this one card pattern only
    patterns_off = ["bold-question"]  # card patterns not to use on these files
    question = "Frage"             # extra question label(s), a string or a list
    answer = ["Antwort", "Lösung"] # extra answer label(s)
    deck = "Transfer learning"     # force the deck name
    tags = ["lesson"]              # extra tags on every note of the matching files
    language = "fr"                # the tool's own labels (en, fr); guessed from the notes if unset

`reader` also accepts the reader names of earlier versions (qa-blocks, numbered,
open-questions, document), each mapped to the pattern that replaced it. `language` may also
be set once at the top level for every source.
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
    patterns_off: tuple[str, ...] = ()
    question_labels: tuple[str, ...] = ()
    answer_labels: tuple[str, ...] = ()
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
        lists: dict[str, list[str]] = {"tags": [], "patterns_off": [], "question_labels": [], "answer_labels": []}
        for entry in self.sources:
            if fnmatch.fnmatch(relative_path, _normalise(entry.pattern)):
                reader = entry.reader or reader
                deck = entry.deck or deck
                language = entry.language or language
                for key, merged in lists.items():
                    merged.extend(t for t in getattr(entry, key) if t not in merged)
        return SourceSettings(relative_path, reader, deck, tuple(lists["tags"]), tuple(lists["patterns_off"]),
                              tuple(lists["question_labels"]), tuple(lists["answer_labels"]), language)

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
        unknown = set(entry) - {"path", "reader", "deck", "tags", "patterns_off", "question", "answer", "language"}
        if unknown:
            diagnostics.error(rel, 0, "config", f"sources entry {number}: unknown keys {sorted(unknown)}")
        lists = {key: _strings(entry, key, number, rel, diagnostics) for key in ("tags", "patterns_off", "question", "answer")}
        _check_pattern_names(lists["patterns_off"], number, rel, diagnostics)
        text: dict[str, str | None] = {}
        for key in ("deck", "reader"):
            value = entry.get(key)
            if value is not None and not isinstance(value, str):
                diagnostics.error(rel, 0, "config", f"sources entry {number}: '{key}' must be a string")
                value = None
            text[key] = value
        parsed.append(SourceSettings(entry["path"], text["reader"], text["deck"], lists["tags"],
                                     lists["patterns_off"], lists["question"], lists["answer"],
                                     _language(entry.get("language"), rel, f"sources entry {number}: 'language'",
                                               diagnostics)))
    return parsed


def _strings(entry: dict[str, object], key: str, number: int, rel: str, diagnostics: Diagnostics) -> tuple[str, ...]:
    """A list of strings (a single string is a list of one); anything else is an error."""
    value = entry.get(key, [])
    if isinstance(value, str) and key in ("question", "answer"):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(t, str) and t.strip() for t in value):
        kind = "a string or a list of strings" if key in ("question", "answer") else "a list of strings"
        diagnostics.error(rel, 0, "config", f"sources entry {number}: '{key}' must be {kind}")
        return ()
    return tuple(t.strip() for t in value)


def _check_pattern_names(names: tuple[str, ...] | list[str], number: int, rel: str, diagnostics: Diagnostics) -> None:
    from exporter.reading.patterns import canonical, pattern_names

    for name in names:
        if canonical(name) is None:
            known = ", ".join(pattern_names())
            diagnostics.error(rel, 0, "config", f"sources entry {number}: unknown pattern {name!r} (known: {known})")


def _language(value: object, rel: str, what: str, diagnostics: Diagnostics) -> str | None:
    """A supported language code, or None (guess from the text) after an error for anything else."""
    if value is None:
        return None
    if not isinstance(value, str) or value.lower() not in LANGUAGES:
        diagnostics.error(rel, 0, "config", f"{what} must be one of {', '.join(LANGUAGES)}, not {value!r}")
        return None
    return value.lower()
