"""The .apkg writer, checked by importing its output into a fresh collection with real Anki."""

from __future__ import annotations

import io
import json
import sqlite3
import time
import zipfile
from pathlib import Path
from typing import Callable

from anki.collection import Collection

from exporter.model import Deck, MediaFile, RenderedNote
from exporter.output.writers import WRITERS, WriteOptions, load_writers
from exporter.output.writers.apkg import (
    FIELDS,
    NOTE_TYPE_NAME,
    UNKNOWN_MODIFIED,
    ApkgWriter,
    anki_tags,
    stable_id,
)
from tests.anki_helpers import RenderedCard, import_apkg, import_into, rendered_cards

OPTIONS = WriteOptions(project_root=Path("."))


def write(deck: Deck, target: Path) -> Path:
    ApkgWriter().write(deck, target, OPTIONS)
    return target


def cards_by_guid(col: Collection) -> dict[str, RenderedCard]:
    return {card.guid: card for card in rendered_cards(col)}


def test_writer_is_registered_as_apkg() -> None:
    load_writers()
    assert isinstance(WRITERS["apkg"], ApkgWriter)
    assert ApkgWriter.extension == "apkg"


def test_import_gives_the_decks_notes_and_one_card_each(sample_deck: Deck, tmp_path: Path) -> None:
    col = import_apkg(write(sample_deck, tmp_path / "maths.apkg"), tmp_path / "col.anki2")
    names = {d.name for d in col.decks.all_names_and_ids()}
    assert names == {"Default", "Maths", "Maths::Algebra", "Maths::Algebra::Figures", "Maths::Code"}
    assert col.note_count() == 5
    assert col.card_count() == 5
    decks = {guid: card.deck for guid, card in cards_by_guid(col).items()}
    assert decks == {
        "g-math": "Maths::Algebra",
        "g-code": "Maths::Code",
        "g-image": "Maths::Algebra::Figures",
        "g-image-2": "Maths::Algebra::Figures",
        "g-open": "Maths",
    }
    col.close()


def test_math_reaches_the_card_with_its_delimiters_and_tex_intact(sample_deck: Deck, tmp_path: Path) -> None:
    col = import_apkg(write(sample_deck, tmp_path / "maths.apkg"), tmp_path / "col.anki2")
    card = cards_by_guid(col)["g-math"]
    assert '<span class="math inline">\\(x_1 < y\\)</span>' in card.question_html
    assert '<div class="math display">\\[\\sum_{i=1}^{n} x_i \\le \\frac{a}{b}\\]</div>' in card.answer_html
    assert "When is \\(x_1 < y\\) true?" in card.question_text
    assert "Always when\n\\[\\sum_{i=1}^{n} x_i \\le \\frac{a}{b}\\]" in card.answer_text
    col.close()


def test_context_above_question_source_below_answer(sample_deck: Deck, tmp_path: Path) -> None:
    col = import_apkg(write(sample_deck, tmp_path / "maths.apkg"), tmp_path / "col.anki2")
    card = cards_by_guid(col)["g-math"]
    assert card.question_text == "Cours 1 › Inégalités\nWhen is \\(x_1 < y\\) true?"
    assert card.answer_text == (
        "Cours 1 › Inégalités\nWhen is \\(x_1 < y\\) true?\n"
        "Always when\n\\[\\sum_{i=1}^{n} x_i \\le \\frac{a}{b}\\]\nalgebra.md:12"
    )
    back = card.answer_html
    assert back.index('class="context"') < back.index('class="question"') < back.index("<hr id=answer>")
    assert back.index("<hr id=answer>") < back.index('class="answer"') < back.index('class="source"')
    col.close()


def test_code_keeps_its_highlighting_and_the_css_styles_it(sample_deck: Deck, tmp_path: Path) -> None:
    col = import_apkg(write(sample_deck, tmp_path / "maths.apkg"), tmp_path / "col.anki2")
    card = cards_by_guid(col)["g-code"]
    assert '<span class="k">def</span> <span class="nf">f</span>' in card.answer_html
    assert "def f():\nreturn 42" in card.answer_text.replace("\n    ", "\n")
    css = col.models.by_name(NOTE_TYPE_NAME)["css"]
    assert ".highlight .k {" in css
    assert ".nightMode .highlight .k {" in css
    assert ".night_mode .highlight .k {" in css
    col.close()


