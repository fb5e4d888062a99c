"""Findings about sources, collected all at once and reported as `path:line: level: message`."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Level(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    level: Level
    code: str
    message: str

    def format(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.level.value}: {self.message} [{self.code}]"

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "level": self.level.value,
            "code": self.code,
            "message": self.message,
        }


@dataclass
class Diagnostics:
    """The collector every stage writes into; nothing is printed until the end."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, path: str, line: int, level: Level, code: str, message: str) -> None:
        self.items.append(Diagnostic(path, line, level, code, message))

    def error(self, path: str, line: int, code: str, message: str) -> None:
        self.add(path, line, Level.ERROR, code, message)

    def warning(self, path: str, line: int, code: str, message: str) -> None:
        self.add(path, line, Level.WARNING, code, message)

    def info(self, path: str, line: int, code: str, message: str) -> None:
        self.add(path, line, Level.INFO, code, message)

    def sorted(self) -> list[Diagnostic]:
        return sorted(set(self.items), key=lambda d: (d.path, d.line, d.level.value, d.code, d.message))

    @property
    def has_errors(self) -> bool:
        return any(d.level is Level.ERROR for d in self.items)

    def count(self, level: Level) -> int:
        return sum(1 for d in set(self.items) if d.level is level)
