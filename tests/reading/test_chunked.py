"""Reading a big labelled file by groups of pairs gives exactly what reading it whole gives.

Random files of labelled pairs with the syntax each of `exporter.reading.chunked`'s
conditions is about (deck prefixes near a tie, pairs without prefix, fences holding labels,
fences left open, comments, bold questions, headings, rules, `<details>`, `%` lines, option
boxes, inline answers, placeholders, missing answer labels, text before the first question)
are edited at random, line by line, and after every edit the groups kept from the earlier
reads (in a real parse cache) must give the full read's notes, findings, coverage and
language counts, or decline (None) so that the full read is done.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from exporter.build.parse_cache import ParseCache
from exporter.config import SourceSettings
from exporter.diagnostics import Diagnostics
from exporter.build.pipeline import read_source_covered
from exporter.language import note_markers
from exporter.reading import chunked
from exporter.reading.source import ReadOptions, SourceFile

DECKS = ("Bio - Cells - ", "Bio - Genes - ", "Chem - Acids - ", "", "")
WORDS = ("the", "le", "gradient", "de", "and", "une", "loss", "est", "why", "what")


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(count))


def _pair(rng: random.Random) -> list[str]:
    """One labelled pair in one of the styles people write, now and then with a trap in it."""
    label = rng.choice(("Question : ", "Q: ", "**Q:** ", "**Question :** ", "Frage: ", "- Q: "))
    question = f"{label}{rng.choice(DECKS)}{_words(rng, 3)}?"
    roll = rng.random()
    if roll < 0.08:
        return [question + " A: " + _words(rng, 2)]  # inline answer
    if roll < 0.12:
        return [question, _words(rng, 4)]  # no answer label
    lines = [question, rng.choice(("Answer : ", "A: ", "**A:** ", "Réponse : ", "Antwort: ")) + rng.choice(
        (_words(rng, 4), "TODO", "", "$x^2$ " + _words(rng, 2)))]
    extra = rng.random()
    if extra < 0.15:
        lines += ["```python", "Q: not a question", "x = 1", "```"]
    elif extra < 0.25:
        lines += ["", "- first " + _words(rng, 2), "- then **bold**"]
    elif extra < 0.3:
        lines += ["$$", "\\frac{a}{b}", "$$"]
    lines += [""] * rng.randint(0, 2)
    return lines


TRAPS = (
    "<!-- https://example.org/course -->", "<!-- a comment", "end of it -->", "**Why is this bold?**",
    "## A heading", "# Title", "---", "***", "<details><summary>Q</summary>A</details>", "%",
    "- [ ] option one", "- [x] option two", "```", "~~~", "Some text before.", "Q: " + "question in a list?",
    "**A: why not?**", "  Q: indented question", "Question 3 : numbered?", "Text ?", "??", "#flashcards",
)


def _file(rng: random.Random, pairs: int) -> list[str]:
    lines: list[str] = []
    for _ in range(pairs):
        lines += _pair(rng)
    return lines


def _edit(rng: random.Random, lines: list[str]) -> list[str]:
    """Insert, delete or change a line, or insert a whole pair; traps are rare, as in real files."""
    lines = list(lines)
    where = rng.randrange(len(lines) + 1)
    roll = rng.random()
    traps = [index for index, line in enumerate(lines) if line in TRAPS]
    if traps and rng.random() < 0.3:  # the author fixes a trap they wrote: the file may become plain again
        del lines[rng.choice(traps)]
    elif lines and not lines[0].startswith(("Q", "**Q", "Frage", "- Q")) and rng.random() < 0.3:
        del lines[0]  # or the text above the first question
    elif roll < 0.25 and lines:
        del lines[min(where, len(lines) - 1)]
    elif roll < 0.5:
        lines[where:where] = _pair(rng)
    elif roll < 0.75 and lines:
        index = min(where, len(lines) - 1)
        lines[index] = rng.choice((lines[index] + " " + _words(rng, 1), _words(rng, 3), "",
                                   rng.choice(DECKS) + lines[index]))
    else:
        lines.insert(where, rng.choice(TRAPS) if rng.random() < 0.4 else _words(rng, 3))
    return lines or ["Q: alone?"]


def _full(source: SourceFile) -> tuple[object, ...]:
    found = Diagnostics()
    notes, coverage, _ = read_source_covered(source, found)
    return notes, found.items, coverage, note_markers(notes)


SETTINGS = (
    (SourceSettings("*"), ReadOptions()),
    (SourceSettings("*", deck="Forced", tags=("extra",), question_labels=("Frage",)), ReadOptions(question_labels=("Frage",))),
)


@pytest.mark.parametrize("seed", range(10))
def test_random_edits_read_by_groups_equal_full_reads(seed: int, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chunked, "GROUP_SPREAD", 3)  # many small groups in small files
    monkeypatch.setattr(chunked, "GROUPS_FROM", 1)
    rng = random.Random(seed)
    settings, options = SETTINGS[seed % len(SETTINGS)]
    lines = _file(rng, rng.randint(8, 40))
    if seed % 3 == 0:
        lines = [line for line in lines if line not in TRAPS]
    taken = 0
    steps = 120
    for step in range(steps):
        source = SourceFile("notes/all.md", tmp_path / "all.md", "\n".join(lines), settings.deck, settings.tags,
                            options)
        cache = ParseCache(tmp_path / "cache")
        try:
            found = Diagnostics()
            by_groups = read_source_covered(source, found, cache.groups_of("toolkit", source.path, settings))
        finally:
            cache.close()
        if by_groups[2] is not None:  # the groups were used
            taken += 1
            notes, coverage, markers = by_groups
            assert (notes, found.items, coverage, markers) == _full(source), f"seed {seed}, step {step}:\n" + \
                "\n".join(lines)
        else:
            assert (by_groups[0], found.items, by_groups[1]) == _full(source)[:3]
        lines = _edit(rng, lines)
    assert taken >= steps // 4, f"the groups were used {taken} times in {steps}: the test would prove little"


def test_a_group_with_a_fence_left_open_is_read_with_the_next_one(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A label inside a fence that a group leaves open is code, as in the full read."""
    monkeypatch.setattr(chunked, "GROUP_SPREAD", 1)  # every question line would open a group
    monkeypatch.setattr(chunked, "GROUPS_FROM", 1)
    text = "Q: one?\nA: yes\n```\nQ: inside the fence?\nA: no\n```\nQ: two?\nA: yes"
    source = SourceFile("all.md", tmp_path / "all.md", text)
    cache = ParseCache(tmp_path / "cache")
    found = Diagnostics()
    notes, coverage, markers = read_source_covered(source, found, cache.groups_of("toolkit", "all.md", SourceSettings("*")))
    assert markers is not None
    assert [n.question for n in notes] == ["one?", "two?"]
    assert (notes, found.items, coverage) == _full(source)[:3]


