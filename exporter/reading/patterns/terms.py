"""Terms and their definitions: one card per term, the term on the front.

Syntax read:

    - **Overfitting**: the model learns the noise    bold term, then `:`, `—`, `–` or ` - `
    - **Epoch:** one pass over the data              (the colon may sit inside the bold;
                                                 an item that is not a term is left out)
    **Recall**: share of positives found             the same as paragraphs; `code` terms too
    **Accuracy**                                     a bold line alone over its definition
    - share of correct predictions
    - Batch: the samples of one gradient step        plain `Term: definition` items
    1. **Dropout**                                   a bold item alone, its definition
       - randomly zeroes activations                 in the nested lines under it
    Gradient                                         a definition list: the term, then
    : the vector of partial derivatives              lines starting with `: `
    | Term | Definition |                            a two-column table: a card a row
                                                 (`Question | Answer` too)
    |------|------------|
    | Loss | what training minimises |

Lessons write bold-labelled lists too (`1. **Qualité des données** : ...` in a list of
advice), so lists and plain tables are read as terms only in a glossary: under a
heading, or in a file titled, as one ("Glossary", "Glossaire", "Vocabulary",
"Lexique", "Key terms", "Definitions", "Begriffe", ...), or a file made of nothing
else. Definition lists, and tables headed like `Term | Definition`, say what they
are anywhere. A plain `Term: definition` list counts only when every item is one,
with a short term (six words at most).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import ClassVar

from exporter.model import NoteKind
from exporter.reading.claim import Claim, Reading
from exporter.reading.patterns.lines import Card, LineView, claims, item_text, list_items, view_of

NAME = "terms"
_GLOSSARY_WORDS = (
    r"gloss|vocab|lexi(?:que|con)|termin|\bterms?\b|\btermes\b|d[ée]finitions?\b|key (?:terms|concepts)"
    r"|notions?[- ]cl[ée]s|mots?[- ]cl[ée]s|begriffe|wortschatz|glosario|vocabolario"
)
GLOSSARY = re.compile(rf"(?=[gvltdknmbw])(?:{_GLOSSARY_WORDS})", re.IGNORECASE)
"""A heading that names a glossary.

