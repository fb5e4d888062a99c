"""Write a synthetic source tree of N notes spread over every source format the toolkit reads.

Run from the project root: `python bench/corpus.py OUT_DIR --notes 10000 [--one-file]`.
Each note has inline and display math, and notes alternate a code block and a list, so
the render stage does the work real notes ask of it. The split (40% qa-blocks, 30%
numbered questions, 20% open questions, 10% lesson sections and table rows) keeps every
reader busy; files hold at most `PER_FILE` notes, as a user's files would.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

PER_FILE = 500
SHARES = (("qa", 0.4), ("numbered", 0.3), ("open", 0.2), ("lesson", 0.1))
TOPICS = ("Gradient Descent", "Convolutions", "Regularisation", "Attention", "Optimisers")
WORDS = ("loss", "gradient", "weights", "bias", "layer", "kernel", "stride", "dropout", "batch",
         "epoch", "softmax", "entropy", "momentum", "variance", "feature", "embedding")


def _words(i: int, count: int) -> str:
    return " ".join(WORDS[(i * 7 + k * 3) % len(WORDS)] for k in range(count))


def _body(i: int) -> str:
    """An answer: a sentence with inline math, a display formula, then code or a list."""
    lines = [
        f"The {_words(i, 4)} term is $w_{{{i}}} = w - \\eta \\nabla L_{{{i % 97}}}$ for note {i}.",
        "",
        "$$",
        f"\\sum_{{k=1}}^{{{i % 50 + 2}}} \\frac{{x_k^2}}{{{i % 9 + 1}}} = \\sigma({i})",
        "$$",
        "",
    ]
    if i % 2:
        lines += ["```python", f"def step_{i}(w, g, lr={i % 10 / 100}):", "    return w - lr * g", "```"]
    else:
        lines += [f"- first, the {_words(i + 1, 3)}", f"- then **{_words(i + 2, 2)}**", "- finally `code`"]
    return "\n".join(lines)


def _question(i: int) -> str:
    return f"What does {_words(i, 3)} number {i} do to $f_{{{i}}}(x)$?"


def qa_file(start: int, count: int) -> str:
    blocks = []
    for i in range(start, start + count):
        topic = TOPICS[i % len(TOPICS)]
        blocks.append(f"Question : Bench QA - {topic} - {_question(i)}\nAnswer   : {_body(i)}\n")
    return "\n".join(blocks)


def numbered_file(start: int, count: int, part: int) -> str:
    out = [f"# Bench numbered {part}", ""]
    for n, i in enumerate(range(start, start + count), 1):
        if n % 50 == 1:
            out += [f"## {n // 50 + 1}. {TOPICS[n // 50 % len(TOPICS)]}", ""]
        out += [f"### Q{n}. {_question(i)}", "**Réponse :**  ", _body(i), "", "---", ""]
    return "\n".join(out)


def open_file(start: int, count: int, part: int) -> str:
    """Questions to think about: no answers (a file with answers belongs to another reader)."""
    out = [f"# Bench open {part}", ""]
    for n, i in enumerate(range(start, start + count), 1):
        if n % 100 == 1:
            out += [f"### {TOPICS[n // 100 % len(TOPICS)]}", ""]
        out += [f"**{n}. {_words(i, 2).capitalize()} {i}**", "", _question(i), f"Think about $x_{{{i}}}^2$.", ""]
    return "\n".join(out)


def lesson_file(start: int, count: int, part: int) -> str:
    """Sections (one note each) and table rows (one note per row), about half and half."""
    out = [f"# Bench lesson {part}", "", "An introduction to the lesson.", ""]
    sections = count // 2
    for n, i in enumerate(range(start, start + sections), 1):
        out += [f"## Section {n}: {_words(i, 3)}", "", _body(i), ""]
    rows = count - sections
    out += ["## Summary table", "", "Key terms:", "", "| Term | Meaning | Formula |", "|---|---|---|"]
    for i in range(start + sections, start + sections + rows):
        out.append(f"| {_words(i, 2)} {i} | {_words(i + 3, 5)} | $x_{{{i}}}^2$ |")
    out.append("")
    return "\n".join(out)


def write_one_file(out: Path, notes: int) -> Path:
    """Replace `out` with one qa-blocks file holding all `notes` notes (people keep one big file too)."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    path = out / "all-notes.md"
    path.write_text(qa_file(0, notes), encoding="utf-8")
    return path


def write_corpus(out: Path, notes: int) -> dict[str, int]:
    """Replace `out` with a corpus of about `notes` notes; returns notes asked of each format."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    counts = {name: round(notes * share) for name, share in SHARES}
    counts["qa"] += notes - sum(counts.values())
    index = 0
    for name, total in counts.items():
        for part, start in enumerate(range(0, total, PER_FILE), 1):
            count = min(PER_FILE, total - start)
            if name == "qa":
                text = qa_file(index, count)
            elif name == "numbered":
                text = numbered_file(index, count, part)
            elif name == "open":
                text = open_file(index, count, part)
            else:
                text = lesson_file(index, count, part)
            (out / f"{name}-{part:04d}.md").write_text(text, encoding="utf-8")
            index += count
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--one-file", action="store_true", help="all notes in one qa-blocks file")
    args = parser.parse_args()
    print(write_one_file(args.out, args.notes) if args.one_file else write_corpus(args.out, args.notes))


if __name__ == "__main__":
    main()