def test_an_edited_answer_reads_one_group_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the shortcut is for: an edit of one answer in a file of many pairs reads the one group holding it."""
    reads: list[str] = []
    real = chunked._open

    def spy(source: SourceFile, text: str) -> object:
        reads.append(text)
        return real(source, text)

    monkeypatch.setattr(chunked, "_open", spy)
    pairs = [f"Question : Bio - Cells - What is cell {i}?\nAnswer : Cell {i} is small." for i in range(5000)]
    settings = SourceSettings("*")
    opened = []
    for text in ("\n\n".join(pairs), "\n\n".join(pairs).replace("Cell 1500 is small", "Cell 1500 is tiny")):
        cache = ParseCache(tmp_path / "cache")
        found = Diagnostics()
        notes = read_source_covered(SourceFile("all.md", tmp_path / "all.md", text), found,
                                    cache.groups_of("toolkit", "all.md", settings))[0]
        cache.close()
        opened.append(len(reads))
    assert opened[0] > 10  # the first read opened every group
    assert opened[1] - opened[0] == 1 and "Cell 1500 is tiny" in reads[-1]
    assert notes[1500].answer == "Cell 1500 is tiny." and notes[1500].source.line == 3 * 1500 + 1


def test_a_question_without_prefix_follows_the_deck_before_it_across_groups(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second group's text is unchanged, but the deck its first question inherits changed."""
    monkeypatch.setattr(chunked, "GROUP_SPREAD", 1)  # every question opens a group
    monkeypatch.setattr(chunked, "GROUPS_FROM", 1)
    settings = SourceSettings("*")
    decks = []
    for first in ("Bio - Cells - What is a cell?", "Chem - Acids - What is an acid?"):
        text = f"Q: {first}\nA: small\nQ: And without a prefix?\nA: it follows\nQ: Bio - Genes - What is a gene?\nA: DNA"
        source = SourceFile("all.md", tmp_path / "all.md", text)
        cache = ParseCache(tmp_path / "cache")
        found = Diagnostics()
        notes, _, markers = read_source_covered(source, found, cache.groups_of("toolkit", "all.md", settings))
        cache.close()
        assert markers is not None and (notes, found.items) == _full(source)[:2]
        decks.append(notes[1].deck)
    assert decks == ["Bio::Cells", "Chem::Acids"]


@pytest.mark.parametrize("seed", range(int(os.environ.get("RESYNC_SEEDS", "10"))))
def test_groups_resynced_after_an_edit_give_the_full_assembly(seed: int, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The edit build finds a changed file's unchanged groups by their texts at its top and bottom, looks
    for group starts and tests the line conditions only in between (`resync`): that must give the notes,
    findings, coverage and language counts the file read whole by groups gives (or both decline)."""
    monkeypatch.setattr(chunked, "GROUP_SPREAD", 3)
    monkeypatch.setattr(chunked, "GROUPS_FROM", 1)
    rng = random.Random(seed)
    settings = SourceSettings("*")
    lines = [line for line in _file(rng, rng.randint(8, 40)) if line not in TRAPS]
    cache = ParseCache(tmp_path / "cache")
    store = cache.groups_of("toolkit", "notes/all.md", settings)
    resynced = 0
    for step in range(150):
        before = chunked.assemble(SourceFile("notes/all.md", tmp_path / "all.md", "\n".join(lines)), store)
        lines = _edit(rng, lines)
        source = SourceFile("notes/all.md", tmp_path / "all.md", "\n".join(lines))
        whole = chunked.assemble(source, store)
        if before is None:
            continue
        synced = chunked.resync(source, store, [(group.key, group.length) for group in before.groups])
        if synced is None:
            continue
        resynced += 1
        starts, begin, end, known = synced
        via = chunked.assemble(source, store, starts, source.text[begin:end], known)
        assert (via is None) == (whole is None), f"seed {seed}, step {step}:\n" + "\n".join(lines)
        if via is not None and whole is not None:
            assert (via.notes(), via.findings, via.coverage, via.markers, via.use_prefix) == \
                (whole.notes(), whole.findings, whole.coverage, whole.markers, whole.use_prefix)
            # The groups may be cut otherwise (a kept group of many, merged around a fence, stays one),
            # never the notes; they still tile the text.
            assert sum(g.length for g in via.groups) + len(via.groups) - 1 == len(source.text)
    cache.close()
    assert resynced >= 3, f"resynced {resynced} times: the test would prove little"
