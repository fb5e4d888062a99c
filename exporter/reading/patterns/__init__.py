"""Card patterns: each one recognises one way of writing cards and claims the lines it reads.

A file is parsed once (`exporter.reading.document.Document`); then every pattern
of `PATTERNS`, in that order, claims ranges of its lines and says which notes
they make. A line claimed once is never offered again, so one file may mix
styles (a lesson with a few `**Q:**` pairs, a quiz with `<details>` answers) and
no text is read twice. What nobody claims stays context (headings name the
notes under them) or is reported as `not on any card [unused]`; where the file
is a lesson (explicit patterns claimed little of it), the last pattern,
`sections`, turns what is left into section, table-row and checklist notes.

How to add a pattern
--------------------
1. Write `exporter/reading/patterns/<name>.py` with one class::

       class Mine:
           '''Docstring: the syntax it accepts, with an example, and what it makes.'''

           name: ClassVar[str] = "mine"

           def claim(self, reading: Reading) -> Iterator[Claim]:
               for block in reading.doc.blocks:
                   if <block starts a card> and reading.free(block.start, block.end):
                       note = reading.note(NoteKind.QA, question, answer, line=block.start,
                                           answer_line=...)
                       yield Claim.of(block.start, block.end, note)

   `reading.doc` holds the lines (`doc.lines`, 0-based), the top-level blocks
   (`doc.blocks`: type, start, end, tokens; `doc.inline(block)` parses a
   block's inline children on demand), the top-level headings and rules
   alone (`doc.outline`, `doc.headings`: read from the lines when they say it
   exactly, so a pattern that needs no more never has the file tokenised),
   the heading tree (`doc.parents_of(heading)`, `doc.trail(line)`,
   `doc.section_end(heading)`), the line layout
   (`doc.layout.kinds`: text, HTML comment or code fence) and the deck.
   Claim whole blocks when you can; a pattern whose syntax lives inside
   paragraphs (labels such as `Answer :` that CommonMark merges into the
   paragraph above) claims line ranges inside blocks: both are line ranges.
2. Only claim lines for which `reading.free(start, end)` is true, and yield
   claims as you go: the engine marks them at once, so later candidates of the
   same pattern see them. A claim that overlaps an earlier one is a bug and
   raises. A claim may hold no note (lines read as part of the syntax, such
   as a scheduling comment) and several ranges (`Claim(ranges, notes)`).
3. Build notes with `reading.note(...)`: it fills the deck, the source
   location, the heading trail as context/section/tag, and makes a
   placeholder or empty answer an open question. Give `answer_line`, the
   0-based line where the answer's text starts, so rendering reports problems
   in the answer at their own line.
4. Add the class to `PATTERNS` below, at the place where it must run: a
   pattern that reads syntax that would also match a more general pattern goes
   before it (`details` and `mdanki` before `question-headings`, which would
   take their headings as questions; `sections` always last).
5. Add fixture files under `tests/reading/fixtures/<name>/<behaviour>.md`, each
   with the notes it must give in `<behaviour>.json` (`python -m
   tests.reading.fixture_json FILE.md` prints what it gives now, to review; a
   `<behaviour>.options.json` holds settings), and realistic files with their
   expected cards under `tests/corpus/` (see `tests/corpus/README.md`);
   `tests/reading/test_fixtures.py` fails until a registered pattern has fixtures.

Settings: `patterns_off = ["<name>"]` in `exporter.toml` turns a pattern off for
some files, and `reader = "<name>"` keeps only that one; nothing else is needed.
"""

from __future__ import annotations

from typing import ClassVar, Iterator, Protocol

from exporter.reading.claim import Claim, Reading
from exporter.reading.patterns.anki_cloze import AnkiCloze
from exporter.reading.patterns.bold_question import BoldQuestions
from exporter.reading.patterns.details import Details
from exporter.reading.patterns.front_matter import FrontMatter
from exporter.reading.patterns.labels import LabelledPairs
from exporter.reading.patterns.mdanki import Mdanki
from exporter.reading.patterns.multiple_choice import MultipleChoice
from exporter.reading.patterns.obsidian import ObsidianCards
from exporter.reading.patterns.open_list import OpenList
from exporter.reading.patterns.question_headings import QuestionHeadings
from exporter.reading.patterns.sections import Sections
from exporter.reading.patterns.terms import Terms


class Pattern(Protocol):
    """One card style: a `name` (what settings and `exporter dump` call it) and `claim`."""

    name: ClassVar[str]

    def claim(self, reading: Reading) -> Iterator[Claim]:
        """Claim the free lines this style reads, with the notes they make, in source order."""
        ...


PATTERNS: tuple[Pattern, ...] = (
    FrontMatter(),  # metadata, never a card: claimed before anything could read it
    Details(),
    Mdanki(),
    ObsidianCards(),
    MultipleChoice(),  # before question-headings and bold-questions, which would take its question alone
    LabelledPairs(),
    QuestionHeadings(),
    BoldQuestions(),
    OpenList(),
    AnkiCloze(),  # after the explicit questions: a deletion inside an answer stays in that answer
    Terms(),
    Sections(),
)
"""Every pattern, in the order they claim: the more specific syntax first, the fallback last."""

ALIASES: dict[str, str] = {
    "qa-blocks": LabelledPairs.name,
    "numbered": QuestionHeadings.name,
    "open-questions": OpenList.name,
    "document": Sections.name,
}
"""Names of the readers of earlier versions, still accepted by the `reader` setting."""


def pattern_names() -> list[str]:
    return [p.name for p in PATTERNS]


def canonical(name: str) -> str | None:
    """The pattern a settings name means (a pattern name or an old reader name), None if unknown."""
    name = ALIASES.get(name, name)
    return name if name in pattern_names() else None
