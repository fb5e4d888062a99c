"""Questions asked of inline Markdown and of names: is it only a link, only bold, its plain text.

Patterns decide on what a reader sees, not on the characters written: a heading
that is only a link is navigation, a paragraph entirely in `**bold**` is a
pseudo-heading or a question, and names in decks and trails drop the markup.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import PurePosixPath

from markdown_it.token import Token

from exporter.reading.mathdetect import BLOCK, DISPLAY_INLINE, INLINE

_TIME_NOTE = re.compile(r"(?<!\s)\s*+\(\s*+(?:\d++\s*+h\s*+\d*+|\d++\s*+min(?:utes?)?)\s*+\)\s*+$", re.IGNORECASE)
"""Possessive quantifiers, and one start per run of spaces: linear on a name of 100 KB of spaces."""
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_MATH = frozenset({INLINE, DISPLAY_INLINE, BLOCK})


def is_link_only(children: list[Token]) -> bool:
    """True when inline content is one link and nothing else (an `{.attr}` list after it is allowed)."""
    meaningful = [t for t in children if not (t.type in ("text", "softbreak") and not t.content.strip())]
    if not meaningful or meaningful[0].type != "link_open":
        return False
    depth = 0
    for position, token in enumerate(meaningful):
        depth += token.nesting if token.type.startswith("link_") else 0
        if depth == 0:
            rest = meaningful[position + 1 :]
            return all(t.type == "text" and re.fullmatch(r"\s*\{[^}]*\}\s*", t.content) for t in rest)
    return False


def is_bold_only(children: list[Token]) -> bool:
    """True when inline content is entirely one `**strong**` span: a pseudo-heading."""
    meaningful = [t for t in children if not (t.type == "text" and not t.content.strip())]
    return (
        len(meaningful) >= 3
        and meaningful[0].type == "strong_open"
        and meaningful[-1].type == "strong_close"
        and sum(1 for t in meaningful if t.type == "strong_open") == 1
    )


def plain_text(children: list[Token]) -> str:
    """The visible text of inline tokens: markup, link targets and images' sources dropped."""
    parts = []
    for token in children:
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in _MATH:
            parts.append(f"${token.content.strip()}$")
        elif token.type == "image":
            parts.append(plain_text(list(token.children or [])))
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def trim_time_note(name: str) -> str:
    """`Atelier (30 min)` -> `Atelier`: durations belong in the text, not in deck and heading names."""
    return _TIME_NOTE.sub("", name).strip()


@functools.lru_cache(maxsize=1024)
def tag_slug(name: str) -> str:
    """An Anki tag from a heading: ASCII-folded, lower case, dashes (`Lier à des idées` -> `lier-a-des-idees`).

    Kept per name: every note of a section (of a quiz's subdeck) asks for the same few tags.
    """
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return _NOT_SLUG.sub("-", folded.lower()).strip("-")


def deck_from_path(path: str) -> str:
    """A readable deck name from a file name: `transfer-learning-open-questions.md` -> `Transfer Learning Open Questions`."""
    stem = PurePosixPath(path).stem
    words = [w for w in re.split(r"[-_\s.]+", stem) if w]
    return " ".join(w[:1].upper() + w[1:] for w in words) or stem