def test_open_question_carries_its_kind_and_the_no_answer_marker(sample_deck: Deck, tmp_path: Path) -> None:
    col = import_apkg(write(sample_deck, tmp_path / "maths.apkg"), tmp_path / "col.anki2")
    card = cards_by_guid(col)["g-open"]
    assert card.fields["Kind"] == "open"
    assert '<div class="exporter kind-open">' in card.question_html
    assert '<p class="no-answer">No answer yet.</p>' in card.answer_html
    assert card.answer_text == "Why is the sky blue?\nNo answer yet.\nopen.md:5"
    col.close()


def test_image_is_packed_once_and_lands_in_the_media_folder(
    sample_deck: Deck, image: MediaFile, tmp_path: Path
) -> None:
    target = write(sample_deck, tmp_path / "maths.apkg")
    with zipfile.ZipFile(target) as archive:
        assert archive.namelist() == ["collection.anki2", "media", "0"]
        assert json.loads(archive.read("media")) == {"0": "diagram.png"}
    col = import_apkg(target, tmp_path / "col.anki2")
    media = Path(col.media.dir()) / "diagram.png"
    assert media.read_bytes() == Path(image.path).read_bytes()
    assert col.media.have("diagram.png")
    assert '<img src="diagram.png" alt="shape">' in cards_by_guid(col)["g-image"].question_html
    col.close()


def test_tags_are_kept_with_spaces_replaced(sample_deck: Deck, tmp_path: Path) -> None:
    col = import_apkg(write(sample_deck, tmp_path / "maths.apkg"), tmp_path / "col.anki2")
    tags = {guid: card.tags for guid, card in cards_by_guid(col).items()}
    assert tags["g-math"] == ("algebra", "linear_maps")
    assert tags["g-code"] == ("python",)
    assert tags["g-open"] == ()
    col.close()


def test_anki_tags_drop_whitespace_empties_and_repeats() -> None:
    assert anki_tags(("linear maps", "  x\ty ", "", "   ", "linear_maps", "a::b")) == ["linear_maps", "x_y", "a::b"]


def test_note_type_has_the_contracted_shape(sample_deck: Deck, tmp_path: Path) -> None:
    col = import_apkg(write(sample_deck, tmp_path / "maths.apkg"), tmp_path / "col.anki2")
    notetype = col.models.by_name(NOTE_TYPE_NAME)
    assert notetype is not None
    assert notetype["id"] == stable_id("Exporter Note (v1)")
    assert [f["name"] for f in notetype["flds"]] == ["Question", "Answer", "Context", "Source", "Kind"]
    assert FIELDS == ("Question", "Answer", "Context", "Source", "Kind")
    assert notetype["sortf"] == 0
    assert len(notetype["tmpls"]) == 1
    assert "{{FrontSide}}" in notetype["tmpls"][0]["afmt"]
    assert "<hr id=answer>" in notetype["tmpls"][0]["afmt"]
    col.close()


def test_ids_are_derived_from_names(sample_deck: Deck, tmp_path: Path) -> None:
    target = write(sample_deck, tmp_path / "maths.apkg")
    database = tmp_path / "collection.anki2"
    with zipfile.ZipFile(target) as archive:
        database.write_bytes(archive.read("collection.anki2"))
    connection = sqlite3.connect(database)
    decks_json, models_json = connection.execute("SELECT decks, models FROM col").fetchone()
    note_mods = dict(connection.execute("SELECT guid, mod FROM notes").fetchall())
    connection.close()
    decks = {d["name"]: d["id"] for d in json.loads(decks_json).values()}
    for name in ("Maths", "Maths::Algebra", "Maths::Algebra::Figures", "Maths::Code"):
        assert decks[name] == stable_id(name)
    assert list(json.loads(models_json)) == [str(stable_id(NOTE_TYPE_NAME))]
    assert note_mods["g-math"] == 1_750_000_000
    assert note_mods["g-code"] == UNKNOWN_MODIFIED


