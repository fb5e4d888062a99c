"""Cloze deletions (`{{c1::answer}}`, `{{c2::answer::hint}}`) in rendered card HTML.

Anki ends a deletion at the first `}}` it meets, so TeX inside a deletion
(`{{c1::\\(\\frac{a}{\\sqrt{b}}\\)}}`) would be cut short. The Anki manual's fix
("Cloze Conflicts", math.md) is a space between closing braces that do not end the
deletion; TeX ignores spaces, so the formula is unchanged. `parse` reads the HTML the
way Anki does, except that inside math it counts TeX braces, so it finds the `}}` the
writer meant; `anki_text` writes it back with those spaces. The same tree prints the
deletions on paper: shown and marked (`shown`) or as blanks with their hint (`blanked`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Union

_OPEN = re.compile(r"\{\{c(\d+)::")
_MATH_OPEN = ("\\(", "\\[")
_MATH_CLOSE = ("\\)", "\\]")
_HINT = "::"


@dataclass(frozen=True)
class Cloze:
    """One deletion: its number, what it hides (text and nested deletions), its hint."""

    number: int
    body: tuple[Piece, ...]
    hint: str | None
    in_math: bool
    """Opened inside a formula: printed with TeX, not HTML."""


Piece = Union[str, Cloze]


def parse(markup: str) -> list[Piece]:
    """Text and deletions of `markup`, in order; a `{{cN::` never closed stays text, as in Anki."""
    pieces, _, _, _ = _parse(markup, 0, False, inside=False)
    return pieces


def numbers(markup: str) -> list[int]:
    """The deletion numbers in `markup`, nested ones included, sorted, each once: one card each."""
    found: set[int] = set()

    def visit(pieces: list[Piece] | tuple[Piece, ...]) -> None:
        for piece in pieces:
            if isinstance(piece, Cloze):
                if piece.number > 0:
                    found.add(piece.number)
                visit(piece.body)

    visit(parse(markup))
    return sorted(found)


def anki_text(markup: str) -> str:
    """`markup` with a space between closing braces inside deletions, so Anki ends each where meant."""
    return _join(parse(markup), _anki_cloze)


def shown(markup: str) -> str:
    """Every deletion revealed and marked: `<mark class="cloze">`, or `\\boxed{}` inside a formula."""
    return _join(parse(markup), _shown_cloze)


def blanked(markup: str) -> str:
    """Every deletion hidden, as Anki shows it on the front: `[hint]`, or `[…]` without a hint."""
    return _join(parse(markup), _blank_cloze)


def _parse(text: str, pos: int, math: bool, inside: bool) -> tuple[list[Piece], int, bool, bool]:
    """Pieces from `pos` until the `}}` closing the current deletion (when `inside`) or the end.

    Returns the pieces, the position after them, whether the text there is in a formula,
    and whether a closing `}}` was found.
    """
    pieces: list[Piece] = []
    buffer: list[str] = []
    depth = 0  # TeX braces opened inside a formula within this deletion

    def flush() -> None:
        if buffer:
            pieces.append("".join(buffer))
            buffer.clear()

    while pos < len(text):
        char = text[pos]
        opening = _OPEN.match(text, pos) if char == "{" else None
        if opening is not None:
            started_in_math = math
            body, after, math, closed = _parse(text, opening.end(), math, inside=True)
            if closed:
                flush()
                pieces.append(_cloze(int(opening.group(1)), body, started_in_math))
            else:  # never closed: the marker is text, what followed it stays as read
                buffer.append(opening.group(0))
                flush()
                pieces.extend(body)
            pos = after
            continue
        two = text[pos : pos + 2]
        if two in _MATH_OPEN:
            math, depth = True, 0
        elif two in _MATH_CLOSE:
            math = False
        elif math and two in ("\\{", "\\}"):
            pass  # a literal brace in TeX: not a group
        elif math and char == "{":
            depth += 1
        elif math and char == "}" and depth > 0:
            depth -= 1
        elif inside and two == "}}":
            flush()
            return pieces, pos + 2, math, True
        else:
            buffer.append(char)
            pos += 1
            continue
        step = 2 if two in (*_MATH_OPEN, *_MATH_CLOSE, "\\{", "\\}") else 1
        buffer.append(text[pos : pos + step])
        pos += step
    flush()
    return pieces, pos, math, False


def _cloze(number: int, body: list[Piece], in_math: bool) -> Cloze:
    """A deletion; its hint follows the first `::` of its last text, as Anki reads it (`x::y::z`: hint `y::z`)."""
    hint = None
    if body and isinstance(body[-1], str) and _HINT in body[-1]:
        text, hint = body[-1].split(_HINT, 1)
        body = [*body[:-1], text] if text else body[:-1]
    return Cloze(number, tuple(body), hint, in_math)


def _join(pieces: list[Piece] | tuple[Piece, ...], cloze: Callable[[Cloze], str]) -> str:
    return "".join(piece if isinstance(piece, str) else cloze(piece) for piece in pieces)


def _anki_cloze(cloze: Cloze) -> str:
    body = "".join(re.sub(r"\}(?=\})", "} ", p) if isinstance(p, str) else _anki_cloze(p) for p in cloze.body)
    inner = body + (_HINT + cloze.hint if cloze.hint is not None else "")
    if inner.endswith("}"):
        inner += " "
    return f"{{{{c{cloze.number}::{inner}}}}}"


def _shown_cloze(cloze: Cloze) -> str:
    body = _join(cloze.body, _shown_cloze)
    if cloze.in_math:
        return f"\\boxed{{{body}}}"
    return f'<mark class="cloze">{body}</mark>'


def _blank_cloze(cloze: Cloze) -> str:
    hint = (cloze.hint or "").strip()
    if cloze.in_math:
        return f"[\\text{{{hint}}}]" if hint else "[\\ldots]"
    return f'<span class="cloze-blank">[{hint or "…"}]</span>'


_CODE_MARKER = re.compile(r"\{\{c\d+::|\}\}")
_TAG_OR_TEXT = re.compile(r"(<[^>]*>)|(&[^;\s]*;|[^<&])")


def highlight_keeping_clozes(code: str, highlight: Callable[[str], str]) -> str:
    """Highlighted code whose `{{cN::...}}` deletions Anki still finds whole.

    Highlighting the markers with the code would split `{{c1::` into tokens of their own
    (`{{`, `c1`, `::`), each in its own `<span>`, and Anki would see no deletion. So the
    markers are taken out, the bare code highlighted, and each marker put back at its
    place in the text: an opening one before the token spans starting there, a closing
    one after those ending there, so that a deletion of whole tokens stays well nested.
    """
    markers: list[tuple[int, str]] = []
    plain: list[str] = []
    length = 0
    pos = 0
    open_count = 0
    for match in _CODE_MARKER.finditer(code):
        opens = match.group(0) != "}}"
        if not opens and open_count == 0:
            continue  # `}}` of the code itself
        open_count += 1 if opens else -1
        plain.append(code[pos : match.start()])
        length += match.start() - pos
        markers.append((length, match.group(0)))
        pos = match.end()
    plain.append(code[pos:])
    bare = "".join(plain)
    highlighted = highlight(bare)
    if not markers:
        return highlighted
    shift = len(bare) - len(bare.lstrip("\n"))  # Pygments drops leading newlines
    return _insert_markers(highlighted, [(max(offset - shift, 0), marker) for offset, marker in markers])


def _insert_markers(markup: str, markers: list[tuple[int, str]]) -> str:
    """`markup` with each (text offset, marker) inserted where its text has that many characters before it."""
    out: list[str] = []
    offset = 0
    pending = list(markers)
    pieces = [(m.group(1), m.group(2)) for m in _TAG_OR_TEXT.finditer(markup)]
    for index, (tag, char) in enumerate(pieces):
        if tag is not None:
            closing_here = tag.startswith("</span")
            if closing_here:
                out.append(tag)
                while pending and pending[0][0] == offset and pending[0][1] == "}}" and not _more_closing(pieces, index):
                    out.append(pending.pop(0)[1])
                continue
            if tag.startswith("<span") and not tag.endswith("/>"):
                while pending and pending[0][0] == offset and pending[0][1] != "}}" and _text_follows(pieces, index):
                    out.append(pending.pop(0)[1])
            out.append(tag)
            continue
        while pending and pending[0][0] == offset:
            out.append(pending.pop(0)[1])
        out.append(char)
        offset += 1
    out.extend(marker for _, marker in pending)
    return "".join(out)


def _more_closing(pieces: list[tuple[str | None, str | None]], index: int) -> bool:
    """The next piece also closes a span: a closing marker waits until the last of them."""
    following = pieces[index + 1][0] if index + 1 < len(pieces) else None
    return following is not None and following.startswith("</span")


def _text_follows(pieces: list[tuple[str | None, str | None]], index: int) -> bool:
    """Only opening spans lie between this tag and the next character: an opening marker may go here."""
    for tag, _ in pieces[index:]:
        if tag is None:
            return True
        if not tag.startswith("<span"):
            return False
    return False
