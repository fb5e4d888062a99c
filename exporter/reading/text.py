"""Bytes to clean text: encodings, BOM, newlines and mojibake, decided once per file."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_LINE_START_MOJIBAKE = re.compile(r"^[ÃÂ] ", re.MULTILINE)

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str
    """The encoding the bytes were read with."""
    repaired_mojibake: bool
    """True when ftfy undid a double encoding (UTF-8 read as Mac Roman, cp1252...)."""
    first_repaired_line: int = 0
    replaced_lines: tuple[int, ...] = ()
    """Lines (1-based) where bytes invalid in `encoding` were replaced by U+FFFD."""


MAX_REPLACED_SHARE = 0.01
"""A file that starts with a BOM but breaks it is kept in that encoding (bad bytes replaced)
when at most this share of its characters (or one character) is damaged: a truncated UTF-16 file or one stray
byte in a UTF-8 file. Beyond that the BOM lied, and the bytes are read as if it were absent."""


def decode(data: bytes) -> DecodedText:
    """Decode source bytes: BOM first, then UTF-8, then cp1252, then Latin-1; never raises."""
    text, encoding, replaced = _decode_bytes(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = tuple(n for n, line in enumerate(text.split("\n"), 1) if "\ufffd" in line) if replaced else ()
    repaired, first_line = repair_mojibake(text)
    return DecodedText(repaired, encoding, repaired != text, first_line, lines)


def _decode_bytes(data: bytes) -> tuple[str, str, bool]:
    """(text, encoding, whether invalid bytes were replaced)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding, False
            except UnicodeDecodeError:
                pass
            # A BOM that lies: keep its encoding if only a few bytes are bad, else detect.
            text = data.decode(encoding, errors="replace")
            if text.count("\ufffd") <= max(1.0, MAX_REPLACED_SHARE * len(text)):
                return text, encoding, True
            data = data[len(bom):]
            break
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding), encoding, False
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1", False


def repair_mojibake(text: str) -> tuple[str, int]:
    """Undo text that was encoded twice; returns the text and the first changed line (1-based, 0 if none)."""
    if text.isascii():
        return text, 0
    import ftfy  # imported lazily: most runs never reach a damaged file
    from ftfy.badness import is_bad

    # ftfy leaves a line alone unless `is_bad` finds mojibake in it. One search of the
    # accented lines together finds whatever a search of each would (the only anchored
    # pattern, `^` then Ã or Â then a space, is looked for at every line start), so a
    # healthy file costs one scan instead of one ftfy call per accented line. ASCII
    # lines are never searched: the scan costs far more per character than `isascii`.
    # Each accented line once: a line repeated (`**Réponse :**` over every answer) holds what it held.
    accented = "\n".join(dict.fromkeys(line for line in text.split("\n") if not line.isascii()))
    if not is_bad(accented) and _LINE_START_MOJIBAKE.search(accented) is None:
        return text, 0
    fixed_lines = []
    first_changed = 0
    # Line by line so that the line numbers of the source stay exact and one
    # damaged line cannot make ftfy re-interpret a healthy one.
    for number, line in enumerate(text.split("\n"), start=1):
        fixed = ftfy.fix_encoding(line) if not line.isascii() else line
        if fixed != line and not first_changed:
            first_changed = number
        fixed_lines.append(fixed)
    return "\n".join(fixed_lines), first_changed