def test_same_deck_gives_identical_bytes_whatever_the_clock(sample_deck: Deck, tmp_path: Path) -> None:
    first = write(sample_deck, tmp_path / "one" / "maths.apkg").read_bytes()
    time.sleep(1.2)
    second = write(sample_deck, tmp_path / "two" / "maths.apkg").read_bytes()
    assert first == second


def test_zip_is_deflated_with_fixed_dates_and_smaller_than_stored(sample_deck: Deck, tmp_path: Path) -> None:
    target = write(sample_deck, tmp_path / "maths.apkg")
    stored = io.BytesIO()
    with zipfile.ZipFile(target) as archive, zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as copy:
        for info in archive.infolist():
            assert info.compress_type == zipfile.ZIP_DEFLATED
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            copy.writestr(info.filename, archive.read(info))
    assert target.stat().st_size < len(stored.getvalue()) / 3


def test_reimporting_the_same_file_adds_and_changes_nothing(sample_deck: Deck, tmp_path: Path) -> None:
    target = write(sample_deck, tmp_path / "maths.apkg")
    col = import_apkg(target, tmp_path / "col.anki2")
    before = rendered_cards(col)
    log = import_into(col, target)
    assert len(log.new) == 0
    assert len(log.updated) == 0
    assert len(log.conflicting) == 0
    assert len(log.duplicate) == 5
    assert rendered_cards(col) == before
    assert [m.name for m in col.models.all_names_and_ids()].count(NOTE_TYPE_NAME) == 1
    col.close()


def test_newer_note_is_updated_in_place_and_others_untouched(
    sample_deck: Deck, tmp_path: Path, change_answer: Callable[[Deck, str, str, int], Deck]
) -> None:
    col = import_apkg(write(sample_deck, tmp_path / "v1.apkg"), tmp_path / "col.anki2")
    before = cards_by_guid(col)
    edited = change_answer(sample_deck, "g-code", "<p>It returns 43 now.</p>", 1_760_000_000)
    log = import_into(col, write(edited, tmp_path / "v2.apkg"))
    after = cards_by_guid(col)
    assert [entry.id.nid for entry in log.updated] == [before["g-code"].note_id]
    assert len(log.new) == 0
    assert after["g-code"].note_id == before["g-code"].note_id
    assert after["g-code"].card_id == before["g-code"].card_id
    assert after["g-code"].fields["Answer"] == "<p>It returns 43 now.</p>"
    assert after["g-code"].note_mod == 1_760_000_000
    assert {g: c for g, c in after.items() if g != "g-code"} == {g: c for g, c in before.items() if g != "g-code"}
    assert col.note_count() == 5
    col.close()


def test_change_without_a_newer_time_is_not_applied(
    sample_deck: Deck, tmp_path: Path, change_answer: Callable[[Deck, str, str, int], Deck]
) -> None:
    """Why `modified` matters: Anki keeps its own copy when the incoming note is not newer."""
    col = import_apkg(write(sample_deck, tmp_path / "v1.apkg"), tmp_path / "col.anki2")
    edited = change_answer(sample_deck, "g-code", "<p>It returns 43 now.</p>", 0)
    log = import_into(col, write(edited, tmp_path / "v2.apkg"))
    assert len(log.updated) == 0
    assert cards_by_guid(col)["g-code"].fields["Answer"].startswith('<div class="highlight">')
    col.close()


def test_two_decks_import_side_by_side_into_one_collection(
    sample_deck: Deck, tmp_path: Path, make_note: Callable[..., RenderedNote]
) -> None:
    physics = Deck(
        "Physics",
        [make_note("Physics::Waves", f"<p>Wave question {i}</p>", f"<p>Wave answer {i}</p>", guid=f"p{i}")
         for i in range(3)],
    )
    col = import_apkg(write(sample_deck, tmp_path / "maths.apkg"), tmp_path / "col.anki2")
    import_into(col, write(physics, tmp_path / "physics.apkg"))
    cards = cards_by_guid(col)
    assert col.note_count() == 8
    assert cards["p2"].deck == "Physics::Waves"
    assert cards["p2"].question_text == "Wave question 2"
    assert cards["g-math"].deck == "Maths::Algebra"
    col.close()
