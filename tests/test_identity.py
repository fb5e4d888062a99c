"""Note identity across edits: who keeps their GUID, who is new, who is gone."""

from __future__ import annotations

import dataclasses

import pytest

from exporter.identity import resolve as resolve_module
from exporter.identity.lock import Lock
from exporter.identity.resolve import MATCH_THRESHOLD, Resolution, guid_for, normalised, similarity
from exporter.model import Note, NoteKind, RenderedNote, SourceLocation

DECK = "Deep Learning"
BIAS_Q = "Quel est le rôle du biais dans un réseau de neurones ?"
BIAS_A = ("Le biais permet de **déplacer la frontière de décision** indépendamment des entrées. "
          "Sans biais, le modèle serait contraint de passer par l’origine.")
ACT_Q = "Qu’est-ce qu’une fonction d’activation ?"
ACT_A = ("Une fonction d’activation introduit de la **non-linéarité** dans le réseau, "
         "permettant de modéliser des relations complexes entre les données.")
OVER_Q, OVER_A = "What is overfitting?", "When the model memorises the training data and fails on new data."
UNDER_Q, UNDER_A = "What is underfitting?", "When the model is too simple to capture the patterns, even on training data."


def note(question: str, answer: str | None, line: int, deck: str = DECK, path: str = "sources/dl.md") -> Note:
    kind = NoteKind.QA if answer is not None else NoteKind.OPEN
    return Note(deck=deck, kind=kind, question=question, answer=answer, source=SourceLocation(path, line))


def rendered(note: Note) -> RenderedNote:
    """A stand-in for rendering: fields as written, Source as the card shows it (the file, no line)."""
    return RenderedNote(note, note.question, note.answer or "", note.context, note.source.path)


NOW = 1_800_000_000


def resolve(notes: list[Note], lock: Lock | None, times: dict[str, int] | None = None, **options: object) -> Resolution:
    options.setdefault("now", NOW)
    return resolve_module.resolve([rendered(n) for n in notes], lock, times, **options)  # type: ignore[arg-type]


def notes_of(result: Resolution) -> list[Note]:
    return [r.note for r in result.notes]


def score(q1: str, a1: str | None, q2: str, a2: str | None) -> float:
    return similarity(normalised(q1), normalised(a1, 60), normalised(q2), normalised(a2, 60))


def first_build(notes: list[Note]) -> Lock:
    return resolve(notes, None, {"sources/dl.md": 1_000, "sources/other.md": 1_000}).lock


# --- the threshold, justified by examples -------------------------------------------------

@pytest.mark.parametrize(
    ("old_q", "old_a", "new_q", "new_a"),
    [
        (BIAS_Q, BIAS_A, "À quoi sert le biais dans un réseau de neurones ?", BIAS_A),  # reworded question
        ("Définissez un perceptron et expliquez son fonctionnement.",
         "Un perceptron est le modèle fondamental d’un neurone artificiel. Il réalise une combinaison linéaire "
         "des entrées pondérées, puis applique une fonction d’activation.",
         "Qu'est-ce qu'un perceptron et comment fonctionne-t-il ?",
         "Un perceptron est le modèle fondamental d’un neurone artificiel. Il réalise une combinaison linéaire "
         "des entrées pondérées, puis applique une fonction d’activation."),  # heavily reworded question
        (ACT_Q, ACT_A, ACT_Q, "Elle rend le réseau non linéaire ; sans elle il serait un modèle linéaire."),  # new answer
        ("Pourquoi avons-nous besoin de données de validation ?", None,
         "Pourquoi a-t-on besoin de données de validation ?", None),  # reworded open question
        ("Pourquoi un petit taux d’apprentissage ?", None, "Pourquoi un petit taux d’apprentissage ?", "Pour ne pas oublier."),
    ],
)
def test_same_note_scores_above_threshold(old_q: str, old_a: str | None, new_q: str, new_a: str | None) -> None:
    assert score(old_q, old_a, new_q, new_a) >= MATCH_THRESHOLD