The lookahead holds the first letter of every word: the search gives up at once
at any other letter (1.3 ms instead of 4.4 ms over the 500 headings of a file)."""
_QUESTION_HEADER = r"questions?|fragen?|preguntas?|domande|perguntas?"
_TERM_HEADER = re.compile(r"^(?:terms?|termes?|words?|mots?|concepts?|notions?|begriff|t[ée]rmino|nom|name|acronym\w*|sigles?|"
                          + _QUESTION_HEADER + ")$",
                          re.IGNORECASE)
_DEF_HEADER = re.compile(r"^(?:d[ée]finitions?|meanings?|signification|sens|description|bedeutung|definici[óo]n|explanation"
                         r"|answers?|r[ée]ponses?|antworten?|respuestas?|risposte|respostas?)$",
                         re.IGNORECASE)
_MARKED_TERM = (r"(?P<mark>\*\*|__|`)(?P<term>[^*_`]+?)\s*(?P<inner>:)?\s*(?P=mark)"
                r"\s*(?P<sep>:|—|–|-(?=\s))?\s*(?P<rest>.*)$")
_BOLD_TERM = re.compile(r"^(?P<indent>\s*)(?:[-*+]|\d{1,3}[.)])\s+" + _MARKED_TERM)
_BOLD_PARAGRAPH = re.compile(r"^" + _MARKED_TERM)
_PLAIN_TERM = re.compile(r"^(?P<indent>\s*+)[-*+]\s++(?P<term>[^:*`|]{1,60}?)\s*+:\s++(?P<rest>\S.*)$")
_ITEM = re.compile(r"^\s{0,3}[-*+]\s+\S")
_DEFINITION = re.compile(r"^:\s{1,4}(?=\S)")
_ATX_TEXT = re.compile(r"\n {0,3}#{1,6}[ \t]([^\n]*)")
_SETEXT_TEXT = re.compile(r"\n([^\n]+)\n {0,3}(?:=+|-+)[ \t]*(?=\n)")
_UNDERLINE_LINE = re.compile(r"\n {0,3}(?:=+|-+)[ \t]*(?=\n)")
_TRIGGERS = (
    re.compile(r"\n:[ \t]"),  # a definition list
    # The lookahead holds what a header line can open with (folded as the rest): most lines fail at once.
    re.compile(r"\n(?=[|* _twmcaqfpd])\|?[ *_]*(?:terms?|termes?|words?|mots?|concepts?|acronym\w*|" + _QUESTION_HEADER
               + r")[ *_]*\|[^|\n]*\|?[ \t]*\n",
               re.IGNORECASE),  # a two-column table headed `Term | ...`
    re.compile(r"\n[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+(?:\*\*|__|`)[^*_`\n]+(?:(?:\*\*|__|`)[ \t]*[:—–]|:(?:\*\*|__))"),
)
"""Text without which a file has no terms (besides a heading naming a glossary): `: ` definitions, a term
table, a term list."""
_TABLE_RULE = re.compile(r"^\s*+\|?\s*+:?-{2,}+:?\s*+(?:\|\s*+:?-{2,}+:?\s*+)++\|?\s*+$")


class Terms:
    """Terms and definitions, one card per term (see the module docstring)."""

    name: ClassVar[str] = NAME

    def claim(self, reading: Reading) -> Iterator[Claim]:
        text = f"\n{reading.doc.source.text}"
        if not any(trigger.search(text) for trigger in _TRIGGERS) and not _names_glossary(text):
            return
        view = view_of(reading.doc)
        cards = find_cards(view)
        rows = {card.start for card in cards}
        headers = [(n - 2, n) for n in sorted(rows) if n - 1 not in rows and n >= 2 and _TABLE_RULE.match(view.lines[n - 1])]
        yield from claims(reading, cards, headers)


def _names_glossary(text: str) -> bool:
    """A heading of the file (`#` or underlined) names a glossary (from the text: blocks are parsed lazily)."""
    headings = _ATX_TEXT.findall(text) + _setext_texts(text)
    return GLOSSARY.search("\n".join(headings)) is not None


def _setext_texts(text: str) -> list[str]:
    """`_SETEXT_TEXT.findall(text)`: the line above each underline, found from the underlines (3x faster).

    The regex reads every line to see whether an underline follows; the underlines are few. Its
    matches do not overlap: a line counts when it is not empty and comes after the last underline taken.
    """
    found: list[str] = []
    taken = -1  # offset of the end of the last underline taken
    for match in _UNDERLINE_LINE.finditer(text):
        above_end = match.start()
        above_start = text.rfind("\n", 0, above_end)
        if above_start >= 0 and above_end > above_start + 1 and above_start >= taken:
            found.append(text[above_start + 1 : above_end])
            taken = match.end()
    return found


def find_cards(view: LineView) -> list[Card]:
    """Every term card of the file, in source order."""
    glossary_file = _is_glossary_file(view)
    cards: list[Card] = []
    heading = ""
    title = ""
    for first, end in _groups_with_headings(view):
        level_text = view.heading(first)
        if level_text is not None:
            heading = level_text[1]
            title = title or (heading if level_text[0] == 1 else "")
            continue
        in_glossary = glossary_file or bool(GLOSSARY.search(heading)) or bool(GLOSSARY.search(title))
        cards.extend(_definition_list(view, first, end))
        cards.extend(_table(view, first, end, in_glossary))
        if in_glossary:
            cards.extend(_term_items(view, first, end) or _term_paragraph(view, first, end))
    return sorted(cards, key=lambda c: c.start)


def _groups_with_headings(view: LineView) -> list[tuple[int, int]]:
    ranges = _loose_lists(view, list(view.groups()))
    ranges += [(n, n + 1) for n in range(len(view.lines)) if view.heading(n) is not None]
    return sorted(ranges)


def _loose_lists(view: LineView, groups: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The runs of lines, a list written with blank lines between its items (`- Term: ...`, blank, `- Term: ...`) as one.

    Glossaries copied from the web often space their items out; read one item at a time,
    a plain `Term: definition` list would never show the two items it needs to count.
    """
    merged: list[tuple[int, int]] = []
    for first, end in groups:
        if merged and _item_indent(view, first) is not None and _item_indent(view, first) == _item_indent(view, merged[-1][0]) \
                and all(view.is_blank(n) for n in range(merged[-1][1], first)):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((first, end))
    return merged


def _item_indent(view: LineView, number: int) -> int | None:
    """The indentation of a top-level `-`/`*`/`+` item opening line `number`, else None."""
    line = view.lines[number]
    if number in view.verbatim or _ITEM.match(line) is None:
        return None
    return len(line) - len(line.lstrip())


def _is_glossary_file(view: LineView) -> bool:
    """A file of nothing but terms: every run of lines is a term list, a definition list or a table."""
    groups = list(view.groups())
    if not groups:
        return False
    termish = sum(1 for first, end in groups if _term_items(view, first, end) or _definition_list(view, first, end)
                  or _table_rows(view, first, end) is not None)
    return termish >= 3 and termish * 10 >= len(groups) * 8


