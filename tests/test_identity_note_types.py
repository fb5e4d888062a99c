"""A note whose Anki note type changes (basic, reversed, cloze) gets a new GUID: Anki cannot convert it on import."""

from __future__ import annotations

import dataclasses

from exporter.model import NoteKind
from tests.test_identity import NOW, first_build, note, notes_of, resolve


def test_turning_a_card_reversed_gives_a_new_note_and_removes_the_old_one() -> None:
    basic = note("chat", "cat", 3)
    lock = first_build([basic, note("chien", "dog", 4)])
    reversed_ = dataclasses.replace(basic, kind=NoteKind.REVERSED)
    result = resolve([reversed_, note("chien", "dog", 4)], lock)
    old_guid = lock.entries[0].guid
    new_chat, chien = notes_of(result)
    assert new_chat.guid != old_guid
    assert chien.guid == lock.entries[1].guid  # the other note keeps its GUID
    assert [entry.guid for entry in result.removed] == [old_guid]
    assert [n.question for n in result.added] == ["chat"]


def test_a_reworded_cloze_keeps_its_guid_but_never_pairs_with_a_basic_note() -> None:
    cloze = dataclasses.replace(note("The capital of {{c1::France}} is Paris.", "", 5), kind=NoteKind.CLOZE)
    lock = first_build([cloze])
    reworded = dataclasses.replace(cloze, question="The capital of {{c1::France}} is {{c2::Paris}}.")
    [again] = notes_of(resolve([reworded], lock))
    assert again.guid == lock.entries[0].guid
    as_basic = dataclasses.replace(cloze, kind=NoteKind.QA, answer="Paris")
    [basic] = notes_of(resolve([as_basic], lock, now=NOW))
    assert basic.guid != lock.entries[0].guid
