"""Writers turn a rendered deck into one output file; each format is one registered writer."""

from __future__ import annotations

import importlib
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Iterable, Iterator, Protocol, TypeVar

from exporter.diagnostics import Diagnostic
from exporter.model import Deck


@dataclass(frozen=True)
class WriteOptions:
    """Settings that reach every writer; each writer reads the ones it knows."""

    project_root: Path
    layout: str = "sheet"
    columns: int = 1
    paper: str = "a4"
    card_size: str = "2x4"
    """Cut-out cards: "2x4" (eight per A4), "a6", "index" (5 x 3 in) or "fold" (front and back side by side)."""
    math_engine: str = "auto"
    """PDF/HTML math: "auto" (MathJax when Node has mathjax-full, else ziamath), "mathjax" or "ziamath"."""


class Writer(Protocol):
    name: ClassVar[str]
    extension: ClassVar[str]

    def write(self, deck: Deck, target: Path, options: WriteOptions) -> list[Diagnostic]:
        """Write `deck` to `target` with `atomic_output`; return the findings made while writing.

        Findings are returned, not collected into a shared object, so that writers can run
        in worker processes.
        """
        ...


_WRITER_MODULES = {
    "apkg": "exporter.output.writers.apkg",
    "pdf": "exporter.output.writers.pdf",
    "html": "exporter.output.writers.html",
}
"""Format -> the module that registers its writer."""

WRITERS: dict[str, Writer] = {}


WriterClass = TypeVar("WriterClass", bound=type[Writer])


def register(cls: WriterClass) -> WriterClass:
    """Class decorator: add a writer to the registry under its `name`."""
    WRITERS[cls.name] = cls()
    return cls


def load_writers(formats: Iterable[str] | None = None) -> dict[str, Writer]:
    """The registry with the writers of `formats` (every format when None) loaded.

    Only the asked formats' modules are imported: the sheet writers pull in the sheet
    layout, Jinja and the math engines (about 20 ms), which an `.apkg`-only rebuild of one
    edited answer never uses. A format whose module cannot be imported is left out.
    """
    wanted = _WRITER_MODULES if formats is None else [f for f in formats if f in _WRITER_MODULES]
    for module in (_WRITER_MODULES[f] for f in wanted):
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
    return WRITERS


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_output(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; it replaces `target` only if the block succeeds."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        # mkstemp creates 0600 files; outputs are ordinary files, readable as the umask allows.
        os.chmod(tmp, 0o666 & ~_current_umask())
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
