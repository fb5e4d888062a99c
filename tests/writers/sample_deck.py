"""Hand-made rendered decks in the render stage's HTML contract, for the sheet writers' tests."""

from __future__ import annotations

import dataclasses
import struct
import zlib
from pathlib import Path

from exporter.model import Deck, MediaFile, Note, NoteKind, RenderedNote, SourceLocation
from exporter.rendering.highlight import highlight_code

MODIFIED = 1_763_000_000  # 2025-11-13 UTC


def inline(tex: str) -> str:
    return f'<span class="math inline">\\({_esc(tex)}\\)</span>'


def display(tex: str) -> str:
    return f'<div class="math display">\\[{_esc(tex)}\\]</div>'


def _esc(tex: str) -> str:
    return tex.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def tiny_png(path: Path, width: int = 40, height: int = 20) -> Path:
    """A small solid-blue PNG, written without any imaging library."""
    raw = b"".join(b"\x00" + b"\x20\x60\xc0" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return path


def rendered(
    question_html: str,
    answer_html: str,
    *,
    deck: str = "Deep learning",
    section: str = "Neurones",
    kind: NoteKind = NoteKind.QA,
    line: int = 1,
    path: str = "sources/dl.md",
    media: tuple[MediaFile, ...] = (),
    language: str = "en",
) -> RenderedNote:
    note = Note(
        deck=deck, kind=kind, question=question_html, answer=answer_html or None,
        source=SourceLocation(path, line), section=section, context=f"{deck} › {section}",
        modified=MODIFIED + line,
    )
    return RenderedNote(note, question_html, answer_html, f"{deck} › {section}", f"{path}:{line}", media, language)


def small_deck(image: Path | None = None) -> Deck:
    """Six notes: math of every kind the seeds use, code, an image, an open question, a sub-deck."""
    media = (MediaFile("neuron.png", str(image)),) if image is not None else ()
    code = highlight_code("def relu(x):\n    return max(0.0, x)\n", "python")
    notes = [
        rendered(
            f"<p>Quelle est la sortie {inline('y')} d’un neurone ?</p>",
            "<p>La somme pondérée passée dans l’activation : " + inline(r"y = f\left(\sum_i w_i x_i + b\right)") + ".</p>",
            line=3,
        ),
        rendered(
            "<p>Écrire la dérivée de la perte.</p>",
            display(r"\begin{aligned} \frac{\partial L}{\partial w} &= \frac{\partial L}{\partial y}\,x \\ b &< 1 \end{aligned}")
            + "<p>Le gradient est " + inline(r"\text{prévu}") + " par la règle de chaîne.</p>",
            line=9,
        ),
        rendered(
            "<p>Comment s’écrit ReLU en Python ?</p>",
            code + '<p>Schéma :</p><p><img src="neuron.png" alt="neurone"></p>',
            line=15,
            media=media,
        ),
        rendered(
            "<p>Que vaut le produit " + inline(r"\begin{pmatrix}a&b\\c&d\end{pmatrix} x") + " ?</p>",
            display(r"\begin{pmatrix}a&b\\c&d\end{pmatrix}\begin{pmatrix}x_1\\x_2\end{pmatrix}"),
            section="Algèbre",
            line=21,
        ),
        rendered(
            "<p>Pourquoi le transfert marche-t-il sur des images médicales ?</p>",
            '<p class="no-answer">No answer yet.</p>',
            deck="Deep learning::Transfer",
            section="Questions ouvertes",
            kind=NoteKind.OPEN,
            line=2,
            path="sources/open.md",
        ),
        rendered(
            "<p>Quel est l’optimiseur adaptatif le plus courant (α, β, γ) ?</p>",
            "<p>Adam, avec <code>lr=1e-3</code>.</p><table><tr><th>β₁</th><th>β₂</th></tr><tr><td>0.9</td><td>0.999</td></tr></table>",
            deck="Deep learning::Transfer",
            section="Optimisation",
            line=8,
            path="sources/open.md",
        ),
    ]
    return Deck("Deep learning", [dataclasses.replace(n, language="fr") for n in notes])  # a French deck


def synthetic_deck(count: int, with_math: bool = True) -> Deck:
    """`count` questions over ten topics, a formula in every third answer; for benchmarks and bounds."""
    notes = []
    for i in range(1, count + 1):
        answer = f"<p>Réponse {i} : une phrase d’explication assez longue pour occuper une ligne entière de la page.</p>"
        if with_math and i % 3 == 0:
            answer += display(rf"\sum_{{k=1}}^{{{i}}} w_k x_k + b_{{{i}}}") + "<p>avec " + inline(rf"\alpha_{{{i}}} < 1") + ".</p>"
        notes.append(rendered(f"<p>Question numéro {i} ?</p>", answer, section=f"Sujet {i % 10}", line=i))
    return Deck("Synthetic", notes)