@pytest.mark.parametrize(
    ("old_q", "old_a", "new_q", "new_a"),
    [
        (BIAS_Q, BIAS_A, ACT_Q, ACT_A),
        (OVER_Q, OVER_A, UNDER_Q, UNDER_A),  # near twins differing in the key word and the answer
        ("Is ReLU linear?", "No.", "Is the sigmoid zero-centred?", "No."),  # a shared short answer is no evidence
        ("Pourquoi le modèle pourrait-il échouer à reconnaître une image ?", None,
         "Pourquoi avons-nous besoin de données de test ?", None),
    ],
)
def test_different_notes_score_below_threshold(old_q: str, old_a: str | None, new_q: str, new_a: str | None) -> None:
    assert score(old_q, old_a, new_q, new_a) < MATCH_THRESHOLD


# --- matching -----------------------------------------------------------------------------

def test_first_build_uses_deterministic_hash_guids() -> None:
    result = resolve([note(BIAS_Q, BIAS_A, 3), note(ACT_Q, ACT_A, 9)], None, {"sources/dl.md": 1_000})
    assert [n.guid for n in notes_of(result)] == [guid_for(DECK, BIAS_Q), guid_for(DECK, ACT_Q)]
    assert [n.modified for n in notes_of(result)] == [1_000, 1_000]
    assert (result.added, result.updated, result.removed) == ([], [], [])


def test_unchanged_rebuild_keeps_guid_and_modified_exactly() -> None:
    notes = [note(BIAS_Q, BIAS_A, 3), note(ACT_Q, ACT_A, 9)]
    lock = first_build(notes)
    again = resolve(notes, lock, {"sources/dl.md": 5_000})
    assert [(n.guid, n.modified) for n in notes_of(again)] == [(e.guid, 1_000) for e in sorted(lock.entries, key=lambda e: e.line)]
    assert again.lock.to_json() == lock.to_json()
    assert (again.added, again.updated, again.moved, again.removed) == ([], [], [], [])


def test_reworded_question_keeps_guid_and_gets_newer_time() -> None:
    lock = first_build([note(BIAS_Q, BIAS_A, 3), note(ACT_Q, ACT_A, 9)])
    reworded = note("À quoi sert le biais dans un réseau de neurones ?", BIAS_A, 3)
    result = resolve([reworded, note(ACT_Q, ACT_A, 9)], lock, {"sources/dl.md": 900})
    assert notes_of(result)[0].guid == guid_for(DECK, BIAS_Q)
    assert notes_of(result)[0].modified == 1_001  # strictly newer even when the file clock is behind
    assert [n.question for n in result.updated] == [reworded.question]
    assert notes_of(result)[1].modified == 1_000


def test_edited_answer_keeps_guid() -> None:
    lock = first_build([note(ACT_Q, ACT_A, 9)])
    result = resolve([note(ACT_Q, "Elle rend le réseau non linéaire.", 9)], lock, {"sources/dl.md": 2_000})
    assert notes_of(result)[0].guid == guid_for(DECK, ACT_Q)
    assert notes_of(result)[0].modified == 2_000
    assert len(result.updated) == 1 and not result.added and not result.removed


def test_moved_within_file_keeps_guid_and_time_and_is_no_change() -> None:
    lock = first_build([note(BIAS_Q, BIAS_A, 3), note(ACT_Q, ACT_A, 9)])
    result = resolve([note(ACT_Q, ACT_A, 3), note(BIAS_Q, BIAS_A, 9)], lock, {"sources/dl.md": 2_000})
    assert [(n.guid, n.modified) for n in notes_of(result)] == [(guid_for(DECK, ACT_Q), 1_000),
                                                                (guid_for(DECK, BIAS_Q), 1_000)]
    assert (result.updated, result.added, result.removed, result.moved) == ([], [], [], [])
    assert sorted((e.question, e.line) for e in result.lock.entries) == [(BIAS_Q, 9), (ACT_Q, 3)]  # for messages


def test_line_shift_of_every_note_below_an_insert_changes_nothing_anki_sees() -> None:
    notes = [note(f"Question {i}?", f"Answer {i}.", 3 + 4 * i) for i in range(20)]
    lock = first_build(notes)
    shifted = [note("A new first question?", "New.", 3)] + [dataclasses.replace(n, source=SourceLocation(
        n.source.path, n.source.line + 4)) for n in notes]
    result = resolve(shifted, lock, {"sources/dl.md": 2_000})
    assert [n.question for n in result.added] == ["A new first question?"]
    assert result.updated == [] and result.moved == []
    assert [n.modified for n in notes_of(result)] == [2_000] + [1_000] * 20


