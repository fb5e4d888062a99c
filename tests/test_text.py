"""Source bytes in every encoding the user's machines produce come out as the same text."""

from __future__ import annotations

from pathlib import Path

import pytest

from exporter.reading.text import decode

PROJECT = Path(__file__).resolve().parent.parent
QUESTION = "Qu’est-ce qu’un réseau pré-entraîné ?\nRéponse : un modèle déjà entraîné."


@pytest.mark.parametrize(
    "data,encoding",
    [
        (QUESTION.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + QUESTION.encode("utf-8"), "utf-8-sig"),
        (QUESTION.replace("\n", "\r\n").encode("utf-8"), "utf-8"),
        (QUESTION.encode("utf-16"), "utf-16"),
        (QUESTION.encode("cp1252"), "cp1252"),
    ],
    ids=["utf8", "utf8-bom", "crlf", "utf16-bom", "cp1252"],
)
def test_every_encoding_reads_as_the_same_text(data: bytes, encoding: str) -> None:
    decoded = decode(data)
    assert decoded.text == QUESTION
    assert decoded.encoding == encoding
    assert not decoded.repaired_mojibake


def test_latin1_bytes_that_are_not_cp1252_still_decode() -> None:
    # 0x81 is undefined in cp1252, so only Latin-1 reads it.
    decoded = decode("café\x81".encode("latin-1"))
    assert decoded.encoding == "latin-1"
    assert decoded.text.startswith("café")


def test_old_mac_line_endings_become_newlines() -> None:
    assert decode(b"a\rb\r\nc").text == "a\nb\nc"


def test_mojibake_is_repaired_and_located() -> None:
    damaged = "# Titre\n\nL'entra√Ænement des r√©seaux\n".encode("utf-8")
    decoded = decode(damaged)
    assert decoded.text == "# Titre\n\nL'entraînement des réseaux\n"
    assert decoded.repaired_mojibake
    assert decoded.first_repaired_line == 3


def test_the_lesson_seed_comes_out_whole() -> None:
    decoded = decode((PROJECT / "sources/lesson-transfer-learning.md").read_bytes())
    lines = decoded.text.split("\n")
    assert "# Réseaux pré-entraînés et apprentissage par transfert" in lines
    assert "## ✍️ Exercice : Apprentissage par transfert" in lines
    assert "## 🚀 Défi" in lines
    assert decoded.first_repaired_line == 10
    # Repair never shifts lines: provenance stays exact.
    assert len(lines) == len((PROJECT / "sources/lesson-transfer-learning.md").read_bytes().split(b"\n"))


def test_healthy_text_is_left_exactly_as_written() -> None:
    for name in ("deep-learning-quiz-qa.md", "deep-learning-questions-de-cours.md"):
        raw = (PROJECT / "sources" / name).read_text(encoding="utf-8")
        decoded = decode(raw.encode("utf-8"))
        assert decoded.text == raw
        assert not decoded.repaired_mojibake


def test_the_whole_file_check_agrees_with_fixing_line_by_line() -> None:
    """Healthy files skip ftfy; any line ftfy would change still gets repaired, at its own line."""
    import random

    import ftfy

    from exporter.reading.text import repair_mojibake

    rng = random.Random(3)
    pieces = ["é", "è", "Ã©", "Ã ", "Â ", "â€™", "Ã¨", "Ã", "Â", " ", "a", "b", "\u00a0", "Å“", "Œ", "×²", "€", "ðŸ"]
    for _ in range(2000):
        lines = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 6))) for _ in range(rng.randint(1, 4))]
        expected = [ftfy.fix_encoding(line) if not line.isascii() else line for line in lines]
        first = next((i + 1 for i, (a, b) in enumerate(zip(lines, expected)) if a != b), 0)
        assert repair_mojibake("\n".join(lines)) == ("\n".join(expected), first), lines
