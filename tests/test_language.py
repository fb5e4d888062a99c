"""The tool's own words follow the notes' language, with French typography in French."""

from __future__ import annotations

from pathlib import Path

from exporter.config import load_config
from exporter.diagnostics import Diagnostics
from exporter.language import detect_language, label, labels


def test_french_and_english_notes_are_told_apart() -> None:
    assert detect_language(["Quelle est la différence entre les deux couches du réseau ?"]) == "fr"
    assert detect_language(["What is the difference between the two layers of the network?"]) == "en"
    assert detect_language([""]) == "en"


def test_french_labels_keep_their_sign_on_the_line_of_their_word() -> None:
    assert label("fr", "image_not_found", name="a:b.png") == "image introuvable\u00a0: a:b.png"
    assert label("fr", "long_answer", page=12) == "Réponse trop longue pour une carte\u00a0: voir page 12"
    assert label("en", "long_answer", page=12) == "Answer too long for a card: see page 12"
    assert labels("fr")["contents"] == "Sommaire" and labels("en")["answer_key"] == "Answer key"


def test_language_is_set_globally_or_per_source(tmp_path: Path) -> None:
    (tmp_path / "exporter.toml").write_text(
        'language = "fr"\n[[sources]]\npath = "en/*.md"\nlanguage = "en"\n[[sources]]\npath = "x.md"\nlanguage = "de"\n',
        encoding="utf-8",
    )
    diagnostics = Diagnostics()
    config = load_config(tmp_path, diagnostics)
    assert config.for_source("notes.md").language == "fr"
    assert config.for_source("en/a.md").language == "en"
    assert [d.message for d in diagnostics.items] == ["sources entry 2: 'language' must be one of en, fr, not 'de'"]


def test_marker_counts_count_the_words_the_word_pattern_finds() -> None:
    """The translate-and-split tally is `_WORD.findall`'s, on texts of every kind of character."""
    import random
    from collections import Counter

    from exporter.language import _MARKERS, _WORD, marker_counts

    rng = random.Random(5)
    pieces = [*"le la the of and est d'é ÉÀœŒß İ\u00a0\u202f\t\n.,;:?!'’-_0123456789$\\{}ÿøö÷×", "le", "The", "LES",
              "où", "Où", "what", "why", "l'", "d'une", *(chr(rng.randrange(32, 0x3000)) for _ in range(300))]
    ascii_pieces = [piece for piece in pieces if piece.isascii()]
    found = 0
    for round in range(600):
        choices = pieces if round % 2 else ascii_pieces  # the ASCII path and the other one
        texts = ["".join(rng.choice(choices) for _ in range(rng.randint(0, 80))) for _ in range(rng.randint(0, 4))]
        words = Counter(_WORD.findall("\n".join(texts).lower()))
        expected = (sum(words[w] for w in _MARKERS["fr"]), sum(words[w] for w in _MARKERS["en"]))
        assert marker_counts(texts) == expected, texts
        found += sum(expected)
    assert found > 200  # marker words were there to count