def test_deleted_and_added_notes_are_reported() -> None:
    lock = first_build([note(BIAS_Q, BIAS_A, 3), note(ACT_Q, ACT_A, 9)])
    result = resolve([note(ACT_Q, ACT_A, 9), note(OVER_Q, OVER_A, 15)], lock, {"sources/dl.md": 2_000})
    assert [(e.deck, e.source, e.line, e.question) for e in result.removed] == [
        (DECK, "sources/dl.md", 3, BIAS_Q)
    ]
    assert [n.question for n in result.added] == [OVER_Q]
    assert notes_of(result)[1].guid == guid_for(DECK, OVER_Q)
    assert [e.question for e in sorted(result.lock.entries) if not e.removed] == [ACT_Q, OVER_Q]
    assert result.summary_by_deck() == {DECK: (1, 0, 1)}


def test_removed_note_is_remembered_emitted_and_newer_once() -> None:
    lock = first_build([note(BIAS_Q, BIAS_A, 3), note(ACT_Q, ACT_A, 9)])
    result = resolve([note(ACT_Q, ACT_A, 9)], lock, {"sources/dl.md": 2_000})
    [gone] = result.emitted_removed
    assert (gone.guid, gone.removed, gone.modified) == (guid_for(DECK, BIAS_Q), NOW, NOW)  # newer than any edit
    assert gone in result.lock.entries
    again = resolve([note(ACT_Q, ACT_A, 9)], result.lock, {"sources/dl.md": 2_000}, now=NOW + 3_600)
    assert again.emitted_removed == [gone] and again.removed == []  # same stamp: the next import changes nothing
    assert again.lock.to_json() == result.lock.to_json()


def test_removed_note_stops_after_the_window() -> None:
    lock = first_build([note(BIAS_Q, BIAS_A, 3), note(ACT_Q, ACT_A, 9)])
    removed = resolve([note(ACT_Q, ACT_A, 9)], lock, {"sources/dl.md": 2_000}).lock
    day = 86_400
    still = resolve([note(ACT_Q, ACT_A, 9)], removed, {}, now=NOW + (resolve_module.REMOVED_DAYS - 1) * day)
    assert len(still.emitted_removed) == 1 and still.expired == []
    later = resolve([note(ACT_Q, ACT_A, 9)], removed, {}, now=NOW + resolve_module.REMOVED_DAYS * day)
    assert later.emitted_removed == [] and [e.question for e in later.expired] == [BIAS_Q]
    assert [e.question for e in later.lock.entries] == [ACT_Q]


def test_removed_question_that_comes_back_takes_its_guid_again_and_is_newer() -> None:
    lock = first_build([note(BIAS_Q, BIAS_A, 3), note(ACT_Q, ACT_A, 9)])
    removed = resolve([note(ACT_Q, ACT_A, 9)], lock, {"sources/dl.md": 2_000}).lock
    back = resolve([note(ACT_Q, ACT_A, 9), note(BIAS_Q, BIAS_A, 20)], removed, {"sources/dl.md": 3_000},
                   now=NOW + 60)
    assert notes_of(back)[1].guid == guid_for(DECK, BIAS_Q)
    assert notes_of(back)[1].modified == NOW + 1  # newer than the removal stamp: the tag goes away
    assert back.emitted_removed == [] and not any(e.removed for e in back.lock.entries)


def test_new_note_never_takes_the_guid_of_a_removed_note() -> None:
    lock = first_build([note(BIAS_Q, BIAS_A, 3)])
    removed = resolve([], lock, {"sources/dl.md": 2_000}).lock
    # The same deck and question hash to the removed GUID, but pairing gives it back rather than colliding.
    newcomer = resolve([note("Une toute autre question ?", "Autre.", 3)], removed, {})
    assert notes_of(newcomer)[0].guid != guid_for(DECK, BIAS_Q)
    assert [e.guid for e in newcomer.emitted_removed] == [guid_for(DECK, BIAS_Q)]


