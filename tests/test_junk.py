"""Chatbot citation junk is removed before reading, line numbers stay exact, each removal is reported."""

from __future__ import annotations

from pathlib import Path

from exporter.build.pipeline import load_source
from exporter.config import Config
from exporter.diagnostics import Diagnostics, Level
from exporter.reading.junk import Removal, strip_junk


def test_a_junk_only_line_becomes_an_empty_line() -> None:
    text = "- le partage des poids.\n\n:contentReference[oaicite:3]{index=3}\n\n---"
    assert strip_junk(text) == (
        "- le partage des poids.\n\n\n\n---",
        [Removal(3, ":contentReference[oaicite:3]{index=3}")],
    )


def test_inline_junk_goes_with_the_spaces_before_it() -> None:
    text = "Grad-CAM produit une carte de chaleur. :contentReference[oaicite:5]{index=5} Fin."
    cleaned, removals = strip_junk(text)
    assert cleaned == "Grad-CAM produit une carte de chaleur. Fin."
    assert removals == [Removal(1, ":contentReference[oaicite:5]{index=5}")]


def test_every_variant_is_removed_and_reported_once() -> None:
    text = (
        "A【oaicite:7】\n"
        "B [oaicite:2]\n"
        "C \ue200cite\ue202turn0search1\ue202turn0news4\ue201\n"
        "D citeturn0search1turn1view0\n"
        "E 【4:0†source】"
    )
    cleaned, removals = strip_junk(text)
    assert cleaned == "A\nB\nC\nD\nE"
    assert [r.line for r in removals] == [1, 2, 3, 4, 5]
    assert removals[2].junk == "\ue200cite\ue202turn0search1\ue202turn0news4\ue201"


def test_ordinary_text_is_untouched() -> None:
    text = "On cite [1] et [index] ; une citation {index=3} ; turn left.\n```\n[oaicite] sans numéro\n```"
    assert strip_junk(text) == (text, [])


def test_load_source_strips_junk_and_reports_each_removal(tmp_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("### Q1. Question ?\n**Réponse :**\nUn.\n:contentReference[oaicite:1]{index=1}\n---\n", encoding="utf-8")
    diagnostics = Diagnostics()
    source = load_source(path, tmp_path, Config(), diagnostics)
    assert source is not None
    assert source.lines == ["### Q1. Question ?", "**Réponse :**", "Un.", "", "---", ""]
    assert [(d.path, d.line, d.level, d.code) for d in diagnostics.sorted()] == [
        ("notes.md", 4, Level.WARNING, "junk")
    ]