def _term_items(view: LineView, first: int, end: int) -> list[Card]:
    """The items of a list of terms at lines `first` to `end`, or [] when they are not all terms."""
    items = list_items(view, first, end)
    bold = [_bold_item(view, start, stop) for start, stop in items]
    found = [card for card in bold if card is not None]
    if len(found) >= 2 or (found and len(items) == 1):
        return found  # an item that is not a term (`- **Important** ...`) is left to the others
    plain = [_plain_item(view, start, stop) for start, stop in items]
    if len(plain) >= 2 and all(card is not None for card in plain):
        return [card for card in plain if card is not None]
    return []


def _bold_item(view: LineView, start: int, stop: int) -> Card | None:
    match = _BOLD_TERM.match(view.lines[start])
    if match is None:
        return None
    rest = match.group("rest").strip()
    nested = item_text(view, start, stop).split("\n", 1)
    below = _dedent(nested[1]) if len(nested) > 1 else ""
    has_separator = match.group("inner") or match.group("sep")
    if rest and not has_separator:
        return None  # `- **Important** note` is emphasis, not a term
    answer = "\n".join(part for part in (rest, below) if part.strip())
    if not answer:
        return None
    return Card(start, stop, NoteKind.QA, match.group("term").strip(), answer, start, start if rest else start + 1)


def _term_paragraph(view: LineView, first: int, end: int) -> list[Card]:
    """`**Term**: definition` as a paragraph, or `**Term**` alone over the lines that define it."""
    match = _BOLD_PARAGRAPH.match(view.lines[first]) if first not in view.verbatim else None
    if match is None:
        return []
    rest = match.group("rest").strip()
    if rest and not (match.group("inner") or match.group("sep")):
        return []
    below = _dedent(view.text(first + 1, end)) if end > first + 1 else ""
    answer = "\n".join(part for part in (rest, below) if part.strip())
    if not answer:
        return []
    return [Card(first, end, NoteKind.QA, match.group("term").strip(), answer, first, first if rest else first + 1)]


def _plain_item(view: LineView, start: int, stop: int) -> Card | None:
    match = _PLAIN_TERM.match(view.lines[start])
    if match is None or len(match.group("term").split()) > 6 or match.group("term").rstrip().endswith((".", "?", "!")):
        return None
    nested = item_text(view, start, stop).split("\n", 1)
    below = _dedent(nested[1]) if len(nested) > 1 else ""
    answer = "\n".join(part for part in (match.group("rest").strip(), below) if part.strip())
    return Card(start, stop, NoteKind.QA, match.group("term").strip(), answer, start, start)


def _definition_list(view: LineView, first: int, end: int) -> list[Card]:
    """`Term` lines each followed by `: definition` lines."""
    cards = []
    number = first
    while number < end:
        if (number + 1 < end and view.lines[number].strip() and not _DEFINITION.match(view.lines[number])
                and number + 1 not in view.verbatim and _DEFINITION.match(view.lines[number + 1])):
            stop = number + 1
            definitions = []
            while stop < end and (_DEFINITION.match(view.lines[stop]) or view.lines[stop].startswith((" ", "\t"))):
                definitions.append(_DEFINITION.sub("", view.lines[stop]).strip() if _DEFINITION.match(view.lines[stop])
                                   else view.lines[stop].strip())
                stop += 1
            cards.append(Card(number, stop, NoteKind.QA, view.lines[number].strip(), "\n".join(definitions), number,
                              number + 1))
            number = stop
        else:
            number += 1
    return cards


def _table(view: LineView, first: int, end: int, in_glossary: bool) -> list[Card]:
    rows = _table_rows(view, first, end)
    if rows is None:
        return []
    header, body = rows
    names = [cell.strip("*_ ") for cell in header]
    named = bool(_TERM_HEADER.match(names[0])) and bool(_DEF_HEADER.match(names[1]))
    if not (named or in_glossary):
        return []
    return [Card(n, n + 1, NoteKind.QA, term, definition, n, n) for n, (term, definition) in body if term and definition]


def _table_rows(view: LineView, first: int, end: int) -> tuple[list[str], list[tuple[int, tuple[str, str]]]] | None:
    """(header cells, [(line, (term, definition))]) of a two-column table filling the lines, else None."""
    if end - first < 3 or not _TABLE_RULE.match(view.lines[first + 1]) or first in view.verbatim:
        return None
    header = _cells(view.lines[first])
    if len(header) != 2:
        return None
    body = []
    for number in range(first + 2, end):
        cells = _cells(view.lines[number])
        if len(cells) != 2:
            return None
        body.append((number, (cells[0], cells[1])))
    return header, body


def _cells(line: str) -> list[str]:
    text = line.strip()
    if "|" not in text:
        return []
    text = text.removeprefix("|").removesuffix("|")
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", text)]


def _dedent(text: str) -> str:
    lines = text.split("\n")
    width = min((len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0)
    return "\n".join(line[width:] for line in lines).strip("\n")
