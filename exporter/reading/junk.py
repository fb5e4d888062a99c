"""Remove chatbot citation junk (`:contentReference[oaicite:3]{index=3}` and kin) from source text.

Notes pasted from a chatbot carry its citation markers, which mean nothing
outside the chat and would show on every card. They are removed from the
decoded text before any reader runs, so every format benefits. Line numbers
must stay exact for provenance: a line left empty by a removal stays as an
empty line instead of being deleted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from exporter.diagnostics import Diagnostics

# Private-use characters that ChatGPT wraps its `cite`/`turn0search1` markers in.
_PUA = "\ue200-\ue2ff"

_JUNK = re.compile(
    "|".join(
        (
            r":?contentReference\[oaicite:\d+\](?:\{index=\d+\})?",
            r"【oaicite:[^】\n]*】",
            r"【\d+(?::\d+)?†[^】\n]*】",  # file citations: 【4:0†source】
            r"\[oaicite:\d+\](?:\{index=\d+\})?",
            rf"[{_PUA}]?(?:file)?cite(?:[{_PUA}]?turn\d+[a-z]+\d+)+[{_PUA}]?",
            rf"[{_PUA}](?:turn\d+[a-z]+\d+[{_PUA}]?)+",
        )
    )
)


_PUA_CHAR = re.compile(f"[{_PUA}]")
_TURN = re.compile(r"turn\d")


def _may_hold_junk(text: str) -> bool:
    """False when no junk form can occur: each needs `oaicite`, `【`, or `turn` and a digit with `cite` or a private-use mark.

    `turn` then a digit, not `turn` alone: code says `return` everywhere, and the
    private-use search that followed cost 10 ms on a 3 MB file.
    """
    if "oaicite" in text or "【" in text:
        return True
    return _TURN.search(text) is not None and ("cite" in text or _PUA_CHAR.search(text) is not None)


@dataclass(frozen=True)
class Removal:
    line: int
    """1-based line the junk stood on."""
    junk: str


def strip_junk(text: str) -> tuple[str, list[Removal]]:
    """The text without citation junk, and every removal in source order.

    Spaces before a marker go with it (`word :contentReference[...]` -> `word`);
    a line holding nothing but junk becomes an empty line.
    """
    removals: list[Removal] = []
    if not _may_hold_junk(text):  # most files hold none: a few substring tests, not a regex per line
        return text, removals
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        found = [m.group(0) for m in _JUNK.finditer(line)]
        if not found:
            continue
        removals.extend(Removal(number, junk) for junk in found)
        cleaned = _without(line)
        lines[number - 1] = "" if not cleaned.strip() else cleaned
    return "\n".join(lines), removals


def _without(line: str) -> str:
    """`line` without its junk and the spaces before each marker.

    Done by hand, not with `[ \\t]*(?:junk)`: that pattern retries every space of a long
    run at each position, quadratic in the run's length.
    """
    kept: list[str] = []
    done = 0
    for match in _JUNK.finditer(line):
        kept.append(line[done : match.start()].rstrip(" \t"))
        done = match.end()
    kept.append(line[done:])
    return "".join(kept)


def remove_junk(text: str, path: str, diagnostics: Diagnostics) -> str:
    """`strip_junk`, reporting each removal as a `junk` warning at its line."""
    cleaned, removals = strip_junk(text)
    for removal in removals:
        diagnostics.warning(path, removal.line, "junk", f"removed chatbot citation junk {removal.junk!r}")
    return cleaned