def test_near_identical_questions_each_keep_their_own_guid_when_both_edited() -> None:
    lock = first_build([note(OVER_Q, OVER_A, 3), note(UNDER_Q, UNDER_A, 9)])
    guids = {e.question: e.guid for e in lock.entries}
    edited = [
        note("What is underfitting exactly?", UNDER_A + " Add capacity.", 3),  # now listed first
        note("What is overfitting exactly?", OVER_A + " Regularise.", 9),
    ]
    result = resolve(edited, lock, {"sources/dl.md": 2_000})
    assert [n.guid for n in notes_of(result)] == [guids[UNDER_Q], guids[OVER_Q]]
    assert len({n.guid for n in notes_of(result)}) == 2


def test_different_question_replacing_a_deleted_one_gets_a_new_guid() -> None:
    lock = first_build([note(BIAS_Q, BIAS_A, 3)])
    result = resolve([note(ACT_Q, ACT_A, 3)], lock, {"sources/dl.md": 2_000})
    assert notes_of(result)[0].guid == guid_for(DECK, ACT_Q)
    assert len(result.added) == 1 and len(result.removed) == 1


def test_question_moved_to_another_deck_keeps_its_guid_and_is_a_move() -> None:
    lock = first_build([note(BIAS_Q, BIAS_A, 3), note(ACT_Q, ACT_A, 9)])
    moved = note(BIAS_Q, BIAS_A, 3, deck="Other deck", path="sources/other.md")
    result = resolve([moved, note(ACT_Q, ACT_A, 9)], lock, {"sources/other.md": 2_000, "sources/dl.md": 2_000})
    assert notes_of(result)[0].guid == guid_for(DECK, BIAS_Q)
    assert notes_of(result)[0].modified == 2_000  # its deck and Source changed: Anki must see it
    assert [(m.old_deck, m.note.deck) for m in result.moved] == [(DECK, "Other deck")]
    assert result.removed == [] and result.added == [] and result.updated == []
    assert any(line.startswith("moved: 'Quel est le rôle du biais") and "from sources/dl.md / Deep Learning to "
               "sources/other.md / Other deck" in line for line in result.report())


def test_different_question_in_another_deck_is_not_paired() -> None:
    lock = first_build([note(BIAS_Q, BIAS_A, 3)])
    result = resolve([note("À quoi sert le biais dans un réseau de neurones ?", BIAS_A, 3, deck="Other")], lock)
    assert len(result.added) == 1 and len(result.removed) == 1


def test_new_note_never_takes_a_guid_already_in_use() -> None:
    # The old note was reworded; a new note now has the old wording, whose hash is the kept GUID.
    lock = first_build([note(BIAS_Q, BIAS_A, 3)])
    reworded = note("À quoi sert le biais dans un réseau de neurones ?", BIAS_A, 3)
    newcomer = note(BIAS_Q, "Autre réponse sans rapport avec la première, pour un tout autre sujet.", 1)
    result = resolve([newcomer, reworded], lock, {"sources/dl.md": 2_000})
    by_question = {n.question: n.guid for n in notes_of(result)}
    assert len(set(by_question.values())) == 2
    assert guid_for(DECK, BIAS_Q) in by_question.values()


def test_identical_twins_without_lock_get_distinct_guids() -> None:
    notes = [note(BIAS_Q, BIAS_A, 3), note(BIAS_Q, BIAS_A, 30)]
    result = resolve(notes, None)
    assert notes_of(result)[0].guid == guid_for(DECK, BIAS_Q)
    assert notes_of(result)[1].guid != notes_of(result)[0].guid


def test_entries_of_sources_outside_the_build_are_carried_over() -> None:
    other = note(ACT_Q, ACT_A, 2, path="sources/other.md")
    lock = first_build([note(BIAS_Q, BIAS_A, 3), other])
    result = resolve([note(BIAS_Q, BIAS_A, 3)], lock, {}, in_scope=lambda path: path == "sources/dl.md")
    assert result.removed == []
    assert sorted(result.lock.entries) == sorted(lock.entries)


def test_duplicate_guid_in_a_hand_edited_lock_is_not_shared() -> None:
    lock = first_build([note(BIAS_Q, BIAS_A, 3), note(ACT_Q, ACT_A, 9)])
    entries = sorted(lock.entries, key=lambda e: e.line)
    broken = Lock([entries[0], dataclasses.replace(entries[1], guid=entries[0].guid)])
    result = resolve([note(BIAS_Q, BIAS_A, 3), note(ACT_Q, ACT_A, 9)], broken, {"sources/dl.md": 2_000})
    assert len({n.guid for n in notes_of(result)}) == 2


def test_report_names_counts_and_removed_notes() -> None:
    lock = first_build([note(BIAS_Q, BIAS_A, 3), note(ACT_Q, ACT_A, 9), note(OVER_Q, OVER_A, 15)])
    result = resolve([note(ACT_Q, ACT_A + " Exemple : ReLU.", 3), note(OVER_Q, OVER_A, 9),
                      note(UNDER_Q, UNDER_A, 20)], lock, {"sources/dl.md": 2_000})
    assert result.report() == [
        "Deep Learning: 1 added, 1 updated, 1 removed",
        "removed from Deep Learning: 'Quel est le rôle du biais dans un réseau de neurones ?' (was sources/dl.md:3)",
        "1 removed note stays in the decks until 2027-04-15, tagged exporter::removed: after importing, "
        "search  tag:exporter::removed  in Anki's browser and delete them",
    ]


def test_renamed_file_keeps_guids_of_its_notes() -> None:
    lock = first_build([note(BIAS_Q, BIAS_A, 3), note(ACT_Q, ACT_A, 9)])
    renamed = [note(BIAS_Q, BIAS_A, 3, path="sources/cours.md"), note(ACT_Q, ACT_A, 9, path="sources/cours.md")]
    result = resolve(renamed, lock, {"sources/cours.md": 2_000}, in_scope=lambda path: path != "sources/x.md")
    assert [n.guid for n in notes_of(result)] == [guid_for(DECK, BIAS_Q), guid_for(DECK, ACT_Q)]
    assert [m.note.question for m in result.moved] == [BIAS_Q, ACT_Q]  # their Source field changes
    assert [n.modified for n in notes_of(result)] == [2_000, 2_000]
    assert result.added == [] and result.removed == [] and result.updated == []


def test_removed_open_question_keeps_its_kind_so_anki_sees_the_same_note_type() -> None:
    lock = first_build([note("Pourquoi geler les couches ?", None, 3), note(ACT_Q, ACT_A, 9)])
    result = resolve([note(ACT_Q, ACT_A, 9)], lock, {"sources/dl.md": 2_000})
    [gone] = result.emitted_removed
    emitted = resolve_module.removed_note(gone)
    assert (emitted.kind, emitted.guid, emitted.tags) == (NoteKind.OPEN, gone.guid, (resolve_module.REMOVED_TAG,))


@pytest.mark.parametrize("seed", range(5))
def test_word_index_never_skips_a_pair_that_could_match(seed: int) -> None:
    """The prefilter's bound is an upper bound: every pair scoring at the threshold is a candidate."""
    import random

    rng = random.Random(seed)
    vocab = [f"w{i}" for i in range(12)]
    texts = [(" ".join(rng.choices(vocab, k=rng.randint(0, 6))), " ".join(rng.choices(vocab, k=rng.randint(0, 10))))
             for _ in range(60)]
    index = resolve_module._WordIndex()
    for i, (question, answer) in enumerate(texts):
        index.add(i, question, answer)
    for question, answer in texts:
        candidates = set(index.candidates(question, answer))
        for i, (old_question, old_answer) in enumerate(texts):
            if similarity(old_question, old_answer, question, answer) >= MATCH_THRESHOLD:
                assert i in candidates, (old_question, old_answer, question, answer)


def test_a_guid_twice_in_a_hand_edited_lock_is_never_emitted_twice() -> None:
    lock = first_build([note(BIAS_Q, BIAS_A, 3), note(ACT_Q, ACT_A, 9), note(OVER_Q, OVER_A, 15)])
    entries = sorted(lock.entries, key=lambda e: e.line)
    twins = Lock([entries[0], dataclasses.replace(entries[1], guid=entries[0].guid),
                  dataclasses.replace(entries[2], guid=entries[0].guid, source="sources/other.md")])
    # Only dl.md is read; the entry of other.md is carried with the same GUID as the two of dl.md.
    result = resolve([note(UNDER_Q, UNDER_A, 3)], twins, {"sources/dl.md": 2_000},
                     in_scope=lambda path: path == "sources/dl.md")
    guids = [e.guid for e in result.lock.entries]
    assert len(guids) == len(set(guids))
    assert result.emitted_removed == []  # the GUID belongs to the carried note
